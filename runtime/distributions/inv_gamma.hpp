#pragma once
// InvGamma(shape, scale), Stan's parameterisation (inv_gamma_lpdf(x | alpha, beta)):
// 1/x ~ Gamma(shape, rate = scale).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/statistics.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/gamma_distribution.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct InvGamma {
  static constexpr std::string_view name = "InvGamma";
  static constexpr std::array<std::string_view, 2> parameters{"shape", "scale"};
  static constexpr std::array<double, 2> example_arguments{3.0, 2.0};
  static constexpr std::array<double, 2> invalid_arguments{-3.0, 2.0};
  static constexpr Support support = Support::positive;

  template <typename T>
  static T log_density(double x, T const& shape, T const& scale) {
    check_positive_finite(name, "shape", shape);
    check_positive_finite(name, "scale", scale);
    if (!(x > 0)) return math::log_zero(shape);
    return shape * math::log(scale) - math::lgamma(shape) - (shape + 1.0) * std::log(x) - scale / x;
  }

  // Over a column, from {n, Σ log x, Σ 1/x}.
  using Statistics = std::array<double, 3>;
  static Statistics statistics(double const* x, std::size_t n) {
    return {static_cast<double>(n), statistics::sum(x, n, [](double v) { return std::log(v); }),
            statistics::sum(x, n, [](double v) { return 1 / v; })};
  }
  static double log_density_sum(Statistics const& s, double shape, double scale) {
    check_positive_finite(name, "shape", shape);
    check_positive_finite(name, "scale", scale);
    auto const [n, sum_log, sum_inverse] = s;
    return n * (shape * std::log(scale) - std::lgamma(shape)) - (shape + 1.0) * sum_log - scale * sum_inverse;
  }

  template <typename Rng>
  static double sample(Rng& rng, double shape, double scale) {
    check_positive_finite(name, "shape", shape);
    check_positive_finite(name, "scale", scale);
    // If y ~ Gamma(shape, rate = scale) then 1/y ~ InvGamma(shape, scale).
    // Boost.Random's gamma takes a scale, the inverse of that rate: 1 / scale.
    return 1 / boost::random::gamma_distribution<double>(shape, 1 / scale)(rng);
  }
};

}  // namespace bbvi
