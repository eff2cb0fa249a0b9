// tests runtime/statements_to_run.hpp and TermUpdater (runtime/evaluate.hpp):
// an evaluation skips a local that only a reduced likelihood read, keeps one
// with bounds, and a partial update gives the marked statements' terms of a
// full evaluation at the same draw.
#include "runtime/evaluate.hpp"
#include "runtime/statements_to_run.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <fmt/format.h>

#include <cmath>

using namespace bbvi;

namespace {

data::CsvTable table() {
  std::string csv = "x,y\n";
  for (int i = 0; i < 40; ++i) csv += fmt::format("{},{}\n", 1990 + i % 7, 3 + 0.1 * i + std::sin(i));
  return data::CsvTable::from_text(std::move(csv), "rows.csv");
}

// Statements: 0 and 1 the priors, 2 the local, 3 the likelihood.
std::string model(std::string const& local_type) {
  return fmt::format(R"(
data {{ real x[N]; real y[N]; }}
latent {{ real a; real b; }}
model {{
  a ~ Normal(0, 100);
  b ~ Normal(0, 100);
  {} mean_y[N] = a + b * x;
  y ~ Normal(mean_y, 2);
}}
guide {{ real m = 0; a ~ Normal(m, 1); b ~ Normal(m, 1); }}
)",
                     local_type);
}

Program lowered(std::string const& source, bool reduce) {
  data::CsvTable const rows = table();
  CompileOptions options;
  options.sufficient_statistics = reduce;
  return testing::compile_model(source, &rows, options);
}

}  // namespace

TEST_CASE("statements to run: a local that only a reduced likelihood reads is not computed") {
  Program const reduced = lowered(model("real"), true);
  Program const plain = lowered(model("real"), false);
  REQUIRE(std::get<Factor>(reduced.model[3]).affine.has_value());
  CHECK(reduced.statements_run == std::vector<bool>{true, true, false, true});
  CHECK(plain.statements_run == std::vector<bool>{true, true, true, true});
  // Skipped or not, the log-joint is the same.
  for (std::vector<double> const& z : {std::vector<double>{0, 0}, std::vector<double>{-180, 0.1}}) {
    CAPTURE(z);
    CHECK(log_joint(reduced, z) == Approx(log_joint(plain, z)).epsilon(1e-10));
  }
}

TEST_CASE("statements to run: a local with bounds is always checked") {
  Program const reduced = lowered(model("real<lower=-1e4>"), true);
  CHECK(reduced.statements_run == std::vector<bool>{true, true, true, true});
  CHECK_THROWS_AS(log_joint(reduced, {-1e5, 0}), NumericalError);
}

TEST_CASE("statements to run: only the marked factors, and the locals they read") {
  Program const plain = lowered(model("real"), false);
  CHECK(statements_to_run(plain, {true, false, true, false}) == std::vector<bool>{true, false, false, false});
  CHECK(statements_to_run(plain, {false, false, false, true}) == std::vector<bool>{false, false, true, true});
}

TEST_CASE("term updater: the marked statements' terms are a full evaluation's at the new draw") {
  Program const plain = lowered(model("real"), false);
  std::vector<double> const draw = {-150, 0.08}, moved = {-150, 0.09};  // b moved: its blanket changes
  std::vector<std::vector<double>> terms, expected;
  log_joint_terms(plain, draw, terms);
  log_joint_terms(plain, moved, expected);
  std::vector<bool> const b_blanket = statements_to_run(plain, {false, true, false, true});
  TermUpdater updater(plain);
  for (int repeat = 0; repeat < 2; ++repeat) {  // its kept storage holds no stale value
    updater.update(moved, terms, nullptr, b_blanket);
    CHECK(terms[1] == expected[1]);
    CHECK(terms[3] == expected[3]);
    CHECK(terms[0] == expected[0]);  // a's prior: not evaluated, and the same at both draws
  }
}
