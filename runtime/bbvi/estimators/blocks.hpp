#pragma once
// The algebra the estimator families share: blocks of coordinates estimated
// together (q factorises, so its Fisher is block-diagonal over the blanket
// groups), the empirical Fisher by block, and preconditioning by it.
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/block_diagonal.hpp"
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/estimators/estimator.hpp"

#include <Eigen/Core>

#include <memory>
#include <vector>

namespace bbvi {

using Layout = std::shared_ptr<BlockLayout const>;

// One block per blanket group, its coordinates, among `parameters`.
Layout group_blocks(Blankets const& blankets, std::size_t parameters);
// One block of all P coordinates.
Layout joint_block(std::size_t parameters);
// Each group's neighbourhood: the coordinates of every group that shares a
// term of the log-joint with it (itself included), sorted. Only their
// latents move its blanket's f_j; the other groups' scores are independent
// of f_j and would add only noise as regressors.
std::vector<Block> neighbourhoods(Blankets const& b);
// Where `block`'s coordinates sit in `within`, which holds them all.
Block positions_in(Block const& within, Block const& block);

// The largest of `blocks`.
std::size_t largest(std::vector<Block> const& blocks);

// The value each block's gradient is the covariance of with its scores: the
// whole f, or (with blankets) the block's group's own f_j.
Eigen::VectorXd target(Draws const& d, bool blankets, std::size_t block);

// Mean and covariance of the mean of S rows.
void mean_and_covariance(Eigen::MatrixXd const& terms, Eigen::VectorXd& mean, Eigen::MatrixXd& covariance);

// M⁻¹ for a symmetric positive semi-definite M; with `ridge`, the same tiny
// ridge as the regression (add_ridge), so that one iteration's empirical
// Fisher from a degenerate draw set stays solvable.
Eigen::MatrixXd inverse_of(Eigen::MatrixXd m, bool ridge);

// The empirical Fisher of the scores, block by block.
BlockDiagonal block_fisher(Layout const& blocks, Eigen::MatrixXd const& scores);

// δ = F⁻¹ĝ and its covariance, F inverted block by block; e.fisher = F.
void precondition(GradientEstimate& e, BlockDiagonal const& fisher, bool ridge);

// The ELBO as the mean of f over the draws, with its variance.
void mean_elbo(GradientEstimate& e, Draws const& d);

// A regression's estimate before its blocks are filled in: δ, its covariance
// and F̂ zero on `blocks`, the ELBO the mean of f, and infinite degrees of
// freedom for the blocks to lower.
GradientEstimate empty_regression(Draws const& d, Layout const& blocks);

// The regressions' Euclidean gradient: block by block, the covariance of the
// block's scores with its target (F̂δ up to S/(S − 1)), with its own sample
// covariance. The slope δ is far more precise than F̂δ: F̂'s own noise
// multiplies δ.
void covariance_gradients(GradientEstimate& e, Draws const& d, Layout const& blocks, bool blankets);

// A regression's estimate made unbiased for the averaging phase: δ = F⁻¹ĝ
// with `fisher` the averaged Fisher, its covariance a sample covariance of ĝ
// with S − (block size) degrees of freedom.
void precondition_unbiased(GradientEstimate& e, Draws const& d, BlockDiagonal const& fisher);

}  // namespace bbvi
