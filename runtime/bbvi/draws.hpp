#pragma once
// One iteration's S draws from the guide, with what every estimator needs of
// them: log p(x, z_s), log q(z_s | u) and the score ∇u log q(z_s | u).
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/local_expectation.hpp"
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
  // its Markov blanket less its own guide factors (docs/method.md, 'Markov
  // blankets').
  Eigen::MatrixXd group_f;
  // With a local plan: row s holds, on each local group's coordinates, the
  // draw's local expectation gradient (local_expectation.hpp), and
  // `local_fisher` those groups' exact Fisher.
  std::vector<bool> local_groups;  // by group; empty without a plan
  Eigen::MatrixXd local;
  Eigen::MatrixXd local_fisher;
  long evaluations = 0;  // of the log-joint, the draws' own and the local ones

  // f(z_s) = log p − log q: its mean is the ELBO, its covariance with the
  // score the gradient (docs/method.md, 'The ELBO and the score-function
  // gradient').
  Eigen::VectorXd elbo_terms() const { return log_p - log_q; }
};

// Draw s of iteration t comes from its own stream (seed, t, s) and fills its
// own row, so the draws may be split over `pool`'s threads and the result is
// the same for any number of threads. A NumericalError is that of the
// lowest-numbered draw that failed, as in a single thread. `local` needs
// `blankets`.
Draws draw(Program const& program, Eigen::VectorXd const& u, int samples, std::uint64_t seed,
           std::uint64_t iteration, WorkerPool& pool, Blankets const* blankets = nullptr,
           LocalPlan const* local = nullptr);

}  // namespace bbvi
