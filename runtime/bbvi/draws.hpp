#pragma once
// One iteration's S draws from the guide, with what every estimator needs of
// them: log p(x, z_s), log q(z_s | u) and the score ∇u log q(z_s | u), and
// what an estimator asks for beyond that (DrawNeeds).
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/local_expectation.hpp"
#include "core/parallel.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace bbvi {

// What an estimator needs of each draw beyond f and the score.
struct DrawNeeds {
  // Each group's f_j, the terms of its Markov blanket (blankets.hpp).
  Blankets const* blanket_sums = nullptr;
  // Each local group's local expectation gradient (local_expectation.hpp),
  // from the points of this plan; needs blanket_sums.
  LocalPlan const* quadrature = nullptr;
  // The groups the score is computed by (log_guide_with_score): O(P) a
  // draw, where without them it is O(P²).
  Blankets const* score_groups = nullptr;
  // With quadrature: LocalDraws::curvature too.
  bool curvature = false;
  // Draws::latents.
  bool latents = false;
  // With quadrature, by colour where not null: the fewest draws each colour
  // is taken at, 0 for none (colour_strides).
  std::vector<std::size_t> const* local_draws = nullptr;
};

// The local expectation gradients of one iteration's draws.
struct LocalDraws {
  // Row s holds, on each local group's coordinates, draw s's local
  // expectation gradient; zero elsewhere.
  Eigen::MatrixXd gradients;
  // Row s: Σ_k w_k f(z_k) (s_c(z_k)² − F_cc) on the local groups'
  // coordinates (local_gradient), when the estimator asks for it.
  Eigen::MatrixXd curvature;
  // With it, where the plan has them: row s is draw s's cross-curvature by
  // pair of LocalPlan::coupling (rows_coupling.hpp).
  Eigen::MatrixXd couplings;
  std::vector<Eigen::MatrixXd> fisher;  // by local group, its exact Fisher on its coordinates
  // By local group (LocalPlan::groups): a point of some draw where the
  // expectation was not finite; the group's gradient must come from
  // elsewhere this iteration.
  std::vector<bool> failed;
  // By local group, its colour's stride (local_cost.hpp): its rows are
  // those of draws_taken, zero at the other draws (at every draw for 0,
  // where the group is not taken this iteration).
  std::vector<std::size_t> stride;
};

struct Draws {
  Eigen::VectorXd u;       // the guide's parameters they were drawn at
  Eigen::MatrixXd scores;  // S × P: row s is ∇u log q(z_s | u)
  Eigen::VectorXd log_p;   // log p(x, z_s)
  Eigen::VectorXd log_q;   // log q(z_s | u)
  Eigen::MatrixXd latents;  // with DrawNeeds::latents, S × latent elements: row s is z_s
  // With blanket_sums: column j is group j's f_j = log p_j − log q_j, the
  // terms of its Markov blanket less its own guide factors (docs/method.md,
  // 'Markov blankets').
  Eigen::MatrixXd group_f;
  LocalDraws local;      // with a quadrature plan that has local groups
  long evaluations = 0;  // of the log-joint, the draws' own and the local ones
  // The pool they were made on: an estimator's work group by group may be
  // split over it too (each group's result is its own, whatever the threads).
  WorkerPool* pool = nullptr;
  // The streams they came from: draw(…, seed, stream, …) makes them again.
  std::uint64_t seed = 0, stream = 0;

  // f(z_s) = log p − log q: its mean is the ELBO, its covariance with the
  // score the gradient (docs/method.md, 'The ELBO and the score-function
  // gradient').
  Eigen::VectorXd elbo_terms() const { return log_p - log_q; }
};

// Draw s of iteration t comes from its own stream (seed, t, s) and fills its
// own row, so the draws may be split over `pool`'s threads and the result is
// the same for any number of threads. A NumericalError is that of the
// lowest-numbered draw that failed, as in a single thread.
Draws draw(Program const& program, Eigen::VectorXd const& u, int samples, std::uint64_t seed,
           std::uint64_t iteration, WorkerPool& pool, DrawNeeds const& needs = {});

}  // namespace bbvi
