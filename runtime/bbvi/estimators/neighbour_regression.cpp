// regression-rb-joint (docs/method.md, 'The estimators'): each group's
// blanket f_j regressed on the scores of every group whose latents its
// blanket holds, keeping its own slopes: the others serve as control variates
// for the part of f_j their latents explain. In the averaging phase, the
// other groups' scores times the previous iteration's slopes are taken off
// f_j first: fixed before these draws, and uncorrelated with the group's own
// scores under a mean-field q, they remove noise and add no bias.
#include "runtime/bbvi/estimators/blocks.hpp"
#include "runtime/bbvi/regression.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace bbvi {

namespace {

class NeighbourRegression final : public GradientEstimator {
 public:
  explicit NeighbourRegression(EstimatorContext const& c)
      : blankets_(c.blankets),
        parameters_(c.program.parameter_dimension),
        blocks_(group_blocks(c.blankets, c.program.parameter_dimension)),
        neighbourhoods_(neighbourhoods(c.blankets)) {}

  DrawNeeds needs() const override { return {&blankets_, nullptr}; }
  std::size_t largest_block() const override { return largest(neighbourhoods_); }
  bool regresses() const override { return true; }

  std::string describe() const override {
    return fmt::format("for each of the {} groups, a least-squares regression of its own blanket's terms on the "
                       "scores of every group its blanket reaches (of {} parameters), keeping its own slopes",
                       blocks_->blocks.size(), parameters_);
  }

  GradientEstimate estimate(Draws const& d) override {
    GradientEstimate e = empty_regression(d, blocks_);
    latest_slopes_.clear();
    for (std::size_t j = 0; j < blocks_->blocks.size(); ++j) {
      Block const& idx = blocks_->blocks[j];
      Block const& near = neighbourhoods_[j];
      RegressionEstimate const r = regress(d.scores(Eigen::all, near), target(d, true, j));
      Block const own = own_positions(j);
      latest_slopes_.push_back(r.slope);
      e.natural(idx) = r.slope(own);
      e.natural_covariance.block(j) = r.slope_covariance(own, own);
      e.fisher.block(j) = r.fisher(own, own);
      e.dof = std::min(e.dof, static_cast<double>(r.residual_dof));
    }
    covariance_gradients(e, d, blocks_, true);
    return e;
  }

  GradientEstimate unbiased(Draws const& d, GradientEstimate first, BlockDiagonal const& fisher) override {
    if (previous_slopes_.size() == blocks_->blocks.size()) {
      for (std::size_t j = 0; j < blocks_->blocks.size(); ++j) {
        Block const& idx = blocks_->blocks[j];
        Eigen::VectorXd others = previous_slopes_[j];
        others(own_positions(j)).setZero();
        CovarianceGradient const g = covariance_gradient(
            d.scores(Eigen::all, idx), target(d, true, j) - d.scores(Eigen::all, neighbourhoods_[j]) * others);
        first.gradient(idx) = g.gradient;
        first.covariance.block(j) = g.covariance;
      }
    }
    precondition_unbiased(first, d, fisher);
    return first;
  }

  void end_iteration() override { previous_slopes_ = latest_slopes_; }

 private:
  Blankets const& blankets_;
  std::size_t parameters_;
  // Where group j's own coordinates sit among its neighbourhood's.
  Block own_positions(std::size_t j) const { return positions_in(neighbourhoods_[j], blocks_->blocks[j]); }

  Layout blocks_;
  std::vector<Block> neighbourhoods_;  // each group's regressors, its neighbours' coordinates
  // Each group's slopes on its neighbourhood's coordinates, from the last
  // estimate() and from the iteration before this one's.
  std::vector<Eigen::VectorXd> latest_slopes_, previous_slopes_;
};

}  // namespace

std::unique_ptr<GradientEstimator> make_regression_rb_joint(EstimatorContext const& c) {
  return std::make_unique<NeighbourRegression>(c);
}

}  // namespace bbvi
