#pragma once
// Dense Cholesky factors of the small covariance matrices a model builds
// (a GP's K×K kernel), generic over the scalar type so that a guide's
// full-rank factor gets its scores from the dual numbers. A matrix travels
// as its K² elements row by row (docs/language.md, 'Covariance matrices').
#include "runtime/dual.hpp"
#include "runtime/distributions/vector_argument.hpp"
#include "runtime/dual_math.hpp"

#include <boost/random/normal_distribution.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

namespace bbvi {

// The side of a square matrix of `elements` elements; 0 if it is not a square.
inline std::size_t square_side(std::size_t elements) {
  auto k = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(elements))));
  return k * k == elements ? k : 0;
}

// Writes L, lower triangular with zeros above the diagonal, with L Lᵀ = A,
// reading A's lower triangle (a(i, j) for j ≤ i). Returns 0, or the order of
// the first leading minor that is not positive (A is not positive definite).
template <typename T, typename At>
std::size_t cholesky_lower(std::size_t k, At const& a, std::vector<T>& l) {
  Eigen::Index const derivatives = k > 0 ? derivative_length(a(0, 0)) : 0;
  l.assign(k * k, lift<T>(0.0, derivatives));
  for (std::size_t j = 0; j < k; ++j) {
    T pivot = a(j, j);
    for (std::size_t p = 0; p < j; ++p) pivot -= l[j * k + p] * l[j * k + p];
    if (!(value_of(pivot) > 0) || !std::isfinite(value_of(pivot))) return j + 1;
    l[j * k + j] = math::sqrt(pivot);
    for (std::size_t i = j + 1; i < k; ++i) {
      T s = a(i, j);
      for (std::size_t p = 0; p < j; ++p) s -= l[i * k + p] * l[j * k + p];
      l[i * k + j] = s / l[j * k + j];
    }
  }
  return 0;
}

// log N(x | mu, L Lᵀ) for L lower triangular (read at l(i, j), j ≤ i) with a
// positive diagonal: −K/2 log 2π − Σ log L_ii − ½ |L⁻¹(x − mu)|², by forward
// substitution.
template <typename T, typename Mean, typename Factor>
T multi_normal_cholesky_log_density(std::size_t k, double const* x, Mean const& mu, Factor const& l) {
  constexpr double log_two_pi = 1.8378770664093454836;
  Eigen::Index const derivatives = k > 0 ? derivative_length(l(0, 0)) : 0;
  std::vector<T> z(k, lift<T>(0.0, derivatives));
  T total = lift<T>(-0.5 * static_cast<double>(k) * log_two_pi, derivatives);
  for (std::size_t i = 0; i < k; ++i) {
    T s = x[i] - mu(i);
    for (std::size_t p = 0; p < i; ++p) s -= l(i, p) * z[p];
    z[i] = s / l(i, i);
    total -= math::log(l(i, i)) + 0.5 * z[i] * z[i];
  }
  return total;
}

// The same for the whole-value arguments of MultiNormal and
// MultiNormalCholesky: x of mu's length, else log density −inf.
template <typename T>
T multi_normal_log_density(VectorArgument<double> const& x, VectorArgument<T> const& mu, T const* l) {
  if (x.size != mu.size) return math::log_zero(mu[0]);
  std::size_t const k = mu.size;
  return multi_normal_cholesky_log_density<T>(
      k, x.data, [&](std::size_t i) -> T const& { return mu[i]; },
      [&](std::size_t i, std::size_t j) -> T const& { return l[i * k + j]; });
}

// mu + L z, z a vector of standard normal draws, for L row by row.
template <typename Rng, typename Mean>
void sample_with_factor(Rng& rng, Mean const& mu, std::vector<double> const& l, double* out) {
  std::size_t const k = mu.size;
  std::vector<double> z(k);
  for (double& v : z) v = boost::random::normal_distribution<double>(0.0, 1.0)(rng);
  for (std::size_t i = 0; i < k; ++i) {
    out[i] = mu[i];
    for (std::size_t p = 0; p <= i; ++p) out[i] += l[i * k + p] * z[p];
  }
}

}  // namespace bbvi
