#pragma once
// Logistic regressions on uncentred covariates, with their mean-field optima
// and the ELBO of any factorised Normal guide, computed independently of the
// engine, for the tests and benchmarks that hold a fit against them.
//
// The design follows gaussian_regression_reference.hpp: b[1] an intercept,
// b[2] the slope of x2 = c + u (u standard normal: a height in inches, mean
// 66 and sd 4, is c = 16.5; a year near 2000 with a spread of 9 is c ≈ 222),
// b[3..K] slopes of covariates of mean 1, sd 1 and pairwise correlation 0.5.
// The outcomes are drawn from the centred linear predictor, so they do not
// depend on c; the generator finds the c at which the Laplace approximation
// (the Hessian of the log posterior at its mode) reaches the largest
// |correlation| asked. Prior: b_k ~ Normal(0, 100), proper and wide enough
// that the data, not the prior, set the ridge.
//
// Under a guide Π_k Normal(m_k, s_k) every row's linear predictor η_n = x_nᵀb
// is Normal(x_nᵀm, Σ_k x_nk² s_k²), so the ELBO is
//   Σ_n [y_n E η_n − E log(1 + e^η_n)] + Σ_k E log Normal(b_k; 0, 100) + Σ_k H(q_k),
// every term closed-form but E log(1 + e^η), a one-dimensional integral taken
// by the rule below (bench/README.md gives its accuracy). The mean-field
// optimum maximises this ELBO by Newton steps on (m, log s) to a scaled
// gradient below 1e-10.
#include "tests/support/gaussian_regression_reference.hpp"  // MeanFieldNormal

#include <Eigen/Core>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace bbvi::reference {

struct LogisticRegression {
  Eigen::MatrixXd x;  // N × K; column 0 is all ones (the intercept)
  Eigen::VectorXd y;  // 0 or 1
  Eigen::VectorXd truth;  // the coefficients y was drawn from
  double centre = 0;      // c: where x2 sits, in its own sds
  double prior_mean = 0;
  double prior_sd = 100;
};

// N rows and K ≥ 2 coefficients from `seed`, with the Laplace approximation's
// largest |correlation| equal to `correlation` (within 1e-9 relative in
// 1 − |corr|). Throws std::invalid_argument if no centre reaches it.
LogisticRegression correlated_logistic_regression(int coefficients, std::size_t rows, double correlation,
                                                  std::uint64_t seed);

// The mode of the posterior and the negative Hessian of the log posterior there.
struct LaplaceApproximation {
  Eigen::VectorXd mode;
  Eigen::MatrixXd precision;
};
LaplaceApproximation laplace_approximation(LogisticRegression const& r);

// E f^(j)(η), j = 0..4, for f(η) = log(1 + e^η), η ~ Normal(mean, sd²): the
// ELBO's term and what its gradient and Hessian need, since
// d/d mean E g(η) = E g'(η) and d/d sd² E g(η) = E g''(η) / 2.
struct SoftplusMoments {
  std::array<double, 5> derivative{};  // [j]: E f^(j)(η)
};
// Up to sd `narrow_up_to_sd`, Gauss–Hermite in the standard score with
// `narrow_nodes` nodes (the rows of a fit near its optimum are there), up to
// `hermite_up_to_sd` with `hermite_nodes`; above it, where f's bend at η = 0
// is narrower than the Normal and Gauss–Hermite converges slowly, E max(η, 0)
// (closed form) plus the rest, f − max(η, 0), integrated over η ∈ [−40, 40]
// by 20-point Gauss–Legendre on panels of `panel_width`, split at the bend.
// Rules of 16, 32, 64, 128 and 192 nodes exist.
struct ExpectationRule {
  int narrow_nodes = 16;
  double narrow_up_to_sd = 0.5;
  int hermite_nodes = 64;
  double hermite_up_to_sd = 1;
  double panel_width = 1;
};
SoftplusMoments expected_softplus(double mean, double sd, ExpectationRule const& rule = {});

// The ELBO of q with every constant, and its gradient in (m, log s): the K
// means' derivatives, then the K log sds'.
double elbo(LogisticRegression const& r, MeanFieldNormal const& q, ExpectationRule const& rule = {});
Eigen::VectorXd elbo_gradient(LogisticRegression const& r, MeanFieldNormal const& q,
                              ExpectationRule const& rule = {});

// The gradient in the guide's own widths: ∂/∂m_k times s_k, and ∂/∂log s_k.
// Its largest entry is what the optimum drives below 1e-10.
double scaled_gradient_norm(LogisticRegression const& r, MeanFieldNormal const& q);

// Damped Newton steps from the Laplace approximation's mode and conditional
// sds; throws std::runtime_error if 100 steps do not bring the scaled
// gradient below 1e-10.
MeanFieldNormal mean_field_optimum(LogisticRegression const& r);

// ELBO(optimum) − ELBO(q), both by the same rule.
double elbo_gap(LogisticRegression const& r, MeanFieldNormal const& optimum, MeanFieldNormal const& q);

// max_k |s_k / s*_k − 1|: the worst relative error of q's sds against the optimum's.
double worst_relative_sd_error(MeanFieldNormal const& optimum, MeanFieldNormal const& q);

// The .model text: b[K] a vector latent, y ~ Bernoulli(inv_logit(…)) with the
// linear predictor written term by term over x2..xK; guide parameters
// b_mean[K], b_sd[K].
std::string logistic_model(LogisticRegression const& r);
// Columns x2..xK and y, to 17 significant digits.
std::string logistic_csv(LogisticRegression const& r);

}  // namespace bbvi::reference
