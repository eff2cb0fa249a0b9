#pragma once
// One iteration's S draws from the guide, with what every estimator needs of
// them: log p(x, z_s), log q(z_s | u) and the score ∇u log q(z_s | u).
#include "runtime/bbvi/blankets.hpp"
#include "runtime/parallel.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <cstdint>

namespace bbvi {

struct Draws {
  Eigen::MatrixXd scores;  // S × P: row s is ∇u log q(z_s | u)
  Eigen::VectorXd log_p;   // log p(x, z_s)
  Eigen::VectorXd log_q;   // log q(z_s | u)
  // With blankets: column j is group j's f_j = log p_j − log q_j, the terms of
  // its Markov blanket less its own guide factors (MATH.md, Algorithm 2).
  Eigen::MatrixXd group_f;

  // f(z_s) = log p − log q: its mean is the ELBO, its covariance with the
  // score the gradient (MATH.md).
  Eigen::VectorXd elbo_terms() const { return log_p - log_q; }
};

// Draw s of iteration t comes from its own stream (seed, t, s) and fills its
// own row, so the draws may be split over `pool`'s threads and the result is
// the same for any number of threads. A NumericalError is that of the
// lowest-numbered draw that failed, as in a single thread.
Draws draw(Program const& program, Eigen::VectorXd const& u, int samples, std::uint64_t seed,
           std::uint64_t iteration, WorkerPool& pool, Blankets const* blankets = nullptr);

}  // namespace bbvi
