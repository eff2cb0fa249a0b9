#pragma once
// LogitNormal(lower, upper, mu, sigma): logit((x − lower)/(upper − lower)) ~
// Normal(mu, sigma), on (lower, upper). The automatic guide's family for a
// latent declared with both bounds other than (0, 1) (docs/language.md,
// 'Automatic guides').
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/normal_distribution.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct LogitNormal {
  static constexpr std::string_view name = "LogitNormal";
  static constexpr std::array<std::string_view, 4> parameters{"lower", "upper", "mu", "sigma"};
  static constexpr std::array<double, 4> example_arguments{-1.0, 3.0, 0.3, 0.8};
  static constexpr std::array<double, 4> invalid_arguments{1.0, 1.0, 0.3, 0.8};
  // Support::interval: the bounds are the first two arguments.
  static constexpr Support support = Support::interval;
  static constexpr std::array<bool, 4> differentiable{false, false, true, true};

  template <typename T>
  static T log_density(double x, T const& lower, T const& upper, T const& mu, T const& sigma) {
    check_positive_finite(name, "sigma", sigma);
    check_finite(name, "lower", lower);
    check_finite(name, "upper", upper);
    check_greater(name, "upper", upper, "lower", lower);
    check_finite(name, "mu", mu);
    if (!(x > value_of(lower) && x < value_of(upper))) return math::log_zero(mu);
    // T, never auto: see runtime/dual.hpp
    T const log_below = math::log(x - lower), log_above = math::log(upper - x);
    T const z = (log_below - log_above - mu) / sigma;
    // The Normal density of the logit, times its Jacobian
    // (upper − lower)/((x − lower)(upper − x)).
    return -0.5 * z * z - math::log(sigma) - 0.918938533204672742 + math::log(upper - lower) - log_below - log_above;
  }

  // Local expectation gradients' quadrature (quadrature.hpp).
  static double from_standard_normal(double x, double lower, double upper, double mu, double sigma) {
    check_finite(name, "lower", lower);
    check_finite(name, "upper", upper);
    check_greater(name, "upper", upper, "lower", lower);
    check_finite(name, "mu", mu);
    check_positive_finite(name, "sigma", sigma);
    double const w = mu + sigma * x;
    // inv_logit without overflow at either end.
    double const share = w >= 0 ? 1 / (1 + std::exp(-w)) : std::exp(w) / (1 + std::exp(w));
    return lower + (upper - lower) * share;
  }

  template <typename Rng>
  static double sample(Rng& rng, double lower, double upper, double mu, double sigma) {
    return from_standard_normal(boost::random::normal_distribution<double>(0, 1)(rng), lower, upper, mu, sigma);
  }
};

}  // namespace bbvi
