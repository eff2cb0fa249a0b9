#include "runtime/bbvi/estimators.hpp"

#include "runtime/bbvi/regression.hpp"

#include <Eigen/Cholesky>

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>
#include <optional>

namespace bbvi {

namespace {

struct Named {
  Estimator estimator;
  std::string_view name;
};

constexpr std::array<Named, 8> names{{
    {Estimator::basic, "basic"},
    {Estimator::rb, "rb"},
    {Estimator::cv, "cv"},
    {Estimator::regression, "regression"},
    {Estimator::regression_groups, "regression-groups"},
    {Estimator::regression_rb, "regression-rb"},
    {Estimator::regression_rb_joint, "regression-rb-joint"},
    {Estimator::local, "local"},
}};

// M⁻¹ for a symmetric positive semi-definite M; with `ridge`, the same tiny
// ridge as the regression, so that one iteration's empirical Fisher from a
// degenerate draw set stays solvable.
Eigen::MatrixXd inverse_of(Eigen::MatrixXd m, bool ridge) {
  if (ridge) add_ridge(m);
  return Eigen::LDLT<Eigen::MatrixXd>(m).solve(Eigen::MatrixXd::Identity(m.rows(), m.cols()));
}

// Mean and covariance of the mean of S rows.
void mean_and_covariance(Eigen::MatrixXd const& terms, Eigen::VectorXd& mean, Eigen::MatrixXd& covariance) {
  double const S = static_cast<double>(terms.rows());
  mean = terms.colwise().mean().transpose();
  Eigen::MatrixXd const spread = terms.rowwise() - mean.transpose();
  covariance = spread.transpose() * spread / (S * (S - 1));
}

// Algorithm 2's control variate for one group, each draw's a*_i estimated
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

// Each group's neighbourhood: the coordinates of every group that shares a
// term of the log-joint with it (itself included), sorted. Only their
// latents move its blanket's f_i; the other groups' scores are independent
// of f_i and would add only noise as regressors.
std::vector<std::vector<Eigen::Index>> neighbourhoods(Blankets const& b) {
  std::vector<std::vector<int>> const near = neighbours(b);
  std::vector<std::vector<Eigen::Index>> out(near.size());
  for (std::size_t g = 0; g < near.size(); ++g) {
    for (int h : near[g]) {
      auto const& c = b.groups[static_cast<std::size_t>(h)].coordinates;
      out[g].insert(out[g].end(), c.begin(), c.end());
    }
    std::sort(out[g].begin(), out[g].end());
  }
  return out;
}

}  // namespace

std::string_view name_of(Estimator e) {
  for (Named const& n : names)
    if (n.estimator == e) return n.name;
  return "?";
}

std::optional<Estimator> estimator_named(std::string_view name) {
  for (Named const& n : names)
    if (n.name == name) return n.estimator;
  return std::nullopt;
}

std::vector<Estimator> const& all_estimators() {
  static std::vector<Estimator> const list = [] {
    std::vector<Estimator> out;
    for (Named const& n : names) out.push_back(n.estimator);
    return out;
  }();
  return list;
}

bool is_regression(Estimator e) {
  return e == Estimator::regression || e == Estimator::regression_groups || e == Estimator::regression_rb ||
         e == Estimator::regression_rb_joint;
}

bool uses_blankets(Estimator e) {
  return e == Estimator::rb || e == Estimator::cv || e == Estimator::regression_rb ||
         e == Estimator::regression_rb_joint || e == Estimator::local;
}

bool uses_local(Estimator e) { return e == Estimator::local; }

std::size_t largest_block(Estimator e, Blankets const& blankets, std::size_t parameters, LocalPlan const* local) {
  if (e == Estimator::regression) return parameters;
  if (e == Estimator::local) {
    // A group that is not local is estimated by the joint regression.
    for (std::size_t g = 0; g < blankets.groups.size(); ++g)
      if (!blankets.groups[g].coordinates.empty() && !(local && local->is_local[g])) return parameters;
  }
  std::size_t largest = 0;
  if (e == Estimator::regression_rb_joint) {
    for (auto const& n : neighbourhoods(blankets)) largest = std::max(largest, n.size());
    return largest;
  }
  for (FactorGroup const& g : blankets.groups) largest = std::max(largest, g.coordinates.size());
  return largest;
}

GradientEstimator::GradientEstimator(Estimator kind, Blankets blankets, std::size_t parameters, LocalPlan local)
    : kind_(kind), blankets_(std::move(blankets)), local_(std::move(local)) {
  if (kind_ == Estimator::regression) {
    blocks_.emplace_back(parameters);
    std::iota(blocks_.back().begin(), blocks_.back().end(), Eigen::Index{0});
  } else {
    for (FactorGroup const& g : blankets_.groups) blocks_.push_back(g.coordinates);
  }
  if (kind_ == Estimator::regression_rb_joint) neighbourhoods_ = neighbourhoods(blankets_);
}

Eigen::VectorXd GradientEstimator::target(Draws const& d, std::size_t block) const {
  if (uses_blankets(kind_)) return d.group_f.col(static_cast<Eigen::Index>(block));
  return d.elbo_terms();
}

Eigen::MatrixXd GradientEstimator::block_fisher(Eigen::MatrixXd const& scores) const {
  Eigen::Index const P = scores.cols();
  Eigen::MatrixXd const centred = scores.rowwise() - scores.colwise().mean();
  Eigen::MatrixXd fisher = Eigen::MatrixXd::Zero(P, P);
  for (auto const& idx : blocks_) {
    Eigen::MatrixXd const c = centred(Eigen::all, idx);
    fisher(idx, idx) = c.transpose() * c / static_cast<double>(scores.rows());
  }
  return fisher;
}

// Row s of the score-function terms: s_s · f_s, with each group's own f_i
// for rb and cv, and cv's control variate subtracted.
Eigen::MatrixXd GradientEstimator::score_terms(Draws const& d) const {
  Eigen::MatrixXd terms(d.scores.rows(), d.scores.cols());
  for (std::size_t j = 0; j < blocks_.size(); ++j) {
    auto const& idx = blocks_[j];
    Eigen::MatrixXd const H = d.scores(Eigen::all, idx);
    Eigen::MatrixXd const F = H.array().colwise() * target(d, j).array();
    terms(Eigen::all, idx) = kind_ == Estimator::cv ? leave_one_out_control(F, H) : F;
  }
  return terms;
}

GradientEstimate GradientEstimator::from_terms(Draws const& d, Eigen::MatrixXd const& terms,
                                               Eigen::MatrixXd const& fisher) const {
  GradientEstimate e;
  mean_and_covariance(terms, e.gradient, e.covariance);
  precondition(e, fisher, true);
  double const S = static_cast<double>(d.scores.rows());
  Eigen::VectorXd const f = d.elbo_terms();
  e.elbo = f.mean();
  e.elbo_variance = (f.array() - e.elbo).square().sum() / (S - 1) / S;
  e.dof = S - 1;
  e.hotelling = true;
  return e;
}

GradientEstimate GradientEstimator::local_estimate(Draws const& d) const {
  Eigen::Index const P = d.scores.cols();
  double const S = static_cast<double>(d.scores.rows());
  Eigen::VectorXd const f = d.elbo_terms();
  GradientEstimate e;
  e.gradient = e.natural = Eigen::VectorXd::Zero(P);
  e.covariance = e.natural_covariance = e.fisher = e.exact_fisher_inverse = Eigen::MatrixXd::Zero(P, P);
  e.elbo = f.mean();
  e.elbo_variance = (f.array() - e.elbo).square().sum() / (S - 1) / S;
  e.dof = std::numeric_limits<double>::infinity();
  std::optional<RegressionEstimate> joint;  // for the groups that are not local, made once
  for (std::size_t j = 0; j < blocks_.size(); ++j) {
    auto const& idx = blocks_[j];
    if (!d.local_groups.empty() && d.local_groups[j]) {
      Eigen::VectorXd gradient;
      Eigen::MatrixXd covariance;
      mean_and_covariance(d.local(Eigen::all, idx), gradient, covariance);
      Eigen::MatrixXd const inverse = inverse_of(d.local_fisher(idx, idx), true);
      e.gradient(idx) = gradient;
      e.covariance(idx, idx) = covariance;
      e.fisher(idx, idx) = d.local_fisher(idx, idx);
      e.exact_fisher_inverse(idx, idx) = inverse;
      e.natural(idx) = inverse * gradient;
      e.natural_covariance(idx, idx) = inverse * covariance * inverse;
      e.dof = std::min(e.dof, S - 1);
      e.hotelling = true;
      continue;
    }
    // A group that is not local, or whose expectation was not finite at some
    // point this iteration: the joint regression's slopes where the draws
    // suffice for it (the default S does when some group is not local), else
    // the regression on its own scores.
    if (d.scores.rows() > P + 1) {
      if (!joint) {
        joint = regress(d.scores, f);
        e.elbo = joint->intercept;  // control-variated by every score
        e.elbo_variance = joint->intercept_variance;
        e.dof = std::min(e.dof, static_cast<double>(joint->residual_dof));
      }
      e.natural(idx) = joint->slope(idx);
      e.natural_covariance(idx, idx) = joint->slope_covariance(idx, idx);
      e.fisher(idx, idx) = joint->fisher(idx, idx);
    } else {
      RegressionEstimate const r = regress(d.scores(Eigen::all, idx), f);
      e.natural(idx) = r.slope;
      e.natural_covariance(idx, idx) = r.slope_covariance;
      e.fisher(idx, idx) = r.fisher;
      e.dof = std::min(e.dof, static_cast<double>(r.residual_dof));
    }
    CovarianceGradient const g = covariance_gradient(d.scores(Eigen::all, idx), f);
    e.gradient(idx) = g.gradient;
    e.covariance(idx, idx) = g.covariance;
  }
  return e;
}

GradientEstimate GradientEstimator::estimate(Draws const& d) const {
  if (kind_ == Estimator::local) return local_estimate(d);
  if (!is_regression(kind_)) return from_terms(d, score_terms(d), block_fisher(d.scores));
  Eigen::Index const P = d.scores.cols();
  double const S = static_cast<double>(d.scores.rows());
  Eigen::VectorXd const f = d.elbo_terms();
  GradientEstimate e;
  e.natural = Eigen::VectorXd::Zero(P);
  e.natural_covariance = Eigen::MatrixXd::Zero(P, P);
  e.fisher = Eigen::MatrixXd::Zero(P, P);
  e.elbo = f.mean();
  e.elbo_variance = (f.array() - e.elbo).square().sum() / (S - 1) / S;
  e.dof = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < blocks_.size(); ++j) {
    auto const& idx = blocks_[j];
    if (kind_ == Estimator::regression_rb_joint) {
      auto const& near = neighbourhoods_[j];
      RegressionEstimate const r = regress(d.scores(Eigen::all, near), target(d, j));
      std::vector<Eigen::Index> own;  // where idx's coordinates sit in `near`
      for (Eigen::Index c : idx) own.push_back(std::find(near.begin(), near.end(), c) - near.begin());
      e.group_slopes.push_back(Eigen::VectorXd::Zero(P));
      e.group_slopes.back()(near) = r.slope;
      e.natural(idx) = r.slope(own);
      e.natural_covariance(idx, idx) = r.slope_covariance(own, own);
      e.fisher(idx, idx) = r.fisher(own, own);
      e.dof = std::min(e.dof, static_cast<double>(r.residual_dof));
      continue;
    }
    RegressionEstimate const r = regress(d.scores(Eigen::all, idx), target(d, j));
    e.natural(idx) = r.slope;
    e.natural_covariance(idx, idx) = r.slope_covariance;
    e.fisher(idx, idx) = r.fisher;
    e.dof = std::min(e.dof, static_cast<double>(r.residual_dof));
    if (kind_ == Estimator::regression) {  // the joint intercept is the ELBO, control-variated
      e.elbo = r.intercept;
      e.elbo_variance = r.intercept_variance;
    }
  }
  // The Euclidean gradient: the covariance of s and f (F̂δ up to S/(S − 1)),
  // with its own sample covariance. The slope δ is far more precise than
  // F̂δ: F̂'s own noise multiplies δ.
  e.gradient = Eigen::VectorXd::Zero(P);
  e.covariance = Eigen::MatrixXd::Zero(P, P);
  for (std::size_t j = 0; j < blocks_.size(); ++j) {
    auto const& idx = blocks_[j];
    CovarianceGradient const g = covariance_gradient(d.scores(Eigen::all, idx), target(d, j));
    e.gradient(idx) = g.gradient;
    e.covariance(idx, idx) = g.covariance;
  }
  return e;
}

void GradientEstimator::precondition(GradientEstimate& e, Eigen::MatrixXd const& fisher, bool ridge) const {
  Eigen::Index const P = e.gradient.size();
  Eigen::MatrixXd inverse = Eigen::MatrixXd::Zero(P, P);
  for (auto const& idx : blocks_) inverse(idx, idx) = inverse_of(fisher(idx, idx), ridge);
  e.fisher = fisher;
  e.natural = inverse * e.gradient;
  e.natural_covariance = inverse * e.covariance * inverse;
}

GradientEstimate GradientEstimator::unbiased(Draws const& d, GradientEstimate e, Eigen::MatrixXd const& fisher,
                                              GradientEstimate const* previous) const {
  // Every estimator's Euclidean gradient is unbiased already: only the
  // preconditioning changes, and regression-rb-joint's control variates.
  if (!is_regression(kind_)) {
    precondition(e, fisher, true);
    return e;
  }
  if (kind_ == Estimator::regression_rb_joint && previous && previous->group_slopes.size() == blocks_.size()) {
    for (std::size_t j = 0; j < blocks_.size(); ++j) {
      auto const& idx = blocks_[j];
      Eigen::VectorXd others = previous->group_slopes[j];
      others(idx).setZero();
      CovarianceGradient const g =
          covariance_gradient(d.scores(Eigen::all, idx), target(d, j) - d.scores * others);
      e.gradient(idx) = g.gradient;
      e.covariance(idx, idx) = g.covariance;
    }
  }
  e.hotelling = true;
  e.dof = std::numeric_limits<double>::infinity();
  for (auto const& idx : blocks_)
    e.dof = std::min(e.dof, static_cast<double>(d.scores.rows()) - static_cast<double>(idx.size()));
  precondition(e, fisher, false);
  return e;
}

}  // namespace bbvi
