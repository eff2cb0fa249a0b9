// local (docs/method.md, 'Local expectation gradients'): the groups where
// they pay (plan_local) get the exact expectation over their latent element
// by quadrature, given the rest of the draw, preconditioned by the family's
// exact Fisher; the other groups' slopes come from the joint regression, as
// in `regression`.
#include "runtime/bbvi/estimators/blocks.hpp"
#include "runtime/bbvi/local_expectation.hpp"
#include "runtime/bbvi/regression.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>

namespace bbvi {

namespace {

class LocalExpectations final : public GradientEstimator {
 public:
  explicit LocalExpectations(EstimatorContext const& c)
      : blankets_(c.blankets),
        parameters_(c.program.parameter_dimension),
        plan_(plan_local(c.program, c.blankets)),
        blocks_(group_blocks(c.blankets, c.program.parameter_dimension)),
        local_index_(c.blankets.groups.size(), 0) {
    for (std::size_t i = 0; i < plan_.groups.size(); ++i) local_index_[static_cast<std::size_t>(plan_.groups[i])] = i;
  }

  DrawNeeds needs() const override { return {&blankets_, &plan_, &blankets_}; }

  // A group that is not local is estimated by the joint regression.
  std::size_t largest_block() const override {
    for (std::size_t g = 0; g < blankets_.groups.size(); ++g)
      if (!blankets_.groups[g].coordinates.empty() && !plan_.is_local[g]) return parameters_;
    return largest(blocks_->blocks);
  }
  bool regresses() const override { return false; }

  std::string describe() const override {
    return fmt::format("the groups marked above as local expectations get the exact expectation over their "
                       "latent element by quadrature, given the rest of the draw; any other group's slopes come "
                       "from one least-squares regression of the whole log p − log q on all {} parameters' scores",
                       parameters_);
  }
  std::string_view group_note(std::size_t group) const override {
    return plan_.is_local[group] ? "local expectation, by quadrature" : "";
  }

  GradientEstimate estimate(Draws const& d) override {
    Eigen::Index const P = d.scores.cols();
    double const S = static_cast<double>(d.scores.rows());
    Eigen::VectorXd const f = d.elbo_terms();
    std::vector<bool> const local = exact_this_iteration(d);
    GradientEstimate e;
    e.gradient = e.natural = Eigen::VectorXd::Zero(P);
    e.covariance = e.natural_covariance = e.fisher = e.exact_fisher_inverse = BlockDiagonal(blocks_);
    mean_elbo(e, d);
    e.dof = std::numeric_limits<double>::infinity();
    std::optional<RegressionEstimate> joint;  // for the groups that are not local, made once
    for (std::size_t j = 0; j < blocks_->blocks.size(); ++j) {
      Block const& idx = blocks_->blocks[j];
      if (local[j]) {
        Eigen::VectorXd gradient;
        Eigen::MatrixXd covariance;
        mean_and_covariance(d.local.gradients(Eigen::all, idx), gradient, covariance);
        Eigen::MatrixXd const& fisher = d.local.fisher[local_index_[j]];
        Eigen::MatrixXd const inverse = inverse_of(fisher, true);
        e.gradient(idx) = gradient;
        e.covariance.block(j) = covariance;
        e.fisher.block(j) = fisher;
        e.exact_fisher_inverse.block(j) = inverse;
        e.natural(idx) = inverse * gradient;
        e.natural_covariance.block(j) = inverse * covariance * inverse;
        e.dof = std::min(e.dof, S - 1);
        e.hotelling = true;
        continue;
      }
      // A group that is not local, or whose expectation was not finite at
      // some point this iteration: the joint regression's slopes where the
      // draws suffice for it (the default S does when some group is not
      // local), else the regression on its own scores.
      if (d.scores.rows() > P + 1) {
        if (!joint) {
          joint = regress(d.scores, f);
          e.elbo = joint->intercept;  // control-variated by every score
          e.elbo_variance = joint->intercept_variance;
          e.dof = std::min(e.dof, static_cast<double>(joint->residual_dof));
        }
        e.natural(idx) = joint->slope(idx);
        e.natural_covariance.block(j) = joint->slope_covariance(idx, idx);
        e.fisher.block(j) = joint->fisher(idx, idx);
      } else {
        RegressionEstimate const r = regress(d.scores(Eigen::all, idx), f);
        e.natural(idx) = r.slope;
        e.natural_covariance.block(j) = r.slope_covariance;
        e.fisher.block(j) = r.fisher;
        e.dof = std::min(e.dof, static_cast<double>(r.residual_dof));
      }
      CovarianceGradient const g = covariance_gradient(d.scores(Eigen::all, idx), f);
      e.gradient(idx) = g.gradient;
      e.covariance.block(j) = g.covariance;
    }
    return e;
  }

  // Every group's ĝ is unbiased already: only the preconditioning changes.
  GradientEstimate unbiased(Draws const&, GradientEstimate first, BlockDiagonal const& fisher) override {
    precondition(first, fisher, true);
    return first;
  }

 private:
  // By group: local, and its expectation finite at every point this iteration.
  std::vector<bool> exact_this_iteration(Draws const& d) const {
    std::vector<bool> local(blankets_.groups.size(), false);
    if (d.local.failed.size() != plan_.groups.size() || plan_.groups.empty()) return local;
    local = plan_.is_local;
    for (std::size_t i = 0; i < plan_.groups.size(); ++i)
      if (d.local.failed[i]) local[static_cast<std::size_t>(plan_.groups[i])] = false;
    return local;
  }

  Blankets const& blankets_;
  std::size_t parameters_;
  LocalPlan plan_;
  Layout blocks_;
  std::vector<std::size_t> local_index_;  // by group: its place in plan_.groups, where it is local
};

}  // namespace

std::unique_ptr<GradientEstimator> make_local(EstimatorContext const& c) {
  return std::make_unique<LocalExpectations>(c);
}

}  // namespace bbvi
