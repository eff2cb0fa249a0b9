// Derived data (a data-block declaration whose value reads the columns) is
// computed once and is then a column like the CSV's: a model that derives
// log(earnings) and centres its predictor fits exactly as the same model
// given those columns precomputed in the CSV. Array literals make vectors
// of data, of initial values and of expressions.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <string>

using namespace bbvi;

namespace {

// Heights near 66 inches and earnings in the tens of thousands, a
// log-earnings regression's data.
struct Rows {
  std::vector<double> height, earnings;
};

Rows survey(std::size_t n) {
  Rows r;
  for (std::size_t i = 0; i < n; ++i) {
    double const u = std::sin(1.7 * static_cast<double>(i) + 0.3), v = std::cos(2.3 * static_cast<double>(i));
    r.height.push_back(66 + 4 * u);
    r.earnings.push_back(std::exp(9.5 + 0.06 * 4 * u + 0.8 * v));
  }
  return r;
}

std::string const guide = R"(
guide {
  real a_mean = 0; real<lower=0> a_sd = 1; real b_mean = 0; real<lower=0> b_sd = 1;
  real log_s_mean = 0; real<lower=0> log_s_sd = 1;
  a ~ Normal(a_mean, a_sd); b ~ Normal(b_mean, b_sd); s ~ LogNormal(log_s_mean, log_s_sd);
}
)";

std::string const latent_and_model = R"(
latent { real a; real b; real<lower=0> s; }
model {
  a ~ Normal(0, 10); b ~ Normal(0, 10); s ~ HalfNormal(2);
  log_earn ~ Normal(a + b * height_c, s);
}
)";

}  // namespace

TEST_CASE("transformed data: a derived log and a centred predictor fit as the same columns precomputed") {
  Rows const rows = survey(300);
  double mean_height = 0;
  for (double h : rows.height) mean_height += h;
  mean_height /= static_cast<double>(rows.height.size());
  std::string derived_csv = "height,earnings\n", precomputed_csv = "height_c,log_earn\n";
  for (std::size_t i = 0; i < rows.height.size(); ++i) {
    derived_csv += fmt::format("{:.17g},{:.17g}\n", rows.height[i], rows.earnings[i]);
    precomputed_csv += fmt::format("{:.17g},{:.17g}\n", rows.height[i] - mean_height, std::log(rows.earnings[i]));
  }
  data::CsvTable const derived_table = data::CsvTable::from_text(derived_csv, "derived.csv");
  data::CsvTable const precomputed_table = data::CsvTable::from_text(precomputed_csv, "precomputed.csv");
  std::string const derived = R"(
data {
  real height[N];
  real<lower=0> earnings[N];
  real log_earn[N] = log(earnings);
  real height_c[N] = height - mean(height);
}
)" + latent_and_model + guide;
  std::string const precomputed = "data { real height_c[N]; real log_earn[N]; }\n" + latent_and_model + guide;
  Program const from_derived = testing::compile_model(derived, &derived_table);
  Program const from_columns = testing::compile_model(precomputed, &precomputed_table);
  FitResult const a = testing::fit_on_seed(from_derived, 1), b = testing::fit_on_seed(from_columns, 1);
  CHECK(a.converged);
  CHECK(a.iterations == b.iterations);
  CHECK(a.elbo == b.elbo);
  // The same values to the last bit: the same log and the same mean, then
  // the same fit. (The mean is summed in the same order as here.)
  for (Eigen::Index i = 0; i < a.u.size(); ++i) {
    INFO("parameter " << i);
    CHECK(a.u[i] == b.u[i]);
  }
}

TEST_CASE("transformed data: a scalar derived from the data, and an int column derived for indexing") {
  data::CsvTable const table = data::CsvTable::from_text("y,g\n1.5,1\n2.5,2\n0.5,1\n3,2\n", "rows.csv");
  Program const program = testing::compile_model(R"(
data {
  real y[N];
  int g[N];
  real y_bar = mean(y);
  int group[N] = 3 - g;
}
latent { real mu[2]; }
model { mu ~ Normal(y_bar, 10); y ~ Normal(mu[group], 1); }
guide { real m[2] = 0; real<lower=0> s[2] = 1; mu ~ Normal(m, s); }
)",
                                                 &table);
  FitResult const r = testing::fit_on_seed(program, 1);
  auto const p = constrained_parameters(program, r.u);
  // Conjugate: mu[k] | y ~ Normal((y_bar / 100 + Σ y) / (1 / 100 + n_k), ...), group 1 holding g = 2's rows.
  double const y_bar = (1.5 + 2.5 + 0.5 + 3) / 4;
  CHECK(r.converged);
  CHECK(p[0][0] == Approx((y_bar / 100 + 2.5 + 3) / (0.01 + 2)).epsilon(1e-6));
  CHECK(p[0][1] == Approx((y_bar / 100 + 1.5 + 0.5) / (0.01 + 2)).epsilon(1e-6));
}

TEST_CASE("array literals: a data vector, per-element initial values, and a vector of latents in the model") {
  data::CsvTable const table = data::CsvTable::from_text("y\n0.5\n-1\n", "y.csv");
  Program const program = testing::compile_model(R"(
data { real y[N]; real w[3] = {0.2, 0.3, 0.5}; int idx[2] = {3, 1}; }
latent { real a; real b; }
model {
  a ~ Normal(0, 1); b ~ Normal(0, 1);
  real pair[2] = {a, a + b};
  y ~ Normal(pair * w[idx], 1);
}
guide {
  real m[2] = {0.5, -1}; real<lower=0> s[2] = {2, 0.5};
  a ~ Normal(m[1], s[1]); b ~ Normal(m[2], s[2]);
}
)",
                                                 &table);
  Parameter const& m = program.parameters[0];
  Parameter const& s = program.parameters[1];
  CHECK(m.initial == std::vector<double>{0.5, -1});
  CHECK(s.initial[0] == Approx(std::log(2.0)));
  CHECK(s.initial[1] == Approx(std::log(0.5)));
  double const a = 0.3, b = -1.1, half_log_two_pi = 0.918938533204672742;
  double const means[] = {a * 0.5, (a + b) * 0.2}, ys[] = {0.5, -1};
  double expected = -0.5 * a * a - 0.5 * b * b - 2 * half_log_two_pi;
  for (int n = 0; n < 2; ++n) expected += -0.5 * (ys[n] - means[n]) * (ys[n] - means[n]) - half_log_two_pi;
  CHECK(log_joint(program, {a, b}) == Approx(expected).epsilon(1e-12));
}
