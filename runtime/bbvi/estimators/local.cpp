// local (docs/method.md, 'Local expectation gradients'): the groups where
// they pay (plan_local) get the exact expectation over their latent element
// by quadrature, given the rest of the draw, preconditioned by the family's
// exact Fisher. The other groups' slopes come from one joint regression on
// every score when the model has few parameters, as in `regression`; else
// from a regression of each group's own blanket's f_j, on the scores of its
// neighbourhood where that is small and else on its own (docs/method.md,
// 'Cost follows the graph'), so that the draws needed do not grow with the
// number of groups.
#include "runtime/bbvi/control_variates.hpp"
#include "runtime/bbvi/estimators/blocks.hpp"
#include "runtime/bbvi/linear_predictor_curvature.hpp"
#include "runtime/bbvi/local_cost.hpp"
#include "runtime/bbvi/local_expectation.hpp"
#include "runtime/bbvi/location_curvature.hpp"
#include "runtime/bbvi/regressed_curvature.hpp"
#include "runtime/bbvi/regression.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/evaluate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>

namespace bbvi {

namespace {

// Up to this many parameters, the groups that are not local share one
// regression of the whole f on every score: the default S (2P + 2) is then
// small, and the regression's intercept gives a control-variated ELBO.
// Beyond it, a group that is not local regresses its f_j on its
// neighbourhood's scores (control variates for the part of f_j its
// neighbours' latents explain) when the neighbourhood has at most this many
// coordinates, else on its own: S must exceed the regressors + 1, and a
// neighbourhood grows with the model (a population mean's holds every group).
// 64: a 10-coefficient logistic regression (20 parameters) regressed group by
// group on its own scores reached the 10,000-iteration cap, where the joint
// regression converged in 1,449 iterations.
constexpr std::size_t largest_regression = 64;

// The groups whose locations the joint regression's draws also measure the
// coupled step's curvature for (regressed_curvature.hpp): those that are not
// local, in a model small enough for the joint regression, and only where no
// location is local (the two would have no curvature between them).
std::vector<bool> regressed_locations(Program const& program, Blankets const& blankets, LocalPlan const& plan) {
  std::vector<bool> eligible(blankets.groups.size(), false);
  if (program.parameter_dimension > largest_regression) return eligible;
  for (std::size_t i = 0; i < plan.groups.size(); ++i)
    if (location_of(program, plan.element[i])) return eligible;
  for (std::size_t g = 0; g < blankets.groups.size(); ++g) eligible[g] = !plan.is_local[g];
  return eligible;
}

// The linear predictor of the latent elements whose groups take their
// gradient in closed form from it (docs/method.md, 'A dense regression in
// closed form'): every Normal-guided element alone in its group, whose
// coordinates are its location and an sd of its own, where every term
// reading them is Gaussian in them and every likelihood among those a
// reduced dense regression. Nothing otherwise.
std::optional<LinearPredictorCurvature> closed_form(Program const& program, Blankets const& blankets) {
  std::vector<std::size_t> elements;
  std::vector<Eigen::Index> coordinates;
  for (FactorGroup const& group : blankets.groups) {
    if (group.latent_elements.size() != 1 || group.coordinates.size() != 2) continue;
    std::size_t const e = group.latent_elements[0];
    std::optional<Eigen::Index> const location = location_of(program, e);
    std::optional<ScaleCoordinate> const scale = scale_of(program, e);
    if (!location || !scale) continue;
    auto const owns = [&](Eigen::Index c) {
      return std::find(group.coordinates.begin(), group.coordinates.end(), c) != group.coordinates.end();
    };
    if (!owns(*location) || !owns(scale->coordinate)) continue;
    elements.push_back(e);
    coordinates.push_back(*location);
    coordinates.push_back(scale->coordinate);
  }
  std::sort(coordinates.begin(), coordinates.end());
  if (elements.empty() || std::adjacent_find(coordinates.begin(), coordinates.end()) != coordinates.end())
    return std::nullopt;
  LinearPredictorCurvature curvature(program, elements, true);
  if (!curvature.gaussian()) return std::nullopt;
  return curvature;
}

std::vector<bool> by_element(std::vector<std::size_t> const& elements, std::size_t latent_dimension) {
  std::vector<bool> out(latent_dimension, false);
  for (std::size_t e : elements) out[e] = true;
  return out;
}

// The coordinates of the local groups whose guide factor reads a whole
// vector (a Categorical's, over a simplex or a softmax): their gradient and
// Fisher are exact sums over the categories, and their scores are left out
// of every regression as control variates (zeroed). The scores of the
// categories the draws took sum to a constant whenever some category is not
// drawn (a simplex's pinned last one; always, for K free coordinates under
// a softmax), which makes the regression singular and its intercept, the
// ELBO, meaningless (docs/method.md, 'The unconstrained coordinates').
std::vector<Eigen::Index> exact_categorical_coordinates(Program const& program, Blankets const& blankets,
                                                        LocalPlan const& plan) {
  std::vector<bool> categorical(program.latent_dimension, false);
  for (Statement const& st : program.guide)
    if (auto const* f = std::get_if<Factor>(&st); f && !f->distribution->signature.whole_vector.empty()) {
      LatentVariable const& v = program.latents[static_cast<std::size_t>(f->latent)];
      std::fill_n(categorical.begin() + static_cast<std::ptrdiff_t>(v.offset), v.length(), true);
    }
  std::vector<Eigen::Index> out;
  for (std::size_t g = 0; g < blankets.groups.size(); ++g) {
    FactorGroup const& group = blankets.groups[g];
    if (plan.is_local[g] && categorical[group.latent_elements[0]])
      out.insert(out.end(), group.coordinates.begin(), group.coordinates.end());
  }
  return out;
}

class LocalExpectations final : public GradientEstimator {
 public:
  explicit LocalExpectations(EstimatorContext const& c)
      : blankets_(c.blankets),
        parameters_(c.program.parameter_dimension),
        closed_curvature_(closed_form(c.program, c.blankets)),
        closed_form_(closed_curvature_ ? closed_curvature_->locations() : std::vector<std::size_t>{}),
        plan_(plan_local(c.program, c.blankets, by_element(closed_form_, c.program.latent_dimension))),
        blocks_(group_blocks(c.blankets, c.program.parameter_dimension)),
        local_index_(c.blankets.groups.size(), 0),
        regressors_(neighbourhoods(c.blankets)),
        curvature_(c.program, c.blankets, plan_),
        regressed_curvature_(c.program, c.blankets,
                             closed_form_.empty() ? regressed_locations(c.program, c.blankets, plan_)
                                                  : std::vector<bool>(c.blankets.groups.size(), false)),
        linear_curvature_(c.program, closed_form_.empty() ? linear_elements() : std::vector<std::size_t>{}),
        program_(c.program) {
    for (std::size_t i = 0; i < plan_.groups.size(); ++i) local_index_[static_cast<std::size_t>(plan_.groups[i])] = i;
    thinnable_.assign(c.blankets.groups.size(), false);
    for (std::size_t c_index = 0; c_index < plan_.colours.size(); ++c_index)
      for (std::size_t i : plan_.colours[c_index])
        thinnable_[static_cast<std::size_t>(plan_.groups[i])] = plan_.terms_per_point[c_index] > 0;
    exact_categorical_ = exact_categorical_coordinates(c.program, c.blankets, plan_);
    for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(parameters_); ++i)
      if (std::find(exact_categorical_.begin(), exact_categorical_.end(), i) == exact_categorical_.end())
        joint_columns_.push_back(i);
    closed_group_.assign(blankets_.groups.size(), false);
    std::vector<bool> const closed = by_element(closed_form_, c.program.latent_dimension);
    for (std::size_t g = 0; g < blankets_.groups.size(); ++g) {
      std::vector<std::size_t> const& elements = blankets_.groups[g].latent_elements;
      closed_group_[g] = elements.size() == 1 && closed[elements[0]];
    }
    from_rows_.assign(blankets_.groups.size(), false);
    for (std::size_t colour = 0; colour < plan_.colours.size(); ++colour)
      for (std::size_t i : plan_.colours[colour])
        from_rows_[static_cast<std::size_t>(plan_.groups[i])] = plan_.rows[colour].by_rows;
    expected_terms_ = plan_expected_terms(c.program);
    controls_.resize(regressors_.size());
    for (std::size_t g = 0; g < regressors_.size(); ++g) {
      if (regressors_[g].size() > largest_regression) regressors_[g] = blocks_->blocks[g];
      Block const& own = blocks_->blocks[g];
      std::copy_if(regressors_[g].begin(), regressors_[g].end(), std::back_inserter(controls_[g]),
                   [&](Eigen::Index i) { return std::find(own.begin(), own.end(), i) == own.end(); });
      if (regressed_with_others(g)) regressed_ = true;
    }
    // The local groups that share their controls share their fit.
    std::map<Block, std::size_t> sets;
    control_set_.assign(regressors_.size(), 0);
    for (int g : plan_.groups) {
      std::size_t const group = static_cast<std::size_t>(g);
      if (controls_[group].empty()) continue;
      auto const [found, added] = sets.try_emplace(controls_[group], control_sets_.size());
      if (added) control_sets_.push_back(controls_[group]);
      control_set_[group] = found->second;
    }
    joint_ = regressed_ && parameters_ <= largest_regression;
    if (!linear().empty()) {
      std::vector<std::size_t> const elements = linear_elements();
      for (std::size_t e : elements) linear_coordinates_.push_back(*location_of(c.program, e));
      // Each location and sd its own coordinate: an sd shared by a vector's
      // elements has the sum of their gradients, which the blocks below do
      // not add up.
      std::vector<Eigen::Index> coordinates;
      for (std::size_t e : elements)
        if (std::optional<ScaleCoordinate> const scale = scale_of(c.program, e)) {
          linear_scales_.push_back(*scale);
          coordinates.push_back(scale->coordinate);
          coordinates.push_back(*location_of(c.program, e));
        }
      std::sort(coordinates.begin(), coordinates.end());
      if (linear_scales_.size() != elements.size() ||
          std::adjacent_find(coordinates.begin(), coordinates.end()) != coordinates.end())
        linear_scales_.clear();
      // A Gaussian's second derivative is the same at every draw but for the
      // other latents' (the noise's): the draws sample it from the first.
      price_pays_.assign(linear_scales_.size(), linear().gaussian() ? 1 : 0);
      price_paid_ = price_pays_;
    }
    controls_pay_.assign(regressors_.size(), 0);
    uncontrolled_noise_.assign(regressors_.size(), 0);
    controls_paid_.assign(regressors_.size(), 0);
  }

  DrawNeeds needs() const override {
    bool const expected = std::any_of(expected_terms_.begin(), expected_terms_.end(),
                                      [](std::vector<ExpectedTerm> const& t) { return !t.empty(); });
    return {&blankets_, &plan_, &blankets_, !curvature_.empty(), !linear().empty() || expected, &local_draws_wanted_};
  }
  std::size_t curvature_regressors() const override {
    if (!closed_form_.empty()) return 0;
    // M comes from the linear predictors, whose control variates need only
    // more draws than locations: the regressions' curvature, the fallback
    // where the predictors reject a draw, is skipped where the draws are
    // too few for it (docs/method.md, 'The curvature from the linear
    // predictor').
    if (!linear().empty()) return linear().locations().size();
    return curvature_.empty() ? regressed_curvature_.regressors() : curvature_.largest_regression();
  }
  std::size_t coupled_locations() const override {
    if (!closed_form_.empty()) return closed_form_.size();
    return curvature_.empty() ? regressed_curvature_.locations() : curvature_.locations();
  }

  // A group that is not local is estimated by the joint regression, or by
  // its own.
  std::size_t largest_block() const override {
    if (joint_) return parameters_;
    std::size_t most = largest(blocks_->blocks);
    for (std::size_t g = 0; g < blankets_.groups.size(); ++g)
      if (regressed_with_others(g)) most = std::max(most, regressors_[g].size());
    return most;
  }
  bool regresses() const override { return false; }

  std::string describe() const override {
    return describe_groups() + describe_thinning() + describe_linear_predictor() + describe_rows_coupling();
  }
  std::string describe_thinning() const {
    if (!thins()) return "";
    return fmt::format("; under the natural-gradient step, a local group whose points cost more than a draw's "
                       "log-joint is taken at some of the draws only, as few as keep its noise below the other "
                       "groups' together (at least {}), or at none, its slopes from the regression, where the "
                       "regression's noise for it is below theirs already",
                       fewest_local_draws);
  }
  std::string describe_rows_coupling() const {
    if (!closed_form_.empty() || !linear().empty() || !curvature_.from_rows()) return "";
    return fmt::format("; the coupled step's curvature between the {} locations comes from their rows' second "
                       "derivatives, exactly at each draw",
                       curvature_.locations());
  }
  std::string describe_linear_predictor() const {
    if (linear().empty()) return "";
    if (linear().gaussian())
      return fmt::format("; the {} groups marked above as in closed form (Normal factors whose every term is "
                         "Gaussian in their latents) take the gradient of their locations and sds, and the "
                         "curvature of their locations, from the likelihood's statistics, exactly over their own "
                         "draws given the other latents'",
                         closed_form_.size());
    if (coupled_locations() == 1)
      return fmt::format("; the Normal factor whose latent enters a linear predictor takes the gradient and "
                         "curvature of its location{} from that predictor (Bonnet's and Price's theorems)",
                         linear_scales_.empty() ? "" : ", and the gradient of its sd where the draws sample it,");
    return fmt::format("; the {} Normal factors whose latents enter one linear predictor take the gradient and "
                       "curvature of their locations{} from that predictor (Bonnet's and Price's theorems)",
                       coupled_locations(),
                       linear_scales_.empty() ? "" : ", and the gradient of their sds where the draws sample it,");
  }
  std::string describe_groups() const {
    if (!regressed_ && !closed_form_.empty())
      return "the groups marked above as local expectations get the exact expectation over their latent element by "
             "quadrature, given the rest of the draw";
    if (!regressed_ || joint_)
      return fmt::format("the groups marked above as local expectations get the exact expectation over their "
                         "latent element by quadrature, given the rest of the draw; any other group's slopes come "
                         "from one least-squares regression of the whole log p − log q on all {} parameters' scores",
                         parameters_);
    return fmt::format("the groups marked above as local expectations get the exact expectation over their "
                       "latent element by quadrature, given the rest of the draw; any other group's slopes come "
                       "from a least-squares regression of its own blanket's terms on the scores of its "
                       "neighbourhood (its own alone where that has more than {} of the {} parameters)",
                       largest_regression, parameters_);
  }
  std::string_view group_note(std::size_t group) const override {
    if (closed_group_[group]) return "in closed form, from the likelihood's statistics";
    if (from_rows_[group]) return "local expectation, by quadrature on its rows' derivatives";
    return plan_.is_local[group] ? "local expectation, by quadrature" : "";
  }

  GradientEstimate estimate(Draws const& d) override {
    if (exact_categorical_.empty()) return estimate_from(d);
    Draws masked = d;
    for (Eigen::Index c : exact_categorical_) masked.scores.col(c).setZero();
    return estimate_from(masked);
  }

 private:
  GradientEstimate estimate_from(Draws const& d) {
    Eigen::Index const P = d.scores.cols();
    double const S = static_cast<double>(d.scores.rows());
    std::vector<bool> const local = exact_this_iteration(d);
    GradientEstimate e;
    e.gradient = e.natural = Eigen::VectorXd::Zero(P);
    e.covariance = e.natural_covariance = e.fisher = e.exact_fisher_inverse = BlockDiagonal(blocks_);
    mean_elbo(e, d);
    e.dof = std::numeric_limits<double>::infinity();
    std::optional<RegressionEstimate> joint;  // for the groups that are not local, made once
    std::vector<double> dof(blocks_->blocks.size(), std::numeric_limits<double>::infinity());
    // The closed form's groups first: those it gives need nothing else.
    std::vector<char> closed(blocks_->blocks.size(), 0);
    std::vector<ControlFit> control_fits;
    for (Block const& set : control_sets_)
      control_fits.push_back(control_fit(d.scores(Eigen::all, in(set)), d.scores.rows()));
    if (!closed_form_.empty()) {
      LocationCoupling c;
      c.coordinates = linear_coordinates_;
      if (from_linear_predictor(d, local, c, e, &closed))
        e.coupling = std::make_shared<LocationCoupling const>(std::move(c));
    }
    auto const block = [&](std::size_t j) {
      Block const& idx = blocks_->blocks[j];
      if (closed[j]) {
        dof[j] = S - 1;
        return;
      }
      if (local[j]) {
        Eigen::VectorXd gradient;
        Eigen::MatrixXd covariance;
        Eigen::MatrixXd const& fisher = d.local.fisher[local_index_[j]];
        Eigen::MatrixXd const inverse = inverse_of(fisher, true);
        std::size_t const stride = d.local.stride.empty() ? 1 : d.local.stride[local_index_[j]];
        // Taken at some of the draws alone (local_cost.hpp): their mean,
        // their covariance and their degrees of freedom.
        double m = S;
        if (stride > 1) {
          std::vector<Eigen::Index> const taken = draws_taken(static_cast<int>(S), stride);
          mean_and_covariance(d.local.gradients(taken, in(idx)), gradient, covariance);
          m = static_cast<double>(taken.size());
        } else {
          mean_and_covariance(d.local.gradients(Eigen::all, in(idx)), gradient, covariance);
        }
        dof[j] = m - 1;
        if (thinnable_[j]) uncontrolled_noise_[j] = 0.5 * (fisher * inverse * covariance * inverse).trace() * m;
        // The controls are fitted to every draw's scores: none for a colour
        // taken at some draws.
        if (stride == 1 && !controls_[j].empty())
          with_controls(d, j, control_fits[control_set_[j]], inverse, gradient, covariance);
        e.gradient(in(idx)) = gradient;
        e.covariance.block(j) = covariance;
        e.fisher.block(j) = fisher;
        e.exact_fisher_inverse.block(j) = inverse;
        e.natural(in(idx)) = inverse * gradient;
        e.natural_covariance.block(j) = inverse * covariance * inverse;
        return;
      }
      if (!expected_terms_[j].empty())
        if (std::optional<Eigen::VectorXd> const f = expected_f(d, j)) {
          dof[j] = own_regression(d, j, *f, e);
          return;
        }
      if (parameters_ <= largest_regression) {
        joint_regression(d, j, e, joint);
        return;
      }
      if (idx.empty()) return;
      // A group that is not local, or whose expectation was not finite at
      // some point this iteration: its blanket's f_j regressed on its
      // neighbourhood's scores where the draws suffice for that (the
      // default S does for a group that is not local), else on its own.
      Eigen::VectorXd const f = d.group_f.col(static_cast<Eigen::Index>(j));
      Block const& near = static_cast<Eigen::Index>(regressors_[j].size()) + 1 < d.scores.rows() ? regressors_[j] : idx;
      RegressionEstimate const r = regress(d.scores(Eigen::all, near), f);
      Block const own = positions_in(near, idx);
      e.natural(idx) = r.slope(own);
      e.natural_covariance.block(j) = r.slope_covariance(own, own);
      e.fisher.block(j) = r.fisher(own, own);
      dof[j] = static_cast<double>(r.residual_dof);
      CovarianceGradient const g = covariance_gradient(d.scores(Eigen::all, idx), f);
      e.gradient(idx) = g.gradient;
      e.covariance.block(j) = g.covariance;
    };
    // Every group writes its own coordinates and blocks; the joint
    // regression, shared by the groups that are not local in a small model,
    // is made in order on one thread.
    if (parameters_ > largest_regression && d.pool)
      d.pool->run(blocks_->blocks.size(), block);
    else
      for (std::size_t j = 0; j < blocks_->blocks.size(); ++j) block(j);
    for (std::size_t j = 0; j < blocks_->blocks.size(); ++j) {
      e.dof = std::min(e.dof, dof[j]);
      if (local[j]) e.hotelling = true;
    }
    if (closed_form_.empty() && (!curvature_.empty() || !regressed_curvature_.empty())) {
      // Where the likelihood is not Gaussian in the locations, M from
      // their linear predictors: its error is relative along a ridge,
      // where the regressions' is not (linear_predictor_curvature.hpp).
      // The regressions are the fallback where the predictors reject the
      // draws (and are skipped where the draws, sized for the predictors,
      // are too few for them).
      LocationCoupling c;
      c.coordinates = linear_coordinates_;
      if (linear().empty() || !from_linear_predictor(d, local, c, e))
        c = curvature_.empty() ? regressed_curvature_.measure(program_, d)
                               : curvature_.measure(d, last_curvature_.size() > 0 ? &last_curvature_ : nullptr);
      if (!c.coordinates.empty()) {
        if (!curvature_.empty()) last_curvature_ = c.curvature;
        e.coupling = std::make_shared<LocationCoupling const>(std::move(c));
      }
    }
    local_draws_to_want_ = local_draws_wanted(d, e, local, joint);
    return e;
  }

 public:
  void end_iteration() override {
    local_draws_wanted_ = local_draws_to_want_;
    controls_paid_ = controls_pay_;
    price_paid_ = price_pays_;
  }

  // Every group's ĝ is unbiased already: only the preconditioning changes.
  GradientEstimate unbiased(Draws const&, GradientEstimate first, BlockDiagonal const& fisher) override {
    precondition(first, fisher, true);
    return first;
  }

 private:
  // Group j's slopes from the joint regression where the draws suffice for
  // it (the default S does), else from the regression of the whole f on its
  // own scores.
  void joint_regression(Draws const& d, std::size_t j, GradientEstimate& e,
                        std::optional<RegressionEstimate>& joint) const {
    Eigen::Index const P = static_cast<Eigen::Index>(joint_columns_.size());
    Block const& idx = blocks_->blocks[j];
    Eigen::VectorXd const f = d.elbo_terms();
    Block const at = positions_in(joint_columns_, idx);
    bool const in_joint = std::all_of(at.begin(), at.end(), [&](Eigen::Index c) { return c < P; });
    if (d.scores.rows() > P + 1 && in_joint) {
      if (!joint) {
        joint = regress(d.scores(Eigen::all, joint_columns_), f);
        e.elbo = joint->intercept;  // control-variated by every score
        e.elbo_variance = joint->intercept_variance;
        e.dof = std::min(e.dof, static_cast<double>(joint->residual_dof));
      }
      e.natural(idx) = joint->slope(at);
      e.natural_covariance.block(j) = joint->slope_covariance(at, at);
      e.fisher.block(j) = joint->fisher(at, at);
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

  // A dense regression's Normal likelihood in group j's blanket, whose
  // coefficients are all Normal-guided locations with sds of their own and
  // do not include the group's latent (the noise precision's group).
  struct ExpectedTerm {
    std::size_t statement = 0;
    std::vector<Eigen::Index> locations;  // by element of the statement's AffineNormal
    std::vector<ScaleCoordinate> scales;
  };
  std::vector<std::vector<ExpectedTerm>> plan_expected_terms(Program const& program) const {
    std::vector<std::vector<ExpectedTerm>> out(blankets_.groups.size());
    for (std::size_t g = 0; g < blankets_.groups.size(); ++g) {
      FactorGroup const& group = blankets_.groups[g];
      if (plan_.is_local[g] || group.coordinates.empty() || group.latent_elements.size() != 1) continue;
      std::size_t const own = group.latent_elements[0];
      for (std::size_t st = 0; st < program.model.size(); ++st) {
        auto const* f = std::get_if<Factor>(&program.model[st]);
        TermGroups const& t = blankets_.terms[st];
        if (!f || !f->affine || !t.uniform || std::find(t.groups.begin(), t.groups.end(), static_cast<int>(g)) ==
                                                      t.groups.end())
          continue;
        ExpectedTerm term;
        term.statement = st;
        for (std::size_t e : f->affine->elements) {
          std::optional<Eigen::Index> const location = location_of(program, e);
          std::optional<ScaleCoordinate> const scale = scale_of(program, e);
          if (e == own || !location || !scale) break;
          term.locations.push_back(*location);
          term.scales.push_back(*scale);
        }
        if (term.locations.size() == f->affine->elements.size()) out[g].push_back(std::move(term));
      }
    }
    return out;
  }

  // Group j's f_j at each draw with its dense regressions' likelihoods taken
  // in expectation over their coefficients, in closed form
  // (AffineNormal::expected_log_density_sum; docs/method.md, 'The noise
  // precision in expectation over the coefficients'): the coefficients are
  // independent of the group's latent under q, so E[f_j s_j] is unchanged
  // while the coefficients' spread leaves f_j. Nothing where a draw's
  // likelihood is not finite (the rows then gave f_j).
  std::optional<Eigen::VectorXd> expected_f(Draws const& d, std::size_t j) const {
    Eigen::VectorXd f = d.group_f.col(static_cast<Eigen::Index>(j));
    try {
      for (ExpectedTerm const& t : expected_terms_[j]) {
        Factor const& factor = std::get<Factor>(program_.model[t.statement]);
        AffineNormal const& affine = *factor.affine;
        std::vector<double> means(program_.latent_dimension, 0.0);
        Eigen::VectorXd sds(static_cast<Eigen::Index>(t.scales.size()));
        for (std::size_t k = 0; k < t.scales.size(); ++k) {
          means[affine.elements[k]] = d.u[t.locations[k]];
          sds[static_cast<Eigen::Index>(k)] = t.scales[k].constraint.constrain(d.u[t.scales[k].coordinate]);
        }
        for (Eigen::Index s = 0; s < f.size(); ++s) {
          std::vector<double> const z(d.latents.row(s).begin(), d.latents.row(s).end());
          double const sd = evaluate_in_model(program_, z, t.statement, factor.args[1]).at(0);
          double const at_draw = affine.log_density_sum(z, sd);
          double const expected = affine.expected_log_density_sum(means, sds, sd);
          if (!std::isfinite(at_draw) || !std::isfinite(expected)) return std::nullopt;
          f[s] += expected - at_draw;
        }
      }
    } catch (DomainError const&) {
      return std::nullopt;
    }
    return f;
  }

  // Group j's slopes from the regression of `f` on its own scores; its
  // Fisher's inverse is the floor of the noise test (natural_gradient.cpp's
  // wald), since with the coefficients' spread gone f can be exactly linear
  // in the scores (a Gamma guide on a Normal noise precision's) and the
  // residuals then vanish.
  // Returns its residual degrees of freedom.
  double own_regression(Draws const& d, std::size_t j, Eigen::VectorXd const& f, GradientEstimate& e) const {
    Block const& idx = blocks_->blocks[j];
    RegressionEstimate const r = regress(d.scores(Eigen::all, idx), f);
    e.natural(idx) = r.slope;
    e.natural_covariance.block(j) = r.slope_covariance;
    e.fisher.block(j) = r.fisher;
    e.exact_fisher_inverse.block(j) = inverse_of(r.fisher, true);
    CovarianceGradient const g = covariance_gradient(d.scores(Eigen::all, idx), f);
    e.gradient(idx) = g.gradient;
    e.covariance.block(j) = g.covariance;
    return static_cast<double>(r.residual_dof);
  }

  // Whether some local colour may be taken at some of the draws only.
  bool thins() const { return std::any_of(thinnable_.begin(), thinnable_.end(), [](bool t) { return t; }); }

  // By colour, the fewest draws the next iteration should take it at
  // (colour_strides): enough that its groups' noise, ½ tr(F Cov) of their
  // natural gradient as the step's tests read it, is no more than every
  // other group's together, the coupled step's locations left out (its
  // decrement certifies them). A colour taken at some draws goes without
  // its controls, so its noise is weighed without them. A costly colour
  // whose expectation varies little from draw to draw (a changepoint's
  // period inside a density call, given rates the data pin down) is then
  // taken at a few draws; one whose noise is most of the step's (a
  // Student-t's degrees of freedom, beside coefficients on the coupled
  // step) at every draw. 0, at none, where the joint regression's noise for
  // the colour's groups is no more than the others' already: their slopes
  // then come from it, as a group's that is not local, at no cost beyond
  // the draws (a mixture's σ inside log_mix). `joint`: this iteration's
  // joint regression, where made (docs/method.md, 'Local expectations at
  // some of the draws'). Empty where no colour may be thinned.
  std::vector<std::size_t> local_draws_wanted(Draws const& d, GradientEstimate const& e,
                                              std::vector<bool> const& local,
                                              std::optional<RegressionEstimate> const& joint) const {
    if (!thins()) return {};
    std::vector<bool> location(static_cast<std::size_t>(e.natural.size()), false);
    if (e.coupling)
      for (Eigen::Index i : e.coupling->coordinates) location[static_cast<std::size_t>(i)] = true;
    double others = 0;
    for (std::size_t j = 0; j < blocks_->blocks.size(); ++j) {
      if (thinnable_[j]) continue;
      Eigen::VectorXd const product = (e.fisher.block(j) * e.natural_covariance.block(j)).diagonal();
      for (std::size_t k = 0; k < blocks_->blocks[j].size(); ++k)
        if (!location[static_cast<std::size_t>(blocks_->blocks[j][k])])
          others += 0.5 * product[static_cast<Eigen::Index>(k)];
    }
    auto const S = static_cast<std::size_t>(d.scores.rows());
    std::vector<std::size_t> wanted(plan_.colours.size(), S);
    for (std::size_t c = 0; c < plan_.colours.size(); ++c) {
      if (plan_.terms_per_point[c] <= 0) continue;
      // The colour's noise at one draw: where it was taken at none, as last
      // measured.
      double per_draw = 0;
      for (std::size_t i : plan_.colours[c]) {
        auto const g = static_cast<std::size_t>(plan_.groups[i]);
        bool const skipped = !d.local.stride.empty() && d.local.stride[i] == 0 && uncontrolled_noise_[g] > 0;
        per_draw += local[g] || skipped ? uncontrolled_noise_[g] : HUGE_VAL;
      }
      if (others > 0 && per_draw < others * static_cast<double>(S))
        wanted[c] = static_cast<std::size_t>(std::ceil(per_draw / others));
      if (std::optional<double> const regressed = regression_noise(d, c, joint); regressed && *regressed <= others)
        wanted[c] = 0;
    }
    return wanted;
  }

  // ½ tr(F Cov) of the joint regression's natural gradient for colour c's
  // groups, as local_draws_wanted weighs the others'; nullopt where the
  // model has no joint regression or its columns leave some group out.
  std::optional<double> regression_noise(Draws const& d, std::size_t c,
                                         std::optional<RegressionEstimate> const& joint) const {
    auto const P = static_cast<Eigen::Index>(joint_columns_.size());
    if (!joint_ || d.scores.rows() <= P + 1) return std::nullopt;
    std::optional<RegressionEstimate> made;
    if (!joint) made = regress(d.scores(Eigen::all, joint_columns_), d.elbo_terms());
    RegressionEstimate const& r = joint ? *joint : *made;
    double noise = 0;
    for (std::size_t i : plan_.colours[c]) {
      Block const at = positions_in(joint_columns_, blocks_->blocks[static_cast<std::size_t>(plan_.groups[i])]);
      if (std::any_of(at.begin(), at.end(), [&](Eigen::Index k) { return k >= P; })) return std::nullopt;
      noise += 0.5 * (r.fisher(at, at) * r.slope_covariance(at, at)).trace();
    }
    return noise;
  }

  // The neighbours' scores as control variates for group j's local mean
  // (docs/method.md, 'Local expectation gradients'), where the last
  // iteration's draws said they pay: they take out what the neighbours'
  // draws add to it (the population's, in a hierarchical model), but with
  // many controls and little for them to explain, fitting their
  // coefficients adds more noise than they remove. The choice comes from
  // the previous draws, so the estimate stays unbiased; this iteration's
  // comparison, of the natural gradient's noise tr(F⁻¹ Cov), decides the
  // next.
  void with_controls(Draws const& d, std::size_t j, ControlFit const& fit, Eigen::MatrixXd const& inverse,
                     Eigen::VectorXd& gradient, Eigen::MatrixXd& covariance) {
    Block const& idx = blocks_->blocks[j];
    Eigen::MatrixXd terms = control_variated(fit, d.local.gradients(Eigen::all, in(idx)));
    // A location keeps its plain mean: the coupled step takes its gradient
    // from the location's own regression (location_curvature.hpp), and a
    // nearly exact one here would make the step's noise tests read the
    // iterate's wander as signal.
    if (std::optional<Eigen::Index> const location = location_of(program_, plan_.element[local_index_[j]]))
      for (std::size_t k = 0; k < idx.size(); ++k)
        if (idx[k] == *location)
          terms.col(static_cast<Eigen::Index>(k)) = d.local.gradients.col(*location);
    Eigen::VectorXd controlled_gradient;
    Eigen::MatrixXd controlled_covariance;
    mean_and_covariance(terms, controlled_gradient, controlled_covariance);
    controls_pay_[j] = (inverse * controlled_covariance).trace() < (inverse * covariance).trace();
    if (!controls_paid_[j]) return;
    gradient = controlled_gradient;
    covariance = controlled_covariance;
  }

  // What measures the linear predictors: the closed form's, else the coupled
  // step's locations'.
  LinearPredictorCurvature const& linear() const { return closed_curvature_ ? *closed_curvature_ : linear_curvature_; }

  // The locations linear() measures.
  std::vector<std::size_t> linear_elements() const {
    if (!closed_form_.empty()) return closed_form_;
    return curvature_.empty() ? regressed_curvature_.elements() : curvature_.elements();
  }

  // The guide's sds of the linear predictors' locations, in their order;
  // empty where some location's sd is not a parameter of its own.
  Eigen::VectorXd sds(Eigen::VectorXd const& u) const {
    Eigen::VectorXd out(static_cast<Eigen::Index>(linear_scales_.size()));
    for (std::size_t i = 0; i < linear_scales_.size(); ++i)
      out[static_cast<Eigen::Index>(i)] = linear_scales_[i].constraint.constrain(u[linear_scales_[i].coordinate]);
    return out;
  }

  // The coupling of c.coordinates from their linear predictors, and the
  // groups' gradients where their draws allow (below), marked in `filled`
  // if given. False, with c and e untouched, where the measurement failed at
  // this iteration's draws.
  bool from_linear_predictor(Draws const& d, std::vector<bool> const& local, LocationCoupling& c, GradientEstimate& e,
                             std::vector<char>* filled = nullptr) {
    std::optional<LinearPredictorCurvature::Measured> m =
        linear().measure(program_, d.latents, d.u(c.coordinates), sds(d.u));
    if (!m) {
      // These draws sampled no second derivative: the next iteration's
      // groups take the regressions' gradient.
      std::fill(price_pays_.begin(), price_pays_.end(), 0);
      return false;
    }
    if (m->scale_gradient.size() > 0) {
      from_linear_predictor(*m, c.coordinates, local, d.u, e, filled);
      for (std::size_t i = 0; i < linear_scales_.size(); ++i)
        price_pays_[i] = m->scale_sample_fraction[static_cast<Eigen::Index>(i)] > 0.5;
    }
    c.gradient = std::move(m->gradient);
    c.gradient_variance = m->gradient_covariance.diagonal();
    c.gradient_covariance = std::move(m->gradient_covariance);
    c.dof = static_cast<double>(d.latents.rows() - 1);
    c.curvature = std::move(m->curvature);
    c.cautious_curvature = {};
    // A quadratic's M holds on the way to the optimum too.
    c.local_curvature = !linear().gaussian();
    return true;
  }

  // A group that is not local, and whose coordinates are all locations and
  // sds of the linear predictors, takes its gradient from them (Bonnet's and
  // Price's theorems: linear_predictor_curvature.hpp) with the Normal's
  // exact Fisher, diag(1/s², 2/s²) in (m, s), carried to u: the sds'
  // gradient with M's relative error rather than a regression's. Only where
  // the draws of the iteration that took the last step sampled its sd's
  // second derivative well (docs/method.md, 'The sds from the linear
  // predictor'): the choice is made before these draws, so the estimate
  // stays unbiased.
  void from_linear_predictor(LinearPredictorCurvature::Measured const& m, std::vector<Eigen::Index> const& locations,
                             std::vector<bool> const& local, Eigen::VectorXd const& u, GradientEstimate& e,
                             std::vector<char>* filled) const {
    Eigen::Index const L = static_cast<Eigen::Index>(locations.size());
    // By coordinate of u: its place in (locations, sds); by place, ∂λ/∂u,
    // the Fisher in u and the gradient in u.
    std::vector<Eigen::Index> place(parameters_, -1);
    Eigen::VectorXd slope(2 * L), fisher(2 * L), gradient(2 * L);
    for (Eigen::Index i = 0; i < L; ++i) {
      ScaleCoordinate const& scale = linear_scales_[static_cast<std::size_t>(i)];
      auto const [s, derivative] = scale.constraint.constrain_with_slope(u[scale.coordinate]);
      place[static_cast<std::size_t>(locations[static_cast<std::size_t>(i)])] = i;
      place[static_cast<std::size_t>(scale.coordinate)] = L + i;
      slope[i] = 1;
      slope[L + i] = derivative;
      fisher[i] = 1 / (s * s);
      fisher[L + i] = 2 * derivative * derivative / (s * s);
      gradient[i] = m.gradient[i];
      gradient[L + i] = derivative * m.scale_gradient[i];
    }
    Eigen::MatrixXd const covariance = slope.asDiagonal() * m.joint_covariance * slope.asDiagonal();
    auto const measured = [&](Eigen::Index c) {
      Eigen::Index const at = place[static_cast<std::size_t>(c)];
      return at >= 0 && price_paid_[static_cast<std::size_t>(at % L)];
    };
    for (std::size_t j = 0; j < blocks_->blocks.size(); ++j) {
      Block const& idx = blocks_->blocks[j];
      if (local[j] || idx.empty() || !std::all_of(idx.begin(), idx.end(), measured)) continue;
      Block at;
      for (Eigen::Index c : idx) at.push_back(place[static_cast<std::size_t>(c)]);
      Eigen::VectorXd const inverse = fisher(at).cwiseInverse();
      e.gradient(idx) = gradient(at);
      e.covariance.block(j) = covariance(at, at);
      e.fisher.block(j) = fisher(at).asDiagonal();
      e.exact_fisher_inverse.block(j) = inverse.asDiagonal();
      e.natural(idx) = inverse.cwiseProduct(gradient(at));
      e.natural_covariance.block(j) = inverse.asDiagonal() * covariance(at, at) * inverse.asDiagonal();
      e.hotelling = true;
      if (filled) (*filled)[j] = 1;
    }
  }

  // Group g regresses on its own scores alone: beside the closed form, a
  // group whose blanket's dense regressions are taken in expectation (the
  // noise precision's) needs no other regressors, nor the draws for them.
  bool own_only(std::size_t g) const { return !closed_form_.empty() && !expected_terms_[g].empty(); }

  // Group g's slopes come from a regression on more than its own scores
  // (the joint one, or its neighbourhood's), which S must be sized for.
  bool regressed_with_others(std::size_t g) const {
    return !blankets_.groups[g].coordinates.empty() && !plan_.is_local[g] && !closed_group_[g] && !own_only(g);
  }

  // By group: local, and its expectation finite at every point this iteration.
  std::vector<bool> exact_this_iteration(Draws const& d) const {
    std::vector<bool> local(blankets_.groups.size(), false);
    if (d.local.failed.size() != plan_.groups.size() || plan_.groups.empty()) return local;
    local = plan_.is_local;
    for (std::size_t i = 0; i < plan_.groups.size(); ++i)
      if (d.local.failed[i] || (!d.local.stride.empty() && d.local.stride[i] == 0))
        local[static_cast<std::size_t>(plan_.groups[i])] = false;
    return local;
  }

  Blankets const& blankets_;
  std::size_t parameters_;
  std::optional<LinearPredictorCurvature> closed_curvature_;  // closed_form()
  std::vector<std::size_t> closed_form_;                      // its locations' latent elements, else empty
  std::vector<bool> closed_group_;        // by group: one of closed_form_'s
  std::vector<bool> from_rows_;           // by group: local, its points from the rows (local_rows.hpp)
  LocalPlan plan_;
  Layout blocks_;
  std::vector<std::size_t> local_index_;  // by group: its place in plan_.groups, where it is local
  // By colour: the fewest draws this iteration takes it at, and what this
  // iteration's draws ask of the next (local_draws_wanted); empty at first.
  std::vector<std::size_t> local_draws_wanted_, local_draws_to_want_;
  // By group, where local: one draw's noise ½ tr(F Cov) in its natural
  // gradient, without the controls, which a colour taken at some draws only
  // goes without (local_draws_wanted).
  std::vector<double> uncontrolled_noise_;
  std::vector<bool> thinnable_;  // by group: local, in a colour that may be thinned
  std::vector<Eigen::Index> exact_categorical_;  // exact_categorical_coordinates()
  // The joint regression's columns: every coordinate but those, whose
  // zeroed scores would only cost it their columns and its residuals'
  // degrees of freedom.
  Block joint_columns_;
  std::vector<Block> regressors_;         // by group: the coordinates its regression takes, sorted
  std::vector<Block> controls_;           // by group: those of other groups, whose scores are its control variates
  std::vector<Block> control_sets_;       // the local groups' distinct controls
  std::vector<std::size_t> control_set_;  // by local group with controls: its index in control_sets_
  // By group (char, not bool: the groups are estimated on several threads):
  // whether the controls paid on the draws of the iteration that took the
  // last step, and on this iteration's.
  std::vector<char> controls_paid_, controls_pay_;
  bool regressed_ = false;                // some group with coordinates is not local
  bool joint_ = false;                    // and they share the joint regression
  LocationCurvature curvature_;
  Eigen::SparseMatrix<double> last_curvature_;  // the last M curvature_ measured: its control variates
  RegressedCurvature regressed_curvature_;
  LinearPredictorCurvature linear_curvature_;  // the coupled step's, where there is no closed form
  std::vector<ScaleCoordinate> linear_scales_;  // by location of linear(): its sd's coordinate
  std::vector<Eigen::Index> linear_coordinates_;  // by location of linear(): its coordinate in u
  // By location of linear(), as controls_paid_ and controls_pay_:
  // whether the draws sampled its sd's second derivative well.
  std::vector<char> price_paid_, price_pays_;
  std::vector<std::vector<ExpectedTerm>> expected_terms_;  // by group
  Program const& program_;
};

}  // namespace

std::unique_ptr<GradientEstimator> make_local(EstimatorContext const& c) {
  return std::make_unique<LocalExpectations>(c);
}

}  // namespace bbvi
