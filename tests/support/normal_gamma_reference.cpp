#include "tests/support/normal_gamma_reference.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>  // lgamma

#include <cmath>
#include <stdexcept>

namespace bbvi::reference {

namespace {

constexpr double log_2pi = 1.8378770664093454836;

double sum(std::vector<double> const& x) {
  double s = 0;
  for (double xi : x) s += xi;
  return s;
}

// Σ_n (x_n − m)², by the definition: x is small in every test that uses it.
double sum_squares_about(std::vector<double> const& x, double m) {
  double s = 0;
  for (double xi : x) s += (xi - m) * (xi - m);
  return s;
}

}  // namespace

NormalGammaGuide cavi_optimum(std::vector<double> const& x, NormalGammaPrior const& p) {
  double const n = static_cast<double>(x.size());
  NormalGammaGuide q{};
  // μ_N and α_N do not depend on the other two (docs/method.md, 'The CAVI
  // optimum'); N x̄ is Σ x.
  q.mu_N = (p.lambda0 * p.mu0 + sum(x)) / (p.lambda0 + n);
  q.alpha_N = p.alpha0 + (n + 1) / 2;
  double const fixed_part =
      sum_squares_about(x, q.mu_N) + p.lambda0 * (q.mu_N - p.mu0) * (q.mu_N - p.mu0);
  // λ_N and β_N feed each other. The map contracts by 1/(2 α_N) per step, so
  // this takes a few dozen iterations for any sensible prior.
  q.beta_N = p.beta0 + fixed_part / 2;
  for (int i = 0; i < 100000; ++i) {
    q.lambda_N = (p.lambda0 + n) * q.alpha_N / q.beta_N;
    double const beta = p.beta0 + (fixed_part + n / q.lambda_N + p.lambda0 / q.lambda_N) / 2;
    bool const converged = std::fabs(beta - q.beta_N) <= 1e-14 * beta;
    q.beta_N = beta;
    if (converged) {
      q.lambda_N = (p.lambda0 + n) * q.alpha_N / q.beta_N;
      return q;
    }
  }
  throw std::runtime_error("cavi_optimum: no fixed point after 100000 iterations");
}

NormalGammaPosterior exact_posterior(std::vector<double> const& x, NormalGammaPrior const& p) {
  double const n = static_cast<double>(x.size());
  double const mean = x.empty() ? 0 : sum(x) / n;
  NormalGammaPosterior post{};
  post.mu = (p.lambda0 * p.mu0 + sum(x)) / (p.lambda0 + n);
  post.lambda = p.lambda0 + n;
  post.alpha = p.alpha0 + n / 2;
  post.beta = p.beta0 + sum_squares_about(x, mean) / 2 +
              p.lambda0 * n * (mean - p.mu0) * (mean - p.mu0) / (2 * (p.lambda0 + n));
  return post;
}

double elbo(NormalGammaGuide const& q, std::vector<double> const& x, NormalGammaPrior const& p) {
  using boost::math::digamma;
  using boost::math::lgamma;
  double const n = static_cast<double>(x.size());
  double const e_log_tau = digamma(q.alpha_N) - std::log(q.beta_N);
  double const e_tau = q.alpha_N / q.beta_N;
  double const d0 = q.mu_N - p.mu0;
  // docs/method.md, 'The closed-form ELBO', line by line: E log p(x | μ, τ), E log p(μ | τ), E log p(τ),
  // then the entropies of q(μ) and q(τ).
  double const likelihood = n / 2 * (e_log_tau - log_2pi) -
                            e_tau / 2 * (sum_squares_about(x, q.mu_N) + n / q.lambda_N);
  double const prior_mu = (std::log(p.lambda0) + e_log_tau - log_2pi) / 2 -
                          p.lambda0 * e_tau / 2 * (d0 * d0 + 1 / q.lambda_N);
  double const prior_tau = p.alpha0 * std::log(p.beta0) - lgamma(p.alpha0) +
                           (p.alpha0 - 1) * e_log_tau - p.beta0 * e_tau;
  double const entropy_mu = (1 + log_2pi - std::log(q.lambda_N)) / 2;
  double const entropy_tau =
      q.alpha_N - std::log(q.beta_N) + lgamma(q.alpha_N) + (1 - q.alpha_N) * digamma(q.alpha_N);
  return likelihood + prior_mu + prior_tau + entropy_mu + entropy_tau;
}

double log_evidence(std::vector<double> const& x, NormalGammaPrior const& p) {
  using boost::math::lgamma;
  NormalGammaPosterior const post = exact_posterior(x, p);
  // p(x) = prior normaliser / posterior normaliser × (2π)^(−N/2).
  return -static_cast<double>(x.size()) / 2 * log_2pi + std::log(p.lambda0 / post.lambda) / 2 +
         lgamma(post.alpha) - lgamma(p.alpha0) + p.alpha0 * std::log(p.beta0) -
         post.alpha * std::log(post.beta);
}

double kl_normal(double m1, double l1, double m2, double l2) {
  return (l2 / l1 + l2 * (m1 - m2) * (m1 - m2) - 1 + std::log(l1 / l2)) / 2;
}

double kl_gamma(double a1, double b1, double a2, double b2) {
  using boost::math::digamma;
  using boost::math::lgamma;
  return (a1 - a2) * digamma(a1) - lgamma(a1) + lgamma(a2) + a2 * (std::log(b1) - std::log(b2)) +
         a1 * (b2 - b1) / b1;
}

double kl_to(NormalGammaGuide const& fit, NormalGammaGuide const& opt) {
  return kl_normal(fit.mu_N, fit.lambda_N, opt.mu_N, opt.lambda_N) +
         kl_gamma(fit.alpha_N, fit.beta_N, opt.alpha_N, opt.beta_N);
}

}  // namespace bbvi::reference
