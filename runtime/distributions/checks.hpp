#pragma once
// Argument checks that name the distribution and the argument they reject,
// as Stan Math's do: "Normal: sd is -1, but must be positive and finite".
#include "runtime/dual.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>
#include <stdexcept>
#include <string_view>

namespace bbvi {

// A value outside a distribution's domain. runtime/compile ties it to the
// statement of the model that produced it.
class DomainError : public std::domain_error {
 public:
  using std::domain_error::domain_error;
};

// Out of line and cold, so that each check inlines to a comparison or two
// in the row loops (registry.hpp) and the message is built only on failure.
[[noreturn]] void reject(std::string_view dist, std::string_view arg, double value, std::string_view requirement);
[[noreturn]] void reject_not_greater(std::string_view dist, std::string_view arg, double value,
                                     std::string_view low_arg, double low);

template <typename T>
void check_finite(std::string_view dist, std::string_view arg, T const& x) {
  double const v = value_of(x);
  if (!std::isfinite(v)) reject(dist, arg, v, "finite");
}

template <typename T>
void check_positive_finite(std::string_view dist, std::string_view arg, T const& x) {
  double const v = value_of(x);
  if (!(v > 0) || !std::isfinite(v))
    reject(dist, arg, v, "positive and finite");
}

template <typename T>
void check_nonnegative_finite(std::string_view dist, std::string_view arg, T const& x) {
  double const v = value_of(x);
  if (!(v >= 0) || !std::isfinite(v))
    reject(dist, arg, v, "nonnegative and finite");
}

// A probability: p in [0, 1]. NaN fails every comparison, so it is rejected too.
template <typename T>
void check_probability(std::string_view dist, std::string_view arg, T const& p) {
  double const v = value_of(p);
  if (!(v >= 0 && v <= 1)) reject(dist, arg, v, "in [0, 1]");
}

// A count such as Binomial's n: the language has only doubles at run time, so
// integrality is a value check, not a type.
template <typename T>
void check_nonnegative_integer(std::string_view dist, std::string_view arg, T const& n) {
  double const v = value_of(n);
  if (!(v >= 0) || !std::isfinite(v) || v != std::floor(v))
    reject(dist, arg, v, "a nonnegative integer");
}

// An upper bound above its lower bound, as Uniform's hi above lo.
template <typename T>
void check_greater(std::string_view dist, std::string_view arg, T const& x, std::string_view low_arg, T const& low) {
  double const v = value_of(x), w = value_of(low);
  if (!(v > w))
    reject_not_greater(dist, arg, v, low_arg, w);
}

// A probability vector (Categorical's theta): elements in [0, 1] summing to 1
// within simplex_tolerance (Stan's check_simplex uses the same 1e-8).
inline constexpr double simplex_tolerance = 1e-8;
[[noreturn]] void reject_simplex(std::string_view dist, std::string_view arg, std::vector<double> const& values);
template <typename Vector>
void check_simplex(std::string_view dist, std::string_view arg, Vector const& theta) {
  double sum = 0;
  bool inside = true;
  for (std::size_t k = 0; k < theta.size; ++k) {
    double const v = value_of(theta[k]);
    inside = inside && v >= 0 && v <= 1;
    sum += v;
  }
  if (inside && std::fabs(sum - 1) <= simplex_tolerance) return;
  std::vector<double> values;
  for (std::size_t k = 0; k < theta.size; ++k) values.push_back(value_of(theta[k]));
  reject_simplex(dist, arg, values);
}

// A K×K matrix argument, its K² elements row by row (MultiNormal's Sigma).
[[noreturn]] void reject_not_square(std::string_view dist, std::string_view arg, std::size_t elements, std::size_t k);
[[noreturn]] void reject_not_symmetric(std::string_view dist, std::string_view arg, std::size_t i, std::size_t j,
                                       double above, double below);
[[noreturn]] void reject_not_positive_definite(std::string_view dist, std::string_view arg, std::size_t minor);
[[noreturn]] void reject_factor_diagonal(std::string_view dist, std::string_view arg, std::size_t i, double value);
// Stan's check_symmetric tolerance: |A_ij − A_ji| ≤ 1e-8 (relative above 1).
inline constexpr double symmetry_tolerance = 1e-8;

inline void check_square(std::string_view dist, std::string_view arg, std::size_t elements, std::size_t k) {
  if (elements != k * k) reject_not_square(dist, arg, elements, k);
}

// Finite and symmetric; positive definiteness is the Cholesky factor's test.
template <typename Matrix>
void check_covariance(std::string_view dist, std::string_view arg, Matrix const& a, std::size_t k) {
  check_square(dist, arg, a.size, k);
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double const below = value_of(a[i * k + j]), above = value_of(a[j * k + i]);
      check_finite(dist, arg, below);
      if (!(std::fabs(below - above) <= symmetry_tolerance * std::max(1.0, std::fabs(below))))
        reject_not_symmetric(dist, arg, i, j, above, below);
    }
}

// Lower triangular with a positive diagonal; the elements above it are not read.
template <typename Matrix>
void check_cholesky_factor(std::string_view dist, std::string_view arg, Matrix const& l, std::size_t k) {
  check_square(dist, arg, l.size, k);
  for (std::size_t i = 0; i < k; ++i) {
    double const d = value_of(l[i * k + i]);
    if (!(d > 0) || !std::isfinite(d)) reject_factor_diagonal(dist, arg, i, d);
    for (std::size_t j = 0; j < i; ++j) check_finite(dist, arg, l[i * k + j]);
  }
}

// Whether a discrete distribution's value is a count at all; a value that is
// not gets log density -infinity rather than an error (it is data, not an argument).
inline bool is_nonnegative_integer(double x) { return x >= 0 && std::isfinite(x) && x == std::floor(x); }

}  // namespace bbvi
