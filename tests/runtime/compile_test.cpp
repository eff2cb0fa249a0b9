// Lowering against data: what only the data and the options can reveal.
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

using namespace bbvi;

namespace {

std::string const canonical = testing::read_source_file("models/normal_gamma.model");

// The rendered first diagnostic of what compiling throws.
Diagnostic first_diagnostic(std::string const& source, data::CsvTable const* table, CompileOptions const& options = {}) {
  try {
    testing::compile_model(source, table, options);
  } catch (DiagnosticError const& e) {
    return e.diagnostics().front();
  }
  Diagnostic none;
  none.message = "no error";
  return none;
}

std::string first_error(std::string const& source, data::CsvTable const* table, CompileOptions const& options = {}) {
  Diagnostic const d = first_diagnostic(source, table, options);
  if (d.message == "no error") return d.message;
  return fmt::format("{}:{}:{}: {}", d.file, d.pos.line, d.pos.column, d.message);
}

}  // namespace

TEST_CASE("compile: a data column missing from the CSV names the declaration and the columns there are") {
  data::CsvTable const table = testing::column_table("y", {1.0, 2.0});
  CHECK(first_error(canonical, &table) ==
        "test.model:3:8: data column 'x' is not in memory.csv (its columns are: y)");
}

TEST_CASE("compile: an override of a name that is not a constant, and of a value outside the bounds") {
  // The messages name no flag: the setting is data, which tools/ words as one.
  data::CsvTable const table = testing::column_table("x", {1.0, 2.0});
  CompileOptions options;
  options.overrides = {{"tau", 1.0}};
  Diagnostic const unknown = first_diagnostic(canonical, &table, options);
  CHECK(unknown.setting == Setting::constant_override);
  CHECK(unknown.setting_value == "tau=1");
  CHECK(unknown.message == "'tau' is not a data constant of test.model (its constants are: alpha0, beta0, lambda0, mu0)");
  options.overrides = {{"lambda0", -2.0}};
  Diagnostic const outside = first_diagnostic(canonical, &table, options);
  CHECK(outside.setting == Setting::none);
  CHECK(first_error(canonical, &table, options) ==
        "test.model:5:17: constant 'lambda0' is -2 (set with an override), outside its declared bounds <lower=0>");
  REQUIRE(outside.mentions.size() == 1);
  CHECK(outside.mentions[0].setting == Setting::constant_override);
  CHECK(outside.message.substr(outside.mentions[0].begin, outside.mentions[0].end - outside.mentions[0].begin) ==
        "an override");
  options.overrides = {{"N", 5.0}};
  CHECK(first_diagnostic(canonical, &table, options).setting_value == "N=5");
}

TEST_CASE("compile: vectors of different lengths are rejected before fitting") {
  std::string const source = R"(data { real x[N]; real w[N]; }
latent { real mu; }
model { real both[N] = x + w; mu ~ Normal(0, 1); x ~ Normal(mu * sum(w), 1); }
guide { real m; mu ~ Normal(m, 1); }
)";
  data::CsvTable const table = data::CsvTable::from_text("x,w\n1,2\n3,4\n", "xw.csv");
  CHECK_NOTHROW(testing::compile_model(source, &table));
  std::string const mismatch = R"(data { real x[N]; int J = 3; }
latent { real mu; real theta[J]; }
model { mu ~ Normal(0, 1); theta ~ Normal(mu, 1); x ~ Normal(theta, 1); }
guide { real m; real t[J]; mu ~ Normal(m, 1); theta ~ Normal(t, 1); }
)";
  CHECK(first_error(mismatch, &table) ==
        "test.model:3:62: size mismatch: mean of Normal has 3 elements, but 'x' has 2");
}

TEST_CASE("compile: guide parameters start where their initial values say, on the unconstrained scale") {
  data::CsvTable const table = testing::column_table("x", {1.0});
  Program const program = testing::compile_model(canonical, &table);
  REQUIRE(program.parameters.size() == 4);
  CHECK(program.parameters[0].initial[0] == 0.0);             // mu_N = 0
  CHECK(program.parameters[1].initial[0] == Approx(0.0));     // log(lambda_N = 1)
  CHECK(program.parameters[1].constraint.lower == 0.0);
}

TEST_CASE("compile: a CSV with a header and no rows names the file, not the size") {
  data::CsvTable const table = data::CsvTable::from_text("x\n", "empty.csv");
  CHECK(first_error(canonical, &table) ==
        "empty.csv:1:1: the file has a header but no data rows, so column 'x' (declared at test.model:3:8) is empty");
}

TEST_CASE("compile: a local's declared bounds are checked whenever it is computed") {
  std::string const source = R"(data { real x[N]; }
latent { real mu; real<lower=0> tau; }
model {
  mu ~ Normal(0, 1);
  tau ~ Gamma(2, 2);
  real<lower=0> sd = 1 / sqrt(tau);
  real<upper=0> shifted[N] = x - mu;
  x ~ Normal(mu, sd);
}
guide { real m; real<lower=0> s = 1; mu ~ Normal(m, s); tau ~ Gamma(2, 2); }
)";
  data::CsvTable const table = data::CsvTable::from_text("x\n-1\n-3\n", "x.csv");
  Program const program = testing::compile_model(source, &table);
  CHECK(std::isfinite(log_joint(program, {1.0, 1.0})));   // x - mu = -2, -4
  CHECK(std::isfinite(log_joint(program, {-1.0, 1.0})));  // 0, -2: on the bound is inside, as for data
  try {
    log_joint(program, {-2.0, 1.0});  // x - mu = 1, -1
    FAIL("a local outside its bounds was accepted");
  } catch (NumericalError const& e) {
    Diagnostic const& d = e.diagnostic();
    CHECK(d.message == "local 'shifted[1]' is 1, outside its declared bounds <upper=0>");
    CHECK(d.pos.line == 7);
  }
}

TEST_CASE("compile: a guide declaration is a parameter or a local by the checker's rule") {
  // `m` and `k`, of a data constant and N, are parameters with those initial
  // values; `t` reads a parameter, so it is a guide local.
  std::string const source = R"(
data { real y[N]; real c = 2; }
latent { real mu; }
model {
  mu ~ Normal(0, 1);
  y ~ Normal(mu, 1);
}
guide {
  real m = c;
  real<lower=0> s = 1;
  real t = s * 2;
  real k = c * N;
  mu ~ Normal(m + k, t);
}
)";
  data::CsvTable const table = testing::column_table("y", {1.0, 2.0});
  Program const p = testing::compile_model(source, &table);
  REQUIRE(p.parameters.size() == 3);
  CHECK(p.parameters[0].name == "m");
  CHECK(p.parameters[0].initial == std::vector<double>{2.0});
  CHECK(p.parameters[1].name == "s");
  CHECK(p.parameters[2].name == "k");
  CHECK(p.parameters[2].initial == std::vector<double>{4.0});  // c * N, N = 2 rows
  auto const* t = std::get_if<Definition>(&p.guide[0]);
  REQUIRE(t);
  CHECK(t->name == "t");
}

TEST_CASE("compile: a model local and a guide declaration of the same name are rejected") {
  // docs/language.md, 'Blocks' (scope and order). The checker resolves names by
  // block and lets them through; the lowering, with one name per program,
  // rejects them.
  std::string const source = R"(
data { real y[N]; }
latent { real mu; }
model {
  real s = 1;
  mu ~ Normal(0, s);
  y ~ Normal(mu, 1);
}
guide {
  real m;
  real<lower=0> s = 1;
  mu ~ Normal(m, s);
}
)";
  data::CsvTable const table = testing::column_table("y", {1.0, 2.0});
  CHECK(first_error(source, &table) == "test.model:11:17: 's' is declared twice");
}
