#pragma once
// Bernoulli(Phi(alpha)) from its probit alpha: the form a model's
// Bernoulli(Phi(…)) is evaluated in (runtime/compile.cpp), finite for any
// finite alpha, whose derivatives in alpha make a probit regression's
// linear predictor (docs/method.md, 'The curvature from the linear
// predictor'). Phi(alpha) as a double rounds to 1 above alpha ≈ 8.3 and to 0
// below −38, where an observed outcome it rules out would have log density
// −inf. Not a distribution of the language: its checks and messages are
// Bernoulli's, of p = Phi(alpha).
#include "core/support.hpp"
#include "runtime/distributions/argument_derivatives.hpp"
#include "runtime/distributions/bernoulli.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <string_view>

namespace bbvi {

namespace probit {

// log Phi(x): from erfc down to −30, where it is accurate to rounding; below,
// the asymptotic series log(φ(x)/−x) + log(1 − 1/x² + 3/x⁴ − …), whose
// terms there fall below 10⁻¹⁶ by the seventh. For x > 0, log1p of the
// upper tail keeps the digits of a log near 0.
inline double log_Phi(double x) {
  double const root_half = 0.70710678118654752440;
  if (x > 0) return std::log1p(-0.5 * std::erfc(x * root_half));
  if (x > -30) return std::log(0.5 * std::erfc(-x * root_half));
  double const inverse_square = 1 / (x * x);
  double series = 1, term = 1;
  for (int k = 1; k <= 7; ++k) {
    term *= -(2 * k - 1) * inverse_square;
    series += term;
  }
  return -0.5 * x * x - std::log(-x) - 0.91893853320467274178 + std::log(series);
}

// φ(x)/Phi(x), log Phi's derivative: e^(log φ − log Phi), finite for any x
// (about −x far into the lower tail, φ(x) far into the upper).
inline double inverse_mills(double x) { return std::exp(-0.5 * x * x - 0.91893853320467274178 - log_Phi(x)); }

inline Dual log_Phi(Dual const& x) { return math::detail::chain(x, log_Phi(x.value()), inverse_mills(x.value())); }

}  // namespace probit

struct BernoulliProbit {
  static constexpr std::string_view name = "BernoulliProbit";
  static constexpr std::array<std::string_view, 1> parameters{"alpha"};
  static constexpr std::array<double, 1> example_arguments{-0.8};
  static constexpr std::array<double, 1> invalid_arguments{std::numeric_limits<double>::quiet_NaN()};
  static constexpr Support support = Support::binary;

  // log p = log Phi(alpha), log(1 − p) = log Phi(−alpha).
  template <typename T>
  static T log_density(double x, T const& alpha) {
    T const p = math::Phi(alpha);
    if (!(x == 0 || x == 1)) return Bernoulli::log_density(x, p);
    check_probability(Bernoulli::name, "p", p);
    return probit::log_Phi(x == 1 ? alpha : T(-alpha));
  }

  using Statistics = Bernoulli::Statistics;
  static Statistics statistics(double const* x, std::size_t n) { return Bernoulli::statistics(x, n); }
  static double log_density_sum(Statistics const& s, double alpha) {
    check_probability(Bernoulli::name, "p", math::Phi(alpha));
    double const ones = s[1], zeros = s[0] - s[1];
    double total = 0;
    if (ones > 0) total += ones * probit::log_Phi(alpha);
    if (zeros > 0) total += zeros * probit::log_Phi(-alpha);
    return total;
  }

  // In alpha, with t = ±alpha (+ for x = 1) and r = φ(t)/Phi(t):
  // ℓ′ = ±r and −ℓ″ = r (t + r).
  static constexpr std::size_t derivative_argument = 0;
  static ArgumentDerivatives argument_derivatives(double x, double alpha) {
    double const t = x == 1 ? alpha : -alpha, r = probit::inverse_mills(t);
    return {x == 1 ? r : -r, r * (t + r)};
  }

  template <typename Rng>
  static double sample(Rng& rng, double alpha) {
    return Bernoulli::sample(rng, math::Phi(alpha));
  }
};

}  // namespace bbvi
