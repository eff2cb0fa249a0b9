// Every function of the language, for double and for the dual number, and
// the indexing forms, through the lowered expressions the runtime evaluates.
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;

namespace {

// A guide whose local `e = expression(u)` is the mean of a Normal: at z = 0,
// log q = −½ e² − log √(2π) gives back |e|, and its score in u is −e e′(u),
// so the expression's value and dual derivative are read off log q.
struct Probe {
  Program program;

  explicit Probe(std::string const& expression)
      : program(testing::compile_model("latent { real z; }\nmodel { z ~ Normal(0, 1); }\nguide { real u; real e = " +
                                           expression + ";\n z ~ Normal(e, 1); }\n",
                                       nullptr)) {}

  // e(u) from log q(0 | u) = −½ e² − log √(2π), and de/du from its score.
  std::pair<double, double> at(double u) const {
    Eigen::VectorXd uu(1), score(1);
    uu << u;
    double const lq = log_guide_with_score(program, uu, {0.0}, score);
    double const e = std::sqrt(std::max(0.0, -2 * (lq + 0.918938533204672742)));
    return {e, score[0]};
  }
};

}  // namespace

TEST_CASE("functions: each agrees with its definition and its dual derivative with finite differences") {
  struct Case {
    char const* expression;
    double (*value)(double);
  };
  // Each expression is positive at u = 0.7 so that e = |e| is recovered from log q.
  Case const cases[] = {
      {"exp(u)", [](double u) { return std::exp(u); }},
      {"log(u + 2)", [](double u) { return std::log(u + 2); }},
      {"sqrt(u)", [](double u) { return std::sqrt(u); }},
      {"square(u)", [](double u) { return u * u; }},
      {"pow(u, 3)", [](double u) { return std::pow(u, 3); }},
      {"pow(2, u)", [](double u) { return std::pow(2, u); }},
      {"pow(u, u)", [](double u) { return std::pow(u, u); }},
      {"u ^ 2.5", [](double u) { return std::pow(u, 2.5); }},
      {"abs(-u)", [](double u) { return std::fabs(-u); }},
      {"log1p(u)", [](double u) { return std::log1p(u); }},
      {"expm1(u)", [](double u) { return std::expm1(u); }},
      {"logit(u / 2) + 3", [](double u) { return std::log(u / 2 / (1 - u / 2)) + 3; }},
      {"inv_logit(u)", [](double u) { return 1 / (1 + std::exp(-u)); }},
      {"lgamma(u) + 1", [](double u) { return std::lgamma(u) + 1; }},
      {"2 - u * 3 / 4 + 1", [](double u) { return 2 - u * 3 / 4 + 1; }},
      {"inv(u)", [](double u) { return 1 / u; }},
      {"Phi(u)", [](double u) { return 0.5 * std::erfc(-u / std::sqrt(2.0)); }},
      {"step(u - 0.5) + u", [](double u) { return (u - 0.5 < 0 ? 0.0 : 1.0) + u; }},
      {"fmin(u, 2 * u) + fmax(u, 3 * u)", [](double u) { return std::fmin(u, 2 * u) + std::fmax(u, 3 * u); }},
      {"log_sum_exp(u, 1 - u)", [](double u) { return std::log(std::exp(u) + std::exp(1 - u)); }},
      {"log_mix(0.3, u, 2 * u) + 5", [](double u) { return std::log(0.3 * std::exp(u) + 0.7 * std::exp(2 * u)) + 5; }},
      {"u > 0.5 ? u * u : -u", [](double u) { return u > 0.5 ? u * u : -u; }},
      {"(u < 0.5 || u >= 2) + u", [](double u) { return (u < 0.5 || u >= 2 ? 1.0 : 0.0) + u; }},
  };
  double const u = 0.7, h = 1e-6;
  for (Case const& c : cases) {
    INFO(c.expression);
    Probe const probe(c.expression);
    auto const [e, score] = probe.at(u);
    CHECK(e == Approx(c.value(u)).epsilon(1e-9));
    // score = d/du [−½ e(u)²] = −e e′(u).
    double const derivative = (c.value(u + h) - c.value(u - h)) / (2 * h);
    CHECK(score == Approx(-e * derivative).epsilon(1e-6));
  }
}

TEST_CASE("indexing: a constant index, a gather over an int column, sum and mean") {
  std::string const source = R"(
data { int g[N]; real y[N]; }
latent { real theta[3]; }
model {
  theta ~ Normal(0, 1);
  real picked[N] = theta[g];
  y ~ Normal(picked + theta[2] + mean(theta) - sum(theta) / 3, 1);
}
guide { real m[3]; theta ~ Normal(m, 1); }
)";
  data::CsvTable const table = data::CsvTable::from_text("g,y\n3,0.5\n1,-1\n3,2\n", "g.csv");
  Program const program = testing::compile_model(source, &table);
  std::vector<double> const theta{0.3, -1.1, 2.0};
  double expected = 0;
  for (double t : theta) expected += -0.5 * t * t - 0.918938533204672742;
  int const g[] = {3, 1, 3};
  double const y[] = {0.5, -1, 2};
  for (int n = 0; n < 3; ++n) {
    double const mean = theta[static_cast<std::size_t>(g[n] - 1)] + theta[1];  // mean − sum/3 cancel
    expected += -0.5 * (y[n] - mean) * (y[n] - mean) - 0.918938533204672742;
  }
  CHECK(log_joint(program, theta) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("functions of a whole vector: log_sum_exp, cumulative_sum, softmax, log_softmax") {
  std::string const model = R"(
data { int g[N]; real y[N]; }
latent { real theta[3]; }
model {
  theta ~ Normal(0, 1);
  real sm[3] = softmax(theta);
  real ls[3] = log_softmax(theta);
  real cs[3] = cumulative_sum(theta);
  y ~ Normal(sm[g] + ls[g] + cs[g] + log_sum_exp(theta), 1);
}
guide { real m[3]; theta ~ Normal(m, 1); }
)";
  data::CsvTable const table = data::CsvTable::from_text("g,y\n3,0.5\n1,-1\n2,2\n", "g.csv");
  Program const program = testing::compile_model(model, &table);
  std::vector<double> const theta{0.3, -1.1, 2.0};
  double const lse = std::log(std::exp(0.3) + std::exp(-1.1) + std::exp(2.0));
  double const cumulative[] = {0.3, 0.3 - 1.1, 0.3 - 1.1 + 2.0};
  double expected = 0;
  for (double t : theta) expected += -0.5 * t * t - 0.918938533204672742;
  int const g[] = {3, 1, 2};
  double const y[] = {0.5, -1, 2};
  for (int n = 0; n < 3; ++n) {
    std::size_t const k = static_cast<std::size_t>(g[n] - 1);
    double const mean = std::exp(theta[k] - lse) + (theta[k] - lse) + cumulative[k] + lse;
    expected += -0.5 * (y[n] - mean) * (y[n] - mean) - 0.918938533204672742;
  }
  CHECK(log_joint(program, theta) == Approx(expected).epsilon(1e-12));
  // Large elements do not overflow: the largest is taken out first.
  std::vector<double> const large{800, 799, -50};
  CHECK(std::isfinite(log_joint(program, large)));
}

TEST_CASE("indexing: an index out of range names the row of the int column") {
  std::string const source = R"(data { int g[N]; real y[N]; }
latent { real theta[2]; }
model { theta ~ Normal(0, 1); y ~ Normal(theta[g], 1); }
guide { real m[2]; theta ~ Normal(m, 1); }
)";
  data::CsvTable const table = data::CsvTable::from_text("g,y\n1,0.5\n3,1\n", "g.csv");
  try {
    testing::compile_model(source, &table);
    FAIL("an out-of-range index was accepted");
  } catch (DiagnosticError const& e) {
    Diagnostic const& d = e.diagnostics().front();
    CHECK(d.message == "index 3 into 'theta' (row 2 of column 'g') is out of range: 'theta' has elements 1 to 2");
    CHECK(d.pos.line == 3);
  }
}
