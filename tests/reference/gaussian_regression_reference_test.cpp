// tests/support/gaussian_regression_reference.cpp checked without the engine's
// fit: the generator's correlation against a QR of the augmented design, the
// closed-form gaps against the Gaussian KL and Monte-Carlo estimates, the CAVI
// fixed point against finite differences of the ELBO, and the model texts
// against the reference's own log joint.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/gaussian_regression_reference.hpp"

#include <Eigen/Dense>
#include <boost/math/special_functions/gamma.hpp>  // lgamma
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;
using namespace bbvi::reference;

namespace {

constexpr double log_2pi = 1.8378770664093454836;

// The posterior covariance from R of the QR of [X/σ; I/σ0], never forming XᵀX.
Eigen::MatrixXd covariance_by_qr(GaussianRegression const& r) {
  Eigen::Index const n = r.x.rows(), k = r.x.cols();
  Eigen::MatrixXd augmented(n + k, k);
  augmented << r.x / r.noise_sd, Eigen::MatrixXd::Identity(k, k) / r.prior_sd;
  Eigen::HouseholderQR<Eigen::MatrixXd> const qr(augmented);
  Eigen::MatrixXd const upper = qr.matrixQR().topRows(k).triangularView<Eigen::Upper>();
  Eigen::MatrixXd const inverse = upper.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(k, k));
  return inverse * inverse.transpose();
}

double max_abs_correlation_of(Eigen::MatrixXd const& covariance) {
  double worst = 0;
  for (Eigen::Index i = 0; i < covariance.rows(); ++i)
    for (Eigen::Index j = 0; j < i; ++j)
      worst = std::max(worst, std::fabs(covariance(i, j)) / std::sqrt(covariance(i, i) * covariance(j, j)));
  return worst;
}

// KL(q ‖ N(μ, Λ⁻¹)) in the textbook form, log-determinants and all.
double kl_to_posterior(GaussianPosterior const& p, MeanFieldNormal const& q) {
  Eigen::Index const k = p.mean.size();
  Eigen::VectorXd const d = q.mean - p.mean;
  double const log_det_precision = 2 * p.precision.llt().matrixL().toDenseMatrix().diagonal().array().log().sum();
  double trace = 0, log_det_q = 0;
  for (Eigen::Index i = 0; i < k; ++i) {
    trace += p.precision(i, i) * q.sd[i] * q.sd[i];
    log_det_q += 2 * std::log(q.sd[i]);
  }
  return 0.5 * (trace + d.dot(p.precision * d) - static_cast<double>(k) - log_det_precision - log_det_q);
}

MeanFieldNormal perturbed(MeanFieldNormal q, double scale, std::uint64_t seed) {
  boost::random::mt19937_64 rng(seed);
  boost::random::normal_distribution<double> normal;
  for (Eigen::Index k = 0; k < q.mean.size(); ++k) {
    q.mean[k] += scale * q.sd[k] * normal(rng);
    q.sd[k] *= std::exp(0.3 * normal(rng));
  }
  return q;
}

struct MonteCarlo {
  double mean, se;
};

// E_q[log q(b) − log N(b; μ, Λ⁻¹)] from `draws` draws.
MonteCarlo kl_by_sampling(GaussianPosterior const& p, MeanFieldNormal const& q, int draws, std::uint64_t seed) {
  boost::random::mt19937_64 rng(seed);
  boost::random::normal_distribution<double> normal;
  Eigen::Index const k = p.mean.size();
  double const log_det_precision = std::log(p.precision.determinant());
  double sum = 0, sum_sq = 0;
  Eigen::VectorXd b(k);
  for (int s = 0; s < draws; ++s) {
    double log_q = 0;
    for (Eigen::Index i = 0; i < k; ++i) {
      double const z = normal(rng);
      b[i] = q.mean[i] + q.sd[i] * z;
      log_q += -0.5 * (log_2pi + z * z) - std::log(q.sd[i]);
    }
    Eigen::VectorXd const d = b - p.mean;
    double const log_p = -0.5 * (static_cast<double>(k) * log_2pi - log_det_precision + d.dot(p.precision * d));
    sum += log_q - log_p;
    sum_sq += (log_q - log_p) * (log_q - log_p);
  }
  double const mean = sum / draws;
  return {mean, std::sqrt((sum_sq / draws - mean * mean) / draws)};
}

// The unknown-noise guide as a point of R^(2K+2): means, log sds, log shape, log rate.
Eigen::VectorXd flatten(NormalGammaRegressionGuide const& q) {
  Eigen::Index const k = q.coefficients.mean.size();
  Eigen::VectorXd v(2 * k + 2);
  v << q.coefficients.mean, q.coefficients.sd.array().log().matrix(), std::log(q.shape), std::log(q.rate);
  return v;
}

NormalGammaRegressionGuide unflatten(Eigen::VectorXd const& v) {
  Eigen::Index const k = (v.size() - 2) / 2;
  NormalGammaRegressionGuide q;
  q.coefficients.mean = v.head(k);
  q.coefficients.sd = v.segment(k, k).array().exp().matrix();
  q.shape = std::exp(v[2 * k]);
  q.rate = std::exp(v[2 * k + 1]);
  return q;
}

// Central differences of the closed-form ELBO, each coordinate scaled by the
// guide's own width so that every step is equally small in KL.
Eigen::VectorXd elbo_gradient(GaussianRegression const& r, NormalGammaRegressionGuide const& q) {
  Eigen::VectorXd const v = flatten(q);
  Eigen::Index const k = q.coefficients.mean.size();
  Eigen::VectorXd g(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    double const h = 1e-4 * (i < k ? q.coefficients.sd[i] : 1.0);
    Eigen::VectorXd up = v, down = v;
    up[i] += h;
    down[i] -= h;
    g[i] = (elbo(r, unflatten(up)) - elbo(r, unflatten(down))) / (2 * h) * (i < k ? q.coefficients.sd[i] : 1.0);
  }
  return g;
}

}  // namespace

TEST_CASE("correlated_regression reaches each requested posterior correlation") {
  for (int k : {2, 5, 25})
    for (std::size_t n : {std::size_t{50}, std::size_t{100000}})
      for (double rho : {0.9, 0.99, 0.999, 0.99999}) {
        GaussianRegression const r = correlated_regression(k, n, rho, 1);
        double const reached = max_abs_correlation_of(covariance_by_qr(r));
        INFO("K = " << k << ", N = " << n << ", asked " << rho << ", centre " << r.centre);
        CHECK(std::log1p(-reached) == Approx(std::log1p(-rho)).epsilon(1e-6));
        CHECK((r.x.col(0).array() == 1.0).all());
        CHECK(r.x.rows() == static_cast<Eigen::Index>(n));
      }
}

TEST_CASE("correlated_regression: the same seed gives the same data, another seed other data") {
  GaussianRegression const a = correlated_regression(5, 50, 0.99, 3), b = correlated_regression(5, 50, 0.99, 3),
                           c = correlated_regression(5, 50, 0.99, 4);
  CHECK(a.x == b.x);
  CHECK(a.y == b.y);
  CHECK(a.y != c.y);
}

TEST_CASE("correlated_regression: the posterior mean solves the normal equations") {
  GaussianRegression const r = correlated_regression(5, 1000, 0.99999, 2);
  GaussianPosterior const p = exact_posterior(r);
  Eigen::VectorXd const score = r.x.transpose() * (r.y - r.x * p.mean) / (r.noise_sd * r.noise_sd) -
                                (p.mean.array() - r.prior_mean).matrix() / (r.prior_sd * r.prior_sd);
  // Measured in the posterior's own sds: the mean is off by this many of them.
  Eigen::VectorXd const offset = p.precision.ldlt().solve(score);
  for (Eigen::Index i = 0; i < offset.size(); ++i)
    CHECK(std::fabs(offset[i]) * std::sqrt(p.precision(i, i)) < 1e-6);
}

TEST_CASE("known noise: the gap is 0 at the mean-field optimum, positive elsewhere, and the KL difference") {
  for (double rho : {0.9, 0.99999})
    for (int k : {2, 25}) {
      GaussianRegression const r = correlated_regression(k, 50, rho, 5);
      GaussianPosterior const p = exact_posterior(r);
      MeanFieldNormal const best = mean_field_optimum(p);
      INFO("K = " << k << ", correlation " << rho);
      CHECK(std::fabs(elbo_gap(p, best)) < 1e-12);
      for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        MeanFieldNormal const q = perturbed(best, 0.5, seed);
        double const gap = elbo_gap(p, q);
        CHECK(gap > 0);
        CHECK(gap == Approx(kl_to_posterior(p, q) - kl_to_posterior(p, best)).epsilon(1e-6));
      }
      // Along each coordinate alone, the optimum is the best point.
      for (Eigen::Index i = 0; i < k; ++i) {
        MeanFieldNormal q = best;
        q.mean[i] += 1e-3 * best.sd[i];
        CHECK(elbo_gap(p, q) > 0);
        q = best;
        q.sd[i] *= 1.001;
        CHECK(elbo_gap(p, q) > 0);
      }
    }
}

TEST_CASE("known noise: the closed-form gap matches Monte-Carlo KL differences at K = 2") {
  GaussianRegression const r = correlated_regression(2, 50, 0.9, 7);
  GaussianPosterior const p = exact_posterior(r);
  MeanFieldNormal const best = mean_field_optimum(p);
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    MeanFieldNormal const q = perturbed(best, 1.0, seed);
    MonteCarlo const at_q = kl_by_sampling(p, q, 200000, 10 + seed), at_best = kl_by_sampling(p, best, 200000, 20 + seed);
    double const se = std::hypot(at_q.se, at_best.se);
    double const gap = elbo_gap(p, q);
    INFO("gap " << gap << ", Monte Carlo " << at_q.mean - at_best.mean << " ± " << se);
    CHECK(gap > 10 * se);  // the comparison below can tell a wrong formula
    CHECK(std::fabs(gap - (at_q.mean - at_best.mean)) < 4 * se);
  }
}

TEST_CASE("unknown noise: the closed-form ELBO matches a Monte-Carlo estimate at K = 2") {
  GaussianRegression const r = correlated_regression(2, 50, 0.99, 8);
  NormalGammaRegressionGuide q = cavi_optimum(r);
  q.coefficients = perturbed(q.coefficients, 1.0, 4);
  q.shape *= 0.7;
  boost::random::mt19937_64 rng(99);
  boost::random::normal_distribution<double> normal;
  boost::random::gamma_distribution<double> gamma(q.shape, 1 / q.rate);  // a scale: 1 / rate
  double sum = 0, sum_sq = 0;
  int const draws = 100000;
  double const v0 = r.prior_sd * r.prior_sd;
  for (int s = 0; s < draws; ++s) {
    Eigen::Vector2d b;
    double log_q = 0, log_p = 0;
    for (Eigen::Index i = 0; i < 2; ++i) {
      double const z = normal(rng);
      b[i] = q.coefficients.mean[i] + q.coefficients.sd[i] * z;
      log_q += -0.5 * (log_2pi + z * z) - std::log(q.coefficients.sd[i]);
      log_p += -0.5 * (log_2pi + std::log(v0)) - (b[i] - r.prior_mean) * (b[i] - r.prior_mean) / (2 * v0);
    }
    double const tau = gamma(rng);
    log_q += q.shape * std::log(q.rate) - boost::math::lgamma(q.shape) + (q.shape - 1) * std::log(tau) - q.rate * tau;
    log_p += r.tau_shape * std::log(r.tau_rate) - boost::math::lgamma(r.tau_shape) + (r.tau_shape - 1) * std::log(tau) -
             r.tau_rate * tau;
    double const n = static_cast<double>(r.y.size());
    log_p += n / 2 * (std::log(tau) - log_2pi) - tau / 2 * (r.y - r.x * b).squaredNorm();
    sum += log_p - log_q;
    sum_sq += (log_p - log_q) * (log_p - log_q);
  }
  double const mean = sum / draws, se = std::sqrt((sum_sq / draws - mean * mean) / draws);
  INFO("closed form " << elbo(r, q) << ", Monte Carlo " << mean << " ± " << se);
  CHECK(std::fabs(elbo(r, q) - mean) < 4 * se);
  CHECK(elbo_gap(r, cavi_optimum(r), q) > 10 * se);
}

TEST_CASE("unknown noise: the CAVI fixed point is a stationary point of the closed-form ELBO") {
  for (double rho : {0.9, 0.999})
    for (int k : {2, 5}) {
      GaussianRegression const r = correlated_regression(k, 50, rho, 6);
      NormalGammaRegressionGuide const best = cavi_optimum(r);
      INFO("K = " << k << ", correlation " << rho);
      Eigen::VectorXd const g = elbo_gradient(r, best);
      CHECK(g.cwiseAbs().maxCoeff() < 1e-5);
      CHECK(elbo_gap(r, best, best) == 0);  // the same q on both sides
      // Away from it the same differences are far from 0, and the gap positive.
      NormalGammaRegressionGuide q = best;
      q.coefficients = perturbed(best.coefficients, 0.3, 1);
      q.rate *= 1.1;
      CHECK(elbo_gradient(r, q).cwiseAbs().maxCoeff() > 1e-2);
      CHECK(elbo_gap(r, best, q) > 0);
    }
}

TEST_CASE("the model texts compute the reference's log joint") {
  GaussianRegression const r = correlated_regression(5, 50, 0.99, 9);
  data::CsvTable const table = data::CsvTable::from_text(regression_csv(r), "regression.csv");
  Eigen::VectorXd b = r.truth;
  b[0] += 0.3;
  double const v0 = r.prior_sd * r.prior_sd;
  double log_prior = 0;
  for (Eigen::Index i = 0; i < b.size(); ++i)
    log_prior += -0.5 * (log_2pi + std::log(v0)) - (b[i] - r.prior_mean) * (b[i] - r.prior_mean) / (2 * v0);
  double const ss = (r.y - r.x * b).squaredNorm(), n = static_cast<double>(r.y.size());
  std::vector<double> z(b.data(), b.data() + b.size());

  SECTION("known noise") {
    Program const program = testing::compile_model(known_noise_model(r), &table);
    double const v = r.noise_sd * r.noise_sd;
    CHECK(log_joint(program, z) == Approx(log_prior - n / 2 * (log_2pi + std::log(v)) - ss / (2 * v)).epsilon(1e-12));
    auto const p = constrained_parameters(program, initial_parameters(program));
    REQUIRE(p.size() == 2);
    CHECK(p[0].size() == 5);  // b_mean
    CHECK(p[1].size() == 5);  // b_sd
  }
  SECTION("unknown noise") {
    Program const program = testing::compile_model(unknown_noise_model(r), &table);
    double const tau = 0.3;
    z.push_back(tau);
    double const log_prior_tau = r.tau_shape * std::log(r.tau_rate) - boost::math::lgamma(r.tau_shape) +
                                 (r.tau_shape - 1) * std::log(tau) - r.tau_rate * tau;
    CHECK(log_joint(program, z) ==
          Approx(log_prior + log_prior_tau + n / 2 * (std::log(tau) - log_2pi) - tau / 2 * ss).epsilon(1e-12));
    auto const p = constrained_parameters(program, initial_parameters(program));
    REQUIRE(p.size() == 4);  // b_mean, b_sd, tau_alpha, tau_beta
    CHECK(p[0].size() == 5);
    CHECK(p[3].size() == 1);
  }
}
