#pragma once
// What every gradient estimator is (docs/method.md, 'The estimators'): a
// function of one iteration's draws that gives the Euclidean gradient ĝ of the
// ELBO in the unconstrained coordinates u with its covariance, and the natural
// gradient δ = F̂⁻¹ĝ with its covariance, so that any step can use any
// estimator. Each family lives in a file of its own in this folder and is
// named in table.cpp; the steps (../steps/) see only this interface.
#include "runtime/bbvi/block_diagonal.hpp"
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/location_curvature.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace bbvi {

// The matrices are block-diagonal over the blocks the estimator estimates
// together (block_diagonal.hpp): zero between blocks, so a model with a
// block per group never holds a P × P matrix.
struct GradientEstimate {
  // ĝ: Euclidean, in u, unbiased (for the regressions, the covariance of s
  // and f, which is F̂δ up to S/(S − 1)).
  Eigen::VectorXd gradient;
  BlockDiagonal covariance;    // of ĝ, estimated from the draws
  Eigen::VectorXd natural;     // δ = F̂⁻¹ĝ (the regression's slope for the regressions)
  BlockDiagonal natural_covariance;
  BlockDiagonal fisher;        // F̂, or the averaged Fisher it was preconditioned with
  double elbo = 0;             // and its variance
  double elbo_variance = 0;
  // The covariances' degrees of freedom; `hotelling` when they are sample
  // covariances of the estimate itself rather than a regression's σ̂²(XᵀX)⁻¹.
  double dof = 1;
  bool hotelling = false;
  // The inverse of the family's exact Fisher on the blocks whose expectation
  // the estimator took exactly (zero elsewhere; empty when there are none):
  // there the covariance can vanish, and the step's test of noise needs a
  // floor (docs/method.md, 'When a gradient is noise').
  BlockDiagonal exact_fisher_inverse;
  // The gradient and curvature in the locations of Normal factors, for the
  // coupled step (location_curvature.hpp); null where none was measured.
  std::shared_ptr<LocationCoupling const> coupling;
};

// What an estimator is made from: the program and its Markov blankets, which
// outlive it.
struct EstimatorContext {
  Program const& program;
  Blankets const& blankets;
};

class GradientEstimator {
 public:
  virtual ~GradientEstimator() = default;

  // What the draws must carry for it (draws.hpp).
  virtual DrawNeeds needs() const = 0;
  // The largest block of coordinates it regresses or preconditions together.
  virtual std::size_t largest_block() const = 0;
  // Whether its natural gradient is a regression's slope, which needs more
  // draws than the block has coordinates whatever step uses it.
  virtual bool regresses() const = 0;
  // The most regressors of the location curvature it measures (0: none);
  // the natural-gradient step's default draws cover it.
  virtual std::size_t curvature_regressors() const { return 0; }
  // How many locations the coupled step moves by Newton's step with it.
  virtual std::size_t coupled_locations() const { return 0; }

  // For `explain`: what it computes, in a sentence, and how it treats group g
  // beyond that (empty: nothing to add).
  virtual std::string describe() const = 0;
  virtual std::string_view group_note(std::size_t /*group*/) const { return {}; }

  // This iteration's estimate from its draws.
  virtual GradientEstimate estimate(Draws const& d) = 0;
  // An unbiased estimate preconditioned by `fisher` (an average over past
  // iterations), from `first`, this iteration's estimate(d): where a
  // regression's slope carries an O(1/S) bias that would decide where
  // averaged steps settle, δ becomes F⁻¹ĝ with ĝ the covariance of s and f.
  virtual GradientEstimate unbiased(Draws const& d, GradientEstimate first, BlockDiagonal const& fisher) = 0;
  // The iteration's step was taken with the last estimate(): an estimator
  // that learns from past iterations keeps it.
  virtual void end_iteration() {}
};

}  // namespace bbvi
