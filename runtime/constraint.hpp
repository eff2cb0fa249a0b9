#pragma once
// Variational parameters live on an unconstrained scale u (docs/method.md,
// 'The unconstrained coordinates'): λ = exp(u) for lower=0, lo + exp(u) for lower=lo,
// hi − exp(u) for upper=hi, lo + (hi − lo) inv_logit(u) for both. The
// optimiser moves u, so it can never produce an invalid λ. A simplex[K]
// parameter is λ = softmax(u_1, ..., u_{K−1}, 0): K elements from K − 1
// coordinates, the last pinned so that no direction of u leaves q unchanged
// (its Fisher stays invertible for the natural-gradient step). A
// cholesky_factor_cov[K] parameter L is K² elements row by row from
// K(K + 1)/2 coordinates, one per element on or below the diagonal: L_ij =
// u for j < i, L_ii = exp(u), and 0 above the diagonal.
#include "runtime/dual_math.hpp"

#include <cmath>
#include <cstddef>
#include <vector>
#include <optional>
#include <string>
#include <utility>

namespace bbvi {

struct Constraint {
  std::optional<double> lower;
  std::optional<double> upper;
  bool simplex = false;  // then lower and upper are unset, and constrain() is not used

  template <typename T>
  T constrain(T const& u) const {
    if (lower && upper) return *lower + (*upper - *lower) * math::inv_logit(u);
    if (lower) return *lower + math::exp(u);
    if (upper) return *upper - math::exp(u);
    return u;
  }

  // constrain(u) and its derivative in u, each as the dual numbers
  // compute it, for a parameter's own dual number made without them.
  std::pair<double, double> constrain_with_slope(double u) const {
    if (lower && upper) {
      double const p = math::inv_logit(u);
      return {*lower + (*upper - *lower) * p, (*upper - *lower) * (p * (1 - p))};
    }
    if (lower || upper) {
      double const e = std::exp(u);
      return lower ? std::pair{*lower + e, e} : std::pair{*upper - e, -e};
    }
    return {u, 1.0};
  }

  double unconstrain(double x) const;     // the inverse of constrain
  bool admits(double x) const;            // strictly inside the bounds
  bool holds(double x) const;             // on or inside them
  std::string spelling() const;           // "<lower=0>", "" when unconstrained
};

// simplex[K]: the K elements softmax(u_1, ..., u_{K−1}, 0) from K − 1
// coordinates, and back (each element positive, their sum 1).
std::vector<double> simplex_from(double const* u, std::size_t elements);
std::vector<double> simplex_coordinates(std::vector<double> const& p);

// cholesky_factor_cov[K]: its coordinates, and the one element (i, j) of
// the K × K matrix reads (0-based), counted row by row over the lower
// triangle; none above the diagonal.
constexpr std::size_t cholesky_coordinates(std::size_t side) { return side * (side + 1) / 2; }
std::optional<std::size_t> cholesky_coordinate(std::size_t side, std::size_t element);
// The element (i, j) that coordinate c gives.
std::pair<std::size_t, std::size_t> cholesky_element(std::size_t coordinate);

}  // namespace bbvi
