#pragma once
// NegBinomial2(mu, phi), Stan's neg_binomial_2(mu, phi): counts with mean mu
// and variance mu + mu²/phi, a Poisson whose rate is Gamma(phi, phi/mu).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/gamma_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct NegBinomial2 {
  static constexpr std::string_view name = "NegBinomial2";
  static constexpr std::array<std::string_view, 2> parameters{"mu", "phi"};
  static constexpr std::array<double, 2> example_arguments{3.5, 2.0};
  static constexpr std::array<double, 2> invalid_arguments{3.5, 0.0};
  static constexpr Support support = Support::nonnegative_integer;

  template <typename T>
  static T log_density(double x, T const& mu, T const& phi) {
    check_positive_finite(name, "mu", mu);
    check_positive_finite(name, "phi", phi);
    if (!is_nonnegative_integer(x)) return math::log_zero(mu);
    // log Γ(x + phi) − log Γ(phi) − log x! + x log mu + phi log phi − (x + phi) log(mu + phi)
    T const log_total = math::log(mu + phi);
    return math::lgamma(x + phi) - math::lgamma(phi) - std::lgamma(x + 1) + x * (math::log(mu) - log_total) +
           phi * (math::log(phi) - log_total);
  }

  template <typename Rng>
  static double sample(Rng& rng, double mu, double phi) {
    check_positive_finite(name, "mu", mu);
    check_positive_finite(name, "phi", phi);
    double const rate = boost::random::gamma_distribution<double>(phi, mu / phi)(rng);
    if (!(rate > 0)) return 0;  // Boost.Random's Poisson asserts a positive mean
    return boost::random::poisson_distribution<int, double>(rate)(rng);
  }
};

}  // namespace bbvi
