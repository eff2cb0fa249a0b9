#pragma once
// Variational parameters live on an unconstrained scale u (docs/method.md,
// 'The unconstrained coordinates'): λ = exp(u) for lower=0, lo + exp(u) for lower=lo,
// hi − exp(u) for upper=hi, lo + (hi − lo) inv_logit(u) for both. The
// optimiser moves u, so it can never produce an invalid λ.
#include "runtime/dual_math.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <utility>

namespace bbvi {

struct Constraint {
  std::optional<double> lower;
  std::optional<double> upper;

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

}  // namespace bbvi
