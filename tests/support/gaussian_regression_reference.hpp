#pragma once
// Gaussian linear regressions whose posterior is as correlated as asked, with
// their mean-field optima and exact ELBO gaps, computed independently of the
// engine, for the tests and benchmarks that hold a fit against them.
//
// The design is a Gelman & Hill style regression: b[1] is an intercept, b[2]
// the slope of an uncentred predictor x2 = c + u (u standard normal: a year
// near 2000 with a spread of 9 is c ≈ 222), and b[3..K] slopes of predictors
// of mean 1, sd 1 and pairwise correlation 0.5. The intercept and the slope
// of x2 are the most correlated pair, and their correlation grows with c: the
// generator finds the c at which the exact posterior's largest |correlation|
// is the one asked for.
//
// Two models share the data. Known noise: y ~ Normal(X b, sigma), where the
// posterior is N(μ, Λ⁻¹), Λ = XᵀX/σ² + I/σ0², and the best factorised Normal
// has the means μ and the sds 1/√Λ_kk (Bishop, PRML §10.1.2). Unknown noise:
// y ~ Normal(X b, 1/√τ) with τ ~ Gamma(shape, rate), under the guide
// Π Normal(b_k) × Gamma(τ), whose optimum the CAVI updates reach.
#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <string>

namespace bbvi::reference {

struct GaussianRegression {
  Eigen::MatrixXd x;  // N × K; column 0 is all ones (the intercept)
  Eigen::VectorXd y;
  Eigen::VectorXd truth;  // the coefficients y was drawn from
  double centre = 0;      // c: where x2 sits, in its own sds
  // The constants of both models.
  double noise_sd = 2;  // σ: known noise (and the noise y was drawn with)
  double prior_mean = 0;
  // σ0: a prior sd of 100 alone would hold |corr| below 0.99999 at N = 50, K = 25.
  double prior_sd = 1000;
  double tau_shape = 2, tau_rate = 2;  // prior mean of τ 1, the data's 0.25
  // The data reduced once, about the known-noise posterior mean (the anchor),
  // so that a residual sum of squares never subtracts large numbers:
  // Σ (y − X m)² = rss + dᵀ G d − 2 dᵀ x_residual, d = m − anchor.
  Eigen::MatrixXd gram;  // XᵀX
  Eigen::VectorXd anchor;
  Eigen::VectorXd x_residual;  // Xᵀ (y − X anchor)
  double rss = 0;              // Σ (y − X anchor)²
};

// N rows and K ≥ 2 coefficients from `seed`, with the known-noise posterior's
// largest |correlation| equal to `correlation` (within 1e-9 relative in
// 1 − |corr|). Throws std::invalid_argument if no centre reaches it.
GaussianRegression correlated_regression(int coefficients, std::size_t rows, double correlation,
                                         std::uint64_t seed);

// Known noise.
struct GaussianPosterior {
  Eigen::VectorXd mean;
  Eigen::MatrixXd precision;  // Λ
};
struct MeanFieldNormal {
  Eigen::VectorXd mean, sd;
};

GaussianPosterior exact_posterior(GaussianRegression const& r);
// The largest |correlation| between two coordinates of N(·, precision⁻¹).
double max_abs_correlation(Eigen::MatrixXd const& precision);
MeanFieldNormal mean_field_optimum(GaussianPosterior const& p);
// KL(q ‖ p) − KL(q* ‖ p), q* the mean-field optimum: the ELBO q leaves to it,
// 0.5 [Σ_k (Λ_kk s_k² − 1 − log Λ_kk s_k²) + (m − μ)ᵀ Λ (m − μ)].
double elbo_gap(GaussianPosterior const& p, MeanFieldNormal const& q);

// Unknown noise: Π Normal(mean_k, sd_k) × Gamma(shape, rate) on τ.
struct NormalGammaRegressionGuide {
  MeanFieldNormal coefficients;
  double shape = 1, rate = 1;
};

// The CAVI updates iterated until E τ changes by less than 1e-12 relative;
// throws std::runtime_error after 100000 iterations.
NormalGammaRegressionGuide cavi_optimum(GaussianRegression const& r);
// The ELBO with every constant, in closed form.
double elbo(GaussianRegression const& r, NormalGammaRegressionGuide const& q);
double elbo_gap(GaussianRegression const& r, NormalGammaRegressionGuide const& optimum,
                NormalGammaRegressionGuide const& q);

// The .model texts: b[K] a vector latent, the linear predictor written term by
// term over the columns x2..xK; guide parameters b_mean[K], b_sd[K] (and
// tau_alpha, tau_beta for the unknown noise), in that order.
std::string known_noise_model(GaussianRegression const& r);
std::string unknown_noise_model(GaussianRegression const& r);
// Columns x2..xK and y, to 17 significant digits.
std::string regression_csv(GaussianRegression const& r);

}  // namespace bbvi::reference
