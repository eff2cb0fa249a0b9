#pragma once
// The coupled step's direction on the locations (docs/method.md, 'The
// coupled step'): Δ solving MΔ = g by conjugate gradients preconditioned by
// M's diagonal, M sparse (location_curvature.hpp), so a product costs what
// M's entries do and no dense matrix is formed. A direction of non-positive
// curvature found on the way means M is not positive definite: there is no
// Newton step and no decrement to certify convergence with.
#include "runtime/random_stream.hpp"

#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace bbvi {

struct NewtonDirection {
  Eigen::VectorXd step;            // Δ = M⁻¹g
  bool positive_definite = false;  // false: step is empty
  // ½ gᵀM⁻¹g: the ELBO a full step would gain if the ELBO were quadratic
  // with curvature M, in nats.
  double decrement = 0;
};

NewtonDirection newton_direction(Eigen::SparseMatrix<double> const& m, Eigen::VectorXd const& g);

// ½ tr(M⁻¹V): what the Monte-Carlo noise of g (variances V, taken as
// independent) adds to the decrement ½ gᵀM⁻¹g on average, and the ELBO by
// which it moves the Newton step, ½ yᵀMy with y = M⁻¹ξ; by Hutchinson's
// estimator, the mean over `probes` of ½ ξᵀM⁻¹ξ with ξ of random signs
// times √V. Infinite where M is not positive definite.
double decrement_noise(Eigen::SparseMatrix<double> const& m, Eigen::VectorXd const& variance, RandomStream& rng,
                       int probes);
// The same with g's full covariance: where g's errors are correlated (a
// pathwise gradient's, along a ridge), taking them as independent would
// count noise along the ridge's long direction that is not there.
double decrement_noise(Eigen::SparseMatrix<double> const& m, Eigen::MatrixXd const& covariance, RandomStream& rng,
                       int probes);

}  // namespace bbvi
