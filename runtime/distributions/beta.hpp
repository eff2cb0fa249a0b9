#pragma once
// Beta(a, b), Stan's parameterisation (beta_lpdf(x | alpha, beta)).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/beta_distribution.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct Beta {
  static constexpr std::string_view name = "Beta";
  static constexpr std::array<std::string_view, 2> parameters{"a", "b"};
  static constexpr std::array<double, 2> example_arguments{2.0, 3.0};
  static constexpr std::array<double, 2> invalid_arguments{2.0, -1.0};
  static constexpr Support support = Support::unit_interval;

  template <typename T>
  static T log_density(double x, T const& a, T const& b) {
    check_positive_finite(name, "a", a);
    check_positive_finite(name, "b", b);
    // The support is open: at 0 or 1 the density is 0 or infinite unless a or b is 1.
    if (!(x > 0 && x < 1)) return math::log_zero(a);
    return (a - 1.0) * std::log(x) + (b - 1.0) * math::log1m(x) - math::lbeta(a, b);
  }

  template <typename Rng>
  static double sample(Rng& rng, double a, double b) {
    check_positive_finite(name, "a", a);
    check_positive_finite(name, "b", b);
    return boost::random::beta_distribution<double>(a, b)(rng);  // same (alpha, beta) as Stan
  }
};

}  // namespace bbvi
