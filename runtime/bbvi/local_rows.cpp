#include "runtime/bbvi/local_rows.hpp"

#include "runtime/distributions/checks.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/packed_arguments.hpp"
#include "runtime/polynomial_degree.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace bbvi {

namespace {

// The rows of a model factor: its value's elements.
// A column reduced to its statistics is one row: the sum of its rows.
std::size_t rows_of(Program const& program, Factor const& f) {
  if (!f.statistics.empty()) return 1;
  if (f.latent >= 0) return program.latents[static_cast<std::size_t>(f.latent)].length();
  return program.data[static_cast<std::size_t>(f.lhs_slot)].elements.size();
}

// Its log density's derivatives in its mean are exact and its own: a Normal
// read row by row, or a column reduced to its statistics {n, x̄, ...} with
// one mean for every row (RowsAtDraw::at), not a dense regression's.
bool derivatives_in_mean(Factor const& f) {
  DistributionEntry const& d = *f.distribution;
  return !f.affine && !f.link_form && d.quadratic_in_location && d.argument_derivative_rows &&
         d.derivative_argument == 0;
}

// Whether the factor's scale argument is element e itself, a scalar latent,
// and no other argument reads e.
bool scale_is_element(Program const& program, Factor const& f, std::vector<int> const& degree, std::size_t e) {
  DistributionEntry const& d = *f.distribution;
  if (d.scale_argument < 0) return false;
  std::size_t const scale = static_cast<std::size_t>(d.scale_argument);
  for (std::size_t a = 0; a < degree.size(); ++a)
    if (a != scale && degree[a] != 0) return false;
  Node const& sd = f.args[scale];
  if (sd.op != Node::Op::slot) return false;
  return std::any_of(program.latents.begin(), program.latents.end(), [&](LatentVariable const& v) {
    return v.slot == sd.slot && v.length() == 1 && v.offset == e;
  });
}

// Whether the row's sd is element e itself, a scalar latent, its mean and any
// other argument not reading e, for a Normal read row by row: then its terms
// in e are −log e − k r²/e² (RowsColour::scales).
bool sd_is_element(Program const& program, Factor const& f, std::vector<int> const& degree, std::size_t e) {
  return derivatives_in_mean(f) && !f.reduced() && scale_is_element(program, f, degree, e);
}

// Whether an expression reads a latent element marked in `elements`, by
// whole latent variable, through the locals it reads.
bool reads_any(Program const& program, Node const& n, std::vector<bool> const& elements) {
  if (n.op == Node::Op::slot || n.op == Node::Op::index) {
    for (LatentVariable const& v : program.latents)
      if (v.slot == n.slot)
        for (std::size_t i = 0; i < v.length(); ++i)
          if (elements[v.offset + i]) return true;
    for (Statement const& st : program.model)
      if (auto const* d = std::get_if<Definition>(&st); d && d->slot == n.slot)
        if (reads_any(program, d->value, elements)) return true;
  }
  return std::any_of(n.args.begin(), n.args.end(), [&](Node const& a) { return reads_any(program, a, elements); });
}

}  // namespace

RowsColour plan_rows(Program const& program, ProgramWalk const& walk, Blankets const& blankets,
                     std::vector<int> const& groups, std::vector<std::size_t> const& element,
                     std::vector<std::size_t> const& colour, std::vector<bool> const& statements) {
  std::vector<int> local_of_group(blankets.groups.size(), -1);
  for (std::size_t i : colour) local_of_group[static_cast<std::size_t>(groups[i])] = static_cast<int>(i);
  std::vector<bool> in_colour(program.latent_dimension, false);
  for (std::size_t i : colour) in_colour[element[i]] = true;
  RowsColour out;
  for (std::size_t s = 0; s < program.model.size(); ++s) {
    if (!statements[s]) continue;
    if (auto const* d = std::get_if<Definition>(&program.model[s])) {
      // A local's bounds are checked only where it is evaluated: at points
      // taken from the rows they would not be, where it reads the colour.
      if ((d->bounds.lower || d->bounds.upper) && reads_any(program, d->value, in_colour)) return {};
      continue;
    }
    Factor const& f = std::get<Factor>(program.model[s]);
    TermGroups const& t = blankets.terms[s];
    std::size_t const rows = rows_of(program, f);
    if (!t.uniform && t.by_element.size() != rows) return {};
    RowsColour::Likelihood likelihood{s, std::vector<int>(rows, -1)}, scale{s, std::vector<int>(rows, -1)};
    RowsColour::Own own{s, {}, {}};
    std::optional<std::size_t> affine;  // the local group whose element is a dense regression's sd
    bool reads = false;
    // A term whose every row reaches the same groups is read at its first:
    // its structure is the same in every row.
    for (std::size_t k = 0; k < (t.uniform ? std::min<std::size_t>(rows, 1) : rows); ++k) {
      int local = -1;
      for (int g : t.of(k))
        if (int const i = local_of_group[static_cast<std::size_t>(g)]; i >= 0) {
          if (local >= 0) return {};  // two of the colour's elements in one row
          local = i;
        }
      if (local < 0) continue;
      reads = true;
      std::size_t const e = element[static_cast<std::size_t>(local)];
      PolynomialDegree in{e};
      std::vector<int> degree;
      for (Node const& a : f.args) degree.push_back(walk.operand(a, k, in));
      bool const others_fixed = std::all_of(degree.begin() + 1, degree.end(), [](int d) { return d == 0; });
      int const value = f.latent >= 0 ? walk.slot(f.lhs_slot, k, in) : 0;
      if (value > 0) {
        LatentVariable const& v = program.latents[static_cast<std::size_t>(f.latent)];
        if (degree[0] != 0 || !others_fixed || v.offset + k != e) return {};
        own.rows.emplace_back(k, static_cast<std::size_t>(local));
      } else if (sd_is_element(program, f, degree, e)) {
        scale.local_of_row[k] = local;
      } else if (f.affine && scale_is_element(program, f, degree, e)) {
        affine = static_cast<std::size_t>(local);
      } else {
        if (!derivatives_in_mean(f) || degree[0] > 1 || !others_fixed) return {};
        likelihood.local_of_row[k] = local;
      }
    }
    if (!reads) continue;
    if (affine) {
      // Every row reads the sd, and no other of the colour's elements.
      if (!t.uniform) return {};
      out.affine_scales.emplace_back(s, *affine);
      continue;
    }
    if (t.uniform && rows > 1) {
      if (!own.rows.empty()) return {};  // a vector's own factor reaches each element's group alone
      for (RowsColour::Likelihood* l : {&likelihood, &scale})
        std::fill(l->local_of_row.begin(), l->local_of_row.end(), l->local_of_row[0]);
    }
    auto const any_row = [](RowsColour::Likelihood const& l) {
      return std::any_of(l.local_of_row.begin(), l.local_of_row.end(), [](int i) { return i >= 0; });
    };
    bool const has_likelihood = any_row(likelihood), has_scale = any_row(scale);
    if ((has_likelihood || has_scale) && !own.rows.empty()) return {};
    if (has_likelihood) out.likelihoods.push_back(std::move(likelihood));
    if (has_scale) out.scales.push_back(std::move(scale));
    if (has_likelihood || has_scale) continue;
    PolynomialDegree every{std::nullopt};
    bool fixed = true;
    for (Node const& a : f.evaluated_args())
      for (std::size_t k = 0; k < rows && fixed; ++k) fixed = walk.operand(a, k, every) == 0;
    // The locals before it are evaluated too, at a draw of zeros where one
    // of them may be out of its bounds: then at each draw instead.
    if (fixed) {
      try {
        for (Node const& a : f.evaluated_args())
          own.fixed.push_back(evaluate_in_model(program, std::vector<double>(program.latent_dimension), s, a));
      } catch (DomainError const&) {
        own.fixed.clear();
      }
    }
    out.own.push_back(std::move(own));
  }
  out.by_rows = !out.likelihoods.empty() || !out.scales.empty() || !out.affine_scales.empty() || !out.own.empty();
  return out;
}

RowsAtDraw::Likelihood const& RowsAtDraw::at(std::size_t statement) {
  for (std::size_t i = 0; i < used_; ++i)
    if (made_[i].first == statement) return made_[i].second;
  std::vector<double> const& z = *z_;
  Factor const& f = std::get<Factor>(program_.model[statement]);
  std::vector<Node> const& args = f.evaluated_args();
  // A data column is read where it is stored.
  computed_.resize(args.size());
  values_.resize(args.size());
  for (std::size_t a = 0; a < args.size(); ++a) {
    bool const data = args[a].op == Node::Op::slot && args[a].slot >= 0 &&
                      !program_.data[static_cast<std::size_t>(args[a].slot)].elements.empty();
    values_[a] = data ? &program_.data[static_cast<std::size_t>(args[a].slot)]
                      : &(computed_[a] = evaluator_(z, statement, args[a]));
  }
  std::size_t const n = rows_of(program_, f);
  // A column reduced to {n, x̄, ...}: a log density quadratic in x − η has
  // derivatives affine in x, so its rows' sum is n times x̄'s.
  bool const reduced = !f.statistics.empty();
  double const* x = reduced         ? &f.statistics[1]
                    : f.latent >= 0 ? z.data() + program_.latents[static_cast<std::size_t>(f.latent)].offset
                                    : program_.data[static_cast<std::size_t>(f.lhs_slot)].elements.data();
  pointers_.resize(args.size());
  unsigned varies = 0;
  for (std::size_t a = 0; a < args.size(); ++a) {
    pointers_[a] = values_[a]->elements.data();
    if (values_[a]->is_vector) varies |= 1u << a;
  }
  if (used_ == made_.size()) made_.emplace_back();
  auto& [made_for, out] = made_[used_];
  out.slope.resize(n);
  out.curvature.resize(n);
  f.evaluated().argument_derivative_rows(x, n, pointers_.data(), varies, out.slope.data(), out.curvature.data());
  if (reduced) {
    out.slope[0] *= f.statistics[0];
    out.curvature[0] *= f.statistics[0];
  }
  for (std::size_t r = 0; r < n; ++r)
    if (!std::isfinite(out.slope[r]) || !std::isfinite(out.curvature[r]))
      throw DomainError("a row's derivatives in its mean are not finite");
  out.eta = *values_[0];
  made_for = statement;
  ++used_;
  return out;
}

void blanket_changes(Program const& program, RowsColour const& colour_rows, std::vector<std::size_t> const& colour,
                     std::vector<std::size_t> const& element,
                     std::vector<std::vector<QuadraturePoint>> const& points, std::vector<double> const& z,
                     RowsAtDraw& draw, RowsScratch& scratch, std::vector<std::vector<double>>& change,
                     std::vector<std::vector<double>>* columns) {
  std::vector<double>& slope = scratch.slope;  // A and B, by local group
  std::vector<double>& second = scratch.second;
  slope.assign(element.size(), 0.0);
  second.assign(element.size(), 0.0);
  std::vector<double>& moved = scratch.moved;
  moved = z;
  for (std::size_t i : colour) {
    moved[element[i]] += 1;
    change[i].assign(points[i].size(), 0.0);
  }
  if (columns) columns->resize(colour_rows.likelihoods.size());
  for (std::size_t index = 0; index < colour_rows.likelihoods.size(); ++index) {
    RowsColour::Likelihood const& l = colour_rows.likelihoods[index];
    RowsAtDraw::Likelihood const& at = draw.at(l.statement);
    if (columns) (*columns)[index].assign(l.local_of_row.size(), 0.0);
    Factor const& f = std::get<Factor>(program.model[l.statement]);
    // Affine in the colour's elements: the difference is each row's column.
    Value<double> const eta = draw.evaluate(moved, l.statement, f.evaluated_args()[0]);
    for (std::size_t n = 0; n < l.local_of_row.size(); ++n) {
      int const i = l.local_of_row[n];
      if (i < 0) continue;
      double const c = eta.at(n) - at.eta.at(n);
      if (columns) (*columns)[index][n] = c;
      slope[static_cast<std::size_t>(i)] += at.slope[n] * c;
      second[static_cast<std::size_t>(i)] -= at.curvature[n] * c * c;
    }
  }
  // A row whose sd is the element σ: −log σ − k r²/σ², its k r² from the
  // derivatives at the draw (ℓ′ = 2k r/σ², −ℓ″ = 2k/σ²).
  std::vector<double>& count = scratch.count;
  std::vector<double>& squares = scratch.squares;
  bool const scales = !colour_rows.scales.empty();
  if (scales) {
    count.assign(element.size(), 0.0);
    squares.assign(element.size(), 0.0);
  }
  for (RowsColour::Likelihood const& l : colour_rows.scales) {
    RowsAtDraw::Likelihood const& at = draw.at(l.statement);
    for (std::size_t n = 0; n < l.local_of_row.size(); ++n) {
      int const i = l.local_of_row[n];
      if (i < 0) continue;
      double const sd = z[element[static_cast<std::size_t>(i)]];
      count[static_cast<std::size_t>(i)] += 1;
      squares[static_cast<std::size_t>(i)] += sd * sd * at.slope[n] * at.slope[n] / (2 * at.curvature[n]);
    }
  }
  for (auto const& [statement, i] : colour_rows.affine_scales) {
    AffineNormal::Column const column = std::get<Factor>(program.model[statement]).affine->column_at(z);
    double const at_draw = AffineNormal::log_density_sum(column, z[element[i]]);
    for (std::size_t k = 0; k < points[i].size(); ++k)
      change[i][k] += AffineNormal::log_density_sum(column, points[i][k].value) - at_draw;
  }
  for (RowsColour::Own const& o : colour_rows.own) {
    Factor const& f = std::get<Factor>(program.model[o.statement]);
    // A density quadratic in value − mean whose arguments read other latents
    // (a centred hierarchy's theta ~ Normal(mu, tau)), or whose rows are
    // many (a non-centred one's eta ~ Normal(0, 1) at J = 100): its change
    // is the quadratic's, from the derivatives in the mean the draw's rows
    // take once (∂/∂x = −∂/∂η), not a log density per point. A few rows
    // with fixed arguments are cheaper evaluated (eight schools' 8: 2%).
    constexpr std::size_t few_rows = 32;
    if (derivatives_in_mean(f) && (o.fixed.empty() || o.rows.size() > few_rows)) {
      RowsAtDraw::Likelihood const& at = draw.at(o.statement);
      for (auto const& [row, i] : o.rows) {
        slope[i] -= at.slope[row];
        second[i] -= at.curvature[row];
      }
      continue;
    }
    std::vector<Node> const& nodes = f.evaluated_args();
    std::vector<Value<double>> at_draw_values;
    if (o.fixed.empty()) {
      at_draw_values.resize(nodes.size());
      for (std::size_t a = 0; a < nodes.size(); ++a) at_draw_values[a] = draw.evaluate(z, o.statement, nodes[a]);
    }
    std::vector<Value<double>> const& values = o.fixed.empty() ? at_draw_values : o.fixed;
    std::vector<double> args(nodes.size());
    for (auto const& [row, i] : o.rows) {
      pack_arguments(f.evaluated().signature, nodes.size(), [&](std::size_t a) -> auto const& { return values[a]; },
                     row, args);
      double const at_draw = f.evaluated().log_density(z[element[i]], args.data());
      for (std::size_t k = 0; k < points[i].size(); ++k)
        change[i][k] += f.evaluated().log_density(points[i][k].value, args.data()) - at_draw;
    }
  }
  for (std::size_t i : colour) {
    double const from = z[element[i]];
    for (std::size_t k = 0; k < points[i].size(); ++k) {
      double const to = points[i][k].value, step = to - from;
      change[i][k] += slope[i] * step + 0.5 * second[i] * step * step;
      if (scales && count[i] > 0)
        change[i][k] -= count[i] * std::log(to / from) + squares[i] * (1 / (to * to) - 1 / (from * from));
    }
  }
}

}  // namespace bbvi
