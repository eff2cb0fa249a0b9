#include "runtime/bbvi/local_expectation.hpp"

#include "runtime/bbvi/local_cost.hpp"
#include "runtime/bbvi/location_curvature.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/polynomial_degree.hpp"
#include "runtime/program_walk.hpp"
#include "runtime/statements_to_run.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>

namespace bbvi {

namespace {

constexpr int not_polynomial = PolynomialDegree::not_polynomial;

// The degree in z_e of element k of a model statement's log density.
int degree_of(ProgramWalk const& walk, Factor const& f, std::size_t k, std::size_t e) {
  PolynomialDegree in{e};
  int const x = f.latent >= 0 ? walk.left_side(f, k, in) : 0;
  std::vector<int> args;
  for (Node const& a : f.args) args.push_back(walk.operand(a, k, in));
  if (x == 0 && std::all_of(args.begin(), args.end(), [](int d) { return d == 0; })) return 0;
  // A quadratic in value − location, the other arguments fixed.
  if (f.distribution->quadratic_in_location && std::all_of(args.begin() + 1, args.end(), [](int d) { return d == 0; }))
    return PolynomialDegree::add(std::max(x, args[0]), std::max(x, args[0]));
  // A quadratic in the value, the arguments fixed.
  if (f.distribution->quadratic_in_value && std::all_of(args.begin(), args.end(), [](int d) { return d == 0; }))
    return PolynomialDegree::add(x, x);
  return not_polynomial;
}

// The Gauss–Hermite points a blanket of this degree in z_e needs under a
// guide affine in its standard normal, for the rule to be exact.
int points_for(int blanket_degree) {
  if (blanket_degree >= not_polynomial) return default_gauss_hermite_points;
  return std::min(default_gauss_hermite_points, std::max(3, (blanket_degree + 4) / 2));
}

// The D + 1 of a rule's points (in its order, monotone in value: e^{m + s x}
// under a LogNormal) at which a blanket of degree D is evaluated: the two
// ends and evenly between, so that every other point is interpolated inside
// them, not extrapolated, and a bound the model puts on the value is met at
// every point if at the ends. Empty, with
// `weights` untouched, where that saves nothing or the values are not
// distinct (an sd of zero).
std::vector<std::size_t> interpolation_nodes(std::vector<QuadraturePoint> const& points, int degree,
                                             Eigen::MatrixXd& weights) {
  std::size_t const n = points.size(), d = static_cast<std::size_t>(degree);
  if (degree < 0 || degree >= not_polynomial || d + 1 >= n) return {};
  std::vector<std::size_t> nodes;
  for (std::size_t j = 0; j <= d; ++j) nodes.push_back(d == 0 ? n / 2 : (j * (n - 1) + d / 2) / d);
  Eigen::MatrixXd lagrange = Eigen::MatrixXd::Ones(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d + 1));
  for (std::size_t p = 0; p < n; ++p)
    for (std::size_t j = 0; j <= d; ++j)
      for (std::size_t l = 0; l <= d; ++l)
        if (l != j)
          lagrange(static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(j)) *=
              (points[p].value - points[nodes[l]].value) / (points[nodes[j]].value - points[nodes[l]].value);
  if (!lagrange.allFinite()) return {};
  weights = std::move(lagrange);
  return nodes;
}

// A group whose coordinates are its guide factor's location m and scale s, a
// Normal's or a LogNormal's (location_scale_of): its points' scores from
// their standardised values, with no dual numbers, and log q from the
// guide's own density in doubles (docs/method.md, 'Local expectation
// gradients'). The guide's scorer gives the same to rounding at many times
// the cost: one scorer evaluation per point was most of a hundred-group
// fit's local points.
struct NormalPointScores {
  Eigen::Index location = 0, scale = 0;  // positions among the group's coordinates
  double mean = 0, sd = 0, sd_slope = 0;
  bool of_log = false;
  DistributionEntry const* guide = nullptr;

  void score(QuadraturePoint const& point, double& log_q, Eigen::MatrixXd& scores, Eigen::Index row) const {
    double const x = ((of_log ? std::log(point.value) : point.value) - mean) / sd;
    double const arguments[2] = {mean, sd};
    log_q = guide->log_density(point.value, arguments);
    scores(row, location) = x / sd;
    scores(row, scale) = (x * x - 1) / sd * sd_slope;
  }
};

std::optional<NormalPointScores> normal_point_scores(Program const& program,
                                                     std::vector<Eigen::Index> const& coordinates, std::size_t e,
                                                     Eigen::VectorXd const& u) {
  std::optional<LocationScale> const found = location_scale_of(program, e);
  if (!found || coordinates.size() != 2 || found->location == found->scale.coordinate) return std::nullopt;
  auto const position = [&](Eigen::Index c) {
    return static_cast<Eigen::Index>(std::find(coordinates.begin(), coordinates.end(), c) - coordinates.begin());
  };
  NormalPointScores out{position(found->location), position(found->scale.coordinate), u[found->location], 0, 0,
                        found->of_log, found->guide};
  if (out.location == 2 || out.scale == 2) return std::nullopt;
  std::tie(out.sd, out.sd_slope) = found->scale.constraint.constrain_with_slope(u[found->scale.coordinate]);
  if (!(out.sd > 0) || !std::isfinite(out.sd) || !std::isfinite(out.sd_slope)) return std::nullopt;
  return out;
}

// A group whose guide factor is a Categorical over a simplex parameter of
// its own, p = softmax(u_1, ..., u_{K−1}, 0) (constraint.hpp): at category
// k, log q is log p_k and the score on coordinate j is [j = k] − p_j,
// exactly, with no dual numbers. A scorer evaluation per category was an
// eighth of a changepoint's iteration.
struct CategoricalPointScores {
  std::vector<double> p;
  std::vector<std::size_t> category;  // by the group's coordinate, its j

  void score(QuadraturePoint const& point, double& log_q, Eigen::MatrixXd& scores, Eigen::Index row) const {
    std::size_t const k = static_cast<std::size_t>(point.value) - 1;
    log_q = std::log(p[k]);
    for (std::size_t c = 0; c < category.size(); ++c)
      scores(row, static_cast<Eigen::Index>(c)) = (category[c] == k ? 1.0 : 0.0) - p[category[c]];
  }
};

std::optional<CategoricalPointScores> categorical_point_scores(Program const& program,
                                                               std::vector<Eigen::Index> const& coordinates,
                                                               std::size_t e, Eigen::VectorXd const& u) {
  Factor const* f = guide_factor_of(program, e);
  if (!f || program.latents[static_cast<std::size_t>(f->latent)].length() != 1 ||
      f->distribution->signature.name != "Categorical" || f->args.size() != 1 || f->args[0].op != Node::Op::slot)
    return std::nullopt;
  auto const parameter = std::find_if(program.parameters.begin(), program.parameters.end(),
                                      [&](Parameter const& p) { return p.slot == f->args[0].slot; });
  if (parameter == program.parameters.end() || !parameter->constraint.simplex ||
      parameter->coordinates() != coordinates.size())
    return std::nullopt;
  CategoricalPointScores out;
  out.p = simplex_from(u.data() + parameter->offset, parameter->length());
  for (Eigen::Index c : coordinates) {
    if (c < static_cast<Eigen::Index>(parameter->offset)) return std::nullopt;
    out.category.push_back(static_cast<std::size_t>(c) - parameter->offset);
    if (out.category.back() >= parameter->coordinates()) return std::nullopt;
  }
  return out;
}

}  // namespace

LocalPlan plan_local(Program const& program, Blankets const& blankets, std::vector<bool> const& closed_form) {
  std::vector<bool> has_rule(program.latent_dimension, false), affine(program.latent_dimension, false),
      log_affine(program.latent_dimension, false);
  for (Statement const& st : program.guide)
    if (auto const* f = std::get_if<Factor>(&st); f && f->distribution->quadrature) {
      LatentVariable const& v = program.latents[static_cast<std::size_t>(f->latent)];
      auto const from = static_cast<std::ptrdiff_t>(v.offset);
      std::fill_n(has_rule.begin() + from, v.length(), true);
      std::fill_n(affine.begin() + from, v.length(), f->distribution->affine_in_standard_normal);
      std::fill_n(log_affine.begin() + from, v.length(), f->distribution->log_affine_in_standard_normal);
    }
  std::size_t const G = blankets.groups.size();
  auto const candidate = [&](std::size_t g) {
    FactorGroup const& group = blankets.groups[g];
    return group.latent_elements.size() == 1 && !group.coordinates.empty() && has_rule[group.latent_elements[0]] &&
           (closed_form.empty() || !closed_form[group.latent_elements[0]]);
  };

  // Each candidate's blanket degree, in one pass over the terms. A
  // statement whose every element reaches the same groups is read at its
  // first: the degree is structural (b * x has degree 1 in b whatever x is).
  ProgramWalk const model = ProgramWalk::of_model(program);
  std::vector<int> blanket(G, 0);
  for (std::size_t s = 0; s < program.model.size(); ++s) {
    auto const* f = std::get_if<Factor>(&program.model[s]);
    if (!f) continue;
    TermGroups const& t = blankets.terms[s];
    for (std::size_t k = 0; k < (t.uniform ? 1 : t.by_element.size()); ++k)
      for (int g : t.of(k)) {
        std::size_t const group = static_cast<std::size_t>(g);
        if (!candidate(group) || blanket[group] >= not_polynomial) continue;
        std::size_t const e = blankets.groups[group].latent_elements[0];
        blanket[group] =
            std::max(blanket[group], affine[e] || log_affine[e] ? degree_of(model, *f, k, e) : not_polynomial);
      }
  }

  // Local where it pays: where the rule is exact in a few points (a
  // polynomial blanket under a Normal guide: 3 for Gaussian terms; a finite
  // support), or where the regression's model of f, quadratic in the guide's
  // standard normal, is poor (a guide not affine in it: f holds exp(kσx)
  // under a LogNormal one). A Normal-guided latent in a smooth but not
  // polynomial blanket (a logistic likelihood) is left to the regression,
  // which models it to second order at one evaluation per draw: local
  // expectations measured 5.5 times slower there (README).
  LocalPlan plan;
  plan.is_local.assign(G, false);
  plan.points.assign(program.latent_dimension, default_gauss_hermite_points);
  plan.log_degree.assign(program.latent_dimension, not_polynomial);
  for (std::size_t g = 0; g < G; ++g) {
    if (!candidate(g)) continue;
    std::size_t const e = blankets.groups[g].latent_elements[0];
    if (affine[e] && blanket[g] >= not_polynomial) continue;
    plan.is_local[g] = true;
    plan.groups.push_back(static_cast<int>(g));
    plan.element.push_back(e);
    if (affine[e]) plan.points[e] = points_for(blanket[g]);
    if (log_affine[e]) plan.log_degree[e] = blanket[g];
  }

  // Greedy colouring: each group takes the first colour none of its
  // neighbours has. A group whose blanket reads no other latent is the
  // same at every draw: those take one colour of their own, evaluated at
  // the first draw only.
  std::vector<int> colour_of(G, -1);
  std::vector<std::vector<int>> const near = neighbours(blankets);
  auto const alone = [&](std::size_t g) { return near[g].size() <= 1; };
  std::vector<std::size_t> constant;
  for (std::size_t i = 0; i < plan.groups.size(); ++i) {
    std::size_t const g = static_cast<std::size_t>(plan.groups[i]);
    if (alone(g)) {
      constant.push_back(i);
      continue;
    }
    std::vector<bool> taken(plan.colours.size(), false);
    for (int h : near[g])
      if (int const c = colour_of[static_cast<std::size_t>(h)]; c >= 0) taken[static_cast<std::size_t>(c)] = true;
    std::size_t const c = static_cast<std::size_t>(std::find(taken.begin(), taken.end(), false) - taken.begin());
    if (c == plan.colours.size()) plan.colours.emplace_back();
    plan.colours[c].push_back(i);
    colour_of[g] = static_cast<int>(c);
  }
  plan.constant.assign(plan.colours.size(), false);
  if (!constant.empty()) {
    for (std::size_t i : constant)
      colour_of[static_cast<std::size_t>(plan.groups[i])] = static_cast<int>(plan.colours.size());
    plan.colours.push_back(std::move(constant));
    plan.constant.push_back(true);
  }
  plan.colour_statements.assign(plan.colours.size(), std::vector<bool>(program.model.size(), false));
  for (std::size_t s = 0; s < program.model.size(); ++s) {
    TermGroups const& t = blankets.terms[s];
    for (std::size_t k = 0; k < (t.uniform ? 1 : t.by_element.size()); ++k)
      for (int g : t.of(k))
        if (int const c = colour_of[static_cast<std::size_t>(g)]; c >= 0)
          plan.colour_statements[static_cast<std::size_t>(c)][s] = true;
  }
  for (std::vector<bool>& statements : plan.colour_statements) statements = statements_to_run(program, statements);
  for (std::size_t c = 0; c < plan.colours.size(); ++c)
    plan.rows.push_back(
        plan_rows(program, model, blankets, plan.groups, plan.element, plan.colours[c], plan.colour_statements[c]));
  std::vector<bool> located(plan.groups.size());
  for (std::size_t i = 0; i < plan.groups.size(); ++i) located[i] = location_of(program, plan.element[i]).has_value();
  plan.coupling = plan_rows_coupling(program, model, blankets, plan.groups, plan.element, plan.colours, plan.rows,
                                     located);
  plan.terms_per_draw = terms_evaluated(program, std::vector<bool>(program.model.size(), true));
  for (std::size_t c = 0; c < plan.colours.size(); ++c) {
    bool const thinnable = !plan.constant[c] && !plan.rows[c].by_rows &&
                           std::none_of(plan.colours[c].begin(), plan.colours[c].end(),
                                        [&](std::size_t i) { return located[i]; });
    plan.terms_per_point.push_back(thinnable ? terms_evaluated(program, plan.colour_statements[c]) : 0.0);
  }
  return plan;
}

std::vector<int> points_at(Program const& program, LocalPlan const& plan, Eigen::VectorXd const& u) {
  std::vector<int> points = plan.points;
  auto const fixed = [&](std::size_t e) { return plan.log_degree[e] >= not_polynomial; };
  if (std::all_of(plan.element.begin(), plan.element.end(), fixed)) return points;
  // The two-point rule's values are e^{m ± s}.
  std::vector<std::vector<QuadraturePoint>> const pair =
      guide_quadrature(program, u, std::vector<int>(program.latent_dimension, 2));
  for (std::size_t e : plan.element) {
    if (fixed(e) || pair[e].size() != 2) continue;
    double const s = 0.5 * std::abs(std::log(pair[e][1].value / pair[e][0].value));
    points[e] = gauss_hermite_points_for_exp(std::max(1, plan.log_degree[e]) * s);
  }
  return points;
}

LocalPoints local_points(Program const& program, Blankets const& blankets, LocalPlan const& plan,
                         Eigen::VectorXd const& u, std::vector<double> const& z, WorkerPool& pool) {
  LocalPoints out;
  std::vector<std::vector<QuadraturePoint>> const rules = guide_quadrature(program, u, points_at(program, plan, u));
  std::size_t most = 0;  // the most points of a group the scorer scores
  std::vector<bool> by_scorer(plan.groups.size(), true);
  for (std::size_t i = 0; i < plan.groups.size(); ++i) {
    out.points.push_back(rules[plan.element[i]]);
    auto const& coordinates = blankets.groups[static_cast<std::size_t>(plan.groups[i])].coordinates;
    out.scores.emplace_back(out.points.back().size(), coordinates.size());
    out.log_q.emplace_back(out.points.back().size());
    if (std::optional<NormalPointScores> const normal = normal_point_scores(program, coordinates, plan.element[i], u)) {
      by_scorer[i] = false;
      for (std::size_t k = 0; k < out.points[i].size(); ++k)
        normal->score(out.points[i][k], out.log_q[i][k], out.scores[i], static_cast<Eigen::Index>(k));
    } else if (std::optional<CategoricalPointScores> const categorical =
                   categorical_point_scores(program, coordinates, plan.element[i], u)) {
      by_scorer[i] = false;
      for (std::size_t k = 0; k < out.points[i].size(); ++k)
        categorical->score(out.points[i][k], out.log_q[i][k], out.scores[i], static_cast<Eigen::Index>(k));
    } else {
      most = std::max(most, out.points.back().size());
    }
  }
  // The guide factorises, so one evaluation with every local element at its
  // k-th point gives each group's score and log q there. The points are
  // independent: each writes its own row, whichever thread makes it; each
  // thread scores its share of them with one scorer.
  pool.run_shares(most, [&](std::size_t begin, std::size_t end) {
    GuideScorer scorer(program, u, blankets.score_groups);
    Eigen::VectorXd score(u.size());
    std::vector<double> elements;
    for (std::size_t k = begin; k < end; ++k) {
      std::vector<double> at = z;
      // Only the groups with a k-th point are scored: past a Normal's 3, a
      // LogNormal's alone.
      std::vector<bool> scored(blankets.groups.size(), false);
      for (std::size_t i = 0; i < plan.groups.size(); ++i)
        if (by_scorer[i] && k < out.points[i].size()) {
          at[plan.element[i]] = out.points[i][k].value;
          scored[static_cast<std::size_t>(plan.groups[i])] = true;
        }
      scorer(at, score, &elements, &scored);
      for (std::size_t i = 0; i < plan.groups.size(); ++i) {
        if (!by_scorer[i] || k >= out.points[i].size()) continue;
        auto const& coordinates = blankets.groups[static_cast<std::size_t>(plan.groups[i])].coordinates;
        for (std::size_t c = 0; c < coordinates.size(); ++c)
          out.scores[i](static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(c)) = score[coordinates[c]];
        out.log_q[i][k] = elements[plan.element[i]];
      }
    }
  });
  for (std::size_t i = 0; i < plan.groups.size(); ++i) {
    Eigen::VectorXd weights(out.points[i].size());
    for (std::size_t k = 0; k < out.points[i].size(); ++k)
      weights[static_cast<Eigen::Index>(k)] = out.points[i][k].weight;
    out.fisher.push_back(out.scores[i].transpose() * weights.asDiagonal() * out.scores[i]);
    Eigen::RowVectorXd diagonal = Eigen::RowVectorXd::Zero(out.scores[i].cols());
    for (std::size_t k = 0; k < out.points[i].size(); ++k)
      diagonal += out.points[i][k].weight * out.scores[i].row(static_cast<Eigen::Index>(k)).array().square().matrix();
    out.fisher_diagonal.push_back(std::move(diagonal));
    out.interpolation.emplace_back();
    out.nodes.push_back(interpolation_nodes(out.points[i], plan.log_degree[plan.element[i]], out.interpolation[i]));
  }
  return out;
}

LocalOutcome local_gradient(Program const& program, Blankets const& blankets, LocalPlan const& plan,
                            LocalPoints const& points, std::vector<double> const& z, std::vector<double> const& log_q,
                            std::vector<std::vector<double>> terms, LocalScratch& scratch, std::size_t draw_index,
                            Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>> row,
                            Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>>* curvature,
                            Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>>* couplings) {
  // Element by element rather than by Eigen's indexed views, which copy
  // their index vector: per group and point, that copy was a tenth of a
  // 10,000-group fit's time.
  for (int g : plan.groups)
    for (Eigen::Index c : blankets.groups[static_cast<std::size_t>(g)].coordinates) {
      row[c] = 0;
      if (curvature) (*curvature)[c] = 0;
    }
  LocalOutcome outcome;
  outcome.failed.assign(plan.groups.size(), false);
  // Group i's f at its point k, into its coordinates' gradient and curvature.
  auto const add = [&](std::size_t i, std::size_t k, double value) {
    auto const score = points.scores[i].row(static_cast<Eigen::Index>(k));
    double const scale = points.points[i][k].weight * value;
    std::vector<Eigen::Index> const& coordinates =
        blankets.groups[static_cast<std::size_t>(plan.groups[i])].coordinates;
    for (std::size_t c = 0; c < coordinates.size(); ++c) {
      Eigen::Index const position = static_cast<Eigen::Index>(c);
      row[coordinates[c]] += scale * score[position];
      if (curvature)
        (*curvature)[coordinates[c]] +=
            scale * (score[position] * score[position] - points.fisher_diagonal[i][position]);
    }
  };
  // A colour taken from the rows needs every group's f at the draw, before
  // the other colours' points change `terms`.
  RowsAtDraw* rows = nullptr;
  Eigen::RowVectorXd& at_draw = scratch.at_draw;
  std::vector<std::vector<double>>& change = scratch.change;
  change.resize(plan.groups.size());
  if (plan.coupling.empty()) couplings = nullptr;
  std::vector<std::vector<std::vector<double>>>& columns = scratch.columns;  // by colour
  columns.resize(couplings ? plan.colours.size() : 0);
  auto const evaluates = [&](std::size_t colour) {
    if (plan.constant[colour]) return draw_index == 0;
    return points.stride.empty() || (points.stride[colour] > 0 && draw_index % points.stride[colour] == 0);
  };
  bool by_rows = false;
  for (std::size_t c = 0; c < plan.colours.size(); ++c) by_rows = by_rows || (evaluates(c) && plan.rows[c].by_rows);
  if (by_rows) {
    if (!scratch.rows_at_draw) scratch.rows_at_draw.emplace(program);
    rows = &*scratch.rows_at_draw;
    rows->start(z);
    blanket_sums(blankets, terms, log_q, at_draw);
    ++outcome.evaluations;  // the rows' derivatives at the draw
  }
  std::vector<double>& at = scratch.at;  // the draw, with the colour's elements at their points
  std::vector<double>& at_log_q = scratch.at_log_q;
  at = z;
  at_log_q = log_q;
  Eigen::RowVectorXd& f = scratch.f;  // every group's f_j at the point
  std::vector<Eigen::VectorXd>& at_nodes = scratch.at_nodes;  // an interpolated group's blanket terms at its nodes
  at_nodes.resize(plan.groups.size());
  for (std::size_t colour_index = 0; colour_index < plan.colours.size(); ++colour_index) {
    if (!evaluates(colour_index)) continue;
    std::vector<std::size_t> const& colour = plan.colours[colour_index];
    if (plan.rows[colour_index].by_rows) {
      ++outcome.evaluations;  // of the means, the colour's elements moved
      bool rejected = false;
      try {
        blanket_changes(program, plan.rows[colour_index], colour, plan.element, points.points, z, *rows, scratch.rows,
                        change, couplings ? &columns[colour_index] : nullptr);
      } catch (DomainError const&) {
        rejected = true;  // which group's point the model rejected is not known: all of the colour's
      }
      for (std::size_t i : colour) {
        double const terms_at_draw = at_draw[plan.groups[i]] + log_q[plan.element[i]];
        for (std::size_t k = 0; k < points.points[i].size() && !outcome.failed[i]; ++k)
          if (rejected || !std::isfinite(terms_at_draw + change[i][k])) outcome.failed[i] = true;
        if (outcome.failed[i]) continue;
        std::size_t const K = points.points[i].size();
        if (K <= static_cast<std::size_t>(default_gauss_hermite_points)) {
          for (std::size_t k = 0; k < K; ++k) add(i, k, terms_at_draw + change[i][k] - points.log_q[i][k]);
          continue;
        }
        // Many points (a Categorical's many categories): one product of the
        // group's scores with its weighted values, not a sum point by point
        // through each coordinate (a tenth of a changepoint's iteration).
        Eigen::VectorXd weighted(static_cast<Eigen::Index>(K));
        for (std::size_t k = 0; k < K; ++k)
          weighted[static_cast<Eigen::Index>(k)] =
              points.points[i][k].weight * (terms_at_draw + change[i][k] - points.log_q[i][k]);
        Eigen::VectorXd const sum = points.scores[i].transpose() * weighted;
        Eigen::VectorXd const squares =
            curvature ? Eigen::VectorXd(points.scores[i].array().square().matrix().transpose() * weighted)
                      : Eigen::VectorXd();
        std::vector<Eigen::Index> const& coordinates =
            blankets.groups[static_cast<std::size_t>(plan.groups[i])].coordinates;
        for (std::size_t c = 0; c < coordinates.size(); ++c) {
          auto const position = static_cast<Eigen::Index>(c);
          row[coordinates[c]] += sum[position];
          if (curvature)
            (*curvature)[coordinates[c]] += squares[position] - points.fisher_diagonal[i][position] * weighted.sum();
        }
      }
      continue;
    }
    // By group, the points evaluated: its nodes, or all of them.
    auto const evaluated = [&](std::size_t i) {
      return points.nodes[i].empty() ? points.points[i].size() : points.nodes[i].size();
    };
    std::size_t most = 0;
    for (std::size_t i : colour) {
      most = std::max(most, evaluated(i));
      if (!points.nodes[i].empty()) at_nodes[i].resize(static_cast<Eigen::Index>(points.nodes[i].size()));
    }
    for (std::size_t k = 0; k < most; ++k) {
      for (std::size_t i : colour) {
        bool const has_point = k < evaluated(i);
        std::size_t const p = has_point && !points.nodes[i].empty() ? points.nodes[i][k] : k;
        at[plan.element[i]] = has_point ? points.points[i][p].value : z[plan.element[i]];
        at_log_q[plan.element[i]] = has_point ? points.log_q[i][p] : log_q[plan.element[i]];
      }
      ++outcome.evaluations;
      try {
        if (!scratch.updater) scratch.updater.emplace(program);
        scratch.updater->update(at, terms, &blankets.summed_terms, plan.colour_statements[colour_index]);
        // Only the colour's own groups' f is read: the statements of their
        // blankets are all that is summed (the likelihood of a centred
        // hierarchy's scale is its J groups' terms, not every row's).
        blanket_sums(blankets, terms, at_log_q, f, &plan.colour_statements[colour_index]);
      } catch (NumericalError const&) {
        // Which group's point the model rejected is not known: all of the colour's.
        f.setConstant(static_cast<Eigen::Index>(blankets.groups.size()), -HUGE_VAL);
      }
      for (std::size_t i : colour) {
        if (k >= evaluated(i)) continue;
        double const value = f[static_cast<Eigen::Index>(plan.groups[i])];
        if (!std::isfinite(value)) outcome.failed[i] = true;
        if (outcome.failed[i]) continue;
        if (points.nodes[i].empty())
          add(i, k, value);
        else  // the blanket's terms alone are the polynomial: f less −log q_e
          at_nodes[i][static_cast<Eigen::Index>(k)] = value + points.log_q[i][points.nodes[i][k]];
      }
    }
    for (std::size_t i : colour) {
      at[plan.element[i]] = z[plan.element[i]];
      at_log_q[plan.element[i]] = log_q[plan.element[i]];
      if (points.nodes[i].empty() || outcome.failed[i]) continue;
      Eigen::VectorXd const terms_at_points = points.interpolation[i] * at_nodes[i];
      for (std::size_t k = 0; k < points.points[i].size(); ++k)
        add(i, k, terms_at_points[static_cast<Eigen::Index>(k)] - points.log_q[i][k]);
    }
  }
  // A colour the model rejected has no columns (its groups have failed),
  // nor has one not taken from the rows: no couplings at this draw.
  if (couplings) {
    bool const measured =
        rows && std::none_of(outcome.failed.begin(), outcome.failed.end(), [](bool failed) { return failed; }) &&
        std::all_of(plan.coupling.shared.begin(), plan.coupling.shared.end(), [&](RowsCoupling::Shared const& sh) {
          return plan.rows[sh.colour_a].by_rows && plan.rows[sh.colour_b].by_rows;
        });
    if (measured)
      row_couplings(plan.coupling, columns, *rows, *couplings);
    else
      couplings->setConstant(std::numeric_limits<double>::quiet_NaN());
  }
  return outcome;
}

}  // namespace bbvi
