#include "runtime/bbvi/location_curvature.hpp"

#include "runtime/bbvi/control_variates.hpp"

#include <Eigen/Cholesky>
#include <Eigen/QR>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

namespace bbvi {

namespace {

// The parameter coordinate that node n gives element k (of `length`) of a
// guide factor's argument: a parameter (a scalar shared by every element, or
// a vector of the factor's length), its element at a constant index, or an
// array literal's element k, `Normal({b1, b2}, …)`.
std::optional<std::pair<Eigen::Index, Parameter const*>> parameter_at(Program const& program, Node const& n,
                                                                      std::size_t k, std::size_t length) {
  if (n.op == Node::Op::array)
    return k < n.args.size() ? parameter_at(program, n.args[k], 0, 1) : std::nullopt;
  bool const element = n.op == Node::Op::index && n.args.size() == 1 && n.args[0].op == Node::Op::constant;
  if (n.op != Node::Op::slot && !element) return std::nullopt;
  for (Parameter const& p : program.parameters) {
    if (p.slot != n.slot) continue;
    if (!p.elementwise()) return std::nullopt;  // its elements are no coordinates of u
    if (element) {
      auto const i = static_cast<std::size_t>(n.args[0].constant) - 1;
      if (p.size == 0 || i >= p.length()) return std::nullopt;
      return std::pair{static_cast<Eigen::Index>(p.offset + i), &p};
    }
    if (p.size == 0) return std::pair{static_cast<Eigen::Index>(p.offset), &p};
    if (p.size == length) return std::pair{static_cast<Eigen::Index>(p.offset + k), &p};
    return std::nullopt;
  }
  return std::nullopt;
}

// The parameter that is argument `argument` of latent element e's guide
// factor, a Normal (or, `log_too`, a LogNormal), and the element's
// coordinate of it in u.
std::optional<std::pair<Eigen::Index, Parameter const*>> normal_argument(Program const& program, std::size_t e,
                                                                         std::size_t argument, bool log_too = false) {
  Factor const* f = guide_factor_of(program, e);
  if (!f) return std::nullopt;
  bool const normal =
      f->distribution->affine_in_standard_normal || (log_too && f->distribution->log_affine_in_standard_normal);
  if (!normal || f->args.size() <= argument) return std::nullopt;
  LatentVariable const& v = program.latents[static_cast<std::size_t>(f->latent)];
  return parameter_at(program, f->args[argument], e - v.offset, v.length());
}

}  // namespace

std::optional<Eigen::Index> location_of(Program const& program, std::size_t e) {
  auto const found = normal_argument(program, e, 0);
  if (!found || found->second->constraint.lower || found->second->constraint.upper) return std::nullopt;
  return found->first;
}

std::optional<ScaleCoordinate> scale_of(Program const& program, std::size_t e) {
  auto const found = normal_argument(program, e, 1);
  if (!found) return std::nullopt;
  return ScaleCoordinate{found->first, found->second->constraint};
}

Factor const* guide_factor_of(Program const& program, std::size_t e) {
  for (Statement const& st : program.guide) {
    auto const* f = std::get_if<Factor>(&st);
    if (!f || f->latent < 0) continue;
    LatentVariable const& v = program.latents[static_cast<std::size_t>(f->latent)];
    if (e >= v.offset && e < v.offset + v.length()) return f;
  }
  return nullptr;
}

std::optional<LocationScale> location_scale_of(Program const& program, std::size_t e) {
  auto const location = normal_argument(program, e, 0, true);
  auto const scale = normal_argument(program, e, 1, true);
  if (!location || !scale || location->second->constraint.lower || location->second->constraint.upper)
    return std::nullopt;
  DistributionEntry const* const guide = guide_factor_of(program, e)->distribution;
  return LocationScale{location->first, ScaleCoordinate{scale->first, scale->second->constraint},
                       guide->log_affine_in_standard_normal, guide};
}

namespace {

struct Coupling {
  std::size_t low, high;
  double value;
};

// A regression of a location's targets (its local gradient and curvature)
// by the normal equations, whose Gram matrix the intercept's variance needs
// anyway: a pivoted QR of x costs several times as much. The QR only where
// the Gram matrix is not positive definite (collinear regressors), whose
// least-squares solution it still finds. Coefficient by coefficient, as
// control_variated's: a blocked product's packing outweighs a few
// regressors' arithmetic.
struct NormalEquations {
  Eigen::MatrixXd x;  // the intercept, then the regressors
  Eigen::LDLT<Eigen::MatrixXd> normal;
  bool definite = false;
  double intercept_inverse = 0;  // (XᵀX)⁻¹₀₀
};

NormalEquations normal_equations(Eigen::MatrixXd x) {
  NormalEquations out;
  out.normal.compute(x.transpose().lazyProduct(x));
  out.definite = out.normal.info() == Eigen::Success && (out.normal.vectorD().array() > 0).all();
  Eigen::VectorXd unit = Eigen::VectorXd::Zero(x.cols());
  unit[0] = 1;
  out.intercept_inverse = out.normal.solve(unit)[0];
  out.x = std::move(x);
  return out;
}

// The coefficients, and the intercept's variance σ̂² (XᵀX)⁻¹₀₀ for the
// first target with its residual degrees of freedom.
struct InterceptFit {
  Eigen::MatrixXd coefficients;
  double variance = 0, dof = 0;
};

InterceptFit fit_intercept(NormalEquations const& n, Eigen::MatrixXd const& targets) {
  InterceptFit out;
  out.coefficients = n.definite ? Eigen::MatrixXd(n.normal.solve(n.x.transpose().lazyProduct(targets)))
                                : Eigen::MatrixXd(Eigen::ColPivHouseholderQR<Eigen::MatrixXd>(n.x).solve(targets));
  out.dof = static_cast<double>(n.x.rows() - n.x.cols());
  out.variance = (targets.col(0) - n.x * out.coefficients.col(0)).squaredNorm() / out.dof * n.intercept_inverse;
  return out;
}

}  // namespace

LocationCurvature::LocationCurvature(Program const& program, Blankets const& blankets, LocalPlan const& plan) {
  std::vector<int> row_of(blankets.groups.size(), -1);
  for (std::size_t i = 0; i < plan.groups.size(); ++i) {
    std::size_t const g = static_cast<std::size_t>(plan.groups[i]);
    if (auto const c = location_of(program, plan.element[i])) {
      row_of[g] = static_cast<int>(rows_.size());
      auto const& coordinates = blankets.groups[g].coordinates;
      std::size_t const position =
          static_cast<std::size_t>(std::find(coordinates.begin(), coordinates.end(), *c) - coordinates.begin());
      rows_.push_back(Row{*c, i, position, plan.element[i], {}, {}});
    }
  }
  if (rows_.empty()) return;
  std::vector<std::vector<int>> const near = neighbours(blankets);
  // By row, its other neighbours' locations' coordinates, or all of one's
  // coordinates where it has no location.
  std::vector<std::vector<Eigen::Index>> other_locations(rows_.size());
  for (std::size_t i = 0; i < plan.groups.size(); ++i) {
    std::size_t const g = static_cast<std::size_t>(plan.groups[i]);
    if (row_of[g] < 0) continue;
    Row& row = rows_[static_cast<std::size_t>(row_of[g])];
    for (int h : near[g]) {
      std::size_t const other = static_cast<std::size_t>(h);
      if (other == g) continue;
      if (row_of[other] >= 0) {
        row.location_neighbours.push_back(static_cast<std::size_t>(row_of[other]));
        continue;
      }
      FactorGroup const& group = blankets.groups[other];
      for (Eigen::Index c : group.coordinates) row.other_scores.push_back(c);
      std::optional<LocationScale> const found =
          group.latent_elements.size() == 1 ? location_scale_of(program, group.latent_elements[0]) : std::nullopt;
      std::vector<Eigen::Index>& locations = other_locations[static_cast<std::size_t>(row_of[g])];
      if (found)
        locations.push_back(found->location);
      else
        locations.insert(locations.end(), group.coordinates.begin(), group.coordinates.end());
    }
  }
  if (plan.coupling.empty()) return;
  // With the couplings from the rows, a location regresses on its other
  // neighbours' scores for its control variates alone. Where those are more
  // than the fewest draws can fit (a hierarchy whose scale and noise sd are
  // both latents: 6 controls, 14 draws), it takes their locations' scores
  // alone, and the draws stay at the floor (docs/method.md, 'The
  // cross-curvature from the rows').
  constexpr std::size_t floor_controls = 4;  // 2k + 2 draws for k: the natural gradient's floor of 10 (table.cpp)
  for (std::size_t r = 0; r < rows_.size(); ++r)
    if (rows_[r].controls() > floor_controls) rows_[r].other_scores = other_locations[r];
  std::vector<int> row_of_local(plan.groups.size(), -1);
  for (std::size_t r = 0; r < rows_.size(); ++r) row_of_local[rows_[r].plan_index] = static_cast<int>(r);
  for (auto const& [i, j] : plan.coupling.pairs)
    from_rows_.emplace_back(static_cast<std::size_t>(row_of_local[i]), static_cast<std::size_t>(row_of_local[j]));
  std::map<std::vector<Eigen::Index>, int> sets;
  shared_set_.assign(rows_.size(), -1);
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    std::vector<Eigen::Index> regressors;
    for (std::size_t j : rows_[r].location_neighbours) regressors.push_back(rows_[j].coordinate);
    regressors.insert(regressors.end(), rows_[r].other_scores.begin(), rows_[r].other_scores.end());
    if (regressors.size() + 1 > max_regressors) continue;
    auto const [found, added] = sets.try_emplace(regressors, static_cast<int>(shared_sets_.size()));
    if (added) shared_sets_.push_back(std::move(regressors));
    shared_set_[r] = found->second;
  }
}

std::vector<std::size_t> LocationCurvature::elements() const {
  std::vector<std::size_t> out;
  for (Row const& r : rows_) out.push_back(r.element);
  return out;
}

std::size_t LocationCurvature::largest_regression() const {
  // Each pair of locations needs one side's regression for its coupling,
  // the smaller; a location with no location neighbour its own, for its
  // gradient.
  std::size_t most = 0;
  if (!from_rows_.empty()) {
    for (Row const& r : rows_)
      if (r.controls() <= max_regressors) most = std::max(most, r.controls());
    return most;
  }
  for (Row const& r : rows_) {
    std::size_t wanted = r.location_neighbours.empty() ? r.regressors() : 0;
    for (std::size_t j : r.location_neighbours)
      wanted = std::max(wanted, std::min(r.regressors(), rows_[j].regressors()));
    if (wanted <= max_regressors) most = std::max(most, wanted);
  }
  return most;
}

LocationCoupling LocationCurvature::measure(Draws const& d, Eigen::SparseMatrix<double> const* previous) const {
  LocationCoupling out;
  Eigen::Index const S = d.scores.rows();
  for (Row const& r : rows_)
    if (d.local.failed[r.plan_index]) return out;  // some location's expectation was not finite
  std::size_t const L = rows_.size();
  out.gradient.resize(static_cast<Eigen::Index>(L));
  out.gradient_variance.resize(static_cast<Eigen::Index>(L));
  out.dof = static_cast<double>(S - 1);
  Eigen::VectorXd diagonal(static_cast<Eigen::Index>(L));
  for (Row const& r : rows_) out.coordinates.push_back(r.coordinate);
  // Each location's own regression, on its own thread; the couplings and
  // degrees of freedom are gathered in order after.
  std::vector<std::vector<Coupling>> found(L);
  std::vector<double> dof(L, out.dof);
  bool const have_previous = previous && previous->rows() == static_cast<Eigen::Index>(L);
  // Σ_j M_ij (z_j − m_j) over location i's neighbours, with z_j − m_j =
  // s_j/F_j (s_j the location's score) and M the last iteration's: it holds
  // most of what moves G_i where log p is near quadratic, and M from before
  // these draws keeps its mean zero.
  auto const previous_control = [&](std::size_t i) {
    Eigen::VectorXd control = Eigen::VectorXd::Zero(S);
    for (Eigen::SparseMatrix<double>::InnerIterator it(*previous, static_cast<Eigen::Index>(i)); it; ++it) {
      std::size_t const j = static_cast<std::size_t>(it.row());
      if (j != i) control += it.value() / rows_[j].fisher(d) * d.scores.col(rows_[j].coordinate);
    }
    return control;
  };
  // Each shared set's regression, where the draws are at least twice its
  // regressors and more (as the draws are sized).
  std::vector<std::optional<NormalEquations>> shared(shared_sets_.size());
  for (std::size_t k = 0; k < shared_sets_.size(); ++k) {
    Eigen::Index const columns = static_cast<Eigen::Index>(shared_sets_[k].size()) + 1;
    if (2 * columns + 2 > S) continue;
    Eigen::MatrixXd x(S, columns);
    x.col(0).setOnes();
    x.rightCols(columns - 1) = d.scores(Eigen::all, shared_sets_[k]);
    if (NormalEquations n = normal_equations(std::move(x)); n.definite) shared[k] = std::move(n);
  }
  auto const measure_row = [&](std::size_t i) {
    Row const& r = rows_[i];
    Eigen::Index const at = static_cast<Eigen::Index>(i);
    Eigen::MatrixXd targets(S, 2);
    targets.col(0) = d.local.gradients.col(r.coordinate);
    targets.col(1) = d.local.curvature.col(r.coordinate);
    if (!from_rows_.empty() && shared_set_[i] >= 0 && shared[static_cast<std::size_t>(shared_set_[i])]) {
      // The couplings come from the rows: the regression on the
      // neighbours' scores is for the gradient and the diagonal alone.
      InterceptFit const f = fit_intercept(*shared[static_cast<std::size_t>(shared_set_[i])], targets);
      out.gradient[at] = f.coefficients(0, 0);
      out.gradient_variance[at] = f.variance;
      diagonal[at] = r.fisher(d) - f.coefficients(0, 1);
      dof[i] = f.dof;
      return;
    }
    // What the plain or control-variated means are taken over.
    Eigen::MatrixXd samples = targets;
    bool const rows_give_couplings = !from_rows_.empty();
    bool const controlled = rows_give_couplings && have_previous && !r.location_neighbours.empty();
    Eigen::Index const k =
        static_cast<Eigen::Index>(rows_give_couplings ? r.controls() - (controlled ? 0 : 1) : r.regressors());
    bool const regresses = static_cast<std::size_t>(k) <= max_regressors && k + 2 <= S;
    if (!regresses && have_previous) {
      // Too many neighbours to regress on (a population mean's), or too few
      // draws: the last coupling's control alone.
      samples = control_variated(previous_control(i), targets);
      dof[i] = static_cast<double>(S - 2);
    }
    Eigen::RowVector2d level = samples.colwise().mean();
    double variance =
        (samples.col(0).array() - level[0]).square().sum() / static_cast<double>(S - 1) / static_cast<double>(S);
    if (regresses) {
      // Every regressor has expectation zero under q (scores, products of
      // independent scores, the last coupling's control), so the intercept
      // is the control-variated mean.
      Eigen::MatrixXd x(S, k);
      x.col(0).setOnes();
      Eigen::Index col = 1;
      if (!rows_give_couplings)
        for (std::size_t j : r.location_neighbours) x.col(col++) = d.scores.col(rows_[j].coordinate);
      for (Eigen::Index o : r.other_scores) x.col(col++) = d.scores.col(o);
      if (!rows_give_couplings)
        for (std::size_t j : r.location_neighbours)
          for (Eigen::Index o : r.other_scores)
            x.col(col++) = d.scores.col(rows_[j].coordinate).cwiseProduct(d.scores.col(o));
      if (controlled) x.col(col++) = previous_control(i);
      InterceptFit const f = fit_intercept(normal_equations(std::move(x)), targets);
      level = f.coefficients.row(0);
      variance = f.variance;
      dof[i] = f.dof;
      if (!rows_give_couplings)
        for (std::size_t n = 0; n < r.location_neighbours.size(); ++n) {
          std::size_t const j = r.location_neighbours[n];
          found[i].push_back({std::min(i, j), std::max(i, j),
                              -f.coefficients(static_cast<Eigen::Index>(n) + 1, 0) * rows_[j].fisher(d)});
        }
    }
    out.gradient[at] = level[0];
    out.gradient_variance[at] = variance;
    diagonal[at] = r.fisher(d) - level[1];
  };
  if (d.pool)
    d.pool->run(L, measure_row);
  else
    for (std::size_t i = 0; i < L; ++i) measure_row(i);
  std::vector<Coupling> couplings;
  for (std::size_t i = 0; i < L; ++i) {
    out.dof = std::min(out.dof, dof[i]);
    couplings.insert(couplings.end(), found[i].begin(), found[i].end());
  }
  if (!from_rows_.empty()) {
    // Not measured at some draw (or by these draws at all): no coupled step.
    if (d.local.couplings.cols() != static_cast<Eigen::Index>(from_rows_.size())) return {};
    Eigen::RowVectorXd const mean = d.local.couplings.colwise().mean();
    if (!mean.allFinite()) return {};
    for (std::size_t p = 0; p < from_rows_.size(); ++p) {
      auto const [i, j] = from_rows_[p];
      couplings.push_back({std::min(i, j), std::max(i, j), mean[static_cast<Eigen::Index>(p)]});
    }
  }

  // Each pair measured from one side or both: the mean of what there is.
  std::sort(couplings.begin(), couplings.end(),
            [](Coupling const& a, Coupling const& b) { return std::tie(a.low, a.high) < std::tie(b.low, b.high); });
  std::vector<Eigen::Triplet<double>> entries;
  for (std::size_t i = 0; i < L; ++i)
    entries.emplace_back(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i),
                         diagonal[static_cast<Eigen::Index>(i)]);
  for (std::size_t a = 0; a < couplings.size();) {
    std::size_t b = a;
    double sum = 0;
    for (; b < couplings.size() && couplings[b].low == couplings[a].low && couplings[b].high == couplings[a].high; ++b)
      sum += couplings[b].value;
    double const value = sum / static_cast<double>(b - a);
    Eigen::Index const lo = static_cast<Eigen::Index>(couplings[a].low),
                       hi = static_cast<Eigen::Index>(couplings[a].high);
    entries.emplace_back(lo, hi, value);
    entries.emplace_back(hi, lo, value);
    a = b;
  }
  out.curvature.resize(static_cast<Eigen::Index>(L), static_cast<Eigen::Index>(L));
  out.curvature.setFromTriplets(entries.begin(), entries.end());
  return out;
}

}  // namespace bbvi
