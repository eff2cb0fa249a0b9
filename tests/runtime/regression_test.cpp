#include "runtime/bbvi/regression.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>

using namespace bbvi;

TEST_CASE("regression: an exactly linear f gives back its intercept and slope") {
  boost::random::mt19937 rng(7);
  boost::random::normal_distribution<double> normal;
  Eigen::MatrixXd scores(12, 3);
  for (Eigen::Index i = 0; i < scores.size(); ++i) scores.data()[i] = normal(rng);
  Eigen::Vector3d const slope(1.5, -2.0, 0.25);
  Eigen::VectorXd const f = (scores * slope).array() + 4.0;
  RegressionEstimate const r = regress(scores, f);
  CHECK(r.slope[0] == Approx(1.5).epsilon(1e-8));
  CHECK(r.slope[1] == Approx(-2.0).epsilon(1e-8));
  CHECK(r.slope[2] == Approx(0.25).epsilon(1e-8));
  CHECK(r.intercept == Approx(4.0).epsilon(1e-8));
  CHECK(r.residual_variance == Approx(0.0).margin(1e-12));
}

TEST_CASE("regression: a slope does not depend on the units of its score") {
  // A location's score is √λ × a standard normal: 1e-8 of the others' size
  // where the guide's sd is 1e8 (data near 1e9). Its slope must come out
  // 1e8 times larger, not shrunk by a ridge sized for the other scores.
  boost::random::mt19937 rng(11);
  boost::random::normal_distribution<double> normal;
  Eigen::MatrixXd scores(10, 2);
  for (Eigen::Index i = 0; i < scores.size(); ++i) scores.data()[i] = normal(rng);
  scores.col(0) *= 1e-8;
  Eigen::VectorXd const f = (scores * Eigen::Vector2d(1.5e8, -1.0)).array() + 2.0;
  RegressionEstimate const r = regress(scores, f);
  CHECK(r.slope[0] == Approx(1.5e8).epsilon(1e-8));
  CHECK(r.slope[1] == Approx(-1.0).epsilon(1e-8));
}

TEST_CASE("regression: needs more draws than parameters + 1") {
  Eigen::MatrixXd const scores = Eigen::MatrixXd::Ones(4, 3);
  CHECK_THROWS_AS(regress(scores, Eigen::VectorXd::Ones(4)), std::invalid_argument);
}

TEST_CASE("covariance gradient: unbiased mean of (s - s̄)(f - f̄)") {
  Eigen::MatrixXd scores(4, 1);
  scores << 1, -1, 2, -2;
  Eigen::VectorXd f(4);
  f << 2, -2, 4, -4;  // f = 2 s, so Cov(s, f) = 2 Var(s) = 2 · 10/3
  CovarianceGradient const g = covariance_gradient(scores, f);
  CHECK(g.gradient[0] == Approx(20.0 / 3.0));
}
