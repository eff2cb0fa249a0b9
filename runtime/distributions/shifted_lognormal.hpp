#pragma once
// ShiftedLogNormal(lower, mu, sigma): log(x − lower) ~ Normal(mu, sigma), on
// (lower, ∞). The automatic guide's family for a latent declared
// real<lower=L> with L other than 0 (docs/language.md, 'Automatic guides'),
// as LogNormal is for lower=0.
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/lognormal.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/lognormal_distribution.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct ShiftedLogNormal {
  static constexpr std::string_view name = "ShiftedLogNormal";
  static constexpr std::array<std::string_view, 3> parameters{"lower", "mu", "sigma"};
  static constexpr std::array<double, 3> example_arguments{2.0, 0.3, 0.8};
  static constexpr std::array<double, 3> invalid_arguments{2.0, 0.3, 0.0};
  // Support::lower_bounded: the bound is the first argument.
  static constexpr Support support = Support::lower_bounded;
  static constexpr std::array<bool, 3> differentiable{false, true, true};

  template <typename T>
  static T log_density(double x, T const& lower, T const& mu, T const& sigma) {
    check_positive_finite(name, "sigma", sigma);
    check_finite(name, "lower", lower);
    check_finite(name, "mu", mu);
    if (!(x > value_of(lower))) return math::log_zero(mu);
    return LogNormal::density_of_log(math::log(x - lower), mu, sigma);
  }

  // Local expectation gradients' quadrature (quadrature.hpp).
  static double from_standard_normal(double x, double lower, double mu, double sigma) {
    check_finite(name, "lower", lower);
    check_finite(name, "mu", mu);
    check_positive_finite(name, "sigma", sigma);
    return lower + std::exp(mu + sigma * x);
  }

  template <typename Rng>
  static double sample(Rng& rng, double lower, double mu, double sigma) {
    check_finite(name, "lower", lower);
    check_finite(name, "mu", mu);
    check_positive_finite(name, "sigma", sigma);
    return lower + boost::random::lognormal_distribution<double>(mu, sigma)(rng);
  }
};

}  // namespace bbvi
