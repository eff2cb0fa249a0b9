#pragma once
// Categorical(theta), Stan's categorical_lpmf(x | theta): x in 1..K with
// probability theta[x], theta a K-vector on the simplex read whole
// (vector_argument.hpp). K comes from theta's length, known once the model
// is bound, and so does the enumeration local expectations use
// (`support_values`, quadrature.hpp).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/vector_argument.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/uniform_01.hpp>

#include <array>
#include <string_view>
#include <vector>

namespace bbvi {

struct Categorical {
  static constexpr std::string_view name = "Categorical";
  static constexpr std::array<std::string_view, 1> parameters{"theta"};
  static constexpr std::array<bool, 1> whole_vector{true};
  // Packed (vector_argument.hpp): the length 3, then theta.
  static constexpr std::array<double, 4> example_arguments{3, 0.2, 0.3, 0.5};
  static constexpr std::array<double, 4> invalid_arguments{3, 0.2, 0.3, 0.6};
  // Support::categorical: K is the length of the first argument.
  static constexpr Support support = Support::categorical;

  template <typename T>
  static T log_density(double x, VectorArgument<T> const& theta) {
    check_simplex(name, "theta", theta);
    double const k = x - 1;
    if (!is_nonnegative_integer(k) || k >= static_cast<double>(theta.size)) return math::log_zero(theta[0]);
    T const& p = theta[static_cast<std::size_t>(k)];
    // As in Bernoulli: an impossible outcome is -infinity outright.
    return value_of(p) > 0 ? math::log(p) : math::log_zero(p);
  }

  // Local expectation gradients enumerate 1..K (quadrature.hpp).
  static std::vector<double> support_values(VectorArgument<double> const& theta) {
    std::vector<double> values;
    for (std::size_t k = 1; k <= theta.size; ++k) values.push_back(static_cast<double>(k));
    return values;
  }

  template <typename Rng>
  static double sample(Rng& rng, VectorArgument<double> const& theta) {
    check_simplex(name, "theta", theta);
    double const u = boost::random::uniform_01<double>()(rng);
    double cumulative = 0;
    for (std::size_t k = 0; k < theta.size; ++k) {
      cumulative += theta[k];
      if (u < cumulative) return static_cast<double>(k + 1);
    }
    // u within rounding of 1: the last category with any mass.
    std::size_t last = theta.size;
    while (last > 1 && !(theta[last - 1] > 0)) --last;
    return static_cast<double>(last);
  }
};

}  // namespace bbvi
