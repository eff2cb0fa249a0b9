// tests/data/reference_test.cpp tests tests/support/normal_gamma_reference.hpp:
// the closed forms that every fit of the canonical model is judged by.
#include "tests/support/normal_gamma_reference.hpp"

#include "tools/normal_gamma_data.hpp"

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/gamma.hpp>  // lgamma
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <array>
#include <cmath>
#include <limits>
#include <vector>

using namespace bbvi::reference;

namespace {

constexpr double log_2pi = 1.8378770664093454836;

// A data set and a prior that is not the default, so that a slip swapping
// mu0, lambda0, alpha0 or beta0 cannot cancel out.
std::vector<double> const& data() {
  static std::vector<double> const x = [] {
    bbvi::tools::NormalGammaPrior const truth{1.5, 2, 3, 2};
    return bbvi::tools::generate_normal_gamma(50, truth, 4);
  }();
  return x;
}
NormalGammaPrior const prior{0.5, 2, 3, 4};

std::array<double, 4> as_array(NormalGammaGuide const& q) {
  return {q.mu_N, q.lambda_N, q.alpha_N, q.beta_N};
}
NormalGammaGuide as_guide(std::array<double, 4> const& a) { return {a[0], a[1], a[2], a[3]}; }

// ∂ELBO/∂θ_k · scale_k by central differences, where scale is 1 for μ_N and
// the parameter itself for the positive ones (a derivative in log θ_k), so
// that every entry is in nats per relative change.
std::array<double, 4> scaled_gradient(NormalGammaGuide const& q) {
  std::array<double, 4> g{};
  for (std::size_t k = 0; k < 4; ++k) {
    std::array<double, 4> up = as_array(q), down = up;
    double const scale = k == 0 ? 1 : up[k];
    double const h = 1e-5 * scale;
    up[k] += h;
    down[k] -= h;
    g[k] = (elbo(as_guide(up), data(), prior) - elbo(as_guide(down), data(), prior)) / (2 * h) * scale;
  }
  return g;
}

// log Gamma(tau; a, rate b) + log Normal(mu; m, precision l): the log density of
// a guide, or of the exact posterior with l = λ τ.
double log_gamma_density(double tau, double a, double b) {
  return a * std::log(b) - boost::math::lgamma(a) + (a - 1) * std::log(tau) - b * tau;
}
double log_normal_density(double mu, double m, double l) {
  return 0.5 * (std::log(l) - log_2pi) - 0.5 * l * (mu - m) * (mu - m);
}

}  // namespace

TEST_CASE("reference: the CAVI optimum solves its equations") {
  NormalGammaGuide const q = cavi_optimum(data(), prior);
  double const n = static_cast<double>(data().size());
  double sum = 0, sum_squares = 0;
  for (double x : data()) sum += x;
  for (double x : data()) sum_squares += (x - q.mu_N) * (x - q.mu_N);
  CHECK(q.mu_N == Approx((prior.lambda0 * prior.mu0 + sum) / (prior.lambda0 + n)).epsilon(1e-15));
  CHECK(q.alpha_N == prior.alpha0 + (n + 1) / 2);
  CHECK(q.lambda_N == Approx((prior.lambda0 + n) * q.alpha_N / q.beta_N).epsilon(1e-14));
  // Substituting λ_N into β_N's equation gives β_N = C + β_N / (2 α_N), with C
  // the terms free of λ_N: a closed form for the fixed point the code iterates to.
  double const c = prior.beta0 + (sum_squares + prior.lambda0 * (q.mu_N - prior.mu0) * (q.mu_N - prior.mu0)) / 2;
  CHECK(q.beta_N == Approx(c / (1 - 1 / (2 * q.alpha_N))).epsilon(1e-13));
  // Mean field keeps E[μ] and E[τ] close to the exact posterior's
  // (docs/method.md, 'The CAVI optimum').
  NormalGammaPosterior const post = exact_posterior(data(), prior);
  CHECK(q.mu_N == Approx(post.mu).epsilon(1e-15));
  CHECK(q.alpha_N / q.beta_N == Approx(post.alpha / post.beta).epsilon(0.05));
}

TEST_CASE("reference: the ELBO is stationary at the CAVI optimum") {
  NormalGammaGuide const opt = cavi_optimum(data(), prior);
  // Central differences err by about h² f''' + ε |f| / h ≈ 1e-8 here.
  for (double g : scaled_gradient(opt)) CHECK(std::fabs(g) < 1e-6);
  // ... and the check can fail: away from the optimum the gradient is order 1.
  NormalGammaGuide moved = opt;
  moved.mu_N += 0.1;
  moved.beta_N *= 1.1;
  std::array<double, 4> const g = scaled_gradient(moved);
  CHECK(std::fabs(g[0]) > 0.1);
  CHECK(std::fabs(g[3]) > 0.1);
}

TEST_CASE("reference: the ELBO is below log p(x), and close to it at the optimum") {
  double const log_px = log_evidence(data(), prior);
  NormalGammaGuide const opt = cavi_optimum(data(), prior);
  double const gap = elbo(opt, data(), prior) - log_px;
  // The gap is −KL(q* ‖ posterior): mean field loses only the μ-τ coupling,
  // about 0.01 nats with 50 rows.
  CHECK(gap < 0);
  CHECK(gap > -0.05);
  for (NormalGammaGuide const& q : {NormalGammaGuide{0, 1, 1, 1}, NormalGammaGuide{1, 10, 20, 30},
                                    NormalGammaGuide{opt.mu_N, 2 * opt.lambda_N, opt.alpha_N, opt.beta_N},
                                    NormalGammaGuide{opt.mu_N + 0.01, opt.lambda_N, opt.alpha_N, opt.beta_N}}) {
    CHECK(elbo(q, data(), prior) < log_px);
    CHECK(elbo(q, data(), prior) < elbo(opt, data(), prior));
  }
}

TEST_CASE("reference: log p(x) of one observation by quadrature") {
  // With one row, p(x) = ∫∫ N(x; μ, 1/√τ) N(μ; μ0, 1/√(λ0 τ)) Gamma(τ; α0, β0) dμ dτ,
  // and the μ integral is N(x; μ0, sd √((1 + λ0)/(λ0 τ))): one dimension is left.
  double const x = 1.7;
  auto const integrand = [&](double tau) {
    double const precision = prior.lambda0 * tau / (1 + prior.lambda0);
    return std::exp(log_normal_density(x, prior.mu0, precision) +
                    log_gamma_density(tau, prior.alpha0, prior.beta0));
  };
  double const px = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
      integrand, 0, std::numeric_limits<double>::infinity(), 15, 1e-12);
  CHECK(log_evidence({x}, prior) == Approx(std::log(px)).epsilon(1e-10));
}

TEST_CASE("reference: log p(x) − ELBO(q) is KL(q ‖ posterior), by Monte Carlo") {
  NormalGammaGuide const opt = cavi_optimum(data(), prior);
  NormalGammaGuide const q{opt.mu_N + 0.05, 0.5 * opt.lambda_N, 0.7 * opt.alpha_N, 0.8 * opt.beta_N};
  NormalGammaPosterior const post = exact_posterior(data(), prior);
  boost::random::mt19937 rng(20261124);
  boost::random::gamma_distribution<double> draw_tau(q.alpha_N, 1 / q.beta_N);  // takes a scale
  boost::random::normal_distribution<double> draw_mu(q.mu_N, 1 / std::sqrt(q.lambda_N));
  int const draws = 200000;
  double sum = 0, sum_squares = 0;
  for (int s = 0; s < draws; ++s) {
    double const tau = draw_tau(rng), mu = draw_mu(rng);
    double const log_q = log_gamma_density(tau, q.alpha_N, q.beta_N) + log_normal_density(mu, q.mu_N, q.lambda_N);
    double const log_post = log_gamma_density(tau, post.alpha, post.beta) +
                            log_normal_density(mu, post.mu, post.lambda * tau);
    sum += log_q - log_post;
    sum_squares += (log_q - log_post) * (log_q - log_post);
  }
  double const kl = sum / draws;
  double const standard_error = std::sqrt((sum_squares / draws - kl * kl) / (draws - 1));
  double const expected = log_evidence(data(), prior) - elbo(q, data(), prior);
  INFO("Monte Carlo KL " << kl << " ± " << standard_error << ", closed form " << expected);
  CHECK(expected > 0.1);  // a guide far enough off that the comparison means something
  CHECK(std::fabs(kl - expected) < 5 * standard_error);
}

TEST_CASE("reference: KL divergences") {
  CHECK(kl_normal(0.3, 2, 0.3, 2) == 0);
  CHECK(kl_gamma(2.5, 1.5, 2.5, 1.5) == 0);
  NormalGammaGuide const q{0.3, 2, 2.5, 1.5};
  CHECK(kl_to(q, q) == 0);
  CHECK(kl_normal(0.3, 2, 0.4, 2) > 0);
  CHECK(kl_normal(0.3, 2, 0.3, 3) > 0);
  CHECK(kl_gamma(2.5, 1.5, 2.6, 1.5) > 0);
  CHECK(kl_gamma(2.5, 1.5, 2.5, 1.4) > 0);
  NormalGammaGuide const r{0.4, 3, 2.6, 1.4};
  CHECK(kl_to(q, r) == Approx(kl_normal(0.3, 2, 0.4, 3) + kl_gamma(2.5, 1.5, 2.6, 1.4)).epsilon(1e-15));

  using boost::math::quadrature::gauss_kronrod;
  double const inf = std::numeric_limits<double>::infinity();
  auto const normal_integrand = [](double z) {
    double const log_p = log_normal_density(z, 0.3, 2), log_r = log_normal_density(z, -0.5, 0.7);
    return std::exp(log_p) * (log_p - log_r);
  };
  CHECK(kl_normal(0.3, 2, -0.5, 0.7) ==
        Approx(gauss_kronrod<double, 61>::integrate(normal_integrand, -inf, inf, 15, 1e-12)).epsilon(1e-10));
  auto const gamma_integrand = [](double t) {
    double const log_p = log_gamma_density(t, 2.5, 1.5), log_r = log_gamma_density(t, 4, 3);
    return std::exp(log_p) * (log_p - log_r);
  };
  CHECK(kl_gamma(2.5, 1.5, 4, 3) ==
        Approx(gauss_kronrod<double, 61>::integrate(gamma_integrand, 0, inf, 15, 1e-12)).epsilon(1e-10));
}
