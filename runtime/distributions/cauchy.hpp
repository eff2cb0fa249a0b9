#pragma once
// Cauchy(loc, scale), Stan's parameterisation (cauchy_lpdf(x | mu, sigma)).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/cauchy_distribution.hpp>

#include <array>
#include <string_view>

namespace bbvi {

struct Cauchy {
  static constexpr std::string_view name = "Cauchy";
  static constexpr std::array<std::string_view, 2> parameters{"loc", "scale"};
  static constexpr std::array<double, 2> example_arguments{-0.5, 1.5};
  static constexpr std::array<double, 2> invalid_arguments{-0.5, -1.5};
  static constexpr Support support = Support::real;

  template <typename T>
  static T log_density(double x, T const& loc, T const& scale) {
    // The scale's check and log first: over rows with a fixed scale the
    // compiler lifts them out of the loop (as in normal.hpp).
    check_positive_finite(name, "scale", scale);
    T const log_scale = math::log(scale);
    check_finite(name, "loc", loc);
    T const z = (x - loc) / scale;  // T, never auto: see runtime/dual.hpp
    T const z2 = z * z;
    return -1.144729885849400174 - log_scale - math::log1p(z2);  // log(pi)
  }

  template <typename Rng>
  static double sample(Rng& rng, double loc, double scale) {
    check_finite(name, "loc", loc);
    check_positive_finite(name, "scale", scale);
    // Boost.Random's (median, sigma) are Stan's (mu, sigma).
    return boost::random::cauchy_distribution<double>(loc, scale)(rng);
  }
};

}  // namespace bbvi
