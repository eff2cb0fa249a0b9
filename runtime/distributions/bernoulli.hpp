#pragma once
// Bernoulli(p), Stan's parameterisation (bernoulli_lpmf(x | theta)).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/statistics.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/bernoulli_distribution.hpp>

#include <array>
#include <string_view>

namespace bbvi {

struct Bernoulli {
  static constexpr std::string_view name = "Bernoulli";
  static constexpr std::array<std::string_view, 1> parameters{"p"};
  static constexpr std::array<double, 1> example_arguments{0.3};
  static constexpr std::array<double, 1> invalid_arguments{1.5};
  static constexpr Support support = Support::binary;

  template <typename T>
  static T log_density(double x, T const& p) {
    check_probability(name, "p", p);
    double const q = value_of(p);
    // An impossible outcome (x = 1 at p = 0, x = 0 at p = 1) is -infinity
    // outright: log(0) would give it an infinite, NaN-laden derivative.
    if (x == 1) return q > 0 ? math::log(p) : math::log_zero(p);
    if (x == 0) return q < 1 ? math::log1m(p) : math::log_zero(p);
    return math::log_zero(p);
  }

  // Over a column of outcomes, from {n, Σ x}. A count of 0 contributes 0
  // even where its log probability is −∞ (0 · log 0 = 0, as row by row).
  using Statistics = std::array<double, 2>;
  static Statistics statistics(double const* x, std::size_t n) {
    return {static_cast<double>(n), statistics::sum(x, n, statistics::identity)};
  }
  static double log_density_sum(Statistics const& s, double p) {
    check_probability(name, "p", p);
    double const ones = s[1], zeros = s[0] - s[1];
    double total = 0;
    if (ones > 0) total += p > 0 ? ones * std::log(p) : math::log_zero(p);
    if (zeros > 0) total += p < 1 ? zeros * math::log1m(p) : math::log_zero(p);
    return total;
  }

  // Local expectation gradients enumerate it (quadrature.hpp).
  static constexpr std::array<double, 2> finite_support{0, 1};

  template <typename Rng>
  static double sample(Rng& rng, double p) {
    check_probability(name, "p", p);
    return boost::random::bernoulli_distribution<double>(p)(rng) ? 1.0 : 0.0;
  }
};

}  // namespace bbvi
