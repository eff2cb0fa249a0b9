#pragma once
// Exponential(rate), Stan's parameterisation (exponential_lpdf(x | beta), beta a rate).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/statistics.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/exponential_distribution.hpp>

#include <array>
#include <string_view>

namespace bbvi {

struct Exponential {
  static constexpr std::string_view name = "Exponential";
  static constexpr std::array<std::string_view, 1> parameters{"rate"};
  static constexpr std::array<double, 1> example_arguments{1.5};
  static constexpr std::array<double, 1> invalid_arguments{0.0};
  static constexpr Support support = Support::positive;

  template <typename T>
  static T log_density(double x, T const& rate) {
    check_positive_finite(name, "rate", rate);
    // x = 0 keeps its finite density, as in Stan: waiting times can be rounded to 0.
    if (!(x >= 0)) return math::log_zero(rate);
    return math::log(rate) - rate * x;
  }

  // Over a column, from {n, Σ x}.
  using Statistics = std::array<double, 2>;
  static Statistics statistics(double const* x, std::size_t n) {
    return {static_cast<double>(n), statistics::sum(x, n, statistics::identity)};
  }
  static double log_density_sum(Statistics const& s, double rate) {
    check_positive_finite(name, "rate", rate);
    return s[0] * std::log(rate) - rate * s[1];
  }

  template <typename Rng>
  static double sample(Rng& rng, double rate) {
    check_positive_finite(name, "rate", rate);
    // Boost.Random's exponential takes the rate (lambda) too: no conversion.
    return boost::random::exponential_distribution<double>(rate)(rng);
  }
};

}  // namespace bbvi
