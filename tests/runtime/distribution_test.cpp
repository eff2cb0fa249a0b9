// Normal and Gamma: densities against Boost.Math, samplers against their
// moments, and the checks that name the argument they reject.
#include "runtime/distributions/gamma.hpp"
#include "runtime/distributions/normal.hpp"
#include "runtime/random_stream.hpp"

#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;

TEST_CASE("Normal: log density equals Boost.Math's") {
  for (double x : {-3.0, 0.0, 0.5, 7.0})
    CHECK(Normal::log_density(x, 0.5, 2.0) == Approx(std::log(boost::math::pdf(boost::math::normal(0.5, 2.0), x))));
}

TEST_CASE("Gamma: log density equals Boost.Math's (rate converted to scale)") {
  for (double x : {0.1, 1.0, 4.5})
    CHECK(Gamma::log_density(x, 2.5, 3.0) ==
          Approx(std::log(boost::math::pdf(boost::math::gamma_distribution<>(2.5, 1 / 3.0), x))));
  CHECK(Gamma::log_density(-1.0, 2.5, 3.0) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("Normal: the score comes from the dual") {
  Dual const mean(0.5, 2, 0), sd(2.0, 2, 1);  // value, number of derivatives, index
  Dual const lp = Normal::log_density(1.0, mean, sd);
  CHECK(lp.derivatives()(0) == Approx(0.125));     // (x - m) / s^2
  CHECK(lp.derivatives()(1) == Approx(-0.46875));  // -1/s + (x - m)^2 / s^3
}

TEST_CASE("Normal and Gamma: name the argument they reject") {
  CHECK_THROWS_WITH(Normal::log_density(0.0, 0.0, -1.0), "Normal: sd is -1, but must be positive and finite");
  CHECK_THROWS_WITH(Gamma::log_density(1.0, 0.0, 1.0), "Gamma: shape is 0, but must be positive and finite");
  CHECK_THROWS_WITH(Normal::log_density(0.0, std::nan(""), 1.0), "Normal: mean is nan, but must be finite");
}

TEST_CASE("samplers: moments within 5 standard errors over 40,000 draws") {
  // The sample mean's standard error is sd/√n; 5 of them make a false alarm
  // a one-in-a-million event, and the streams are fixed anyway.
  int const n = 40000;
  double sum_normal = 0, sum_gamma = 0;
  for (int i = 0; i < n; ++i) {
    RandomStream rng(3, 0, static_cast<std::uint64_t>(i));
    sum_normal += Normal::sample(rng, 1.5, 2.0);
    sum_gamma += Gamma::sample(rng, 3.0, 2.0);
  }
  CHECK(std::fabs(sum_normal / n - 1.5) < 5 * 2.0 / std::sqrt(n));
  CHECK(std::fabs(sum_gamma / n - 1.5) < 5 * std::sqrt(3.0) / 2.0 / std::sqrt(n));  // mean a/b, sd √a/b
}
