#pragma once
// StudentT(nu, mean, scale), Stan's parameterisation (student_t_lpdf(x | nu, mu, sigma)).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/student_t_distribution.hpp>

#include <array>
#include <string_view>

namespace bbvi {

struct StudentT {
  static constexpr std::string_view name = "StudentT";
  static constexpr std::array<std::string_view, 3> parameters{"nu", "mean", "scale"};
  static constexpr std::array<double, 3> example_arguments{4.5, 1.0, 2.0};
  static constexpr std::array<double, 3> invalid_arguments{0.0, 1.0, 2.0};
  static constexpr Support support = Support::real;

  template <typename T>
  static T log_density(double x, T const& nu, T const& mean, T const& scale) {
    // What depends on nu and the scale alone comes first: over rows where
    // they are fixed the compiler lifts it out of the loop (as in normal.hpp).
    check_positive_finite(name, "nu", nu);
    check_positive_finite(name, "scale", scale);
    T const half_nu = 0.5 * nu;
    T const half_nu_plus_half = half_nu + 0.5;
    T const normaliser = math::lgamma(half_nu_plus_half) - math::lgamma(half_nu) - 0.5 * math::log(nu) -
                         0.572364942924700087  // log(sqrt(pi))
                         - math::log(scale);
    check_finite(name, "mean", mean);
    T const z = (x - mean) / scale;  // T, never auto: see runtime/dual.hpp
    T const tail = z * z / nu;
    return normaliser - half_nu_plus_half * math::log1p(tail);
  }

  template <typename Rng>
  static double sample(Rng& rng, double nu, double mean, double scale) {
    check_positive_finite(name, "nu", nu);
    check_finite(name, "mean", mean);
    check_positive_finite(name, "scale", scale);
    // Boost.Random's Student t is the standard one (nu only): shift and scale it.
    return mean + scale * boost::random::student_t_distribution<double>(nu)(rng);
  }
};

}  // namespace bbvi
