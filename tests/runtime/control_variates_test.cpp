// Control variates for a mean over the draws (docs/method.md, 'The coupled
// step'): each draw's value less the controls at the coefficients fitted
// without it.
#include "runtime/bbvi/control_variates.hpp"

#include <Eigen/Core>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;

namespace {

Eigen::MatrixXd standard_normals(boost::random::mt19937& rng, Eigen::Index rows, Eigen::Index cols) {
  boost::random::normal_distribution<double> normal;
  Eigen::MatrixXd out(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) out(i, j) = normal(rng);
  return out;
}

}  // namespace

TEST_CASE("control variates: a value linear in the controls has its mean exactly") {
  boost::random::mt19937 rng(5);
  Eigen::MatrixXd const u = standard_normals(rng, 10, 3);
  Eigen::MatrixXd values(10, 2);
  values.col(0) = (2.5 + (u * Eigen::Vector3d(1, -2, 0.5)).array()).matrix();
  values.col(1) = (-1.0 + 3 * u.col(2).array()).matrix();
  Eigen::MatrixXd const terms = control_variated(u, values);
  // Every draw's term is the intercept itself: no Monte-Carlo error left.
  CHECK((terms.col(0).array() - 2.5).abs().maxCoeff() < 1e-12);
  CHECK((terms.col(1).array() + 1.0).abs().maxCoeff() < 1e-12);
  // The plain mean is off by the controls' sample mean.
  CHECK(std::abs(values.col(0).mean() - 2.5) > 1e-3);
}

TEST_CASE("control variates: unbiased where the value is not linear in them, less noisy, and honest about it") {
  // f = exp(u₁/2) + u₂ + u₂²/5 with controls (u₁, u₂), S = 12: E f = e^⅛ + 1/5,
  // smooth and mostly linear, as a local gradient is in its neighbours'
  // draws. The coefficients fitted on all twelve draws would bias the mean
  // by O(1/S); fitted without each draw they do not. Over R = 20,000
  // replications the mean of the estimates is within 5 standard errors of
  // E f (a false alarm is a 6 × 10⁻⁷ event; the seed is fixed), and their
  // variance a fraction of the plain mean's (about an eighth: the controls
  // explain 91% of f's variance, and fitting three coefficients costs 11/8).
  // The terms' sample variance over S, which the estimators claim, averages
  // to the measured variance as tests/fit/estimators_test.cpp asks of every
  // estimator, within 0.6–1.6 times (asymptotic in S; measured here: 0.83,
  // the measured variance good to √(2/R) = 1%).
  boost::random::mt19937 rng(11);
  int const replications = 20000;
  double sum = 0, square = 0, plain_square = 0, claimed = 0;
  double const expected = std::exp(0.125) + 0.2;
  for (int r = 0; r < replications; ++r) {
    Eigen::MatrixXd const u = standard_normals(rng, 12, 2);
    Eigen::MatrixXd const values =
        ((0.5 * u.col(0).array()).exp() + u.col(1).array() + 0.2 * u.col(1).array().square()).matrix();
    Eigen::MatrixXd const terms = control_variated(u, values);
    double const estimate = terms.mean();
    claimed += (terms.array() - estimate).square().sum() / (12 * 11);
    sum += estimate;
    square += (estimate - expected) * (estimate - expected);
    plain_square += (values.mean() - expected) * (values.mean() - expected);
  }
  double const mean = sum / replications;
  double const variance = square / replications;
  CHECK(std::abs(mean - expected) < 5 * std::sqrt(variance / replications));
  CHECK(variance < 0.25 * plain_square / replications);
  CHECK(claimed / replications > 0.6 * variance);
  CHECK(claimed / replications < 1.6 * variance);
}

TEST_CASE("control variates: left out where they cannot help") {
  boost::random::mt19937 rng(3);
  Eigen::MatrixXd const u = standard_normals(rng, 6, 4);
  Eigen::MatrixXd const values = standard_normals(rng, 6, 1);
  // Six draws cannot fit an intercept and four coefficients with two to spare.
  CHECK(control_variated(u, values) == values);
  CHECK(control_variated(Eigen::MatrixXd(6, 0), values) == values);
  // A value the same at every draw stays exactly itself.
  Eigen::MatrixXd const many = standard_normals(rng, 12, 2);
  Eigen::MatrixXd constant = Eigen::MatrixXd::Constant(12, 1, 0.8269014679);
  CHECK(control_variated(many, constant) == constant);
}
