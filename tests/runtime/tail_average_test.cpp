#include "runtime/bbvi/tail_average.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;

namespace {
Eigen::VectorXd scalar(double v) { return Eigen::VectorXd::Constant(1, v); }
Eigen::MatrixXd const unit_fisher = Eigen::MatrixXd::Identity(1, 1);
}  // namespace

TEST_CASE("tail average: the mean of the latter half of the iterates") {
  TailAverage tail;
  for (int k = 1; k <= 10; ++k) tail.add(scalar(k), 0);
  CHECK(tail.tail_length() == 5);
  CHECK(tail.mean()[0] == Approx(8.0));  // of 6..10
  tail.add(scalar(11), 0);
  CHECK(tail.tail_length() == 6);
  CHECK(tail.mean()[0] == Approx(8.5));  // of 6..11
}

TEST_CASE("tail average: no noise estimate until the tail holds one iterate per batch (ten)") {
  TailAverage tail;
  for (int k = 0; k < 18; ++k) tail.add(scalar(0), 0);
  CHECK(tail.tail_length() == 9);
  CHECK(std::isinf(tail.noise_kl(unit_fisher)));
  tail.add(scalar(0), 0);
  CHECK(tail.tail_length() == 10);
  CHECK(tail.noise_kl(unit_fisher) == 0);
}

TEST_CASE("tail average: the steps' own noise, when the iterates do not show it") {
  TailAverage tail;
  for (int k = 0; k < 40; ++k) tail.add(scalar(1), 0.5);
  CHECK(tail.noise_kl(unit_fisher) == Approx(0.5 / 20));  // Σ noise / n², n = 20
}

TEST_CASE("tail average: batch means measure iterates that scatter more than the steps claim") {
  // Independent N(0, 1) iterates: the mean of n = 1,000 has variance 1/n, so
  // ½ F Var = 5e-4. Batch means over 10 batches estimate it with 9 degrees of
  // freedom: the estimate / truth is χ²₉/9, inside [0.23, 2.4] 99% of the time.
  boost::random::mt19937 rng(11);
  boost::random::normal_distribution<double> normal;
  TailAverage tail;
  for (int k = 0; k < 2000; ++k) tail.add(scalar(normal(rng)), 0);
  double const truth = 0.5 / 1000;
  CHECK(tail.noise_kl(unit_fisher) > 0.23 * truth);
  CHECK(tail.noise_kl(unit_fisher) < 2.4 * truth);
}
