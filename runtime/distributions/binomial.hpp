#pragma once
// Binomial(n, p), Stan's parameterisation (binomial_lpmf(x | N, theta)).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/binomial_distribution.hpp>

#include <array>
#include <string_view>

namespace bbvi {

struct Binomial {
  static constexpr std::string_view name = "Binomial";
  static constexpr std::array<std::string_view, 2> parameters{"n", "p"};
  static constexpr std::array<double, 2> example_arguments{12.0, 0.3};
  static constexpr std::array<double, 2> invalid_arguments{2.5, 0.3};
  // n is a count: the density has no derivative in it, and the score tests skip it.
  static constexpr std::array<bool, 2> differentiable{false, true};
  // Support::bounded_integer: the bound is the first argument.
  static constexpr Support support = Support::bounded_integer;

  template <typename T>
  static T log_density(double x, T const& n, T const& p) {
    check_nonnegative_integer(name, "n", n);
    check_probability(name, "p", p);
    double const count = value_of(n), q = value_of(p);
    if (!is_nonnegative_integer(x) || x > count) return math::log_zero(p);
    // As in Bernoulli: an impossible outcome at p = 0 or 1 is -infinity outright.
    if ((q == 0 && x > 0) || (q == 1 && x < count)) return math::log_zero(p);
    // What is left at p = 0 (or 1) multiplies log p (or log(1 - p)) by a zero
    // count: 0 log 0 = 0, so take the log as 0 there rather than -inf times 0.
    T const log_p = q > 0 ? math::log(p) : lift<T>(0, derivative_length(p));
    T const log_1m_p = q < 1 ? math::log1m(p) : lift<T>(0, derivative_length(p));
    return math::lchoose(count, x) + x * log_p + (count - x) * log_1m_p;  // n is constant: no derivative
  }

  template <typename Rng>
  static double sample(Rng& rng, double n, double p) {
    check_nonnegative_integer(name, "n", n);
    check_probability(name, "p", p);
    return boost::random::binomial_distribution<int, double>(static_cast<int>(n), p)(rng);
  }
};

}  // namespace bbvi
