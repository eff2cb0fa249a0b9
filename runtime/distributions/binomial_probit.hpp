#pragma once
// Binomial(n, Phi(alpha)) from its probit alpha: the form a model's
// Binomial(n, Phi(…)) is evaluated in (runtime/compile.cpp), a dose–response
// probit's, finite for any finite alpha (log Phi from bernoulli_probit.hpp),
// whose derivatives in alpha make its linear predictor (docs/method.md, 'The
// curvature from the linear predictor'). Not a distribution of the language:
// its checks and messages are Binomial's, of p = Phi(alpha).
#include "runtime/distributions/argument_derivatives.hpp"
#include "runtime/distributions/binomial_link.hpp"
#include "runtime/distributions/bernoulli_probit.hpp"
#include "runtime/distributions/binomial.hpp"

#include <string_view>

namespace bbvi {

struct BinomialProbit : BinomialLinkForm {
  static constexpr std::string_view name = "BinomialProbit";

  // lchoose(n, k) + k log Phi(alpha) + (n − k) log Phi(−alpha): a zero
  // count takes neither log, so an outcome Phi rounds to certain costs
  // nothing where none of the other kind was seen.
  template <typename T>
  static T log_density(double x, T const& n, T const& alpha) {
    T const p = math::Phi(alpha);
    double const count = value_of(n);
    if (!is_nonnegative_integer(x) || x > count) return Binomial::log_density(x, n, p);
    check_nonnegative_integer(Binomial::name, "n", n);
    check_probability(Binomial::name, "p", p);
    T total = lift<T>(math::lchoose(count, x), derivative_length(alpha));
    if (x > 0) total += x * probit::log_Phi(alpha);
    if (x < count) total += (count - x) * probit::log_Phi(T(-alpha));
    return total;
  }

  // In alpha, with r(t) = φ(t)/Phi(t): ℓ′ = x r(alpha) − (n − x) r(−alpha)
  // and −ℓ″ = x r(alpha)(alpha + r(alpha)) + (n − x) r(−alpha)(−alpha + r(−alpha)),
  // each count's term BernoulliProbit's.
  static ArgumentDerivatives argument_derivatives(double x, double n, double alpha) {
    double slope = 0, curvature = 0;
    if (x > 0) {
      double const r = probit::inverse_mills(alpha);
      slope += x * r;
      curvature += x * r * (alpha + r);
    }
    if (x < n) {
      double const r = probit::inverse_mills(-alpha);
      slope -= (n - x) * r;
      curvature += (n - x) * r * (-alpha + r);
    }
    return {slope, curvature};
  }

  template <typename Rng>
  static double sample(Rng& rng, double n, double alpha) {
    return Binomial::sample(rng, n, math::Phi(alpha));
  }
};

}  // namespace bbvi
