#pragma once
// Poisson(rate), Stan's parameterisation (poisson_lpmf(x | lambda)).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/statistics.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/poisson_distribution.hpp>

#include <array>
#include <string_view>

namespace bbvi {

struct Poisson {
  static constexpr std::string_view name = "Poisson";
  static constexpr std::array<std::string_view, 1> parameters{"rate"};
  static constexpr std::array<double, 1> example_arguments{3.5};
  static constexpr std::array<double, 1> invalid_arguments{-1.0};
  static constexpr Support support = Support::nonnegative_integer;

  template <typename T>
  static T log_density(double x, T const& rate) {
    // Stan allows rate 0 (all mass at x = 0); infinity we reject.
    check_nonnegative_finite(name, "rate", rate);
    if (!is_nonnegative_integer(x)) return math::log_zero(rate);
    if (value_of(rate) == 0) return x == 0 ? T(-rate) : math::log_zero(rate);
    return x * math::log(rate) - rate - math::log_factorial(x);
  }

  // Over a column of counts, from {n, Σ x, Σ log x!}.
  using Statistics = std::array<double, 3>;
  static Statistics statistics(double const* x, std::size_t n) {
    return {static_cast<double>(n), statistics::sum(x, n, statistics::identity),
            statistics::sum(x, n, [](double v) { return std::lgamma(v + 1); })};
  }
  static double log_density_sum(Statistics const& s, double rate) {
    check_nonnegative_finite(name, "rate", rate);
    auto const [n, sum, sum_log_factorial] = s;
    if (rate == 0) return sum == 0 ? 0.0 : math::log_zero(rate);
    return sum * std::log(rate) - n * rate - sum_log_factorial;
  }

  template <typename Rng>
  static double sample(Rng& rng, double rate) {
    check_nonnegative_finite(name, "rate", rate);
    if (rate == 0) return 0;  // Boost.Random's Poisson asserts a positive mean
    return boost::random::poisson_distribution<int, double>(rate)(rng);
  }
};

}  // namespace bbvi
