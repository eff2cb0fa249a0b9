// The gradient summary the report prints (docs/method.md, 'The gradient
// summary'): over the last GradientMonitor::span iterations, the mean
// estimate, the mean of the per-iteration variances, and SNR = |mean| / √noise,
// the noise the larger of that variance and the estimates' own spread.
#include "runtime/bbvi/gradient_monitor.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;

namespace {

Eigen::VectorXd vector2(double a, double b) {
  Eigen::VectorXd v(2);
  v << a, b;
  return v;
}

}  // namespace

TEST_CASE("gradient monitor: nothing added, nothing summarised") {
  GradientSummary const s = GradientMonitor().summary();
  CHECK(s.iterations == 0);
  CHECK(s.mean.size() == 0);
  CHECK(s.snr.size() == 0);
}

TEST_CASE("gradient monitor: the mean, variance and SNR of the last span iterations of a known sequence") {
  REQUIRE(GradientMonitor::span == 20);
  GradientMonitor monitor;
  // Iteration k (from 1) reports gradient (k, −2k) with variances (k², 4):
  // the first 5 fall out of the span of 20. The second coordinate's
  // estimates spread more than they claim: the sample variance of 6..25 is 35, times 4.
  int const added = 25;
  for (int k = 1; k <= added; ++k) {
    double const x = static_cast<double>(k);
    monitor.add(vector2(x, -2 * x), vector2(x * x, 4));
  }
  GradientSummary const s = monitor.summary();
  CHECK(s.iterations == 20);
  double mean = 0, variance = 0;
  for (int k = 6; k <= added; ++k) {
    mean += k / 20.0;
    variance += k * k / 20.0;
  }
  REQUIRE(s.mean.size() == 2);
  CHECK(s.mean[0] == Approx(mean).epsilon(1e-14));  // 15.5
  CHECK(s.mean[1] == Approx(-2 * mean).epsilon(1e-14));
  CHECK(s.variance[0] == Approx(variance).epsilon(1e-14));
  CHECK(s.variance[1] == Approx(4).epsilon(1e-14));
  CHECK(s.snr[0] == Approx(mean / std::sqrt(variance)).epsilon(1e-14));
  CHECK(s.snr[1] == Approx(2 * mean / std::sqrt(4 * 35.0)).epsilon(1e-14));
}

TEST_CASE("gradient monitor: fewer iterations than the span are all summarised") {
  GradientMonitor monitor;
  monitor.add(vector2(1, 3), vector2(1, 9));
  monitor.add(vector2(3, -1), vector2(3, 1));
  GradientSummary const s = monitor.summary();
  CHECK(s.iterations == 2);
  CHECK(s.mean[0] == 2);
  CHECK(s.mean[1] == 1);
  CHECK(s.variance[0] == 2);
  CHECK(s.variance[1] == 5);
  CHECK(s.snr[0] == Approx(2 / std::sqrt(2.0)).epsilon(1e-15));
  CHECK(s.snr[1] == Approx(1 / std::sqrt(8.0)).epsilon(1e-15));  // the spread, 8, above the variance
}

TEST_CASE("gradient monitor: a coordinate estimated without noise has SNR 0, not NaN or infinity") {
  GradientMonitor monitor;
  for (int k = 0; k < 3; ++k) monitor.add(vector2(0, 2), vector2(0, 0));
  GradientSummary const s = monitor.summary();
  CHECK(s.snr[0] == 0);
  CHECK(s.snr[1] == 0);
}

TEST_CASE("gradient monitor: SNR below 1 for a gradient that is noise, near |mean|/sd for one that is not") {
  // Each iteration's estimate is drawn with the variance it reports, as an
  // unbiased estimator's would be. Over n = 20 iterations the mean of a
  // zero gradient is N(0, σ²/20), so its SNR is |N(0, 1)|/√20: above 1 with
  // probability 8 × 10⁻⁶. A true gradient of 3σ gives SNR 3 ± 1/√20 = 0.22.
  boost::random::mt19937 rng(2024);
  boost::random::normal_distribution<double> normal;
  double const sd = 0.7;
  GradientMonitor monitor;
  for (std::size_t k = 0; k < 3 * GradientMonitor::span; ++k)
    monitor.add(vector2(sd * normal(rng), 3 * sd + sd * normal(rng)), vector2(sd * sd, sd * sd));
  GradientSummary const s = monitor.summary();
  CHECK(s.snr[0] < 1);
  CHECK(s.snr[1] > 3 - 4 * 0.22);
  CHECK(s.snr[1] < 3 + 4 * 0.22);
}

TEST_CASE("gradient monitor: a nearly exact estimate at iterates that wander is read against their spread") {
  // Each estimate claims a variance of 10⁻¹² but moves with the iterate (as a
  // coordinate's does when the others' noise moves the iterate): the mean of
  // 20 such draws is noise, and SNR says so.
  boost::random::mt19937 rng(7);
  boost::random::normal_distribution<double> normal;
  GradientMonitor monitor;
  for (std::size_t k = 0; k < GradientMonitor::span; ++k)
    monitor.add(vector2(0.01 * normal(rng), 1), vector2(1e-12, 1));
  GradientSummary const s = monitor.summary();
  CHECK(s.snr[0] < 1);
  CHECK(s.snr[1] == Approx(1));  // no spread: the claimed variance stands
}
