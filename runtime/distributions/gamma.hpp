#pragma once
// Gamma(shape, rate), Stan's parameterisation.
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/statistics.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/gamma_distribution.hpp>

#include <array>
#include <string_view>

namespace bbvi {

struct Gamma {
  static constexpr std::string_view name = "Gamma";
  static constexpr std::array<std::string_view, 2> parameters{"shape", "rate"};
  // For tests/runtime/distribution_properties_test.cpp: a typical valid point,
  // and one the checks must reject.
  static constexpr std::array<double, 2> example_arguments{2.5, 3.0};
  static constexpr std::array<double, 2> invalid_arguments{0.0, 1.0};
  static constexpr Support support = Support::positive;

  template <typename T>
  static T log_density(double x, T const& shape, T const& rate) {
    check_positive_finite(name, "shape", shape);
    check_positive_finite(name, "rate", rate);
    if (!(x > 0)) return math::log_zero(shape);
    return shape * math::log(rate) - math::lgamma(shape) + (shape - 1.0) * std::log(x) - rate * x;
  }

  // Over a column, from {n, Σ log x, Σ x}.
  using Statistics = std::array<double, 3>;
  static Statistics statistics(double const* x, std::size_t n) {
    return {static_cast<double>(n), statistics::sum(x, n, [](double v) { return std::log(v); }),
            statistics::sum(x, n, statistics::identity)};
  }
  static double log_density_sum(Statistics const& s, double shape, double rate) {
    check_positive_finite(name, "shape", shape);
    check_positive_finite(name, "rate", rate);
    auto const [n, sum_log, sum] = s;
    return n * (shape * std::log(rate) - std::lgamma(shape)) + (shape - 1.0) * sum_log - rate * sum;
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
