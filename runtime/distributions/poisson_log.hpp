#pragma once
// Poisson(exp(eta)) from its log rate eta: the form a model's
// Poisson(exp(…)) is evaluated in (runtime/compile.cpp), whose derivatives
// in eta make a log-linear regression's linear predictor (docs/method.md,
// 'The curvature from the linear predictor'). Not a distribution of the
// language: its checks and messages are Poisson's, of rate = exp(eta).
#include "core/support.hpp"
#include "runtime/distributions/argument_derivatives.hpp"
#include "runtime/distributions/poisson.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <string_view>

namespace bbvi {

struct PoissonLog {
  static constexpr std::string_view name = "PoissonLog";
  static constexpr std::array<std::string_view, 1> parameters{"eta"};
  static constexpr std::array<double, 1> example_arguments{1.2};
  static constexpr std::array<double, 1> invalid_arguments{std::numeric_limits<double>::quiet_NaN()};
  static constexpr Support support = Support::nonnegative_integer;

  // x log(rate) with log(rate) = eta exactly, rather than log(exp(eta)):
  // finite where exp(eta) underflows to 0 but eta is finite.
  template <typename T>
  static T log_density(double x, T const& eta) {
    T const rate = math::exp(eta);
    if (std::isinf(value_of(eta)) || !is_nonnegative_integer(x)) return Poisson::log_density(x, rate);
    check_nonnegative_finite(Poisson::name, "rate", rate);
    return x * eta - rate - math::log_factorial(x);
  }

  using Statistics = Poisson::Statistics;
  static Statistics statistics(double const* x, std::size_t n) { return Poisson::statistics(x, n); }
  static double log_density_sum(Statistics const& s, double eta) {
    double const rate = std::exp(eta);
    if (std::isinf(eta)) return Poisson::log_density_sum(s, rate);
    check_nonnegative_finite(Poisson::name, "rate", rate);
    auto const [n, sum, sum_log_factorial] = s;
    return sum * eta - n * rate - sum_log_factorial;
  }

  // In eta: ℓ′ = x − e^eta and −ℓ″ = e^eta.
  static constexpr std::size_t derivative_argument = 0;
  static ArgumentDerivatives argument_derivatives(double x, double eta) {
    double const rate = std::exp(eta);
    return {x - rate, rate};
  }

  template <typename Rng>
  static double sample(Rng& rng, double eta) {
    return Poisson::sample(rng, std::exp(eta));
  }
};

}  // namespace bbvi
