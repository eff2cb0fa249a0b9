#pragma once
// The gradient estimators, each a function of one iteration's draws
// (docs/method.md, 'The estimators'). Every one gives the Euclidean gradient ĝ of the ELBO in the
// unconstrained coordinates u with its covariance, and the natural gradient
// δ = F̂⁻¹ĝ with its covariance, so that any step can use any estimator:
// - basic: Algorithm 1, ĝ = mean of s·f over the draws.
// - rb: Algorithm 2 without control variates: group i's coordinates use its
//   own Markov blanket's f_i (blankets.hpp), per element for vector latents.
// - cv: rb plus the control variate a*_i h_i, a*_i estimated leaving each
//   draw out, so that it adds no bias.
// - regression: least squares of f on (1, s) over all coordinates at once:
//   its slope is δ, its intercept the ELBO (regression.hpp).
// - regression-groups: the same, group by group, on the full f.
// - regression-rb: group by group, each on its blanket's f_i.
// - regression-rb-joint: each group's blanket f_i regressed on the scores
//   of every group whose latents its blanket holds, keeping its own slopes:
//   the others serve as control variates for the part of f_i their latents
//   explain.
// - local: local expectation gradients (local_expectation.hpp) for the
//   groups where they pay (plan_local), preconditioned by the family's exact
//   Fisher; the other groups' slopes from the joint regression, as in
//   regression.
// F̂ is the empirical Fisher of the scores: over all coordinates for the
// joint regression, block by block (q factorises) for the others.
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/local_expectation.hpp"

#include <Eigen/Core>

#include <optional>
#include <string_view>
#include <vector>

namespace bbvi {

enum class Estimator { basic, rb, cv, regression, regression_groups, regression_rb, regression_rb_joint, local };

std::string_view name_of(Estimator e);
std::optional<Estimator> estimator_named(std::string_view name);
std::vector<Estimator> const& all_estimators();

// Whether its natural gradient is a regression's slope (the others' is F̂⁻¹ĝ).
bool is_regression(Estimator e);
// Whether the estimator needs each draw's per-group f_i (Draws::group_f).
bool uses_blankets(Estimator e);
// Whether it needs the draws' local expectation gradients (a LocalPlan).
bool uses_local(Estimator e);
// The largest block of coordinates it regresses or preconditions together:
// its draws must outnumber this + 1. `local` needs its plan.
std::size_t largest_block(Estimator e, Blankets const& blankets, std::size_t parameters,
                          LocalPlan const* local = nullptr);

struct GradientEstimate {
  // ĝ: Euclidean, in u, unbiased (for the regressions, the covariance of s
  // and f, which is F̂δ up to S/(S − 1)).
  Eigen::VectorXd gradient;
  Eigen::MatrixXd covariance;  // of ĝ, estimated from the draws
  Eigen::VectorXd natural;     // δ = F̂⁻¹ĝ (the regression's slope for the regressions)
  Eigen::MatrixXd natural_covariance;
  Eigen::MatrixXd fisher;      // F̂, or the averaged Fisher it was preconditioned with
  double elbo = 0;             // and its variance
  double elbo_variance = 0;
  // The covariances' degrees of freedom; `hotelling` when they are sample
  // covariances of the estimate itself rather than a regression's σ̂²(XᵀX)⁻¹.
  double dof = 1;
  bool hotelling = false;
  // local: the exact Fisher's inverse on its local groups' blocks (zero
  // elsewhere); empty for the other estimators.
  Eigen::MatrixXd exact_fisher_inverse;
  // regression-rb-joint: each group's slopes on every coordinate, so that a
  // later iteration can use the other groups' as fixed control variates.
  std::vector<Eigen::VectorXd> group_slopes;
};

class GradientEstimator {
 public:
  // `local`: the plan its draws are to be made with.
  GradientEstimator(Estimator kind, Blankets blankets, std::size_t parameters, LocalPlan local = {});

  Estimator kind() const { return kind_; }
  Blankets const& blankets() const { return blankets_; }
  LocalPlan const* local_plan() const { return uses_local(kind_) ? &local_ : nullptr; }

  // This iteration's estimate.
  GradientEstimate estimate(Draws const& d) const;
  // An unbiased estimate preconditioned by `fisher` (an average over past
  // iterations), from `first`, this iteration's estimate(d): the
  // regressions' slopes carry an O(1/S) bias that would decide where
  // averaged steps settle, so δ becomes F⁻¹ĝ with ĝ the covariance of s and
  // f; the others are unbiased as they are. regression-rb-joint takes the
  // other groups' scores times `previous`'s slopes off each f_i first: fixed
  // before these draws, and uncorrelated with the group's own scores under a
  // mean-field q, they remove noise and add no bias.
  GradientEstimate unbiased(Draws const& d, GradientEstimate first, Eigen::MatrixXd const& fisher,
                            GradientEstimate const* previous = nullptr) const;

 private:
  Eigen::VectorXd target(Draws const& d, std::size_t block) const;
  Eigen::MatrixXd block_fisher(Eigen::MatrixXd const& scores) const;
  // δ = F⁻¹ĝ and its covariance, F inverted block by block (q factorises).
  void precondition(GradientEstimate& e, Eigen::MatrixXd const& fisher, bool ridge) const;
  GradientEstimate local_estimate(Draws const& d) const;
  GradientEstimate from_terms(Draws const& d, Eigen::MatrixXd const& terms, Eigen::MatrixXd const& fisher) const;
  Eigen::MatrixXd score_terms(Draws const& d) const;

  Estimator kind_;
  Blankets blankets_;
  LocalPlan local_;
  // Coordinates estimated together: one block of all of u for the joint
  // regression, the blanket groups otherwise.
  std::vector<std::vector<Eigen::Index>> blocks_;
  // regression-rb-joint: each group's regressors, its neighbours' coordinates.
  std::vector<std::vector<Eigen::Index>> neighbourhoods_;
};

}  // namespace bbvi
