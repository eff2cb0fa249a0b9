#pragma once
// HalfNormal(sd): |y| for y ~ Normal(0, sd); in Stan, `normal(0, sd)` on a
// `real<lower=0>`, with the factor 2 that the truncation brings.
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/statistics.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/normal_distribution.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct HalfNormal {
  static constexpr std::string_view name = "HalfNormal";
  static constexpr std::array<std::string_view, 1> parameters{"sd"};
  static constexpr std::array<double, 1> example_arguments{1.3};
  static constexpr std::array<double, 1> invalid_arguments{-1.3};
  static constexpr Support support = Support::positive;

  template <typename T>
  static T log_density(double x, T const& sd) {
    check_positive_finite(name, "sd", sd);
    if (!(x >= 0)) return math::log_zero(sd);  // the density at 0 is finite: keep it
    T const z = x / sd;  // T, never auto: see runtime/dual.hpp
    return -0.5 * z * z - math::log(sd) - 0.225791352644727432;  // log(sqrt(2 pi) / 2)
  }

  // For local expectations: −x²/(2 sd²) and a constant, on its support.
  static constexpr bool quadratic_in_value = true;

  // Over a column, from {n, Σ x²}.
  using Statistics = std::array<double, 2>;
  static Statistics statistics(double const* x, std::size_t n) {
    return {static_cast<double>(n), statistics::sum(x, n, [](double v) { return v * v; })};
  }
  static double log_density_sum(Statistics const& s, double sd) {
    check_positive_finite(name, "sd", sd);
    return -0.5 * s[1] / (sd * sd) - s[0] * (std::log(sd) + 0.225791352644727432);
  }

  template <typename Rng>
  static double sample(Rng& rng, double sd) {
    check_positive_finite(name, "sd", sd);
    return std::fabs(boost::random::normal_distribution<double>(0, sd)(rng));  // fold at 0
  }
};

}  // namespace bbvi
