#pragma once
// Uniform(lo, hi), Stan's parameterisation (uniform_lpdf(x | alpha, beta)).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/uniform_real_distribution.hpp>

#include <array>
#include <string_view>

namespace bbvi {

struct Uniform {
  static constexpr std::string_view name = "Uniform";
  static constexpr std::array<std::string_view, 2> parameters{"lo", "hi"};
  static constexpr std::array<double, 2> example_arguments{-1.0, 3.0};
  static constexpr std::array<double, 2> invalid_arguments{1.0, 1.0};
  // Support::interval: the bounds are the first two arguments.
  static constexpr Support support = Support::interval;

  template <typename T>
  static T log_density(double x, T const& lo, T const& hi) {
    check_finite(name, "lo", lo);
    check_finite(name, "hi", hi);
    check_greater(name, "hi", hi, "lo", lo);
    if (!(x >= value_of(lo) && x <= value_of(hi))) return math::log_zero(lo);
    T const width = hi - lo;  // T, never auto: see runtime/dual.hpp
    return -math::log(width);
  }

  template <typename Rng>
  static double sample(Rng& rng, double lo, double hi) {
    check_finite(name, "lo", lo);
    check_finite(name, "hi", hi);
    check_greater(name, "hi", hi, "lo", lo);
    return boost::random::uniform_real_distribution<double>(lo, hi)(rng);
  }
};

}  // namespace bbvi
