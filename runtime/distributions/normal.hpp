#pragma once
// Normal(mean, sd), Stan's parameterisation.
#include "core/support.hpp"
#include "runtime/distributions/argument_derivatives.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/statistics.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/normal_distribution.hpp>

#include <array>
#include <string_view>

namespace bbvi {

struct Normal {
  static constexpr std::string_view name = "Normal";
  static constexpr std::array<std::string_view, 2> parameters{"mean", "sd"};
  // For tests/runtime/distribution_properties_test.cpp: a typical valid point,
  // and one the checks must reject.
  static constexpr std::array<double, 2> example_arguments{0.5, 2.0};
  static constexpr std::array<double, 2> invalid_arguments{0.0, -1.0};
  static constexpr Support support = Support::real;

  // T is double for the log-joint, Dual for a guide factor's score.
  template <typename T>
  static T log_density(double x, T const& mean, T const& sd) {
    // What depends on sd alone comes first, so that over rows with a fixed
    // sd the compiler lifts the check and the log out of the loop.
    check_positive_finite(name, "sd", sd);
    T const log_sd = math::log(sd);
    check_finite(name, "mean", mean);
    T const z = (x - mean) / sd;  // T, never auto: see runtime/dual.hpp
    return -0.5 * z * z - log_sd - 0.918938533204672742;  // log(sqrt(2 pi))
  }

  // Over a column, from {n, x̄, Σ (x − x̄)²}: Σ (x − mean)² = ss + n (x̄ − mean)².
  using Statistics = std::array<double, 3>;
  static Statistics statistics(double const* x, std::size_t n) { return statistics::centred(x, n, statistics::identity); }
  static double log_density_sum(Statistics const& s, double mean, double sd) {
    check_finite(name, "mean", mean);
    check_positive_finite(name, "sd", sd);
    auto const [n, x_bar, ss] = s;
    double const d = x_bar - mean;
    return -0.5 * (ss + n * d * d) / (sd * sd) - n * (std::log(sd) + 0.918938533204672742);
  }

  // Local expectation gradients' quadrature (quadrature.hpp), and what they
  // may assume of the log density: a quadratic in x − mean for a fixed sd.
  static constexpr bool affine_in_standard_normal = true;
  static constexpr bool quadratic_in_location = true;
  static constexpr int scale_argument = 1;  // the sd: −log sd − ½((x − mean)/sd)² + c
  static double from_standard_normal(double x, double mean, double sd) {
    check_finite(name, "mean", mean);
    check_positive_finite(name, "sd", sd);
    return mean + sd * x;
  }

  // In the mean: ℓ′ = (x − mean)/sd², −ℓ″ = 1/sd².
  static constexpr std::size_t derivative_argument = 0;
  static ArgumentDerivatives argument_derivatives(double x, double mean, double sd) {
    double const precision = 1 / (sd * sd);
    return {(x - mean) * precision, precision};
  }

  template <typename Rng>
  static double sample(Rng& rng, double mean, double sd) {
    check_finite(name, "mean", mean);
    check_positive_finite(name, "sd", sd);
    return boost::random::normal_distribution<double>(mean, sd)(rng);
  }
};

}  // namespace bbvi
