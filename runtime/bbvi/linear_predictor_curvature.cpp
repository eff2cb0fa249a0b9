#include "runtime/bbvi/linear_predictor_curvature.hpp"

#include "core/row_blocks.hpp"
#include "runtime/affine_normal.hpp"
#include "runtime/bbvi/control_variates.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/polynomial_degree.hpp"
#include "runtime/program_walk.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace bbvi {

namespace {

// Every latent element `node` reads over a statement's `rows` elements.
std::vector<std::size_t> reads_of(ProgramWalk const& walk, Node const& node, std::size_t rows) {
  std::vector<std::size_t> reads;
  PolynomialDegree degree{std::nullopt, &reads};
  for (std::size_t k = 0; k < rows; ++k) walk.operand(node, k, degree);
  std::sort(reads.begin(), reads.end());
  reads.erase(std::unique(reads.begin(), reads.end()), reads.end());
  return reads;
}

}  // namespace

LinearPredictorCurvature::LinearPredictorCurvature(Program const& program, std::vector<std::size_t> const& locations,
                                                   bool gaussian)
    : locations_(locations), gaussian_(gaussian) {
  if (locations.empty()) return;
  std::vector<int> row_of(program.latent_dimension, -1);
  for (std::size_t i = 0; i < locations.size(); ++i) row_of[locations[i]] = static_cast<int>(i);
  auto const is_location = [&](std::size_t e) { return row_of[e] >= 0; };
  ProgramWalk const walk = ProgramWalk::of_model(program);
  bool beyond_gaussian = false;
  std::vector<Term> terms;
  std::vector<double> const zero(program.latent_dimension, 0.0);
  try {
    for (std::size_t s = 0; s < program.model.size(); ++s) {
      auto const* f = std::get_if<Factor>(&program.model[s]);
      if (!f) continue;  // a local: the terms that read it see through it
      Term t;
      t.statement = s;
      t.rows = std::max<std::size_t>(1, f->lhs_size);
      std::vector<Node> const& args = f->evaluated_args();
      std::vector<std::vector<std::size_t>> reads;
      std::size_t reading = 0;
      for (std::size_t k = 0; k < args.size(); ++k) {
        reads.push_back(reads_of(walk, args[k], t.rows));
        if (std::any_of(reads[k].begin(), reads[k].end(), is_location)) {
          ++reading;
          t.argument = k;
        }
      }
      bool value_reads = false;
      if (f->latent >= 0) {
        LatentVariable const& v = program.latents[static_cast<std::size_t>(f->latent)];
        for (std::size_t k = 0; k < v.length(); ++k) {
          t.location_row.push_back(row_of[v.offset + k]);
          value_reads = value_reads || t.location_row.back() >= 0;
        }
      }
      if (reading == 0 && !value_reads) continue;
      if (value_reads) {
        // A prior on the locations: its log density is a quadratic in value
        // − location, so its curvature in the value is that in argument 0.
        // A whole value's (MultiNormal's) curvature is not one by element.
        if (reading > 0 || !f->evaluated().quadratic_in_location || f->evaluated().signature.whole_value) return;
        t.prior = true;
        t.argument = 0;
      } else {
        // A latent whose distribution reads the locations (a hierarchical
        // effect's): its value is not data, and not handled here; nor is an
        // argument read whole (Categorical's theta), which has no value by row.
        if (f->latent >= 0 || f->evaluated().signature.reads_whole(t.argument)) return;
        std::optional<std::vector<std::size_t>> const elements =
            reading == 1 ? shared_affine_elements(program, args[t.argument], t.rows) : std::nullopt;
        if (!elements || !std::all_of(elements->begin(), elements->end(), is_location)) return;
        bool const quadratic = t.argument == 0 && f->evaluated().quadratic_in_location;
        if (gaussian) {
          // Its derivatives from the regression's statistics, in O(K²).
          if (!quadratic || !f->affine || f->affine->elements != *elements) return;
          t.affine = &*f->affine;
          t.quadratic = t.affine->quadratic_form();
        } else {
          AffineColumns c = affine_columns(program, s, args[t.argument], t.rows, *elements);
          if (!c.at_zero.allFinite() || !c.columns.allFinite()) return;
          t.at_zero = std::move(c.at_zero);
          t.columns = std::move(c.columns);
          t.squared_columns = t.columns.cwiseAbs2();
        }
        for (std::size_t e : *elements) t.location_row.push_back(row_of[e]);
        t.elements = *elements;
        beyond_gaussian = beyond_gaussian || !quadratic;
      }
      for (std::size_t k = 0; k < args.size(); ++k) {
        t.per_draw.push_back(!reads[k].empty());
        t.fixed.push_back(reads[k].empty() ? evaluate_in_model(program, zero, s, args[k]) : Value<double>{});
      }
      terms.push_back(std::move(t));
    }
  } catch (DomainError const&) {
    return;  // a local's bounds reject z = 0: the draws' regressions measure M
  }
  if (beyond_gaussian || gaussian) terms_ = std::move(terms);
}

// ℓ'(η) and −ℓ''(η) of each of the term's rows at draw z, into w.slope and
// w.curvature: as the distribution states them where it does (registry.hpp),
// else by central differences in the argument η. The step is relative to
// η's size; for a density quadratic in η the differences are
// exact but for rounding, and elsewhere their O(h²) error is far below the
// draws' noise. `w` keeps its storage from draw to draw: N rows of eight
// buffers, allocated a draw at a time, were most of the time at N = 10⁴.
void LinearPredictorCurvature::row_derivatives(Program const& program, Term const& t, std::vector<double> const& z,
                                               Workspace& w) const {
  Factor const& f = std::get<Factor>(program.model[t.statement]);
  std::vector<Node> const& args = f.evaluated_args();
  w.values.resize(args.size());
  // A likelihood's η comes from its columns below, not from evaluating it.
  for (std::size_t k = 0; k < args.size(); ++k)
    if (t.prior || k != t.argument)
      w.values[k] = t.per_draw[k] ? evaluate_in_model(program, z, t.statement, args[k]) : t.fixed[k];
  std::size_t const n = t.rows;
  Eigen::Index const rows = static_cast<Eigen::Index>(n);
  w.eta.resize(n);
  w.x.resize(n);
  double const* x = w.x.data();
  if (t.prior) {
    LatentVariable const& v = program.latents[static_cast<std::size_t>(f.latent)];
    for (std::size_t r = 0; r < n; ++r) {
      w.eta[r] = w.values[0].at(r);
      w.x[r] = z[v.offset + r];
    }
  } else {
    w.at_draw.resize(static_cast<Eigen::Index>(t.elements.size()));
    for (std::size_t j = 0; j < t.elements.size(); ++j) w.at_draw[static_cast<Eigen::Index>(j)] = z[t.elements[j]];
    Eigen::Map<Eigen::VectorXd>(w.eta.data(), rows) = t.at_zero + t.columns * w.at_draw;
    x = program.data[static_cast<std::size_t>(f.lhs_slot)].elements.data();
  }
  std::vector<double const*>& pointers = w.pointers;
  pointers.resize(args.size());
  unsigned varies = 1u << t.argument;
  for (std::size_t k = 0; k < args.size(); ++k) {
    pointers[k] = w.values[k].elements.data();
    if (w.values[k].is_vector) varies |= 1u << k;
  }
  pointers[t.argument] = w.eta.data();
  w.slope.resize(rows);
  w.curvature.resize(rows);
  // A prior's value is the location: ∂/∂x = −∂/∂η for a function of x − η.
  double const sign = t.prior ? -1 : 1;
  DistributionEntry const& d = f.evaluated();
  if (d.argument_derivative_rows && d.derivative_argument == t.argument) {
    d.argument_derivative_rows(x, n, pointers.data(), varies, w.slope.data(), w.curvature.data());
    w.slope *= sign * f.weight;
    w.curvature *= f.weight;
    return;
  }
  for (std::vector<double>* b : {&w.step, &w.above, &w.below, &w.at, &w.up, &w.down}) b->resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    w.step[r] = 1e-4 * (1 + std::abs(w.eta[r]));
    w.above[r] = w.eta[r] + w.step[r];
    w.below[r] = w.eta[r] - w.step[r];
  }
  d.log_density_rows(x, n, pointers.data(), varies, w.at.data());
  pointers[t.argument] = w.above.data();
  d.log_density_rows(x, n, pointers.data(), varies, w.up.data());
  pointers[t.argument] = w.below.data();
  d.log_density_rows(x, n, pointers.data(), varies, w.down.data());
  for (std::size_t r = 0; r < n; ++r) {
    Eigen::Index const i = static_cast<Eigen::Index>(r);
    w.slope[i] = sign * f.weight * (w.up[r] - w.down[r]) / (2 * w.step[r]);
    w.curvature[i] = -f.weight * (w.up[r] - 2 * w.at[r] + w.down[r]) / (w.step[r] * w.step[r]);
  }
}

void LinearPredictorCurvature::add_affine(Program const& program, Term const& t, std::vector<double> const& z,
                                          Eigen::Index draw, Eigen::MatrixXd& per_draw, double& precision) const {
  Factor const& f = std::get<Factor>(program.model[t.statement]);
  double const sd = (t.per_draw[1] ? evaluate_in_model(program, z, t.statement, f.args[1]) : t.fixed[1]).at(0);
  // An sd the rows would reject leaves a NaN, and measure() nothing.
  double const h = sd > 0 ? 1 / (sd * sd) : std::numeric_limits<double>::quiet_NaN();
  Eigen::VectorXd const g = t.affine->log_density_gradient(z, sd);
  Eigen::Index const L = static_cast<Eigen::Index>(locations_.size());
  for (std::size_t j = 0; j < t.location_row.size(); ++j) {
    Eigen::Index const k = static_cast<Eigen::Index>(j);
    per_draw(draw, t.location_row[j]) += g[k];
    if (per_draw.cols() > L) per_draw(draw, L + t.location_row[j]) -= h * t.quadratic(k, k);
  }
  precision += h;
}

std::optional<LinearPredictorCurvature::Measured> LinearPredictorCurvature::measure(
    Program const& program, Eigen::MatrixXd const& latents, Eigen::VectorXd const& means,
    Eigen::VectorXd const& sds) const {
  Eigen::Index const L = static_cast<Eigen::Index>(locations_.size()), S = latents.rows();
  bool const scales = sds.size() == L;
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(L, L);
  // By draw, ∇_z log p on the locations, then (with the sds) the diagonal
  // of ∇²_z log p.
  Eigen::MatrixXd per_draw = Eigen::MatrixXd::Zero(S, scales ? 2 * L : L);
  Workspace workspace;
  try {
    for (Term const& t : terms_) {
      // By row, E[−ℓ'']; a reduced dense regression has no rows to hold it
      // for (zeroing N of them an iteration was most of its time at N = 10⁶).
      Eigen::VectorXd mean = Eigen::VectorXd::Zero(t.affine ? 0 : static_cast<Eigen::Index>(t.rows));
      double precision = 0;  // a dense regression's: Σ_s 1/sd_s²
      for (Eigen::Index s = 0; s < S; ++s) {
        std::vector<double> z(latents.row(s).begin(), latents.row(s).end());
        // Every term quadratic in the locations: its gradient is linear and
        // its Hessian constant in them, so their values at the means are the
        // expectations over the locations' draws.
        if (gaussian_)
          for (std::size_t i = 0; i < locations_.size(); ++i) z[locations_[i]] = means[static_cast<Eigen::Index>(i)];
        if (t.affine) {
          add_affine(program, t, z, s, per_draw, precision);
          continue;
        }
        row_derivatives(program, t, z, workspace);
        mean += workspace.curvature / static_cast<double>(S);
        if (t.prior) {
          for (std::size_t k = 0; k < t.location_row.size(); ++k)
            if (int const i = t.location_row[k]; i >= 0) {
              Eigen::Index const r = static_cast<Eigen::Index>(k);
              per_draw(s, i) += workspace.slope[r];
              if (scales) per_draw(s, L + i) -= workspace.curvature[r];
            }
          continue;
        }
        // Sums over the rows, by fixed row blocks (docs/method.md, 'Row blocks').
        auto const by_blocks = [&](Eigen::MatrixXd const& columns, Eigen::VectorXd const& by_row) {
          auto const rows = static_cast<std::size_t>(columns.rows());
          return sum_by_row_blocks(rows, [&](std::size_t a, std::size_t b) -> Eigen::VectorXd {
            auto const from = static_cast<Eigen::Index>(a), n = static_cast<Eigen::Index>(b - a);
            return columns.middleRows(from, n).transpose() * by_row.segment(from, n);
          });
        };
        Eigen::VectorXd& g = workspace.by_location;
        g = by_blocks(t.columns, workspace.slope);
        for (std::size_t j = 0; j < t.location_row.size(); ++j)
          per_draw(s, t.location_row[j]) += g[static_cast<Eigen::Index>(j)];
        if (!scales) continue;
        Eigen::VectorXd& diagonal = workspace.by_location;
        diagonal = by_blocks(t.squared_columns, workspace.curvature);
        for (std::size_t j = 0; j < t.location_row.size(); ++j)
          per_draw(s, L + t.location_row[j]) -= diagonal[static_cast<Eigen::Index>(j)];
      }
      if (t.prior) {
        for (std::size_t k = 0; k < t.location_row.size(); ++k)
          if (int const i = t.location_row[k]; i >= 0) m(i, i) += mean[static_cast<Eigen::Index>(k)];
        continue;
      }
      auto const rows = static_cast<std::size_t>(t.columns.rows());
      Eigen::MatrixXd const block =
          t.affine ? Eigen::MatrixXd(precision / static_cast<double>(S) * t.quadratic)
                   : sum_by_row_blocks(rows, [&](std::size_t a, std::size_t b) -> Eigen::MatrixXd {
                       auto const from = static_cast<Eigen::Index>(a), n = static_cast<Eigen::Index>(b - a);
                       auto const c = t.columns.middleRows(from, n);
                       return c.transpose() * mean.segment(from, n).asDiagonal() * c;
                     });
      for (std::size_t a = 0; a < t.location_row.size(); ++a)
        for (std::size_t b = 0; b < t.location_row.size(); ++b)
          m(t.location_row[a], t.location_row[b]) += block(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b));
    }
  } catch (DomainError const&) {
    return std::nullopt;
  }
  if (!m.allFinite() || !per_draw.allFinite() || S < 2) return std::nullopt;
  Eigen::VectorXd sample_fraction;
  if (scales) {
    if (!(sds.array() > 0).all()) return std::nullopt;
    Eigen::ArrayXXd const second = per_draw.rightCols(L).array().abs();
    sample_fraction = second.colwise().sum().square() / (second.square().colwise().sum() * static_cast<double>(S));
    for (Eigen::Index i = 0; i < L; ++i)
      per_draw.col(L + i) = (sds[i] * per_draw.col(L + i)).array() + 1 / sds[i];
  }
  // Each draw's gradient is ∇log p(m) + H(z_s − m) and more: the
  // displacements z_s − m, of mean zero, are its control variates, which
  // leave what is not linear in them (control_variates.hpp). Without them a
  // near-Gaussian posterior's gradient is noisier than the regressions' of
  // f on the Hermite polynomials (measured on the example logistic
  // regression: 662 iterations to converge, against 428). The second
  // derivatives' variation is, to first order, linear in them too. Where
  // every term is quadratic in the locations, the draws were taken at
  // their means: nothing of the displacements is left to take out.
  if (!gaussian_) {
    Eigen::MatrixXd displacements(S, L);
    for (std::size_t i = 0; i < locations_.size(); ++i)
      displacements.col(static_cast<Eigen::Index>(i)) =
          latents.col(static_cast<Eigen::Index>(locations_[i])).array() - means[static_cast<Eigen::Index>(i)];
    per_draw = control_variated(displacements, per_draw);
  }
  Eigen::VectorXd const average = per_draw.colwise().mean().transpose();
  Eigen::MatrixXd const centred = per_draw.rowwise() - average.transpose();
  Eigen::MatrixXd const covariance = centred.transpose() * centred / static_cast<double>((S - 1) * S);
  Measured out;
  out.gradient = average.head(L);
  out.gradient_covariance = covariance.topLeftCorner(L, L);
  out.curvature = m.sparseView();
  if (scales) {
    out.scale_gradient = average.tail(L);
    out.joint_covariance = covariance;
    out.scale_sample_fraction = sample_fraction.unaryExpr([](double f) { return std::isfinite(f) ? f : 0.0; });
  }
  return out;
}

}  // namespace bbvi
