// The score-function averages of the BBVI paper (docs/method.md, 'The
// estimators'): ĝ is the mean over the draws of s·f, block by block, and δ is
// ĝ preconditioned by the block's empirical Fisher.
// - basic: Algorithm 1, f the whole log p − log q.
// - rb: Algorithm 2 without control variates: group j's coordinates use its
//   own Markov blanket's f_j (blankets.hpp), per element for vector latents.
// - cv: rb plus the control variate a*_j h_j, a*_j estimated leaving each
//   draw out, so that it adds no bias.
#include "runtime/bbvi/estimators/blocks.hpp"

#include <fmt/format.h>

#include <memory>

namespace bbvi {

namespace {

// Algorithm 2's control variate for one group, each draw's a*_j estimated
// from the other S − 1 draws: row t is F_t − a*_{−t} H_t.
Eigen::MatrixXd leave_one_out_control(Eigen::MatrixXd const& F, Eigen::MatrixXd const& H) {
  Eigen::Index const S = F.rows();
  double const n = static_cast<double>(S - 1);
  Eigen::RowVectorXd const sum_f = F.colwise().sum(), sum_h = H.colwise().sum();
  Eigen::RowVectorXd const sum_fh = F.cwiseProduct(H).colwise().sum(), sum_hh = H.cwiseProduct(H).colwise().sum();
  Eigen::MatrixXd out(F.rows(), F.cols());
  for (Eigen::Index t = 0; t < S; ++t) {
    Eigen::RowVectorXd const sf = sum_f - F.row(t), sh = sum_h - H.row(t);
    double const covariance =
        ((sum_fh - F.row(t).cwiseProduct(H.row(t))).array() - sf.array() * sh.array() / n).sum();
    double const variance = ((sum_hh - H.row(t).cwiseProduct(H.row(t))).array() - sh.array().square() / n).sum();
    double const a = variance > 0 ? covariance / variance : 0.0;
    out.row(t) = F.row(t) - a * H.row(t);
  }
  return out;
}

enum class Target { whole_f, blanket_f };
enum class Control { none, leave_one_out };

class ScoreAverage final : public GradientEstimator {
 public:
  ScoreAverage(EstimatorContext const& c, Target target, Control control)
      : blankets_(c.blankets),
        blocks_(group_blocks(c.blankets, c.program.parameter_dimension)),
        target_(target),
        control_(control) {}

  DrawNeeds needs() const override {
    return {target_ == Target::blanket_f ? &blankets_ : nullptr, nullptr, &blankets_};
  }
  std::size_t largest_block() const override { return largest(blocks_->blocks); }
  bool regresses() const override { return false; }

  std::string describe() const override {
    std::size_t const groups = blankets_.groups.size();
    if (target_ == Target::whole_f) return "Algorithm 1: the mean of score × (log p − log q) over the draws";
    if (control_ == Control::none)
      return fmt::format("Algorithm 2 without control variates: each of the {} groups uses the terms of its own "
                         "blanket",
                         groups);
    return fmt::format("Algorithm 2: each of the {} groups uses its own blanket's terms, with the control "
                       "variate a* estimated leaving each draw out",
                       groups);
  }

  GradientEstimate estimate(Draws const& d) override {
    GradientEstimate e;
    // Every group's terms share the draws' f (or overlapping blankets'), so
    // ĝ's noise is correlated across the groups: its covariance is one block.
    Eigen::MatrixXd covariance;
    mean_and_covariance(score_terms(d), e.gradient, covariance);
    e.covariance = BlockDiagonal(std::move(covariance));
    precondition(e, block_fisher(blocks_, d.scores), true);
    mean_elbo(e, d);
    e.dof = static_cast<double>(d.scores.rows()) - 1;
    e.hotelling = true;
    return e;
  }

  // The mean of s·f is unbiased already: only the preconditioning changes.
  GradientEstimate unbiased(Draws const&, GradientEstimate first, BlockDiagonal const& fisher) override {
    precondition(first, fisher, true);
    return first;
  }

 private:
  // Row s of the score-function terms: s_s · f_s, with cv's control variate
  // subtracted.
  Eigen::MatrixXd score_terms(Draws const& d) const {
    Eigen::MatrixXd terms(d.scores.rows(), d.scores.cols());
    for (std::size_t j = 0; j < blocks_->blocks.size(); ++j) {
      Block const& idx = blocks_->blocks[j];
      Eigen::MatrixXd const H = d.scores(Eigen::all, idx);
      Eigen::MatrixXd const F = H.array().colwise() * target(d, target_ == Target::blanket_f, j).array();
      terms(Eigen::all, idx) = control_ == Control::leave_one_out ? leave_one_out_control(F, H) : F;
    }
    return terms;
  }

  Blankets const& blankets_;
  Layout blocks_;
  Target target_;
  Control control_;
};

}  // namespace

std::unique_ptr<GradientEstimator> make_basic(EstimatorContext const& c) {
  return std::make_unique<ScoreAverage>(c, Target::whole_f, Control::none);
}

std::unique_ptr<GradientEstimator> make_rb(EstimatorContext const& c) {
  return std::make_unique<ScoreAverage>(c, Target::blanket_f, Control::none);
}

std::unique_ptr<GradientEstimator> make_cv(EstimatorContext const& c) {
  return std::make_unique<ScoreAverage>(c, Target::blanket_f, Control::leave_one_out);
}

}  // namespace bbvi
