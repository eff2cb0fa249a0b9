#pragma once
// Expectations under a guide factor by quadrature, for local expectation
// gradients (runtime/bbvi/local_expectation.hpp): E_q[g(z)] ≈ Σ_k w_k g(z_k).
// A distribution opts in, in its own file, with one of
// - `from_standard_normal(x, args...)`: z as a monotone function of a
//   standard normal x (Normal: mean + sd·x; LogNormal: exp of that). The
//   rule is then Gauss–Hermite in x, exact for polynomials in x of degree
//   up to 2K − 1;
// - `finite_support`: every value z can take (Bernoulli's 0 and 1), each
//   weighed by its probability: an exact expectation.
#include <vector>

namespace bbvi {

struct QuadraturePoint {
  double value = 0;
  double weight = 0;
};

// Gauss–Hermite points for the standard normal (Golub–Welsch): nodes x_k and
// weights w_k summing to 1.
inline constexpr int gauss_hermite_points = 10;
std::vector<QuadraturePoint> const& gauss_hermite();

}  // namespace bbvi
