#pragma once
// The forward-mode dual number that carries ∇λ through a guide's log density.
// Pitfalls (Eigen 3.4): never hold a result in `auto` (it is an expression that
// references temporaries), and give every operand the same derivative length
// (`lift` builds constants that way).
#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

namespace bbvi {

using Dual = Eigen::AutoDiffScalar<Eigen::VectorXd>;

inline double value_of(double x) { return x; }
inline double value_of(Dual const& x) { return x.value(); }

// A constant with a zero derivative of the right length.
template <typename T>
T lift(double c, Eigen::Index derivatives);

template <>
inline double lift<double>(double c, Eigen::Index) { return c; }

template <>
inline Dual lift<Dual>(double c, Eigen::Index derivatives) {
  return Dual(c, Eigen::VectorXd::Zero(derivatives));
}

// The derivative length that constants must take to combine with `x`.
inline Eigen::Index derivative_length(double) { return 0; }
inline Eigen::Index derivative_length(Dual const& x) { return x.derivatives().size(); }

}  // namespace bbvi
