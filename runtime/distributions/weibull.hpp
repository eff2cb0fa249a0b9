#pragma once
// Weibull(shape, scale), Stan's parameterisation (weibull_lpdf(x | alpha, sigma)):
// density (shape / scale) (x / scale)^(shape - 1) exp(-(x / scale)^shape).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/weibull_distribution.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct Weibull {
  static constexpr std::string_view name = "Weibull";
  static constexpr std::array<std::string_view, 2> parameters{"shape", "scale"};
  static constexpr std::array<double, 2> example_arguments{1.5, 2.0};
  static constexpr std::array<double, 2> invalid_arguments{1.5, -2.0};
  static constexpr Support support = Support::positive;

  template <typename T>
  static T log_density(double x, T const& shape, T const& scale) {
    check_positive_finite(name, "shape", shape);
    check_positive_finite(name, "scale", scale);
    if (!(x > 0)) return math::log_zero(shape);
    T const log_z = std::log(x) - math::log(scale);  // log(x / scale); T, never auto
    T const shape_log_z = shape * log_z;
    // (x / scale)^shape as exp(shape log z): no pow(Dual, Dual) needed.
    return math::log(shape) - math::log(scale) + (shape - 1.0) * log_z - math::exp(shape_log_z);
  }

  template <typename Rng>
  static double sample(Rng& rng, double shape, double scale) {
    check_positive_finite(name, "shape", shape);
    check_positive_finite(name, "scale", scale);
    // Boost.Random's (a, b) are Stan's (alpha, sigma): shape, then scale.
    return boost::random::weibull_distribution<double>(shape, scale)(rng);
  }
};

}  // namespace bbvi
