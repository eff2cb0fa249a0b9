#include "tests/support/gaussian_regression_reference.hpp"

#include <Eigen/Cholesky>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>  // lgamma
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace bbvi::reference {

namespace {

constexpr double log_2pi = 1.8378770664093454836;

// The design with x2 centred at 0 (u itself); x2 = c + u is a shift of column 1.
Eigen::MatrixXd centred_design(int coefficients, std::size_t rows, std::uint64_t seed) {
  boost::random::mt19937_64 rng(seed);
  boost::random::normal_distribution<double> normal;
  Eigen::Index const n = static_cast<Eigen::Index>(rows);
  Eigen::MatrixXd x(n, coefficients);
  double const half = std::sqrt(0.5);  // common and own parts: correlation 0.5, sd 1
  for (Eigen::Index i = 0; i < n; ++i) {
    x(i, 0) = 1;
    x(i, 1) = normal(rng);
    double const common = normal(rng);
    for (int k = 2; k < coefficients; ++k) x(i, k) = 1 + half * common + half * normal(rng);
  }
  return x;
}

Eigen::MatrixXd prior_precision(GaussianRegression const& r, Eigen::Index k) {
  return Eigen::MatrixXd::Identity(k, k) / (r.prior_sd * r.prior_sd);
}

// Solves A z = rhs for a symmetric positive definite A as ill-conditioned as
// a 0.99999 ridge makes it: scaled to unit diagonal, with two refinements.
Eigen::VectorXd solve_spd(Eigen::MatrixXd const& a, Eigen::VectorXd const& rhs) {
  Eigen::VectorXd const d = a.diagonal().cwiseSqrt().cwiseInverse();
  Eigen::MatrixXd const scaled = d.asDiagonal() * a * d.asDiagonal();
  Eigen::LLT<Eigen::MatrixXd> const llt(scaled);
  Eigen::VectorXd z = d.cwiseProduct(llt.solve(d.cwiseProduct(rhs)));
  for (int i = 0; i < 2; ++i) z += d.cwiseProduct(llt.solve(d.cwiseProduct(rhs - a * z)));
  return z;
}

double correlation_at(Eigen::MatrixXd const& gram0, Eigen::VectorXd const& sums, double rows, double centre,
                      GaussianRegression const& r) {
  // XᵀX with x2 = c + u, from the centred design's: column 1 gains c·sums.
  Eigen::MatrixXd g = gram0;
  g.row(1) += centre * sums.transpose();
  g.col(1) += centre * sums;
  g(1, 1) += centre * centre * rows;
  return max_abs_correlation(g / (r.noise_sd * r.noise_sd) + prior_precision(r, g.rows()));
}

void reduce(GaussianRegression& r) {
  r.gram = r.x.transpose() * r.x;
  Eigen::Index const k = r.x.cols();
  double const v = r.noise_sd * r.noise_sd;
  Eigen::MatrixXd const precision = r.gram / v + prior_precision(r, k);
  Eigen::VectorXd const prior_part = Eigen::VectorXd::Constant(k, r.prior_mean / (r.prior_sd * r.prior_sd));
  // The posterior mean, refined against the rows themselves rather than the Gram.
  Eigen::VectorXd m = solve_spd(precision, r.x.transpose() * r.y / v + prior_part);
  for (int i = 0; i < 2; ++i) {
    Eigen::VectorXd const residual = r.y - r.x * m;
    m += solve_spd(precision, r.x.transpose() * residual / v + prior_part - prior_precision(r, k) * m);
  }
  r.anchor = m;
  Eigen::VectorXd const residual = r.y - r.x * m;
  r.x_residual = r.x.transpose() * residual;
  r.rss = residual.squaredNorm();
}

// Σ (y − X m)² from the reduced data.
double residual_sum_of_squares(GaussianRegression const& r, Eigen::VectorXd const& m) {
  Eigen::VectorXd const d = m - r.anchor;
  return r.rss + d.dot(r.gram * d) - 2 * d.dot(r.x_residual);
}

std::string linear_predictor(GaussianRegression const& r) {
  std::string s = "b[1]";
  for (Eigen::Index k = 1; k < r.x.cols(); ++k) s += fmt::format(" + b[{}] * x{}", k + 1, k + 1);
  return s;
}

std::string data_block(GaussianRegression const& r, bool known_noise) {
  std::string s = "data {\n";
  for (Eigen::Index k = 1; k < r.x.cols(); ++k) s += fmt::format("  real x{}[N];\n", k + 1);
  s += "  real y[N];\n";
  s += fmt::format("  int K = {};\n", r.x.cols());
  if (known_noise) s += fmt::format("  real<lower=0> sigma = {:.17g};\n", r.noise_sd);
  s += fmt::format("  real prior_mean = {:.17g};\n  real<lower=0> prior_sd = {:.17g};\n", r.prior_mean, r.prior_sd);
  if (!known_noise)
    s += fmt::format("  real<lower=0> tau_shape = {:.17g};\n  real<lower=0> tau_rate = {:.17g};\n", r.tau_shape,
                     r.tau_rate);
  return s + "}\n";
}

}  // namespace

double max_abs_correlation(Eigen::MatrixXd const& precision) {
  Eigen::VectorXd const d = precision.diagonal().cwiseSqrt().cwiseInverse();
  Eigen::MatrixXd const scaled = d.asDiagonal() * precision * d.asDiagonal();
  Eigen::MatrixXd const covariance = scaled.llt().solve(Eigen::MatrixXd::Identity(scaled.rows(), scaled.cols()));
  double worst = 0;
  for (Eigen::Index i = 0; i < covariance.rows(); ++i)
    for (Eigen::Index j = 0; j < i; ++j)
      worst = std::max(worst, std::fabs(covariance(i, j)) / std::sqrt(covariance(i, i) * covariance(j, j)));
  return worst;
}

GaussianRegression correlated_regression(int coefficients, std::size_t rows, double correlation,
                                         std::uint64_t seed) {
  if (coefficients < 2 || rows < 2 || !(correlation > 0 && correlation < 1))
    throw std::invalid_argument("correlated_regression: needs K >= 2, N >= 2 and 0 < correlation < 1");
  GaussianRegression r;
  Eigen::MatrixXd x = centred_design(coefficients, rows, seed);
  Eigen::MatrixXd const gram0 = x.transpose() * x;
  Eigen::VectorXd const sums = x.colwise().sum().transpose();
  double const n = static_cast<double>(rows);
  // Bisection on log c, where 1 − |corr| falls with c: compare log(1 − |corr|).
  double const target = std::log1p(-correlation);
  auto const gap = [&](double log_c) {
    return std::log1p(-correlation_at(gram0, sums, n, std::exp(log_c), r)) - target;
  };
  double lo = -12, hi = 12;
  if (!(gap(lo) > 0 && gap(hi) < 0))
    throw std::invalid_argument(
        fmt::format("correlated_regression: no centre gives correlation {} for K = {}, N = {}", correlation,
                    coefficients, rows));
  for (int i = 0; i < 200 && hi - lo > 1e-13; ++i) {
    double const mid = (lo + hi) / 2;
    (gap(mid) > 0 ? lo : hi) = mid;
  }
  r.centre = std::exp((lo + hi) / 2);
  x.col(1).array() += r.centre;

  // Realistic sizes: the intercept, a small slope on the uncentred predictor
  // (a trend per year), and slopes of ±0.5 to ±1.5 on the others.
  r.truth = Eigen::VectorXd(coefficients);
  r.truth[0] = 3;
  r.truth[1] = 0.5;
  for (int k = 2; k < coefficients; ++k) r.truth[k] = (k % 2 == 0 ? 1 : -1) * (0.5 + static_cast<double>(k % 3) * 0.5);
  boost::random::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  boost::random::normal_distribution<double> noise(0, r.noise_sd);
  r.y = x * r.truth;
  for (Eigen::Index i = 0; i < r.y.size(); ++i) r.y[i] += noise(rng);
  r.x = std::move(x);
  reduce(r);
  return r;
}

GaussianPosterior exact_posterior(GaussianRegression const& r) {
  GaussianPosterior p;
  p.precision = r.gram / (r.noise_sd * r.noise_sd) + prior_precision(r, r.gram.rows());
  p.mean = r.anchor;
  return p;
}

MeanFieldNormal mean_field_optimum(GaussianPosterior const& p) {
  return {p.mean, p.precision.diagonal().cwiseSqrt().cwiseInverse()};
}

double elbo_gap(GaussianPosterior const& p, MeanFieldNormal const& q) {
  Eigen::VectorXd const d = q.mean - p.mean;
  double gap = d.dot(p.precision * d);
  for (Eigen::Index k = 0; k < d.size(); ++k) {
    double const ratio = p.precision(k, k) * q.sd[k] * q.sd[k];
    gap += ratio - 1 - std::log(ratio);
  }
  return gap / 2;
}

NormalGammaRegressionGuide cavi_optimum(GaussianRegression const& r) {
  Eigen::Index const k = r.gram.rows();
  NormalGammaRegressionGuide q;
  q.shape = r.tau_shape + static_cast<double>(r.y.size()) / 2;
  double expected_tau = 1 / (r.noise_sd * r.noise_sd);  // any positive start
  for (int i = 0; i < 100000; ++i) {
    // q(b) given E τ: the known-noise optimum with precision E τ; solved for
    // the offset from the anchor, whose right side is small.
    Eigen::MatrixXd const precision = expected_tau * r.gram + prior_precision(r, k);
    Eigen::VectorXd const rhs = expected_tau * r.x_residual +
                                (Eigen::VectorXd::Constant(k, r.prior_mean) - r.anchor) / (r.prior_sd * r.prior_sd);
    q.coefficients.mean = r.anchor + solve_spd(precision, rhs);
    q.coefficients.sd = precision.diagonal().cwiseSqrt().cwiseInverse();
    // q(τ) given q(b): E Σ (y − X b)² = RSS(m) + Σ_k G_kk s_k².
    double const expected_ss = residual_sum_of_squares(r, q.coefficients.mean) +
                               r.gram.diagonal().dot(q.coefficients.sd.cwiseAbs2());
    q.rate = r.tau_rate + expected_ss / 2;
    double const next = q.shape / q.rate;
    bool const converged = std::fabs(next - expected_tau) <= 1e-12 * next;
    expected_tau = next;
    if (converged && i > 0) return q;
  }
  throw std::runtime_error("cavi_optimum: no fixed point after 100000 iterations");
}

double elbo(GaussianRegression const& r, NormalGammaRegressionGuide const& q) {
  using boost::math::digamma;
  using boost::math::lgamma;
  double const n = static_cast<double>(r.y.size());
  MeanFieldNormal const& b = q.coefficients;
  double const e_tau = q.shape / q.rate;
  double const e_log_tau = digamma(q.shape) - std::log(q.rate);
  double const expected_ss = residual_sum_of_squares(r, b.mean) + r.gram.diagonal().dot(b.sd.cwiseAbs2());
  double const likelihood = n / 2 * (e_log_tau - log_2pi) - e_tau / 2 * expected_ss;
  double const v0 = r.prior_sd * r.prior_sd;
  double prior_b = 0, entropy_b = 0;
  for (Eigen::Index k = 0; k < b.mean.size(); ++k) {
    double const d = b.mean[k] - r.prior_mean;
    prior_b += -0.5 * (log_2pi + std::log(v0)) - (d * d + b.sd[k] * b.sd[k]) / (2 * v0);
    entropy_b += 0.5 * (1 + log_2pi) + std::log(b.sd[k]);
  }
  double const prior_tau = r.tau_shape * std::log(r.tau_rate) - lgamma(r.tau_shape) +
                           (r.tau_shape - 1) * e_log_tau - r.tau_rate * e_tau;
  double const entropy_tau = q.shape - std::log(q.rate) + lgamma(q.shape) + (1 - q.shape) * digamma(q.shape);
  return likelihood + prior_b + prior_tau + entropy_b + entropy_tau;
}

double elbo_gap(GaussianRegression const& r, NormalGammaRegressionGuide const& optimum,
                NormalGammaRegressionGuide const& q) {
  return elbo(r, optimum) - elbo(r, q);
}

std::string known_noise_model(GaussianRegression const& r) {
  return fmt::format(
      "// A linear regression with a known noise sd: b[1] the intercept.\n{}"
      "latent {{ real b[K]; }}\n"
      "model {{\n  b ~ Normal(prior_mean, prior_sd);\n  y ~ Normal({}, sigma);\n}}\n"
      "guide {{\n  real b_mean[K] = 0;\n  real<lower=0> b_sd[K] = 1;\n  b ~ Normal(b_mean, b_sd);\n}}\n",
      data_block(r, true), linear_predictor(r));
}

std::string unknown_noise_model(GaussianRegression const& r) {
  return fmt::format(
      "// A linear regression with the noise precision tau a latent: b[1] the intercept.\n{}"
      "latent {{\n  real b[K];\n  real<lower=0> tau;\n}}\n"
      "model {{\n  b ~ Normal(prior_mean, prior_sd);\n  tau ~ Gamma(tau_shape, tau_rate);\n"
      "  y ~ Normal({}, 1 / sqrt(tau));\n}}\n"
      "guide {{\n  real b_mean[K] = 0;\n  real<lower=0> b_sd[K] = 1;\n"
      "  real<lower=0> tau_alpha = 1;\n  real<lower=0> tau_beta = 1;\n"
      "  b ~ Normal(b_mean, b_sd);\n  tau ~ Gamma(tau_alpha, tau_beta);\n}}\n",
      data_block(r, false), linear_predictor(r));
}

std::string regression_csv(GaussianRegression const& r) {
  std::string csv;
  for (Eigen::Index k = 1; k < r.x.cols(); ++k) csv += fmt::format("x{},", k + 1);
  csv += "y\n";
  csv.reserve(static_cast<std::size_t>(r.x.size()) * 24);
  for (Eigen::Index i = 0; i < r.x.rows(); ++i) {
    for (Eigen::Index k = 1; k < r.x.cols(); ++k) csv += fmt::format("{:.17g},", r.x(i, k));
    csv += fmt::format("{:.17g}\n", r.y[i]);
  }
  return csv;
}

}  // namespace bbvi::reference
