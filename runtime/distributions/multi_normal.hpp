#pragma once
// MultiNormal(mu, Sigma), Stan's multi_normal_lpdf(x | mu, Sigma): a K-vector
// x, mu a K-vector and Sigma a symmetric positive-definite K×K matrix, both
// read whole (Sigma as its K² elements row by row). Its value is a whole
// vector (`whole_value`, registry.hpp): one density for all K elements.
#include "core/support.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/cholesky.hpp"

#include <array>
#include <string_view>
#include <vector>

namespace bbvi {

struct MultiNormal {
  static constexpr std::string_view name = "MultiNormal";
  static constexpr std::array<std::string_view, 2> parameters{"mu", "Sigma"};
  static constexpr std::array<bool, 2> whole_vector{true, true};
  static constexpr std::array<bool, 2> matrix_argument{false, true};
  static constexpr bool whole_value = true;
  // Packed (vector_argument.hpp): mu's length 2 and elements, then Sigma's 4 elements row by row.
  static constexpr std::array<double, 8> example_arguments{2, 0.5, -1.0, 4, 2.0, 0.6, 0.6, 0.8};
  static constexpr std::array<double, 8> invalid_arguments{2, 0.5, -1.0, 4, 1.0, 2.0, 2.0, 1.0};
  static constexpr Support support = Support::real;
  // A quadratic in x − mu for a fixed Sigma, in each element: local
  // expectations need few points (registry.hpp).
  static constexpr bool quadratic_in_location = true;

  template <typename T>
  static T log_density(VectorArgument<double> const& x, VectorArgument<T> const& mu, VectorArgument<T> const& sigma) {
    std::vector<T> const l = factor(mu, sigma);
    return multi_normal_log_density(x, mu, l.data());
  }

  // mu + L z, z standard normal, L the Cholesky factor of Sigma.
  template <typename Rng>
  static void sample(Rng& rng, VectorArgument<double> const& mu, VectorArgument<double> const& sigma, double* out) {
    std::vector<double> const l = factor(mu, sigma);
    sample_with_factor(rng, mu, l, out);
  }

 private:
  template <typename T>
  static std::vector<T> factor(VectorArgument<T> const& mu, VectorArgument<T> const& sigma) {
    for (T const& m : mu) check_finite(name, "mu", m);
    check_covariance(name, "Sigma", sigma, mu.size);
    std::vector<T> l;
    if (std::size_t const minor =
            cholesky_lower<T>(mu.size, [&](std::size_t i, std::size_t j) -> T const& { return sigma[i * mu.size + j]; },
                              l))
      reject_not_positive_definite(name, "Sigma", minor);
    return l;
  }
};

}  // namespace bbvi
