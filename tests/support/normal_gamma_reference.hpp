#pragma once
// The canonical model's answers in closed form (docs/method.md, 'The CAVI
// optimum' and 'The closed-form ELBO'), for tests that hold a fit against them.
#include "tools/normal_gamma_data.hpp"

#include <vector>

namespace bbvi::reference {

using tools::NormalGammaPrior;

// The mean-field guide q(mu) q(tau): Normal(mu_N, precision lambda_N) for mu
// (lambda_N is a precision, not a standard deviation), Gamma(alpha_N, rate beta_N) for tau.
struct NormalGammaGuide {
  double mu_N, lambda_N, alpha_N, beta_N;
};

// The exact posterior p(mu, tau | x) = Gamma(tau; alpha, rate beta) ×
// Normal(mu; mu, precision lambda × tau).
struct NormalGammaPosterior {
  double mu, lambda, alpha, beta;
};

// The optimal mean-field guide: the CAVI equations (docs/method.md, 'The CAVI
// optimum') iterated to a fixed
// point (relative change below 1e-14). Throws std::runtime_error if that takes
// more than 100000 iterations, which only an absurdly small alpha0 could cause.
NormalGammaGuide cavi_optimum(std::vector<double> const& x, NormalGammaPrior const& prior);

NormalGammaPosterior exact_posterior(std::vector<double> const& x, NormalGammaPrior const& prior);

// The ELBO of a guide, with every constant: log p(x) − KL(q ‖ p(mu, tau | x)).
double elbo(NormalGammaGuide const& q, std::vector<double> const& x, NormalGammaPrior const& prior);

// log p(x), exactly, from the Normal-Gamma conjugacy.
double log_evidence(std::vector<double> const& x, NormalGammaPrior const& prior);

// KL(Normal(m1, precision l1) ‖ Normal(m2, precision l2)).
double kl_normal(double m1, double l1, double m2, double l2);
// KL(Gamma(a1, rate b1) ‖ Gamma(a2, rate b2)).
double kl_gamma(double a1, double b1, double a2, double b2);
// KL(fit ‖ opt) of the two mean-field guides, summed over both factors.
double kl_to(NormalGammaGuide const& fit, NormalGammaGuide const& opt);

}  // namespace bbvi::reference
