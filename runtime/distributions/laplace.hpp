#pragma once
// Laplace(loc, scale), Stan's double_exponential_lpdf(x | mu, sigma).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/laplace_distribution.hpp>

#include <array>
#include <string_view>

namespace bbvi {

struct Laplace {
  static constexpr std::string_view name = "Laplace";
  static constexpr std::array<std::string_view, 2> parameters{"loc", "scale"};
  static constexpr std::array<double, 2> example_arguments{0.5, 0.7};
  static constexpr std::array<double, 2> invalid_arguments{0.5, 0.0};
  static constexpr Support support = Support::real;

  template <typename T>
  static T log_density(double x, T const& loc, T const& scale) {
    // The scale's check and log first: over rows with a fixed scale the
    // compiler lifts them out of the loop (as in normal.hpp).
    check_positive_finite(name, "scale", scale);
    T const log_scale = math::log(scale);
    check_finite(name, "loc", loc);
    T const distance = x - loc;  // T, never auto: see runtime/dual.hpp
    return -0.693147180559945309 - log_scale - math::abs(distance) / scale;  // log(2)
  }

  template <typename Rng>
  static double sample(Rng& rng, double loc, double scale) {
    check_finite(name, "loc", loc);
    check_positive_finite(name, "scale", scale);
    // Boost.Random's (mean, beta) are Stan's (mu, sigma): beta is the scale.
    return boost::random::laplace_distribution<double>(loc, scale)(rng);
  }
};

}  // namespace bbvi
