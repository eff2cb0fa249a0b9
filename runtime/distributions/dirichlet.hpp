#pragma once
// Dirichlet(alpha), Stan's dirichlet_lpdf(x | alpha): a K-vector x on the
// simplex, alpha a K-vector of positive concentrations read whole. Its value
// is a whole vector too (`whole_value`, registry.hpp): one density for all K
// elements of a simplex latent, and one joint draw of them.
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/vector_argument.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/gamma_distribution.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace bbvi {

struct Dirichlet {
  static constexpr std::string_view name = "Dirichlet";
  static constexpr std::array<std::string_view, 1> parameters{"alpha"};
  static constexpr std::array<bool, 1> whole_vector{true};
  static constexpr bool whole_value = true;
  // Packed (vector_argument.hpp): the length 3, then alpha.
  static constexpr std::array<double, 4> example_arguments{3, 1.5, 0.7, 2.5};
  static constexpr std::array<double, 4> invalid_arguments{3, 1.5, 0.0, 2.5};
  // Support::simplex: K is the length of the first argument.
  static constexpr Support support = Support::simplex;

  template <typename T>
  static T log_density(VectorArgument<double> const& x, VectorArgument<T> const& alpha) {
    for (T const& a : alpha) check_positive_finite(name, "alpha", a);
    // A value off the simplex has density 0 (it is a draw or data, not an argument).
    double sum = 0;
    bool inside = x.size == alpha.size;
    for (double v : x) {
      inside = inside && v >= 0 && v <= 1;
      sum += v;
    }
    if (!inside || !(std::fabs(sum - 1) <= simplex_tolerance)) return math::log_zero(alpha[0]);
    T total = lift<T>(0.0, derivative_length(alpha[0]));
    T concentration = total;
    for (std::size_t k = 0; k < alpha.size; ++k) {
      total += (alpha[k] - 1.0) * std::log(x[k]) - math::lgamma(alpha[k]);
      concentration += alpha[k];
    }
    return total + math::lgamma(concentration);
  }

  // K independent Gamma(alpha_k, 1) draws over their sum.
  template <typename Rng>
  static void sample(Rng& rng, VectorArgument<double> const& alpha, double* out) {
    for (double a : alpha) check_positive_finite(name, "alpha", a);
    double sum = 0;
    for (std::size_t k = 0; k < alpha.size; ++k) {
      out[k] = boost::random::gamma_distribution<double>(alpha[k])(rng);
      sum += out[k];
    }
    // All K draws underflowing to 0 (every alpha tiny): the mass sits at a vertex, the largest alpha's.
    if (!(sum > 0)) {
      std::size_t largest = 0;
      for (std::size_t k = 1; k < alpha.size; ++k)
        if (alpha[k] > alpha[largest]) largest = k;
      for (std::size_t k = 0; k < alpha.size; ++k) out[k] = k == largest ? 1.0 : 0.0;
      return;
    }
    for (std::size_t k = 0; k < alpha.size; ++k) out[k] /= sum;
  }
};

}  // namespace bbvi
