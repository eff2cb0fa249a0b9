#pragma once
// Expectations under a guide factor by quadrature, for local expectation
// gradients (runtime/bbvi/local_expectation.hpp): E_q[g(z)] ≈ Σ_k w_k g(z_k).
// A distribution opts in, in its own file, with one of
// - `from_standard_normal(x, args...)`: z as a monotone function of a
//   standard normal x (Normal: mean + sd·x; LogNormal: exp of that). The
//   rule is then K-point Gauss–Hermite in x, exact for polynomials in x of
//   degree up to 2K − 1. A family whose map is affine (Normal) says so with
//   `affine_in_standard_normal`: a blanket that is a polynomial in z is then
//   one in x, and needs fewer points;
// - `finite_support`: every value z can take (Bernoulli's 0 and 1), each
//   weighed by its probability: an exact expectation.
#include <vector>

namespace bbvi {

struct QuadraturePoint {
  double value = 0;
  double weight = 0;
};

// K-point Gauss–Hermite for the standard normal (Golub–Welsch): nodes x_k
// and weights w_k summing to 1. Computed once per K.
std::vector<QuadraturePoint> const& gauss_hermite(int points);

// The points used where nothing better is known of the integrand: exact to
// degree 19, and for exp(2x) (τ² under LogNormal(0, 1)) off by 2 × 10⁻⁵.
inline constexpr int default_gauss_hermite_points = 10;

// The fewest points, from 3 to the default, whose rule integrates xᵖ e^{ax}
// (p = 0, 1, 2) under the standard normal as well as the default rule does,
// or to exp_error_tolerance relative to (1 + a²) e^{a²/2}, whichever is
// looser: what a blanket that is a polynomial of degree D in z = e^{m + s x}
// (a LogNormal guide's latent) needs, with a = D s, for its local gradient
// and the family's Fisher (degree 4 in x, hence at least 3 points). The
// tolerance is 20 times tighter than the default rule's own error on
// τ² under LogNormal(0, 1), which every fit starts from.
inline constexpr double exp_error_tolerance = 1e-6;
int gauss_hermite_points_for_exp(double a);

}  // namespace bbvi
