#pragma once
// LogNormal(mu, sigma), Stan's parameterisation: log x ~ Normal(mu, sigma).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/statistics.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/lognormal_distribution.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct LogNormal {
  static constexpr std::string_view name = "LogNormal";
  static constexpr std::array<std::string_view, 2> parameters{"mu", "sigma"};
  static constexpr std::array<double, 2> example_arguments{0.3, 0.8};
  static constexpr std::array<double, 2> invalid_arguments{0.3, 0.0};
  static constexpr Support support = Support::positive;

  template <typename T>
  static T log_density(double x, T const& mu, T const& sigma) {
    // sigma's check and log first: over rows with a fixed sigma the
    // compiler lifts them out of the loop (as in normal.hpp).
    check_positive_finite(name, "sigma", sigma);
    T const log_sigma = math::log(sigma);
    check_finite(name, "mu", mu);
    if (!(x > 0)) return math::log_zero(mu);
    double const log_x = std::log(x);
    T const z = (log_x - mu) / sigma;  // T, never auto: see runtime/dual.hpp
    // The Normal density of log x, times the Jacobian 1/x.
    return -0.5 * z * z - log_sigma - 0.918938533204672742 - log_x;  // log(sqrt(2 pi))
  }

  // The log density at x from log x (x − lower, upper − x for the shifted
  // and reflected families): the Normal density of log x times the Jacobian
  // 1/x. Its arguments' checks are the caller's.
  template <typename T>
  static T density_of_log(T const& log_x, T const& mu, T const& sigma) {
    T const z = (log_x - mu) / sigma;  // T, never auto: see runtime/dual.hpp
    return -0.5 * z * z - math::log(sigma) - 0.918938533204672742 - log_x;  // log(sqrt(2 pi))
  }

  // Over a column, from {n, mean of log x, Σ (log x − that mean)², Σ log x}.
  using Statistics = std::array<double, 4>;
  static Statistics statistics(double const* x, std::size_t n) {
    auto const log_of = [](double v) { return std::log(v); };
    auto const [count, mean, ss] = statistics::centred(x, n, log_of);
    return {count, mean, ss, statistics::sum(x, n, log_of)};
  }
  static double log_density_sum(Statistics const& s, double mu, double sigma) {
    check_finite(name, "mu", mu);
    check_positive_finite(name, "sigma", sigma);
    auto const [n, mean, ss, sum_log] = s;
    double const d = mean - mu;
    return -0.5 * (ss + n * d * d) / (sigma * sigma) - n * (std::log(sigma) + 0.918938533204672742) - sum_log;
  }

  // Local expectation gradients' quadrature (quadrature.hpp); log z = mu + sigma x.
  static constexpr bool log_affine_in_standard_normal = true;
  static double from_standard_normal(double x, double mu, double sigma) {
    check_finite(name, "mu", mu);
    check_positive_finite(name, "sigma", sigma);
    return std::exp(mu + sigma * x);
  }

  template <typename Rng>
  static double sample(Rng& rng, double mu, double sigma) {
    check_finite(name, "mu", mu);
    check_positive_finite(name, "sigma", sigma);
    // Boost.Random's (m, s) are the mean and sd of log x, as Stan's mu and sigma.
    return boost::random::lognormal_distribution<double>(mu, sigma)(rng);
  }
};

}  // namespace bbvi
