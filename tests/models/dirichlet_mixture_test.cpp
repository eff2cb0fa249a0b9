// A three-component Normal mixture with Dirichlet weights (docs/language.md,
// 'Distributions'): w ~ Dirichlet(2, 2, 2) with a Dirichlet guide,
// three means with Normal guides, against a long run of a Gibbs sampler
// written here (data augmentation: each row's component, then w and the
// means from their conjugate conditionals). The priors keep the labels
// apart, so the posterior has one mode; with the components well separated
// it is close to a product of its marginals, and the mean-field fit's means
// must sit near the posterior's.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <boost/random/discrete_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

constexpr int K = 3;
constexpr double prior_mean[K] = {-4, 0, 4}, prior_sd = 1.5, concentration = 2;

std::vector<double> mixture_rows() {
  boost::random::mt19937 rng(20261206);
  double const weights[K] = {0.5, 0.3, 0.2}, means[K] = {-3, 0, 3.5};
  boost::random::discrete_distribution<int> component(weights);
  std::vector<double> y;
  for (int i = 0; i < 150; ++i) y.push_back(boost::random::normal_distribution<double>(means[component(rng)], 1)(rng));
  return y;
}

struct Moments {
  std::array<double, K> w{}, mu{}, w_sd{}, mu_sd{};
};

// Gibbs sampling of (z, w, mu) given y with sigma = 1: the means and sds of
// w and mu over `sweeps` sweeps after a burn-in.
Moments gibbs(std::vector<double> const& y, int sweeps) {
  boost::random::mt19937 rng(7);
  std::array<double, K> w{1.0 / 3, 1.0 / 3, 1.0 / 3}, mu{prior_mean[0], prior_mean[1], prior_mean[2]};
  Moments m;
  std::array<double, K> w_sq{}, mu_sq{};
  int const burn_in = 1000;
  for (int sweep = 0; sweep < burn_in + sweeps; ++sweep) {
    std::array<double, K> count{}, sum{};
    for (double v : y) {
      std::array<double, K> p{};
      for (int k = 0; k < K; ++k) p[k] = w[k] * std::exp(-0.5 * (v - mu[k]) * (v - mu[k]));
      int const z = boost::random::discrete_distribution<int>(p.begin(), p.end())(rng);
      count[z] += 1;
      sum[z] += v;
    }
    double total = 0;
    for (int k = 0; k < K; ++k) {
      w[k] = boost::random::gamma_distribution<double>(concentration + count[k])(rng);
      total += w[k];
    }
    for (int k = 0; k < K; ++k) {
      w[k] /= total;
      double const precision = 1 / (prior_sd * prior_sd) + count[k];
      double const mean = (prior_mean[k] / (prior_sd * prior_sd) + sum[k]) / precision;
      mu[k] = boost::random::normal_distribution<double>(mean, 1 / std::sqrt(precision))(rng);
    }
    if (sweep < burn_in) continue;
    for (int k = 0; k < K; ++k) {
      m.w[k] += w[k] / sweeps, w_sq[k] += w[k] * w[k] / sweeps;
      m.mu[k] += mu[k] / sweeps, mu_sq[k] += mu[k] * mu[k] / sweeps;
    }
  }
  for (int k = 0; k < K; ++k) {
    m.w_sd[k] = std::sqrt(w_sq[k] - m.w[k] * m.w[k]);
    m.mu_sd[k] = std::sqrt(mu_sq[k] - m.mu[k] * m.mu[k]);
  }
  return m;
}

}  // namespace

TEST_CASE("dirichlet mixture: three Normal components with Dirichlet weights against a Gibbs sampler") {
  std::vector<double> const y = mixture_rows();
  data::CsvTable const table = testing::column_table("y", y);
  Program const program = testing::compile_model(R"(
data { real y[N]; }
latent {
  simplex[3] w;
  real mu[3];
}
model {
  w ~ Dirichlet({2, 2, 2});
  mu ~ Normal({-4, 0, 4}, 1.5);
  target += log_sum_exp(log(w[1]) + Normal_lpdf(y | mu[1], 1),
                        log_sum_exp(log(w[2]) + Normal_lpdf(y | mu[2], 1), log(w[3]) + Normal_lpdf(y | mu[3], 1)));
}
guide {
  real<lower=0> a[3] = 1;
  real m[3] = {-4, 0, 4};
  real<lower=0> s[3] = 1;
  w ~ Dirichlet(a);
  mu ~ Normal(m, s);
}
)",
                                                 &table);
  Moments const exact = gibbs(y, 100000);
  FitResult const r = testing::fit_on_seed(program, 1);
  auto const lambda = constrained_parameters(program, r.u);
  std::vector<double> const& a = lambda[0];
  double const a_sum = a[0] + a[1] + a[2];
  INFO(fmt::format("iterations {}, converged {}", r.iterations, r.converged));
  CHECK(r.converged);
  for (std::size_t k = 0; k < K; ++k) {
    double const w = a[k] / a_sum, mu = lambda[1][k];
    INFO(fmt::format("component {}: w {:.4f} (Gibbs {:.4f} ± {:.4f}), mu {:.4f} (Gibbs {:.4f} ± {:.4f})", k + 1, w,
                     exact.w[k], exact.w_sd[k], mu, exact.mu[k], exact.mu_sd[k]));
    // Within a quarter of a posterior sd of the sampler's means.
    CHECK(std::fabs(w - exact.w[k]) < 0.25 * exact.w_sd[k]);
    CHECK(std::fabs(mu - exact.mu[k]) < 0.25 * exact.mu_sd[k]);
  }
}
