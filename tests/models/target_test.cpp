// `target +=` with densities as values, each fit held to a posterior
// computed here without the engine: a Normal mean's conjugate posterior
// (with a prior, and flat), and a two-component mixture's two means on a
// grid.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

// Rows from 0.3 Normal(-2, 1) + 0.7 Normal(2.5, 1), from a fixed sequence.
std::vector<double> mixture_rows(std::size_t n) {
  std::vector<double> y;
  for (std::size_t i = 0; i < n; ++i) {
    double const u = std::fmod(0.618033988749895 * static_cast<double>(i + 1), 1.0);
    double const noise = std::sin(2.3 * static_cast<double>(i)) + 0.4 * std::cos(5.1 * static_cast<double>(i));
    y.push_back(u < 0.3 ? -2 + noise : 2.5 + noise);
  }
  return y;
}

data::CsvTable table_of(std::vector<double> const& y) {
  std::string csv = "y\n";
  for (double v : y) csv += fmt::format("{:.17g}\n", v);
  return data::CsvTable::from_text(std::move(csv), "y.csv");
}

std::string const one_mean_guide = "guide { real m = 0; real<lower=0> s = 1; mu ~ Normal(m, s); }\n";

double kl_of_fit(std::string const& model, data::CsvTable const& table, double mean, double sd) {
  Program const program = testing::compile_model(model + one_mean_guide, &table);
  FitResult const r = testing::fit_on_seed(program, 1);
  CHECK(r.converged);
  auto const p = constrained_parameters(program, r.u);
  return reference::kl_normal(p[0][0], 1 / (p[1][0] * p[1][0]), mean, 1 / (sd * sd));
}

}  // namespace

TEST_CASE("target +=: a Normal likelihood as a density value reaches the conjugate posterior") {
  std::vector<double> const y = mixture_rows(50);
  data::CsvTable const table = table_of(y);
  double sum = 0;
  for (double v : y) sum += v;
  double const n = static_cast<double>(y.size());
  // Prior Normal(0, 10), unit noise; then a flat prior: mean ȳ, sd 1/√n.
  double const precision = 0.01 + n;
  double const with_prior = kl_of_fit(
      "data { real y[N]; }\nlatent { real mu; }\nmodel { mu ~ Normal(0, 10); target += Normal_lpdf(y | mu, 1); }\n",
      table, sum / precision, 1 / std::sqrt(precision));
  double const flat =
      kl_of_fit("data { real y[N]; }\nlatent { real mu; }\nmodel { target += Normal_lpdf(y | mu, 1); }\n", table,
                sum / n, 1 / std::sqrt(n));
  INFO("KL with a prior " << with_prior << ", flat " << flat);
  CHECK(with_prior < testing::promised_kl);
  CHECK(flat < testing::promised_kl);
}

TEST_CASE("target +=: a two-component mixture by log_mix reaches the posterior found on a grid") {
  std::vector<double> const y = mixture_rows(100);
  data::CsvTable const table = table_of(y);
  // The exact posterior of (mu1, mu2), weight 0.3 and unit sds known, priors
  // Normal(-2, 5) and Normal(2, 5), on a 401 × 401 grid over ±4 of each.
  int const points = 401;
  double const step = 8.0 / (points - 1);
  auto const at = [&](int i, double centre) { return centre - 4 + step * i; };
  std::vector<double> log_post(static_cast<std::size_t>(points * points));
  double largest = -INFINITY;
  for (int i = 0; i < points; ++i)
    for (int j = 0; j < points; ++j) {
      double const m1 = at(i, -2), m2 = at(j, 2.5);
      double lp = -0.5 * std::pow((m1 + 2) / 5, 2) - 0.5 * std::pow((m2 - 2) / 5, 2);
      for (double v : y)
        lp += std::log(0.3 * std::exp(-0.5 * (v - m1) * (v - m1)) + 0.7 * std::exp(-0.5 * (v - m2) * (v - m2)));
      log_post[static_cast<std::size_t>(i * points + j)] = lp;
      largest = std::max(largest, lp);
    }
  double mass = 0, e1 = 0, e2 = 0, e11 = 0, e22 = 0, e12 = 0;
  for (int i = 0; i < points; ++i)
    for (int j = 0; j < points; ++j) {
      double const w = std::exp(log_post[static_cast<std::size_t>(i * points + j)] - largest);
      double const m1 = at(i, -2), m2 = at(j, 2.5);
      mass += w;
      e1 += w * m1;
      e2 += w * m2;
      e11 += w * m1 * m1;
      e22 += w * m2 * m2;
      e12 += w * m1 * m2;
    }
  double const mean1 = e1 / mass, mean2 = e2 / mass;
  double const sd1 = std::sqrt(e11 / mass - mean1 * mean1), sd2 = std::sqrt(e22 / mass - mean2 * mean2);
  double const correlation = (e12 / mass - mean1 * mean2) / (sd1 * sd2);
  // Nearly uncorrelated and nearly Gaussian: the mean-field Normal optimum
  // has the exact marginals' means, and sds within sqrt(1 − ρ²) of theirs.
  REQUIRE(std::abs(correlation) < 0.1);
  Program const program = testing::compile_model(R"(
data { real y[N]; }
latent { real mu1; real mu2; }
model {
  mu1 ~ Normal(-2, 5);
  mu2 ~ Normal(2, 5);
  target += log_mix(0.3, Normal_lpdf(y | mu1, 1), Normal_lpdf(y | mu2, 1));
}
guide {
  real m1 = -1; real<lower=0> s1 = 1; real m2 = 1; real<lower=0> s2 = 1;
  mu1 ~ Normal(m1, s1); mu2 ~ Normal(m2, s2);
}
)",
                                                 &table);
  for (std::uint64_t seed : {1, 2, 3}) {
    FitResult const r = testing::fit_on_seed(program, seed);
    auto const p = constrained_parameters(program, r.u);  // m1, s1, m2, s2
    INFO("seed " << seed << ": mu1 " << p[0][0] << " ± " << p[1][0] << " (exact " << mean1 << " ± " << sd1
                 << "), mu2 " << p[2][0] << " ± " << p[3][0] << " (exact " << mean2 << " ± " << sd2
                 << "), correlation " << correlation << ", " << r.iterations << " iterations");
    CHECK(r.converged);
    // The stopping rule's noise (KL 3e-4) moves a mean by about 0.025 sd: a
    // tenth of an sd is four times that.
    CHECK(std::abs(p[0][0] - mean1) < 0.1 * sd1);
    CHECK(std::abs(p[2][0] - mean2) < 0.1 * sd2);
    CHECK(p[1][0] == Approx(sd1).epsilon(0.1));
    CHECK(p[3][0] == Approx(sd2).epsilon(0.1));
  }
}

TEST_CASE("target: a guide without variational parameters is evaluated, not fitted") {
  // The guide is the prior, so log p − log q is the target += term, mu,
  // whose expectation under Normal(0, 1) is 0.
  Program const program = testing::compile_model(R"(
latent { real mu; }
model { mu ~ Normal(0, 1); target += mu; }
guide { mu ~ Normal(0, 1); }
)",
                                                 nullptr);
  FitResult const r = testing::fit_on_seed(program, 1);
  INFO("ELBO " << r.elbo << " ± " << r.elbo_se);
  CHECK(r.converged);
  CHECK(std::abs(r.elbo) < 4 * r.elbo_se + 1e-12);
}

// Densities of distributions that read arguments whole: each as a value has
// the log joint of the same model with a '~' (the registry's own density,
// checked against its definition in tests/runtime), at a point.
TEST_CASE("target +=: Categorical_lpmf, Dirichlet_lpdf and MultiNormal_lpdf as values are their '~' statements") {
  data::CsvTable const table = data::CsvTable::from_text("c,x\n1,-1\n2,0.5\n2,1\n3,2\n", "c.csv");
  std::string const head = R"(
data { int<lower=1, upper=3> c[N]; real x[N]; }
latent { simplex[3] theta; real b[2]; }
model {
)";
  std::string const guide = R"(
}
guide { real<lower=0> a[3] = 1; theta ~ Dirichlet(a); real m[2]; b ~ Normal(m, 1); }
)";
  std::string const b_prior = "b ~ Normal(0, 1);\n", theta_prior = "theta ~ Dirichlet({1, 1, 1});\n";
  std::vector<std::pair<std::string, std::string>> const forms{
      {theta_prior + b_prior + "c ~ Categorical(theta);",
       theta_prior + b_prior + "target += Categorical_lpmf(c | theta);"},
      {b_prior + "theta ~ Dirichlet({1, 2, 3});", b_prior + "target += Dirichlet_lpdf(theta | {1, 2, 3});"},
      {theta_prior + "b ~ MultiNormal(0.5, add_diag(gp_exp_quad_cov({1, 2}, 1, 1), 0.1));",
       theta_prior + "target += MultiNormal_lpdf(b | 0.5, add_diag(gp_exp_quad_cov({1, 2}, 1, 1), 0.1));"},
      {theta_prior +
           "b ~ MultiNormalCholesky({0, 1}, cholesky_decompose(add_diag(gp_exp_quad_cov(x[1:2], 1, 2), 0.5)));",
       theta_prior + "target += MultiNormalCholesky_lpdf(b | {0, 1}, "
                     "cholesky_decompose(add_diag(gp_exp_quad_cov(x[1:2], 1, 2), 0.5)));"},
  };
  // theta, then b.
  std::vector<double> const z{0.2, 0.5, 0.3, -0.4, 1.3};
  for (auto const& [sample, value] : forms) {
    INFO(value);
    Program const with_sample = testing::compile_model(head + sample + guide, &table);
    Program const with_value = testing::compile_model(head + value + guide, &table);
    double const expected = log_joint(with_sample, z);
    REQUIRE(std::isfinite(expected));
    CHECK(log_joint(with_value, z) == Approx(expected).epsilon(1e-13));
  }
}
