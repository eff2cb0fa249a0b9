// The natural gradient by regression (docs/method.md, 'The natural gradient
// by regression'): δ is the slope of a least-squares regression of f on
// (1, scores), ĝ the covariance of the scores with f.
// - regression: one regression over all coordinates at once; its intercept
//   is the ELBO, control-variated by every score.
// - regression-groups: the same, group by group, on the full f.
// - regression-rb: group by group, each on its blanket's f_j.
#include "runtime/bbvi/estimators/blocks.hpp"
#include "runtime/bbvi/regression.hpp"

#include <fmt/format.h>

#include <memory>

namespace bbvi {

namespace {

enum class Blocks { joint, groups };
enum class Target { whole_f, blanket_f };

class LeastSquares final : public GradientEstimator {
 public:
  LeastSquares(EstimatorContext const& c, Blocks blocks, Target target)
      : blankets_(c.blankets),
        blocks_(blocks == Blocks::joint ? joint_block(c.program.parameter_dimension)
                                        : group_blocks(c.blankets, c.program.parameter_dimension)),
        joint_(blocks == Blocks::joint),
        blanket_f_(target == Target::blanket_f) {}

  DrawNeeds needs() const override { return {blanket_f_ ? &blankets_ : nullptr, nullptr, &blankets_}; }
  std::size_t largest_block() const override { return largest(blocks_->blocks); }
  bool regresses() const override { return true; }

  std::string describe() const override {
    if (joint_)
      return fmt::format("one least-squares regression of the whole log p − log q on all {} parameters' scores",
                         blocks_->blocks.front().size());
    if (!blanket_f_)
      return fmt::format("a least-squares regression of the whole log p − log q for each of the {} groups",
                         blocks_->blocks.size());
    return fmt::format("a least-squares regression for each of the {} groups, on its own blanket's terms",
                       blocks_->blocks.size());
  }

  GradientEstimate estimate(Draws const& d) override {
    GradientEstimate e = empty_regression(d, blocks_);
    for (std::size_t j = 0; j < blocks_->blocks.size(); ++j) {
      Block const& idx = blocks_->blocks[j];
      RegressionEstimate const r = regress(d.scores(Eigen::all, idx), target(d, blanket_f_, j));
      e.natural(idx) = r.slope;
      e.natural_covariance.block(j) = r.slope_covariance;
      e.fisher.block(j) = r.fisher;
      e.dof = std::min(e.dof, static_cast<double>(r.residual_dof));
      if (joint_) {
        e.elbo = r.intercept;
        e.elbo_variance = r.intercept_variance;
      }
    }
    covariance_gradients(e, d, blocks_, blanket_f_);
    return e;
  }

  // The slope's O(1/S) bias would decide where averaged steps settle: δ
  // becomes F⁻¹ĝ, ĝ the unbiased covariance.
  GradientEstimate unbiased(Draws const& d, GradientEstimate first, BlockDiagonal const& fisher) override {
    precondition_unbiased(first, d, fisher);
    return first;
  }

 private:
  Blankets const& blankets_;
  Layout blocks_;
  bool joint_;
  bool blanket_f_;
};

}  // namespace

std::unique_ptr<GradientEstimator> make_regression(EstimatorContext const& c) {
  return std::make_unique<LeastSquares>(c, Blocks::joint, Target::whole_f);
}

std::unique_ptr<GradientEstimator> make_regression_groups(EstimatorContext const& c) {
  return std::make_unique<LeastSquares>(c, Blocks::groups, Target::whole_f);
}

std::unique_ptr<GradientEstimator> make_regression_rb(EstimatorContext const& c) {
  return std::make_unique<LeastSquares>(c, Blocks::groups, Target::blanket_f);
}

}  // namespace bbvi
