#include "runtime/bbvi/local_rows.hpp"

#include "core/row_blocks.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/packed_arguments.hpp"
#include "runtime/polynomial_degree.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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

// Each element of its value reads only the same element of its operands'.
bool elementwise(Node const& n) {
  switch (n.op) {
    case Node::Op::negate:
    case Node::Op::add:
    case Node::Op::subtract:
    case Node::Op::multiply:
    case Node::Op::divide:
    case Node::Op::power:
    case Node::Op::conditional:
      return true;
    case Node::Op::call:
      return n.function != Function::density && !reads_whole_vector(n.function, n.args.size()) &&
             !is_replaced_when_lowered(n.function);
    default:
      return false;
  }
}

bool is_comparison(Node::Op op) {
  return op == Node::Op::less || op == Node::Op::less_equal || op == Node::Op::greater ||
         op == Node::Op::greater_equal || op == Node::Op::equal || op == Node::Op::not_equal;
}

// b `op` a where a `op` b is written.
Node::Op mirrored(Node::Op op) {
  switch (op) {
    case Node::Op::less: return Node::Op::greater;
    case Node::Op::less_equal: return Node::Op::greater_equal;
    case Node::Op::greater: return Node::Op::less;
    case Node::Op::greater_equal: return Node::Op::less_equal;
    default: return op;
  }
}

// The `?:` under n whose condition reads the colour and whose branches do
// not, reached through element-wise operations; `other` set where the
// colour is read anywhere else.
void find_selects(Program const& program, Node const& n, std::vector<bool> const& in_colour,
                  std::vector<Node const*>& found, bool& other) {
  if (!reads_any(program, n, in_colour)) return;
  if (n.op == Node::Op::conditional && !reads_any(program, n.args[1], in_colour) &&
      !reads_any(program, n.args[2], in_colour)) {
    found.push_back(&n);
    return;
  }
  if (!elementwise(n)) {
    other = true;
    return;
  }
  for (Node const& a : n.args) find_selects(program, a, in_colour, found, other);
}

// n with every local that reads the colour replaced by its value, so that
// a `?:` a statement reads through a local is found (a changepoint's
// `real rate[N] = t < tau ? e : l; y ~ Poisson(rate);`). A local read by
// index stays: its element is not the row's.
Node inlined(Program const& program, Node const& n, std::vector<bool> const& in_colour) {
  if (n.op == Node::Op::slot)
    for (Statement const& st : program.model)
      if (auto const* d = std::get_if<Definition>(&st);
          d && d->slot == n.slot && reads_any(program, d->value, in_colour))
        return inlined(program, d->value, in_colour);
  Node out = n;
  for (std::size_t a = 0; a < n.args.size(); ++a) out.args[a] = inlined(program, n.args[a], in_colour);
  return out;
}

// n with the node at `target` replaced by `with`.
Node replaced(Node const& n, Node const* target, Node const& with) {
  if (&n == target) return with;
  Node out = n;
  for (std::size_t a = 0; a < n.args.size(); ++a) out.args[a] = replaced(n.args[a], target, with);
  return out;
}

// The factor as a RowsColour::Threshold, where it is one.
std::optional<RowsColour::Threshold> threshold_of(Program const& program, Factor const& f, std::size_t statement,
                                                  std::vector<bool> const& in_colour,
                                                  std::vector<int> const& local_of_element) {
  if (f.affine || f.evaluated().signature.whole_value) return std::nullopt;
  if (f.latent >= 0) {
    LatentVariable const& v = program.latents[static_cast<std::size_t>(f.latent)];
    for (std::size_t i = 0; i < v.length(); ++i)
      if (in_colour[v.offset + i]) return std::nullopt;
  }
  std::vector<Node> args;
  for (Node const& a : f.evaluated_args()) args.push_back(inlined(program, a, in_colour));
  std::vector<Node const*> found;
  bool other = false;
  std::size_t argument = 0;
  for (std::size_t a = 0; a < args.size(); ++a) {
    std::size_t const before = found.size();
    find_selects(program, args[a], in_colour, found, other);
    if (found.size() != before) argument = a;
  }
  if (other || found.size() != 1 || f.evaluated().signature.reads_whole(argument)) return std::nullopt;
  Node const& select = *found[0];
  Node const& condition = select.args[0];
  if (!is_comparison(condition.op)) return std::nullopt;
  // One side the element, a scalar latent; the other reading none of the colour.
  auto const element_of = [&](Node const& side) -> std::optional<std::size_t> {
    if (side.op != Node::Op::slot) return std::nullopt;
    for (LatentVariable const& v : program.latents)
      if (v.slot == side.slot && v.length() == 1 && in_colour[v.offset]) return v.offset;
    return std::nullopt;
  };
  for (std::size_t side = 0; side < 2; ++side) {
    std::optional<std::size_t> const e = element_of(condition.args[side]);
    Node const& bound = condition.args[1 - side];
    if (!e || reads_any(program, bound, in_colour)) continue;
    RowsColour::Threshold out;
    out.statement = statement;
    out.local = static_cast<std::size_t>(local_of_element[*e]);
    out.argument = argument;
    out.when_true = replaced(args[argument], &select, select.args[1]);
    out.when_false = replaced(args[argument], &select, select.args[2]);
    out.comparison = side == 0 ? condition.op : mirrored(condition.op);
    out.bound = bound;
    return out;
  }
  return std::nullopt;
}

bool holds(Node::Op comparison, double x, double bound) {
  switch (comparison) {
    case Node::Op::less: return x < bound;
    case Node::Op::less_equal: return x <= bound;
    case Node::Op::greater: return x > bound;
    case Node::Op::greater_equal: return x >= bound;
    case Node::Op::equal: return x == bound;
    default: return x != bound;
  }
}

// Each row's term under the threshold's true branch and under its false
// one, into scratch.when_true and scratch.when_false: not a number where
// the density rejects a branch's arguments (a `?:` may leave a row's
// unchosen branch invalid).
void branch_terms(Program const& program, RowsColour::Threshold const& th, std::vector<double> const& z,
                  RowsAtDraw& draw, RowsScratch& scratch) {
  Factor const& f = std::get<Factor>(program.model[th.statement]);
  DistributionEntry const& d = f.evaluated();
  std::vector<Node> const& nodes = f.evaluated_args();
  std::size_t const n = rows_of(program, f);
  double const* x = f.latent >= 0 ? z.data() + program.latents[static_cast<std::size_t>(f.latent)].offset
                                  : program.data[static_cast<std::size_t>(f.lhs_slot)].elements.data();
  std::vector<Value<double>>& arguments = scratch.arguments;
  arguments.resize(nodes.size());
  for (std::size_t a = 0; a < nodes.size(); ++a)
    if (a != th.argument) arguments[a] = draw.evaluate(z, th.statement, nodes[a]);
  std::vector<std::vector<double>> whole;
  std::vector<double const*> columns;
  for (auto const& [node, out] :
       {std::pair{&th.when_true, &scratch.when_true}, {&th.when_false, &scratch.when_false}}) {
    arguments[th.argument] = draw.evaluate(z, th.statement, *node);
    out->resize(n);
    if (!f.statistics.empty()) {
      // A column reduced to its statistics, its arguments one value each:
      // one row, their sum's log density.
      std::vector<double> packed;
      pack_arguments(d.signature, nodes.size(), [&](std::size_t k) -> auto const& { return arguments[k]; }, 0, packed);
      try {
        (*out)[0] = d.log_density_sum(f.statistics.data(), packed.data());
      } catch (DomainError const&) {
        (*out)[0] = std::numeric_limits<double>::quiet_NaN();
      }
      continue;
    }
    unsigned const varies = row_columns(
        d.signature, nodes.size(), [&](std::size_t k) -> Value<double> const& { return arguments[k]; }, whole,
        columns);
    try {
      d.log_density_rows(x, n, columns.data(), varies, out->data());
    } catch (DomainError const&) {
      // A branch some rows do not choose may be outside the density's
      // domain there: row by row, a rejected row's value not a number.
      std::vector<double const*> row(columns.size());
      for (std::size_t r = 0; r < n; ++r) {
        for (std::size_t k = 0; k < columns.size(); ++k) row[k] = columns[k] + (((varies >> k) & 1u) != 0 ? r : 0);
        try {
          d.log_density_rows(x + r, 1, row.data(), varies, out->data() + r);
        } catch (DomainError const&) {
          (*out)[r] = std::numeric_limits<double>::quiet_NaN();
        }
      }
    }
    if (f.weight != 1)
      for (double& term : *out) term *= f.weight;
  }
}

// A threshold's change at each of its group's points, into `change`: each
// row's two values are evaluated once (branch_terms), and the points, in
// order of value, where the condition holds are one run of them, or all but
// one run (not_equal); a row adds its value to a run as a step in `steps`,
// whose prefix sums are then every point's sum. A value that is not finite
// makes the points that choose it non-finite, as their evaluation would.
void threshold_changes(Program const& program, RowsColour::Threshold const& th,
                       std::vector<QuadraturePoint> const& points, std::vector<double> const& z, double at,
                       RowsAtDraw& draw, RowsScratch& scratch, std::vector<double>& change) {
  branch_terms(program, th, z, draw, scratch);
  std::size_t const n = scratch.when_true.size();
  Value<double> const bound = draw.evaluate(z, th.statement, th.bound);
  std::size_t const K = points.size();
  std::vector<std::size_t>& order = scratch.order;
  order.resize(K);
  for (std::size_t k = 0; k < K; ++k) order[k] = k;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return points[a].value < points[b].value; });
  std::vector<double>& sorted = scratch.sorted;
  sorted.resize(K);
  for (std::size_t p = 0; p < K; ++p) sorted[p] = points[order[p]].value;
  std::vector<double>& steps = scratch.steps;
  std::vector<int>& rejected = scratch.rejected;  // by position, as steps: the rows a point makes non-finite
  steps.assign(K + 1, 0.0);
  rejected.assign(K + 1, 0);
  double everywhere = 0, at_draw = 0;
  // In fixed row blocks (docs/method.md, 'Row blocks'): the first block's
  // rows into the sums, each later block's summed on its own and added.
  std::vector<double> block_steps;
  double block_everywhere = 0, block_at_draw = 0;
  for (std::size_t r = 0; r < n; ++r) {
    if (r % row_block == 0 && r > 0) {
      if (r > row_block) {
        for (std::size_t p = 0; p <= K; ++p) steps[p] += block_steps[p];
        everywhere += block_everywhere;
        at_draw += block_at_draw;
      }
      block_steps.assign(K + 1, 0.0);
      block_everywhere = 0, block_at_draw = 0;
    }
    bool const first = r < row_block;
    double& into_at_draw = first ? at_draw : block_at_draw;
    double& into_everywhere = first ? everywhere : block_everywhere;
    std::vector<double>& into_steps = first ? steps : block_steps;
    double const c = bound.at(r), when_true = scratch.when_true[r], when_false = scratch.when_false[r];
    if (std::isnan(c)) throw DomainError("a threshold's bound is not a number");
    double const chosen = holds(th.comparison, at, c) ? when_true : when_false;
    if (!std::isfinite(chosen)) throw DomainError("a row's term at the draw is not finite");
    into_at_draw += chosen;
    // The run [lo, hi) of positions, and the value inside it and outside.
    auto const lower = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), c) - sorted.begin());
    auto const upper = static_cast<std::size_t>(std::upper_bound(sorted.begin(), sorted.end(), c) - sorted.begin());
    std::size_t lo = lower, hi = upper;
    bool inside_true = true;
    switch (th.comparison) {
      case Node::Op::less: lo = 0, hi = lower; break;
      case Node::Op::less_equal: lo = 0, hi = upper; break;
      case Node::Op::greater: lo = upper, hi = K; break;
      case Node::Op::greater_equal: lo = lower, hi = K; break;
      case Node::Op::equal: break;
      default: inside_true = false;
    }
    double const inside = inside_true ? when_true : when_false, outside = inside_true ? when_false : when_true;
    double const inside_sum = std::isfinite(inside) ? inside : 0, outside_sum = std::isfinite(outside) ? outside : 0;
    into_everywhere += outside_sum;
    into_steps[lo] += inside_sum - outside_sum;
    into_steps[hi] -= inside_sum - outside_sum;
    if (!std::isfinite(inside)) ++rejected[lo], --rejected[hi];
    if (!std::isfinite(outside)) ++rejected[0], --rejected[lo], ++rejected[hi], --rejected[K];
  }
  if (n > row_block) {
    for (std::size_t p = 0; p <= K; ++p) steps[p] += block_steps[p];
    everywhere += block_everywhere;
    at_draw += block_at_draw;
  }
  double sum = everywhere;
  int non_finite = 0;
  for (std::size_t p = 0; p < K; ++p) {
    sum += steps[p];
    non_finite += rejected[p];
    change[order[p]] += non_finite > 0 ? -HUGE_VAL : sum - at_draw;
  }
}

}  // namespace

RowsColour plan_rows(Program const& program, ProgramWalk const& walk, Blankets const& blankets,
                     std::vector<int> const& groups, std::vector<std::size_t> const& element,
                     std::vector<std::size_t> const& colour, std::vector<bool> const& statements) {
  std::vector<int> local_of_group(blankets.groups.size(), -1);
  for (std::size_t i : colour) local_of_group[static_cast<std::size_t>(groups[i])] = static_cast<int>(i);
  std::vector<bool> in_colour(program.latent_dimension, false);
  std::vector<int> local_of_element(program.latent_dimension, -1);
  for (std::size_t i : colour) {
    in_colour[element[i]] = true;
    local_of_element[element[i]] = static_cast<int>(i);
  }
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
    if (std::optional<RowsColour::Threshold> threshold = threshold_of(program, f, s, in_colour, local_of_element)) {
      out.thresholds.push_back(std::move(*threshold));
      continue;
    }
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
  out.by_rows = !out.likelihoods.empty() || !out.scales.empty() || !out.affine_scales.empty() || !out.own.empty() ||
                !out.thresholds.empty();
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
  if (f.weight != 1)
    for (std::size_t r = 0; r < n; ++r) {
      out.slope[r] *= f.weight;
      out.curvature[r] *= f.weight;
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
  std::vector<Value<double>> etas(colour_rows.likelihoods.size());
  std::size_t rows = 0;
  for (std::size_t index = 0; index < colour_rows.likelihoods.size(); ++index) {
    RowsColour::Likelihood const& l = colour_rows.likelihoods[index];
    if (columns) (*columns)[index].assign(l.local_of_row.size(), 0.0);
    Factor const& f = std::get<Factor>(program.model[l.statement]);
    // Affine in the colour's elements: the difference is each row's column.
    etas[index] = draw.evaluate(moved, l.statement, f.evaluated_args()[0]);
    rows = std::max(rows, l.local_of_row.size());
  }
  auto const likelihood_rows = [&](std::size_t from, std::size_t to, auto& a, auto& b) {
    for (std::size_t index = 0; index < colour_rows.likelihoods.size(); ++index) {
      RowsColour::Likelihood const& l = colour_rows.likelihoods[index];
      RowsAtDraw::Likelihood const& at = draw.at(l.statement);
      Value<double> const& eta = etas[index];
      for (std::size_t n = from; n < std::min(to, l.local_of_row.size()); ++n) {
        int const i = l.local_of_row[n];
        if (i < 0) continue;
        double const c = eta.at(n) - at.eta.at(n);
        if (columns) (*columns)[index][n] = c;
        a[static_cast<std::size_t>(i)] += at.slope[n] * c;
        b[static_cast<std::size_t>(i)] -= at.curvature[n] * c * c;
      }
    }
  };
  // A row whose sd is the element σ: −log σ − k r²/σ², its k r² from the
  // derivatives at the draw (ℓ′ = 2k r/σ², −ℓ″ = 2k/σ²).
  std::vector<double>& count = scratch.count;
  std::vector<double>& squares = scratch.squares;
  bool const scales = !colour_rows.scales.empty();
  if (scales) {
    count.assign(element.size(), 0.0);
    squares.assign(element.size(), 0.0);
  }
  for (RowsColour::Likelihood const& l : colour_rows.scales) rows = std::max(rows, l.local_of_row.size());
  auto const scale_rows = [&](std::size_t from, std::size_t to, auto& a, auto& b) {
    for (RowsColour::Likelihood const& l : colour_rows.scales) {
      RowsAtDraw::Likelihood const& at = draw.at(l.statement);
      double const weight = std::get<Factor>(program.model[l.statement]).weight;  // its slope and curvature have it
      for (std::size_t n = from; n < std::min(to, l.local_of_row.size()); ++n) {
        int const i = l.local_of_row[n];
        if (i < 0) continue;
        double const sd = z[element[static_cast<std::size_t>(i)]];
        a[static_cast<std::size_t>(i)] += weight;
        b[static_cast<std::size_t>(i)] += sd * sd * at.slope[n] * at.slope[n] / (2 * at.curvature[n]);
      }
    }
  };
  // In fixed row blocks (docs/method.md, 'Row blocks'): the first block's
  // rows into the sums, then each later block's, all the statements'
  // together, added to them.
  likelihood_rows(0, row_block, slope, second);
  scale_rows(0, row_block, count, squares);
  if (rows > row_block) {
    BlockSums block_a(element.size()), block_b(element.size());
    auto const add = [&](std::vector<double>& a, std::vector<double>& b) {
      block_a.hand_on([&](std::size_t i, double sum) { a[i] += sum; });
      block_b.hand_on([&](std::size_t i, double sum) { b[i] += sum; });
    };
    for (std::size_t from = row_block; from < rows; from += row_block) {
      likelihood_rows(from, from + row_block, block_a, block_b);
      add(slope, second);
      if (!scales) continue;
      scale_rows(from, from + row_block, block_a, block_b);
      add(count, squares);
    }
  }
  for (auto const& [statement, i] : colour_rows.affine_scales) {
    AffineNormal::Column const column = std::get<Factor>(program.model[statement]).affine->column_at(z);
    double const at_draw = AffineNormal::log_density_sum(column, z[element[i]]);
    for (std::size_t k = 0; k < points[i].size(); ++k)
      change[i][k] += AffineNormal::log_density_sum(column, points[i][k].value) - at_draw;
  }
  for (RowsColour::Threshold const& th : colour_rows.thresholds)
    threshold_changes(program, th, points[th.local], z, z[element[th.local]], draw, scratch, change[th.local]);
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
      double const at_draw = f.weight * f.evaluated().log_density(z[element[i]], args.data());
      if (!o.fixed.empty()) {
        RowsScratch::AtPoints& kept = scratch.fixed_at_points[{o.statement, row}];
        bool const same = kept.points.size() == points[i].size() &&
                          std::equal(kept.points.begin(), kept.points.end(), points[i].begin(),
                                     [](double value, QuadraturePoint const& p) { return value == p.value; });
        if (!same) {
          kept.points.clear();
          kept.terms.clear();
          for (QuadraturePoint const& p : points[i]) {
            kept.points.push_back(p.value);
            kept.terms.push_back(f.weight * f.evaluated().log_density(p.value, args.data()));
          }
        }
        for (std::size_t k = 0; k < points[i].size(); ++k) change[i][k] += kept.terms[k] - at_draw;
        continue;
      }
      for (std::size_t k = 0; k < points[i].size(); ++k)
        change[i][k] += f.weight * f.evaluated().log_density(points[i][k].value, args.data()) - at_draw;
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
