#pragma once
// Bernoulli(inv_logit(alpha)) from its log-odds alpha: the form a model's
// Bernoulli(inv_logit(…)) is evaluated in (runtime/compile.cpp), finite for
// any finite alpha (log_odds.hpp). Not a distribution of the language: its
// checks and messages are Bernoulli's, of p = inv_logit(alpha).
#include "core/support.hpp"
#include "runtime/distributions/argument_derivatives.hpp"
#include "runtime/distributions/bernoulli.hpp"
#include "runtime/distributions/log_odds.hpp"

#include <array>
#include <limits>
#include <string_view>

namespace bbvi {

struct BernoulliLogit {
  static constexpr std::string_view name = "BernoulliLogit";
  static constexpr std::array<std::string_view, 1> parameters{"alpha"};
  static constexpr std::array<double, 1> example_arguments{-0.8};
  static constexpr std::array<double, 1> invalid_arguments{std::numeric_limits<double>::quiet_NaN()};
  static constexpr Support support = Support::binary;

  template <typename T>
  static T log_density(double x, T const& alpha) {
    T const p = math::inv_logit(alpha);
    double const a = value_of(alpha);
    bool const from_p = x == 1 ? log_odds::log_p_from_p(a) : log_odds::log1m_p_from_p(a);
    if (from_p || !(x == 0 || x == 1)) return Bernoulli::log_density(x, p);
    check_probability(Bernoulli::name, "p", p);
    // log p = −log(1 + e^−alpha), log(1 − p) = −log(1 + e^alpha).
    T const signed_alpha = x == 1 ? T(-alpha) : alpha;
    return -math::log1p_exp(signed_alpha);
  }

  using Statistics = Bernoulli::Statistics;
  static Statistics statistics(double const* x, std::size_t n) { return Bernoulli::statistics(x, n); }
  static double log_density_sum(Statistics const& s, double alpha) {
    double const p = math::inv_logit(alpha);
    double const ones = s[1], zeros = s[0] - s[1];
    if ((ones == 0 || log_odds::log_p_from_p(alpha)) && (zeros == 0 || log_odds::log1m_p_from_p(alpha)))
      return Bernoulli::log_density_sum(s, p);
    check_probability(Bernoulli::name, "p", p);
    double total = 0;
    if (ones > 0) total -= ones * math::log1p_exp(-alpha);
    if (zeros > 0) total -= zeros * math::log1p_exp(alpha);
    return total;
  }

  // In alpha: ℓ′ = x − p and −ℓ″ = p(1 − p), with 1 − p = inv_logit(−alpha)
  // so that neither loses its digits near certainty.
  static constexpr std::size_t derivative_argument = 0;
  static ArgumentDerivatives argument_derivatives(double x, double alpha) {
    auto const [p, q] = math::inv_logit_pair(alpha);
    return {x == 1 ? q : x - p, p * q};
  }

  template <typename Rng>
  static double sample(Rng& rng, double alpha) {
    return Bernoulli::sample(rng, math::inv_logit(alpha));
  }
};

}  // namespace bbvi
