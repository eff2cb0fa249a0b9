#pragma once
// MultiNormalCholesky(mu, L), Stan's multi_normal_cholesky_lpdf(x | mu, L):
// the multivariate normal with covariance L Lᵀ, L lower triangular with a
// positive diagonal (its elements above the diagonal are not read), as
// cholesky_decompose gives it. mu and L are read whole, L as its K² elements
// row by row; the value is a whole vector (`whole_value`, registry.hpp).
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/cholesky.hpp"

#include <array>
#include <string_view>

namespace bbvi {

struct MultiNormalCholesky {
  static constexpr std::string_view name = "MultiNormalCholesky";
  static constexpr std::array<std::string_view, 2> parameters{"mu", "L"};
  static constexpr std::array<bool, 2> whole_vector{true, true};
  static constexpr std::array<bool, 2> matrix_argument{false, true};
  static constexpr bool whole_value = true;
  // Packed (vector_argument.hpp): mu's length 2 and elements, then L's 4 elements row by row.
  static constexpr std::array<double, 8> example_arguments{2, 0.5, -1.0, 4, 1.4, 0.0, 0.4, 0.7};
  static constexpr std::array<double, 8> invalid_arguments{2, 0.5, -1.0, 4, 1.4, 0.0, 0.4, -0.7};
  static constexpr Support support = Support::real;
  // A quadratic in x − mu for a fixed L, in each element: local
  // expectations need few points (registry.hpp).
  static constexpr bool quadratic_in_location = true;

  template <typename T>
  static T log_density(VectorArgument<double> const& x, VectorArgument<T> const& mu, VectorArgument<T> const& l) {
    check(mu, l);
    return multi_normal_log_density(x, mu, l.data);
  }

  template <typename Rng>
  static void sample(Rng& rng, VectorArgument<double> const& mu, VectorArgument<double> const& l, double* out) {
    check(mu, l);
    sample_with_factor(rng, mu, std::vector<double>(l.begin(), l.end()), out);
  }

 private:
  template <typename T>
  static void check(VectorArgument<T> const& mu, VectorArgument<T> const& l) {
    for (T const& m : mu) check_finite(name, "mu", m);
    check_cholesky_factor(name, "L", l, mu.size);
  }
};

}  // namespace bbvi
