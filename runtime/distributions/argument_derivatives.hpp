#pragma once
// What a distribution may state of its log density ℓ as a function of one
// argument θ (registry.hpp): ℓ′ = ∂ℓ/∂θ and −ℓ″ = −∂²ℓ/∂θ² at a row, so
// that the coupled step's curvature from a linear predictor entering through
// θ takes one pass over the rows rather than three density passes
// (docs/method.md, 'The curvature from the linear predictor').
namespace bbvi {

struct ArgumentDerivatives {
  double slope = 0;      // ℓ′
  double curvature = 0;  // −ℓ″
};

}  // namespace bbvi
