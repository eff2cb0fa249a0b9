#pragma once
// Binomial(n, inv_logit(alpha)) from its log-odds alpha: the form a model's
// Binomial(n, inv_logit(…)) is evaluated in (runtime/compile.cpp), finite
// for any finite alpha (log_odds.hpp). Not a distribution of the language:
// its checks and messages are Binomial's, of p = inv_logit(alpha).
#include "runtime/distributions/argument_derivatives.hpp"
#include "runtime/distributions/binomial_link.hpp"
#include "runtime/distributions/binomial.hpp"
#include "runtime/distributions/log_odds.hpp"

#include <string_view>

namespace bbvi {

struct BinomialLogit : BinomialLinkForm {
  static constexpr std::string_view name = "BinomialLogit";

  template <typename T>
  static T log_density(double x, T const& n, T const& alpha) {
    T const p = math::inv_logit(alpha);
    double const count = value_of(n), a = value_of(alpha);
    bool const from_p = (x == 0 || log_odds::log_p_from_p(a)) && (x == count || log_odds::log1m_p_from_p(a));
    if (from_p || !is_nonnegative_integer(x) || x > count) return Binomial::log_density(x, n, p);
    check_nonnegative_integer(Binomial::name, "n", n);
    check_probability(Binomial::name, "p", p);
    // k log p + (n − k) log(1 − p), with log p = −log(1 + e^−alpha) and
    // log(1 − p) = −log(1 + e^alpha): no term cancels another, and a zero
    // count takes neither.
    T total = lift<T>(math::lchoose(count, x), derivative_length(alpha));
    if (x > 0) total -= x * math::log1p_exp(T(-alpha));
    if (x < count) total -= (count - x) * math::log1p_exp(alpha);
    return total;
  }

  // In alpha: ℓ′ = x(1 − p) − (n − x)p and −ℓ″ = n p(1 − p), with
  // 1 − p = inv_logit(−alpha) as in BernoulliLogit.
  static ArgumentDerivatives argument_derivatives(double x, double n, double alpha) {
    auto const [p, q] = math::inv_logit_pair(alpha);
    return {x * q - (n - x) * p, n * p * q};
  }

  template <typename Rng>
  static double sample(Rng& rng, double n, double alpha) {
    return Binomial::sample(rng, n, math::inv_logit(alpha));
  }
};

}  // namespace bbvi
