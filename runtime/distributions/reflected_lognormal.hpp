#pragma once
// ReflectedLogNormal(upper, mu, sigma): log(upper − x) ~ Normal(mu, sigma),
// on (−∞, upper). The automatic guide's family for a latent declared
// real<upper=U> (docs/language.md, 'Automatic guides').
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/lognormal.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/lognormal_distribution.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct ReflectedLogNormal {
  static constexpr std::string_view name = "ReflectedLogNormal";
  static constexpr std::array<std::string_view, 3> parameters{"upper", "mu", "sigma"};
  static constexpr std::array<double, 3> example_arguments{-1.0, 0.3, 0.8};
  static constexpr std::array<double, 3> invalid_arguments{-1.0, 0.3, 0.0};
  // Support::upper_bounded: the bound is the first argument.
  static constexpr Support support = Support::upper_bounded;
  static constexpr std::array<bool, 3> differentiable{false, true, true};

  template <typename T>
  static T log_density(double x, T const& upper, T const& mu, T const& sigma) {
    check_positive_finite(name, "sigma", sigma);
    check_finite(name, "upper", upper);
    check_finite(name, "mu", mu);
    if (!(x < value_of(upper))) return math::log_zero(mu);
    return LogNormal::density_of_log(math::log(upper - x), mu, sigma);
  }

  // Local expectation gradients' quadrature (quadrature.hpp).
  static double from_standard_normal(double x, double upper, double mu, double sigma) {
    check_finite(name, "upper", upper);
    check_finite(name, "mu", mu);
    check_positive_finite(name, "sigma", sigma);
    return upper - std::exp(mu - sigma * x);
  }

  template <typename Rng>
  static double sample(Rng& rng, double upper, double mu, double sigma) {
    check_finite(name, "upper", upper);
    check_finite(name, "mu", mu);
    check_positive_finite(name, "sigma", sigma);
    return upper - boost::random::lognormal_distribution<double>(mu, sigma)(rng);
  }
};

}  // namespace bbvi
