#include "runtime/bbvi/tail_average.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;

namespace {
Eigen::VectorXd scalar(double v) { return Eigen::VectorXd::Constant(1, v); }
BlockDiagonal const unit_fisher(Eigen::MatrixXd::Identity(1, 1));
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

TEST_CASE("tail average: the steps' own noise, when the iterates barely move and drift too slowly to measure") {
  // A ramp: every autocovariance is positive, so the autocorrelated estimate
  // would need more lags than a fifth of the tail, and the batch means
  // differ by 2e-9.
  TailAverage tail;
  for (int k = 0; k < 40; ++k) tail.add(scalar(1 + 1e-9 * k), 0.5);
  CHECK(tail.noise_kl(unit_fisher) == Approx(0.5 / 20));  // Σ noise / n², n = 20
}

TEST_CASE("tail average: iterates that scatter more than the steps claim are measured by their spread") {
  // Independent N(0, 1) iterates: the mean of n = 1,000 has variance 1/n, so
  // ½ F Var = 5e-4. Batch means over 10 batches estimate it with 9 degrees of
  // freedom: the estimate / truth is χ²₉/9, inside [0.23, 2.4] 99% of the
  // time; the autocorrelated estimate, over a few lags of 1,000 iterates, is
  // within 10% of it at one standard error.
  boost::random::mt19937 rng(11);
  boost::random::normal_distribution<double> normal;
  TailAverage tail;
  for (int k = 0; k < 2000; ++k) tail.add(scalar(normal(rng)), 0);
  double const truth = 0.5 / 1000;
  CHECK(tail.noise_kl(unit_fisher) > 0.23 * truth);
  CHECK(tail.noise_kl(unit_fisher) < 2.4 * truth);
}

namespace {
// x_k = φ x_{k−1} + e_k with e_k ~ N(0, 1): the mean of n terms has
// variance σ²/n with σ² = 1 / (1 − φ)², whatever the sign of φ.
Eigen::VectorXd autoregressive(double phi, int n, unsigned seed) {
  boost::random::mt19937 rng(seed);
  boost::random::normal_distribution<double> normal;
  Eigen::VectorXd x(n);
  double previous = 0;
  for (int k = 0; k < n; ++k) previous = x[k] = phi * previous + normal(rng);
  return x.array() - x.mean();
}
}  // namespace

TEST_CASE("asymptotic variance of a series' mean, for slowly drifting and for oscillating series") {
  // Over n = 100,000 terms and 200 seeds the estimate / truth had mean 1.003
  // and sd 0.056 for φ = 0.9, mean 0.971 and sd 0.070 for φ = −0.8 (whose
  // marginal variance, 2.8, is nine times the σ² it implies). The bounds are
  // four of those standard deviations.
  AsymptoticVariance const drifting = asymptotic_variance(autoregressive(0.9, 100000, 3), 10000);
  CHECK(drifting.complete);
  CHECK(drifting.variance == Approx(100).epsilon(0.23));
  AsymptoticVariance const oscillating = asymptotic_variance(autoregressive(-0.8, 100000, 4), 10000);
  CHECK(oscillating.complete);
  CHECK(oscillating.variance == Approx(1 / (1.8 * 1.8)).epsilon(0.28));
}

TEST_CASE("asymptotic variance: not to be trusted when the series is too short for its own correlation") {
  // φ = 0.995: correlation lasts hundreds of lags, more than the 40 allowed.
  CHECK_FALSE(asymptotic_variance(autoregressive(0.995, 1000, 5), 40).complete);
  // φ = 0.9: the sequence ends within 100 lags, but the correlation time,
  // (1 + φ) / (1 − φ) = 19, is more than a fiftieth of 500 terms.
  CHECK_FALSE(asymptotic_variance(autoregressive(0.9, 500, 5), 100).complete);
  CHECK(asymptotic_variance(autoregressive(0.9, 5000, 5), 1000).complete);
}

TEST_CASE("tail average: iterates that oscillate about the optimum count for less than the steps claim") {
  // The steps claim ½ tr(F Cov δ) = 0.5 each, as when the natural gradient
  // overshoots; the iterates themselves are AR(1) with φ = −0.8, whose mean
  // over the tail of n = 100,000 has variance 1 / (1.8² n), a sixth of the
  // steps' claim; the bound is that of the test above.
  Eigen::VectorXd const series = autoregressive(-0.8, 200000, 6);
  TailAverage tail;
  for (Eigen::Index k = 0; k < series.size(); ++k) tail.add(scalar(series[k]), 0.5);
  double const truth = 0.5 / (1.8 * 1.8) / 100000;
  CHECK(tail.noise_kl(unit_fisher) == Approx(truth).epsilon(0.28));
}
