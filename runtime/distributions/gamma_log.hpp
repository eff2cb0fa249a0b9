#pragma once
// Gamma(shape, shape / exp(eta)) from its log mean eta: the form a model's
// Gamma regression with a log link is evaluated in (runtime/compile.cpp),
// whose derivatives in eta make its linear predictor (docs/method.md, 'The
// curvature from the linear predictor'). The rate shape·e^−eta is never
// logged: shape (log shape − eta) stays finite where e^−eta underflows to
// 0. Not a distribution of the language: its checks and messages are
// Gamma's, of rate = shape·e^−eta.
#include "core/support.hpp"
#include "runtime/distributions/argument_derivatives.hpp"
#include "runtime/distributions/gamma.hpp"

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct GammaLog {
  static constexpr std::string_view name = "GammaLog";
  static constexpr std::array<std::string_view, 2> parameters{"shape", "eta"};
  static constexpr std::array<double, 2> example_arguments{2.5, 0.4};
  static constexpr std::array<double, 2> invalid_arguments{0.0, 0.4};
  static constexpr Support support = Support::positive;

  template <typename T>
  static T log_density(double x, T const& shape, T const& eta) {
    T const rate = shape * math::exp(T(-eta));
    if (std::isinf(value_of(eta)) || !(x > 0)) return Gamma::log_density(x, shape, rate);
    check_positive_finite(Gamma::name, "shape", shape);
    check_finite(Gamma::name, "rate", rate);
    return shape * (math::log(shape) - eta) - math::lgamma(shape) + (shape - 1.0) * std::log(x) - rate * x;
  }

  using Statistics = Gamma::Statistics;
  static Statistics statistics(double const* x, std::size_t n) { return Gamma::statistics(x, n); }
  static double log_density_sum(Statistics const& s, double shape, double eta) {
    double const rate = shape * std::exp(-eta);
    if (std::isinf(eta)) return Gamma::log_density_sum(s, shape, rate);
    check_positive_finite(Gamma::name, "shape", shape);
    check_finite(Gamma::name, "rate", rate);
    auto const [n, sum_log, sum] = s;
    return n * (shape * (std::log(shape) - eta) - std::lgamma(shape)) + (shape - 1.0) * sum_log - rate * sum;
  }

  // In eta: ℓ′ = shape·x·e^−eta − shape and −ℓ″ = shape·x·e^−eta.
  static constexpr std::size_t derivative_argument = 1;
  static ArgumentDerivatives argument_derivatives(double x, double shape, double eta) {
    double const scaled = shape * std::exp(-eta) * x;
    return {scaled - shape, scaled};
  }

  template <typename Rng>
  static double sample(Rng& rng, double shape, double eta) {
    return Gamma::sample(rng, shape, shape * std::exp(-eta));
  }
};

}  // namespace bbvi
