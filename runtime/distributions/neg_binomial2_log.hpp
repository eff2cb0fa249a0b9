#pragma once
// NegBinomial2(exp(eta), phi) from its log mean eta: the form a model's
// NegBinomial2(exp(…), phi) is evaluated in (runtime/compile.cpp), whose
// derivatives in eta make an overdispersed log-linear regression's linear
// predictor (docs/method.md, 'The curvature from the linear predictor').
// Not a distribution of the language: its checks and messages are
// NegBinomial2's, of mu = exp(eta).
#include "core/support.hpp"
#include "runtime/distributions/argument_derivatives.hpp"
#include "runtime/distributions/neg_binomial2.hpp"

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct NegBinomial2Log {
  static constexpr std::string_view name = "NegBinomial2Log";
  static constexpr std::array<std::string_view, 2> parameters{"eta", "phi"};
  static constexpr std::array<double, 2> example_arguments{1.2, 2.0};
  static constexpr std::array<double, 2> invalid_arguments{1.2, 0.0};
  static constexpr Support support = Support::nonnegative_integer;

  // x log(mu) with log(mu) = eta exactly, rather than log(exp(eta)).
  template <typename T>
  static T log_density(double x, T const& eta, T const& phi) {
    T const mu = math::exp(eta);
    check_positive_finite(NegBinomial2::name, "mu", mu);
    check_positive_finite(NegBinomial2::name, "phi", phi);
    if (!is_nonnegative_integer(x)) return math::log_zero(mu);
    T const log_total = math::log(mu + phi);
    return math::lgamma(x + phi) - math::lgamma(phi) - std::lgamma(x + 1) + x * (eta - log_total) +
           phi * (math::log(phi) - log_total);
  }

  // In eta, with mu = e^eta: ℓ′ = phi (x − mu)/(mu + phi) and
  // −ℓ″ = phi mu (x + phi)/(mu + phi)².
  static constexpr std::size_t derivative_argument = 0;
  static ArgumentDerivatives argument_derivatives(double x, double eta, double phi) {
    double const mu = std::exp(eta), total = mu + phi;
    return {phi * (x - mu) / total, phi * mu * (x + phi) / (total * total)};
  }

  template <typename Rng>
  static double sample(Rng& rng, double eta, double phi) {
    return NegBinomial2::sample(rng, std::exp(eta), phi);
  }
};

}  // namespace bbvi
