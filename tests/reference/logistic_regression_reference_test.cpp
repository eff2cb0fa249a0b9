// tests/support/logistic_regression_reference.cpp checked without the
// engine's fit: the expectation rule against exact identities, an adaptive
// Gauss–Kronrod integral and a higher-order rule; the ELBO against plain Monte
// Carlo over the model text's own log joint; the gradient against finite
// differences; and the optimum against a Monte-Carlo reparameterisation
// gradient, which uses no quadrature at all.
#include "runtime/bbvi/fit.hpp"  // initial_parameters
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/logistic_regression_reference.hpp"
#include "tests/support/newton.hpp"
#include "tests/support/source_file.hpp"

#include <Eigen/Dense>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

using namespace bbvi;
using namespace bbvi::reference;

namespace {

constexpr double log_2pi = 1.8378770664093454836;

double softplus(double eta) { return std::max(eta, 0.0) + std::log1p(std::exp(-std::fabs(eta))); }
double inv_logit(double eta) { return eta >= 0 ? 1 / (1 + std::exp(-eta)) : std::exp(eta) / (1 + std::exp(eta)); }

// E g(mean + sd Z) by adaptive 61-point Gauss–Kronrod over Z in [−12, 12]
// (the rest weighs under 1e-32), split at the bend Z = −mean/sd.
template <class G>
double adaptive_expectation(G const& g, double mean, double sd) {
  using kronrod = boost::math::quadrature::gauss_kronrod<double, 61>;
  double const bend = std::clamp(-mean / sd, -12.0, 12.0);
  auto const integrand = [&](double z) { return g(mean + sd * z) * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI); };
  return kronrod::integrate(integrand, -12.0, bend, 12, 1e-14) + kronrod::integrate(integrand, bend, 12.0, 12, 1e-14);
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

double log_prior(LogisticRegression const& r, Eigen::VectorXd const& b) {
  double const v0 = r.prior_sd * r.prior_sd;
  return -0.5 * static_cast<double>(b.size()) * (log_2pi + std::log(v0)) -
         (b.array() - r.prior_mean).square().sum() / (2 * v0);
}

double log_likelihood(LogisticRegression const& r, Eigen::VectorXd const& b) {
  Eigen::VectorXd const eta = r.x * b;
  double total = 0;
  for (Eigen::Index n = 0; n < eta.size(); ++n) total += r.y[n] * eta[n] - softplus(eta[n]);
  return total;
}

double log_q(MeanFieldNormal const& q, Eigen::VectorXd const& b) {
  double total = 0;
  for (Eigen::Index k = 0; k < b.size(); ++k) {
    double const z = (b[k] - q.mean[k]) / q.sd[k];
    total += -0.5 * (log_2pi + z * z) - std::log(q.sd[k]);
  }
  return total;
}

struct MonteCarlo {
  double mean, se;
};

MonteCarlo summarise(double sum, double sum_sq, int draws) {
  double const mean = sum / draws;
  return {mean, std::sqrt((sum_sq / draws - mean * mean) / draws)};
}

}  // namespace

TEST_CASE("expected_softplus: exact identities on both sides of the switch between rules") {
  // f(η) − f(−η) = η and f'(η) + f'(−η) = 1 hold exactly; the two sides of
  // each use the rule's nodes at different places.
  for (double sd : {1e-3, 0.3, 0.999, 1.001, 3.0, 30.0, 1000.0})
    for (double mean : {0.0, 0.4, 2.5, 17.0, 80.0}) {
      SoftplusMoments const up = expected_softplus(mean, sd), down = expected_softplus(-mean, sd);
      INFO("mean " << mean << ", sd " << sd);
      CHECK(std::fabs(up.derivative[0] - down.derivative[0] - mean) < 1e-13 * (1 + std::fabs(mean) + sd));
      CHECK(std::fabs(up.derivative[1] + down.derivative[1] - 1) < 1e-13);
      CHECK(std::fabs(up.derivative[2] - down.derivative[2]) < 1e-13);  // f'' is even
    }
  // A point mass: the sd → 0 limit is f itself, E f = f(μ) + σ² f''(μ)/2 + O(σ⁴).
  double const f2 = inv_logit(1.5) * (1 - inv_logit(1.5));
  CHECK(expected_softplus(1.5, 1e-4).derivative[0] == Approx(softplus(1.5) + 0.5e-8 * f2).epsilon(1e-14));
}

TEST_CASE("expected_softplus agrees with adaptive Gauss-Kronrod integrals of f, f' and f''") {
  for (double sd : {0.05, 0.5, 1.0, 1.5, 4.0, 25.0, 300.0})
    for (double mean : {-60.0, -3.0, -0.2, 0.0, 1.0, 9.0}) {
      SoftplusMoments const m = expected_softplus(mean, sd);
      INFO("mean " << mean << ", sd " << sd);
      double const value = adaptive_expectation(softplus, mean, sd);
      CHECK(std::fabs(m.derivative[0] - value) < 1e-12 * (1 + std::fabs(value)));
      CHECK(std::fabs(m.derivative[1] - adaptive_expectation(inv_logit, mean, sd)) < 1e-12);
      auto const curvature = [](double eta) { return inv_logit(eta) * inv_logit(-eta); };
      CHECK(std::fabs(m.derivative[2] - adaptive_expectation(curvature, mean, sd)) < 1e-12);
    }
}

TEST_CASE("expected_softplus: the default rule against one of twice its order") {
  // 32 and 192 Gauss–Hermite nodes up to sd 0.25 and 3 (against 16 and 64 up
  // to 0.5 and 1), panels of 0.25 (against 1): the two rules share no node,
  // and meet both ways at sd 1–3.
  ExpectationRule const higher{32, 0.25, 192, 3, 0.25};
  for (double sd : {1e-3, 0.2, 0.4, 0.5, 0.7, 1.0, 1.2, 2.0, 3.0, 8.0, 100.0})
    for (double mean : {-100.0, -10.0, -1.0, -0.1, 0.0, 0.5, 3.0, 40.0}) {
      SoftplusMoments const a = expected_softplus(mean, sd), b = expected_softplus(mean, sd, higher);
      INFO("mean " << mean << ", sd " << sd);
      CHECK(std::fabs(a.derivative[0] - b.derivative[0]) < 1e-12 * (1 + std::fabs(b.derivative[0])));
      for (std::size_t j = 1; j < 3; ++j) CHECK(std::fabs(a.derivative[j] - b.derivative[j]) < 1e-11);
      // The Hessian's f''' and f'''' steer the optimiser's steps only.
      for (std::size_t j = 3; j < 5; ++j) CHECK(std::fabs(a.derivative[j] - b.derivative[j]) < 1e-8);
    }
  // Summed over 10,000 rows at the optimum: the whole ELBO moves by no more.
  LogisticRegression const r = correlated_logistic_regression(2, 10000, 0.9999, 1);
  MeanFieldNormal const best = mean_field_optimum(r);
  CHECK(std::fabs(elbo(r, best) - elbo(r, best, higher)) < 1e-9);
  MeanFieldNormal const far = perturbed(best, 30, 2);
  CHECK(std::fabs(elbo(r, far) - elbo(r, far, higher)) < 1e-9);
}

TEST_CASE("correlated_logistic_regression reaches the Laplace correlation asked, with the outcomes fixed by the seed") {
  for (int k : {2, 5})
    for (std::size_t n : {std::size_t{50}, std::size_t{10000}})
      for (double rho : {0.99, 0.9999}) {
        LogisticRegression const r = correlated_logistic_regression(k, n, rho, 1);
        INFO("K = " << k << ", N = " << n << ", asked " << rho << ", centre " << r.centre);
        LaplaceApproximation const laplace = laplace_approximation(r);
        Eigen::MatrixXd const covariance = laplace.precision.inverse();
        double const intercept_slope = covariance(0, 1) / std::sqrt(covariance(0, 0) * covariance(1, 1));
        CHECK(std::log1p(-std::fabs(intercept_slope)) == Approx(std::log1p(-rho)).epsilon(1e-6));
        CHECK((r.x.col(0).array() == 1.0).all());
        CHECK(r.x.rows() == static_cast<Eigen::Index>(n));
        CHECK(((r.y.array() == 0) || (r.y.array() == 1)).all());
        // Neither outcome rare: the truth puts the mean log-odds at 0.3.
        CHECK(r.y.mean() > 0.35);
        CHECK(r.y.mean() < 0.8);
        // The mode's score vanishes, in its own sds.
        Eigen::VectorXd const eta = r.x * laplace.mode;
        Eigen::VectorXd p(eta.size());
        for (Eigen::Index i = 0; i < eta.size(); ++i) p[i] = inv_logit(eta[i]);
        Eigen::VectorXd const score = r.x.transpose() * (r.y - p) - laplace.mode / (r.prior_sd * r.prior_sd);
        CHECK((laplace.precision.ldlt().solve(score).array() * laplace.precision.diagonal().array().sqrt())
                  .abs()
                  .maxCoeff() < 1e-8);
      }
  LogisticRegression const a = correlated_logistic_regression(2, 50, 0.99, 3);
  LogisticRegression const b = correlated_logistic_regression(2, 50, 0.9999, 3);
  CHECK(a.y == b.y);  // the centre moves x2, not the outcomes
  CHECK(a.y != correlated_logistic_regression(2, 50, 0.99, 4).y);
}

TEST_CASE("the ELBO's gradient is its finite differences, and vanishes at the optimum") {
  for (int k : {2, 5})
    for (double rho : {0.99, 0.9999}) {
      LogisticRegression const r = correlated_logistic_regression(k, 50, rho, 2);
      MeanFieldNormal const best = mean_field_optimum(r);
      INFO("K = " << k << ", correlation " << rho);
      CHECK(scaled_gradient_norm(r, best) < 1e-10);
      // Central differences in the guide's own widths, at the optimum and away.
      for (double scale : {0.0, 2.0}) {
        MeanFieldNormal const q = scale == 0 ? best : perturbed(best, scale, 7);
        Eigen::VectorXd const g = elbo_gradient(r, q);
        for (Eigen::Index i = 0; i < 2 * k; ++i) {
          double const h = 1e-4;
          MeanFieldNormal up = q, down = q;
          if (i < k) {
            up.mean[i] += h * q.sd[i];
            down.mean[i] -= h * q.sd[i];
          } else {
            up.sd[i - k] *= std::exp(h);
            down.sd[i - k] *= std::exp(-h);
          }
          double const difference = (elbo(r, up) - elbo(r, down)) / (2 * h);
          double const analytic = i < k ? g[i] * q.sd[i] : g[i];
          CHECK(std::fabs(difference - analytic) < 1e-6 * (1 + std::fabs(analytic)));
          if (scale == 0) CHECK(std::fabs(difference) < 1e-6);
        }
        if (scale > 0) CHECK(scaled_gradient_norm(r, q) > 1e-2);
      }
      // Along each coordinate alone the optimum is the best point, and the gap
      // is positive anywhere else.
      for (Eigen::Index i = 0; i < k; ++i) {
        MeanFieldNormal q = best;
        q.mean[i] += 1e-2 * best.sd[i];
        CHECK(elbo_gap(r, best, q) > 0);
        q = best;
        q.sd[i] *= 1.01;
        CHECK(elbo_gap(r, best, q) > 0);
      }
      for (std::uint64_t seed = 1; seed <= 3; ++seed) CHECK(elbo_gap(r, best, perturbed(best, 0.5, seed)) > 0);
    }
}

TEST_CASE("at the optimum a Monte-Carlo reparameterisation gradient vanishes, and matches the formula elsewhere") {
  // ∇_m ELBO = E ∇ log p(b) and ∇_(log s) ELBO = E[∇ log p(b) ∘ s z] + 1 over
  // b = m + s z, with ∇ log p(b) = Xᵀ(y − σ(X b)) − (b − μ0)/σ0²: no quadrature.
  LogisticRegression const r = correlated_logistic_regression(2, 50, 0.9999, 3);
  MeanFieldNormal const best = mean_field_optimum(r);
  for (double scale : {0.0, 1.0}) {
    MeanFieldNormal const q = scale == 0 ? best : perturbed(best, scale, 11);
    boost::random::mt19937_64 rng(42);
    boost::random::normal_distribution<double> normal;
    int const draws = 200000;
    Eigen::VectorXd sum = Eigen::VectorXd::Zero(4), sum_sq = Eigen::VectorXd::Zero(4);
    for (int s = 0; s < draws; ++s) {
      Eigen::Vector2d const z(normal(rng), normal(rng));
      Eigen::Vector2d const b = q.mean + q.sd.cwiseProduct(z);
      Eigen::VectorXd const eta = r.x * b;
      Eigen::VectorXd residual(eta.size());
      for (Eigen::Index n = 0; n < eta.size(); ++n) residual[n] = r.y[n] - inv_logit(eta[n]);
      Eigen::Vector2d const score = r.x.transpose() * residual - (b.array() - r.prior_mean).matrix() /
                                                                     (r.prior_sd * r.prior_sd);
      Eigen::Vector4d estimate;
      // In the guide's own widths, as scaled_gradient_norm measures it.
      estimate << score.cwiseProduct(q.sd), score.cwiseProduct(q.sd).cwiseProduct(z).array() + 1;
      sum += estimate;
      sum_sq += estimate.cwiseAbs2();
    }
    Eigen::VectorXd formula = elbo_gradient(r, q);
    formula.head(2).array() *= q.sd.array();
    INFO("scale " << scale);
    for (Eigen::Index i = 0; i < 4; ++i) {
      MonteCarlo const mc = summarise(sum[i], sum_sq[i], draws);
      INFO("coordinate " << i << ": formula " << formula[i] << ", Monte Carlo " << mc.mean << " ± " << mc.se);
      CHECK(std::fabs(formula[i] - mc.mean) < 4 * mc.se);
      CHECK(mc.se < 0.01);  // precise enough to see a gradient of 0.04
    }
    if (scale > 0) CHECK(formula.cwiseAbs().maxCoeff() > 0.5);  // away, a gradient Monte Carlo can see
  }
}

TEST_CASE("the ELBO formula against plain Monte Carlo over the model text's own log joint") {
  LogisticRegression const r = correlated_logistic_regression(2, 50, 0.99, 5);
  data::CsvTable const table = data::CsvTable::from_text(logistic_csv(r), "logistic.csv");
  Program const program = testing::compile_model(logistic_model(r), &table);
  MeanFieldNormal const best = mean_field_optimum(r);
  MeanFieldNormal const q = perturbed(best, 1.5, 3);
  boost::random::mt19937_64 rng(17);
  boost::random::normal_distribution<double> normal;
  int const draws = 50000;
  double sum = 0, sum_sq = 0, diff = 0, diff_sq = 0;
  for (int s = 0; s < draws; ++s) {
    Eigen::Vector2d const z(normal(rng), normal(rng));
    Eigen::Vector2d const b = q.mean + q.sd.cwiseProduct(z), b_best = best.mean + best.sd.cwiseProduct(z);
    double const at_q = log_joint(program, {b[0], b[1]}) - log_q(q, b);
    double const at_best = log_joint(program, {b_best[0], b_best[1]}) - log_q(best, b_best);
    sum += at_q;
    sum_sq += at_q * at_q;
    // The same z at both: the gap with common random numbers.
    diff += at_best - at_q;
    diff_sq += (at_best - at_q) * (at_best - at_q);
  }
  MonteCarlo const plain = summarise(sum, sum_sq, draws), gap = summarise(diff, diff_sq, draws);
  double const formula_gap = elbo_gap(r, best, q);
  INFO("ELBO " << elbo(r, q) << ", Monte Carlo " << plain.mean << " ± " << plain.se);
  INFO("gap " << formula_gap << ", Monte Carlo " << gap.mean << " ± " << gap.se);
  CHECK(std::fabs(elbo(r, q) - plain.mean) < 4 * plain.se);
  CHECK(std::fabs(formula_gap - gap.mean) < 4 * gap.se);
  CHECK(formula_gap > 50 * gap.se);  // the comparison can tell a wrong gap
}

TEST_CASE("the model text computes the reference's log joint") {
  for (int k : {2, 5}) {
    LogisticRegression const r = correlated_logistic_regression(k, 50, 0.9999, 9);
    data::CsvTable const table = data::CsvTable::from_text(logistic_csv(r), "logistic.csv");
    Program const program = testing::compile_model(logistic_model(r), &table);
    // The truth, and a point where the steep slope puts some rows' log-odds
    // beyond ±5 (the model's log(1 − p) then loses digits: hence 1e-11).
    for (double shift : {0.0, 0.03}) {
      Eigen::VectorXd b = r.truth;
      b[1] += shift;
      std::vector<double> const z(b.data(), b.data() + b.size());
      INFO("K = " << k << ", slope shifted by " << shift);
      CHECK(log_joint(program, z) == Approx(log_prior(r, b) + log_likelihood(r, b)).epsilon(1e-11));
    }
    auto const p = constrained_parameters(program, initial_parameters(program));
    REQUIRE(p.size() == 2);
    CHECK(p[0].size() == static_cast<std::size_t>(k));  // b_mean
    CHECK(p[1].size() == static_cast<std::size_t>(k));  // b_sd
  }
}

TEST_CASE("a Monte-Carlo Newton decrement puts the optimum within 1e-3 nats, without quadrature") {
  // The reparameterisation gradient (no quadrature) measured in the metric of
  // the ELBO's curvature: g ᵀ (−H)⁻¹ g / 2 is the ELBO a Newton step would
  // still gain. On a ridge a gradient that looks small coordinate by
  // coordinate can hide a long way to go along it; the decrement does not.
  // Its Monte-Carlo noise at the optimum is about (2K)/(2 draws) = 1e-5 nats.
  for (double rho : {0.99, 0.9999}) {
    LogisticRegression const r = correlated_logistic_regression(2, 50, rho, 4);
    MeanFieldNormal const best = mean_field_optimum(r);
    // −H in the coordinates (m / s, log s) at the optimum, by central
    // differences of the gradient: only the metric, so not what is tested.
    Eigen::Matrix4d curvature;
    for (Eigen::Index i = 0; i < 4; ++i) {
      double const h = 1e-5;
      MeanFieldNormal up = best, down = best;
      if (i < 2) {
        up.mean[i] += h * best.sd[i];
        down.mean[i] -= h * best.sd[i];
      } else {
        up.sd[i - 2] *= std::exp(h);
        down.sd[i - 2] *= std::exp(-h);
      }
      Eigen::VectorXd gu = elbo_gradient(r, up), gd = elbo_gradient(r, down);
      gu.head(2).array() *= up.sd.array();
      gd.head(2).array() *= down.sd.array();
      curvature.col(i) = -(gu - gd) / (2 * h);
    }
    curvature = (curvature + curvature.transpose()).eval() / 2;
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix4d> const eigen(curvature);
    REQUIRE(eigen.eigenvalues().minCoeff() > 0);
    // Along the flattest direction, a guide 0.05 nats short of the optimum.
    Eigen::Vector4d const ridge = eigen.eigenvectors().col(0);
    double const t = std::sqrt(2 * 0.05 / eigen.eigenvalues()[0]);
    MeanFieldNormal shifted = best;
    for (Eigen::Index i = 0; i < 2; ++i) {
      shifted.mean[i] += t * ridge[i] * best.sd[i];
      shifted.sd[i] *= std::exp(t * ridge[2 + i]);
    }
    INFO("correlation " << rho << ", flattest curvature " << eigen.eigenvalues()[0]);
    for (bool const at_optimum : {true, false}) {
      MeanFieldNormal const& q = at_optimum ? best : shifted;
      boost::random::mt19937_64 rng(99);
      boost::random::normal_distribution<double> normal;
      int const draws = 200000;
      Eigen::Vector4d sum = Eigen::Vector4d::Zero();
      for (int s = 0; s < draws; ++s) {
        Eigen::Vector2d const z(normal(rng), normal(rng));
        Eigen::Vector2d const b = q.mean + q.sd.cwiseProduct(z);
        Eigen::VectorXd const eta = r.x * b;
        Eigen::VectorXd residual(eta.size());
        for (Eigen::Index n = 0; n < eta.size(); ++n) residual[n] = r.y[n] - inv_logit(eta[n]);
        Eigen::Vector2d const score =
            r.x.transpose() * residual - (b.array() - r.prior_mean).matrix() / (r.prior_sd * r.prior_sd);
        Eigen::Vector4d estimate;
        estimate << score.cwiseProduct(q.sd), score.cwiseProduct(q.sd).cwiseProduct(z).array() + 1;
        sum += estimate;
      }
      Eigen::Vector4d const g = sum / draws;
      double const decrement = 0.5 * g.dot(curvature.ldlt().solve(g));
      double const gap = elbo_gap(r, best, q);
      INFO("gap by the formula " << gap << ", Monte-Carlo Newton decrement " << decrement);
      if (at_optimum) {
        CHECK(decrement < 1e-3);
      } else {
        CHECK(gap == Approx(0.05).epsilon(0.1));  // the ELBO is close to quadratic here
        CHECK(std::fabs(decrement - gap) < 0.01);
      }
    }
  }
}

TEST_CASE("on the example model, where the default fit converges, the reference agrees with another rule and the fit") {
  // models/logistic_regression.model: a centred covariate and Normal(0, 2.5)
  // priors, a posterior the engine fits (tests/models/logistic_regression_test.cpp).
  data::CsvTable const table =
      data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/logistic_regression.csv");
  std::vector<double> const x = table.real_column("x");
  std::vector<std::int64_t> const y = table.int_column("y");
  LogisticRegression r;
  r.x.resize(static_cast<Eigen::Index>(x.size()), 2);
  r.y.resize(static_cast<Eigen::Index>(x.size()));
  for (std::size_t n = 0; n < x.size(); ++n) {
    Eigen::Index const i = static_cast<Eigen::Index>(n);
    r.x(i, 0) = 1;
    r.x(i, 1) = x[n];
    r.y[i] = static_cast<double>(y[n]);
  }
  r.prior_sd = 2.5;
  MeanFieldNormal const best = mean_field_optimum(r);

  // Another rule and another optimiser: 60-point Gauss–Legendre over the
  // standard score in [−12, 12], Newton steps with finite-difference
  // derivatives, on θ = (m, log s).
  auto const legendre_elbo = [&](Eigen::VectorXd const& theta) {
    MeanFieldNormal const q{theta.head(2), theta.tail(2).array().exp().matrix()};
    double total = 0;
    for (Eigen::Index n = 0; n < r.x.rows(); ++n) {
      double const mean = r.x.row(n).dot(q.mean), sd = r.x.row(n).cwiseAbs2().dot(q.sd.cwiseAbs2());
      auto const integrand = [&](double u) {
        return std::exp(-0.5 * u * u) / std::sqrt(2 * M_PI) * softplus(mean + std::sqrt(sd) * u);
      };
      total += r.y[n] * mean - boost::math::quadrature::gauss<double, 60>::integrate(integrand, -12.0, 12.0);
    }
    Eigen::VectorXd const b_mean = q.mean;
    return total + log_prior(r, b_mean) - q.sd.squaredNorm() / (2 * r.prior_sd * r.prior_sd) +
           q.sd.array().log().sum() + 1 + log_2pi;
  };
  Eigen::VectorXd start(4);
  start << best.mean, best.sd.array().log().matrix();
  start += Eigen::Vector4d(0.1, -0.1, 0.1, 0.2);  // not at the answer
  Eigen::VectorXd const other = testing::newton_maximise(legendre_elbo, start);
  for (Eigen::Index k = 0; k < 2; ++k) {
    CHECK(std::fabs(other[k] - best.mean[k]) < 1e-6 * best.sd[k]);
    CHECK(std::fabs(std::exp(other[2 + k]) / best.sd[k] - 1) < 1e-6);
  }
  CHECK(std::fabs(legendre_elbo(other) - elbo(r, best)) < 1e-9);

  // The default fit: converged, within the suite's 0.01 nats and 5% in every sd.
  Program const program =
      testing::compile_model(testing::read_source_file("models/logistic_regression.model"), &table);
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    FitOptions options;
    options.seed = seed;
    FitResult const fitted = fit(program, options);
    auto const p = constrained_parameters(program, fitted.u);  // alpha_mean, alpha_sd, beta_mean, beta_sd
    MeanFieldNormal const q{Eigen::Vector2d(p[0][0], p[2][0]), Eigen::Vector2d(p[1][0], p[3][0])};
    INFO("seed " << seed << ": " << fitted.iterations << " iterations, gap " << elbo_gap(r, best, q));
    CHECK(fitted.converged);
    CHECK(elbo_gap(r, best, q) < 0.01);
    CHECK(elbo_gap(r, best, q) > -1e-9);  // nothing beats the optimum
    CHECK(worst_relative_sd_error(best, q) < 0.05);
  }
}
