#pragma once
// Gamma(shape, rate), Stan's parameterisation.
#include "grammar/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/gamma_distribution.hpp>

#include <array>
#include <limits>
#include <string_view>

namespace bbvi {

struct Gamma {
  static constexpr std::string_view name = "Gamma";
  static constexpr std::array<std::string_view, 2> parameters{"shape", "rate"};
  static constexpr Support support = Support::positive;

  template <typename T>
  static T log_density(double x, T const& shape, T const& rate) {
    check_positive_finite(name, "shape", shape);
    check_positive_finite(name, "rate", rate);
    if (!(x > 0)) return lift<T>(-std::numeric_limits<double>::infinity(), derivative_length(shape));
    return shape * math::log(rate) - math::lgamma(shape) + (shape - 1.0) * std::log(x) - rate * x;
  }

  template <typename Rng>
  static double sample(Rng& rng, double shape, double rate) {
    check_positive_finite(name, "shape", shape);
    check_positive_finite(name, "rate", rate);
    // Boost.Random's gamma takes a scale: convert the rate (inverse scale).
    return boost::random::gamma_distribution<double>(shape, 1 / rate)(rng);
  }
};

}  // namespace bbvi
