#include "runtime/compile.hpp"

#include "core/diagnostic.hpp"
#include "grammar/declared_support.hpp"
#include "grammar/guide_declaration.hpp"
#include "runtime/affine_normal.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/statements_to_run.hpp"
#include "runtime/target_term.hpp"
#include "runtime/bbvi/initial_scale.hpp"
#include "runtime/evaluate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace bbvi {

namespace {

enum class SlotKind { constant, column, latent, parameter, model_local, guide_local };

struct Symbol {
  SlotKind kind = SlotKind::constant;
  int slot = -1;
  std::size_t size = 0;  // 0: a scalar; a matrix's rows
  std::size_t columns = 0;  // a matrix's; its columns are the slots slot, slot + 1, ...
  double constant = 0;   // constants only
  bool integer = false;
  // A model local declared without a value, whose elements are assigned one
  // by one (docs/language.md, 'Loops'): its slot is -1; see Lowering::assembled_.
  bool assembled = false;
  // `matrix[K, K] S = E;` in the model (docs/language.md, 'Covariance
  // matrices'): one slot of K² elements row by row; `columns` is K.
  bool covariance = false;
  Position pos;
};

// The most statements loops may unroll to: a model that needs more is not
// one a fit of this language could evaluate at every draw anyway.
constexpr std::size_t max_unrolled_statements = 1'000'000;

// The most operations an element of a model local may be computed through,
// counting those of the locals it reads again at each read: what each
// analysis of the model's structure walks for every term that reads it
// (runtime/program_walk.hpp), so a long recursion (a loop's h[t] from
// h[t - 1]) is refused here rather than walked for minutes or past the
// stack's end (docs/language.md, 'Limits').
constexpr std::size_t max_local_operations = 50'000;

bool is_constant(Node const& n) { return n.op == Node::Op::constant; }

// The support as a declaration would spell it, with Binomial's n filled in
// where it is a number.
std::string spelling(Support support, std::optional<double> first) {
  if (support == Support::bounded_integer && first) return fmt::format("int<lower=0, upper={}>", *first);
  if (support == Support::categorical && first) return fmt::format("int<lower=1, upper={}>", *first);
  return std::string(support_spelling(support));
}

// Whether x is a value of a distribution with this support; `first` and
// `second` are its first two arguments where they are numbers (Binomial's n,
// Uniform's bounds), unknown otherwise.
bool within_support(Support support, double x, std::optional<double> first, std::optional<double> second) {
  bool const integer = std::floor(x) == x;
  switch (support) {
    case Support::real: return true;
    case Support::positive: return x > 0;
    case Support::unit_interval: return x > 0 && x < 1;
    case Support::interval: return (!first || x > *first) && (!second || x < *second);
    case Support::lower_bounded: return !first || x > *first;
    case Support::upper_bounded: return !first || x < *first;
    case Support::nonnegative_integer: return integer && x >= 0;
    case Support::binary: return x == 0 || x == 1;
    case Support::bounded_integer: return integer && x >= 0 && (!first || x <= *first);
    case Support::categorical: return integer && x >= 1 && (!first || x <= *first);
    case Support::simplex: return x >= 0 && x <= 1;  // the sum is the distribution's own check
  }
  return true;
}

std::string join(std::vector<std::string> const& names) {
  std::string s;
  for (auto const& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

class Lowering {
 public:
  Lowering(ast::Program const& syntax, data::CsvTable const* data, CompileOptions const& options)
      : syntax_(syntax), data_(data), options_(options) {
    out_.file = syntax.file;
    out_.rows = data ? data->rows() : 0;
    Symbol rows;
    rows.constant = static_cast<double>(out_.rows);
    rows.integer = true;
    symbols_.emplace("N", rows);
  }

  Program run() {
    if (syntax_.data) data_block(*syntax_.data);
    check_overrides();
    latent_block(syntax_.latent);
    model_block(syntax_.model);
    mark_flat_priors();
    check_parts_leave_nothing_unread();
    reduce_regressions();
    out_.statements_run = statements_to_run(out_);
    guide_block(syntax_.guide);
    out_.automatic_guide = syntax_.automatic_guide;
    // An automatic guide's initial values are the table's until the start
    // search replaces them: its terms' scale is checked after that
    // (start_check.hpp).
    if (out_.automatic_guide.empty())
      if (auto problem = initial_scale_problem(out_, constant_uses_)) throw DiagnosticError(std::move(*problem));
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(Position pos, std::string message) const {
    throw DiagnosticError(error_at(syntax_.file, pos, std::move(message)));
  }

  Diagnostic note_at(Position pos, std::string message) const {
    Diagnostic note = error_at(syntax_.file, pos, std::move(message));
    note.severity = Severity::note;
    return note;
  }

  int new_slot(std::string const& name) {
    out_.slot_names.push_back(name);
    out_.data.emplace_back();
    return static_cast<int>(out_.slot_names.size()) - 1;
  }

  void declare(ast::Declaration const& d, Symbol s) {
    s.pos = d.name_pos;
    if (!symbols_.emplace(d.name, s).second) fail(d.name_pos, fmt::format("'{}' is declared twice", d.name));
  }

  // An element that a latent's own '~'s leave out has a flat prior; where
  // the latent is unbounded and nothing else reads it, the posterior is no
  // distribution (as for a whole latent without a '~': the checker's rule).
  void check_parts_leave_nothing_unread() const {
    for (auto const& [latent, covered] : covered_) {
      LatentVariable const& v = out_.latents[static_cast<std::size_t>(latent)];
      auto const left = std::find(covered.begin(), covered.end(), false);
      if (!v.flat_prior || left == covered.end()) continue;
      bool read_elsewhere = false;
      for (std::size_t i = 0; i < out_.model.size() && !read_elsewhere; ++i) {
        if (own_parts_.count(i) != 0) continue;
        if (auto const* d = std::get_if<Definition>(&out_.model[i]))
          read_elsewhere = reads_slot(d->value, v.slot);
        else
          for (Node const& a : std::get<Factor>(out_.model[i]).args)
            read_elsewhere = read_elsewhere || reads_slot(a, v.slot);
      }
      if (!read_elsewhere && bounded_latents_.count(latent) == 0)
        fail(v.pos, fmt::format("element {} of latent '{}' has no '~' and the model reads it nowhere else: its "
                                "posterior would be flat, which is no distribution",
                                left - covered.begin() + 1, v.name));
    }
  }

  // A latent has a flat prior where no '~' draws it whole and its
  // elements' own '~'s (latent_part) leave one out.
  void mark_flat_priors() {
    for (LatentVariable& v : out_.latents) v.flat_prior = true;
    for (Statement const& st : out_.model)
      if (auto const* f = std::get_if<Factor>(&st); f && f->latent >= 0)
        out_.latents[static_cast<std::size_t>(f->latent)].flat_prior = false;
    for (auto const& [latent, covered] : covered_)
      if (std::all_of(covered.begin(), covered.end(), [](bool c) { return c; }))
        out_.latents[static_cast<std::size_t>(latent)].flat_prior = false;
  }

  // --- expressions ---------------------------------------------------------

  Node lower(ast::Expr const& e) {
    using K = ast::ExprKind;
    Node n;
    n.pos = e.pos;
    switch (e.kind) {
      case K::number:
        n.op = Node::Op::constant;
        n.constant = e.number;
        return n;
      case K::name: return lower_name(e);
      case K::negate:
        n.op = Node::Op::negate;
        n.args.push_back(lower(e.args[0]));
        n.size = n.args[0].size;
        return fold(std::move(n));
      case K::add: n.op = Node::Op::add; break;
      case K::subtract: n.op = Node::Op::subtract; break;
      case K::multiply:
        if (is_matrix(e.args[0])) return lower_matrix_vector(e);
        if (is_covariance(e.args[0])) return lower_covariance_vector(e);
        n.op = Node::Op::multiply;
        break;
      case K::divide: n.op = Node::Op::divide; break;
      case K::power: n.op = Node::Op::power; break;
      case K::call: return lower_call(e);
      case K::index: return lower_index(e);
      case K::matrix_element: return lower_matrix_element(e);
      case K::array: {
        // Not folded: a constant node is a scalar, and this is a vector.
        n.op = Node::Op::array;
        for (ast::Expr const& a : e.args) {
          n.args.push_back(lower(a));
          if (n.args.back().size != 0) fail(a.pos, "an array literal's elements must be scalars");
        }
        n.size = n.args.size();
        return n;
      }
      case K::less: n.op = Node::Op::less; break;
      case K::less_equal: n.op = Node::Op::less_equal; break;
      case K::greater: n.op = Node::Op::greater; break;
      case K::greater_equal: n.op = Node::Op::greater_equal; break;
      case K::equal: n.op = Node::Op::equal; break;
      case K::not_equal: n.op = Node::Op::not_equal; break;
      case K::logical_and: n.op = Node::Op::logical_and; break;
      case K::logical_or: n.op = Node::Op::logical_or; break;
      case K::logical_not:
        n.op = Node::Op::logical_not;
        n.args.push_back(lower(e.args[0]));
        n.size = n.args[0].size;
        return fold(std::move(n));
      case K::conditional: {
        n.op = Node::Op::conditional;
        for (ast::Expr const& a : e.args) n.args.push_back(lower(a));
        std::size_t const branches = broadcast_size(n.args[1].size, n.args[2].size, e.pos, "the value if true",
                                                    "the value if false");
        n.size = broadcast_size(n.args[0].size, branches, e.pos, "the condition", "its values");
        return fold(std::move(n));
      }
    }
    n.args.push_back(lower(e.args[0]));
    n.args.push_back(lower(e.args[1]));
    n.size = broadcast_size(n.args[0].size, n.args[1].size, e.pos, "the left operand", "the right operand");
    return fold(std::move(n));
  }

  std::size_t broadcast_size(std::size_t a, std::size_t b, Position pos, char const* what_a, char const* what_b) const {
    if (a != 0 && b != 0 && a != b)
      fail(pos, fmt::format("size mismatch: {} has {} elements, but {} has {}", what_a, a, what_b, b));
    return a != 0 ? a : b;
  }

  // An expression of constants only is computed once, here.
  static Node fold(Node n) {
    for (Node const& a : n.args)
      if (!is_constant(a)) return n;
    Node c;
    c.op = Node::Op::constant;
    c.pos = n.pos;
    c.constant = evaluate(n, Slots<double>{}).elements.at(0);
    return c;
  }

  Symbol const& resolve(std::string const& name, Position pos) const {
    auto const it = symbols_.find(name);
    if (it == symbols_.end()) fail(pos, fmt::format("unknown name '{}'", name));
    check_visible(it->second, name, pos);
    return it->second;
  }

  void check_visible(Symbol const& s, std::string const& name, Position pos) const {
    bool ok = true;
    switch (block_) {
      case ast::BlockKind::data:
      case ast::BlockKind::latent: ok = s.kind == SlotKind::constant || s.kind == SlotKind::column; break;
      case ast::BlockKind::model: ok = s.kind != SlotKind::parameter && s.kind != SlotKind::guide_local; break;
      case ast::BlockKind::guide:
        ok = s.kind == SlotKind::constant || s.kind == SlotKind::parameter || s.kind == SlotKind::guide_local;
        break;
    }
    if (!ok) fail(pos, fmt::format("'{}' cannot be used here", name));
  }

  Node lower_name(ast::Expr const& e) {
    Symbol const& s = resolve(e.name, e.pos);
    if (s.covariance) fail(e.pos, covariance_uses("'" + e.name + "' is"));
    if (s.columns != 0) fail(e.pos, matrix_uses(e.name));
    if (s.assembled) return assembled_part(e, 1, s.size);
    Node n;
    n.pos = e.pos;
    if (s.kind == SlotKind::constant) {
      n.op = Node::Op::constant;
      n.constant = s.constant;
      if (block_ == ast::BlockKind::model && e.name != "N" && loop_variables_.count(e.name) == 0)
        uses_here().push_back({e.name, s.constant, s.pos, options_.overrides.count(e.name) > 0});
      return n;
    }
    if (s.kind == SlotKind::model_local && block_ == ast::BlockKind::model) {
      // A local's constants are those of the statements that use it too.
      // uses_here() may grow constant_uses_ and move the local's list: take
      // the list's place only after it.
      inherit_constant_uses(s.slot);
    }
    n.op = Node::Op::slot;
    n.slot = s.slot;
    n.size = s.size;
    return n;
  }

  // Once per constant: a recursion h[t] = f(h[t - 1]) would otherwise
  // repeat each of its constants once per element.
  void inherit_constant_uses(int local_slot) {
    std::vector<ConstantUse>& here = uses_here();
    for (ConstantUse const& use : constant_uses_[local_statement_.at(local_slot)])
      if (std::none_of(here.begin(), here.end(), [&](ConstantUse const& u) { return u.name == use.name; }))
        here.push_back(use);
  }

  Node lower_call(ast::Expr const& e) {
    Node n;
    n.op = Node::Op::call;
    n.pos = e.pos;
    FunctionSignature const* signature = find_function(e.name);
    std::optional<Function> const function = implementation_of(e.name);
    if (std::optional<DensityCall> const d = density_call(e.name); !signature && d) {
      n.function = Function::density;
      n.distribution = distributions().find(d->distribution);
      if (!n.distribution || e.args.size() != n.distribution->signature.parameters.size() + 1)
        fail(e.pos, fmt::format("'{}' is not a density this model can call so", e.name));
      if (!n.distribution->signature.whole_vector.empty()) return lower_whole_density(e, std::move(n));
    } else {
      if (!signature || !function) fail(e.pos, fmt::format("unknown function '{}'", e.name));
      n.function = *function;
      if (!signature->takes(e.args.size()))
        fail(e.pos, fmt::format("{} cannot take {} arguments", e.name, e.args.size()));
      if (is_replaced_when_lowered(n.function)) return lower_matrix_call(e, n.function);
      if (gives_a_matrix(n.function)) return lower_covariance_call(e, n.function);
    }
    for (ast::Expr const& a : e.args) n.args.push_back(lower(a));
    if (is_reduction(n.function, n.args.size())) {
      n.size = 0;
    } else {
      static constexpr std::array<char const*, 4> ordinal{"the first argument", "the second", "the third",
                                                          "the fourth"};
      n.size = n.args[0].size;
      for (std::size_t i = 1; i < n.args.size(); ++i)
        n.size = broadcast_size(n.size, n.args[i].size, e.pos, i == 1 ? ordinal[0] : "the others",
                                i < ordinal.size() ? ordinal[i] : "the next");
    }
    return fold(std::move(n));
  }

  // name[a:b]: of a data column, a column of its own; of anything else, a
  // gather by an int column a, …, b of its own (docs/language.md, 'Slices').
  Node lower_slice(ast::Expr const& e, Symbol const& base) {
    double const first = constant_value(e.args[0], "a slice's bound");
    double const last = constant_value(e.args[1], "a slice's bound");
    check_index(first, base.size, e, e.args[0].pos, "");
    check_index(last, base.size, e, e.args[1].pos, "");
    if (last < first)
      fail(e.args[1].pos, fmt::format("the slice {}[{}:{}] is empty: its last index is below its first", e.name,
                                      first, last));
    auto const from = static_cast<std::size_t>(first) - 1, to = static_cast<std::size_t>(last);
    std::string const name = fmt::format("{}[{}:{}]", e.name, first, last);
    Node n;
    n.pos = e.pos;
    n.size = to - from;
    if (base.kind == SlotKind::column) {
      auto const& all = out_.data[static_cast<std::size_t>(base.slot)].elements;
      std::vector<double> part(all.begin() + static_cast<std::ptrdiff_t>(from),
                               all.begin() + static_cast<std::ptrdiff_t>(to));
      n.op = Node::Op::slot;
      n.slot = new_slot(name);  // may move out_.data, and `all` with it
      out_.data[static_cast<std::size_t>(n.slot)] = Value<double>::vector(std::move(part));
      if (base.integer) index_column_.insert(n.slot);
      return n;
    }
    Node index;
    index.op = Node::Op::slot;
    index.slot = new_slot(name);
    index.size = n.size;
    std::vector<double> positions;
    for (std::size_t i = from; i < to; ++i) positions.push_back(static_cast<double>(i + 1));
    out_.data[static_cast<std::size_t>(index.slot)] = Value<double>::vector(std::move(positions));
    index_column_.insert(index.slot);
    n.op = Node::Op::index;
    n.slot = base.slot;
    n.args.push_back(std::move(index));
    return n;
  }

  Node lower_index(ast::Expr const& e) {
    Symbol const& base = resolve(e.name, e.pos);
    if (base.size == 0) fail(e.pos, fmt::format("'{}' is a scalar and cannot be indexed", e.name));
    if (base.covariance) fail(e.pos, covariance_uses("'" + e.name + "' is"));
    if (base.columns != 0) fail(e.pos, matrix_uses(e.name));
    if (base.assembled) {
      auto const [first, last] = constant_range(e, base.size, "an index into a local assigned by elements");
      return assembled_part(e, first, e.args.size() == 2 ? last : 0);
    }
    if (e.args.size() == 2) return lower_slice(e, base);
    return index_into(base, e, e.args[0]);
  }

  // name[a] or name[a:b] with bounds known now, within 1..size: {a, b}
  // ({a, a} for an element), 1-based.
  std::pair<std::size_t, std::size_t> constant_range(ast::Expr const& e, std::size_t size, char const* what) {
    double const first = constant_value(e.args[0], what);
    double const last = e.args.size() == 2 ? constant_value(e.args[1], "a slice's bound") : first;
    check_index(first, size, e, e.args[0].pos, "");
    check_index(last, size, e, e.args.back().pos, "");
    if (last < first)
      fail(e.args[1].pos, fmt::format("the slice {}[{}:{}] is empty: its last index is below its first", e.name,
                                      first, last));
    return {static_cast<std::size_t>(first), static_cast<std::size_t>(last)};
  }

  // base[index], where `e` is what the user wrote (for messages).
  Node index_into(Symbol const& base, ast::Expr const& e, ast::Expr const& index_expression) {
    Node n;
    n.op = Node::Op::index;
    n.pos = e.pos;
    n.slot = base.slot;
    Node index = lower(index_expression);
    bool const computed = !is_constant(index) && index.op != Node::Op::slot && reads_only_data(index);
    // y[t - 1] in a loop written over its rows: the indices, computed now.
    if (computed) index = data_index(index, e);
    if (is_constant(index)) {
      check_index(index.constant, base.size, e, index.pos, "");
      n.size = 0;
    } else if (index.op == Node::Op::slot && index_column_.count(index.slot) != 0) {
      auto const& values = out_.data[static_cast<std::size_t>(index.slot)].elements;
      for (std::size_t r = 0; r < values.size(); ++r)
        check_index(values[r], base.size, e, index.pos,
                    computed ? where_in_loop(r) : fmt::format(" (row {} of column '{}')", r + 1, index_expression.name));
      n.size = values.size();
    } else {
      fail(index.pos, "an index must be an int constant or an int data column");
    }
    n.args.push_back(std::move(index));
    return n;
  }

  // Whether n reads data only: int columns of indices (whole, or at indices
  // that read data only: g[t]), and constants.
  bool reads_only_data(Node const& n) const {
    if ((n.op == Node::Op::slot || n.op == Node::Op::index) && index_column_.count(n.slot) == 0) return false;
    if (n.op == Node::Op::call || n.op == Node::Op::matrix_vector) return false;
    return std::all_of(n.args.begin(), n.args.end(), [&](Node const& a) { return reads_only_data(a); });
  }

  // Where value r of a computed index comes from: the iteration of the loop
  // being written over its rows.
  std::string where_in_loop(std::size_t r) const {
    if (!row_wise_loop_) return fmt::format(" (its value {})", r + 1);
    return fmt::format(" (where {} is {})", row_wise_loop_->first, row_wise_loop_->second + static_cast<double>(r));
  }

  // The values of an index computed from int columns, as an int column of its own.
  Node data_index(Node const& index, ast::Expr const& e) {
    Value<double> values = evaluate(index, data_slots());
    for (double v : values.elements)
      if (v != std::floor(v)) fail(index.pos, fmt::format("index {} into '{}' is not an integer", v, e.name));
    if (!values.is_vector) {  // g[5]: one number
      Node constant;
      constant.op = Node::Op::constant;
      constant.pos = index.pos;
      constant.constant = values.at(0);
      return constant;
    }
    std::string const name = fmt::format("{}'s index", e.name);
    Node column;
    column.op = Node::Op::slot;
    column.pos = index.pos;
    column.slot = new_slot(name);
    column.size = values.size();
    index_column_.insert(column.slot);
    out_.data[static_cast<std::size_t>(column.slot)] = std::move(values);
    return column;
  }

  Slots<double> data_slots() const {
    Slots<double> slots;
    for (Value<double> const& v : out_.data) slots.values.push_back(&v);
    return slots;
  }

  void check_index(double i, std::size_t size, ast::Expr const& e, Position pos, std::string const& where) const {
    if (i != std::floor(i)) fail(pos, fmt::format("index {} into '{}'{} is not an integer", i, e.name, where));
    if (i < 1 || i > static_cast<double>(size))
      fail(pos, fmt::format("index {} into '{}'{} is out of range: '{}' has elements 1 to {}", i, e.name, where,
                            e.name, size));
  }

  // --- matrices (docs/language.md, 'Matrices') ------------------------------

  bool is_matrix(ast::Expr const& e) const {
    if (e.kind != ast::ExprKind::name) return false;
    auto const it = symbols_.find(e.name);
    return it != symbols_.end() && it->second.columns != 0 && !it->second.covariance;
  }

  Symbol const& matrix_named(ast::Expr const& e) const {
    if (!is_matrix(e)) fail(e.pos, "a matrix is expected here");
    return resolve(e.name, e.pos);
  }

  // Column k (1-based) of a matrix, as a column of its own.
  static Symbol column_of(Symbol const& matrix, std::size_t k) {
    Symbol column = matrix;
    column.columns = 0;
    column.slot = matrix.slot + static_cast<int>(k) - 1;
    return column;
  }

  std::size_t column_index(Symbol const& matrix, ast::Expr const& e, ast::Expr const& k) {
    double const column = constant_value(k, "a matrix's column index");
    check_index(column, matrix.columns, e, k.pos, " (its column)");
    return static_cast<std::size_t>(column);
  }

  // Element k (0-based) of the vector v as a scalar node: v a variable, or a slice of one.
  Node element_of(Node const& v, std::size_t k, Position pos) const {
    Node element;
    element.pos = pos;
    element.op = Node::Op::index;
    element.slot = v.slot;
    Node index;
    index.op = Node::Op::constant;
    if (v.op == Node::Op::slot)
      index.constant = static_cast<double>(k + 1);
    else if (v.op == Node::Op::index && v.args[0].op == Node::Op::slot)
      index.constant = out_.data[static_cast<std::size_t>(v.args[0].slot)].elements.at(k);
    else
      fail(pos, "the vector a matrix multiplies must be named: give it a name first ('real b[K] = ...;' in the "
                "model block)");
    element.args.push_back(index);
    return element;
  }

  Node lower_matrix_vector(ast::Expr const& e) {
    Symbol const& matrix = matrix_named(e.args[0]);
    Node const v = lower(e.args[1]);
    if (v.size != matrix.columns)
      fail(e.pos, fmt::format("size mismatch: '{}' has {} columns, so the vector it multiplies needs {} elements, but "
                              "this one has {}",
                              e.args[0].name, matrix.columns, matrix.columns,
                              v.size == 0 ? std::string("one (a scalar)") : std::to_string(v.size)));
    Node n;
    n.op = Node::Op::matrix_vector;
    n.pos = e.pos;
    n.size = matrix.size;
    for (std::size_t k = 0; k < matrix.columns; ++k) {
      Node column;
      column.op = Node::Op::slot;
      column.slot = matrix.slot + static_cast<int>(k);
      column.size = matrix.size;
      n.args.push_back(column);
    }
    for (std::size_t k = 0; k < matrix.columns; ++k) n.args.push_back(element_of(v, k, e.args[1].pos));
    return n;
  }

  Node lower_matrix_element(ast::Expr const& e) {
    Symbol const& base = resolve(e.name, e.pos);
    if (base.columns == 0) fail(e.pos, fmt::format("'{}' is not a matrix: it takes one index", e.name));
    if (base.covariance) return covariance_element(e, base);
    return index_into(column_of(base, column_index(base, e, e.args[1])), e, e.args[0]);
  }

  // --- covariance matrices (docs/language.md, 'Covariance matrices') --------

  // S[i, j] of a matrix local, i and j constants (a loop's variable is one).
  Node covariance_element(ast::Expr const& e, Symbol const& base) {
    double const i = constant_value(e.args[0], "a matrix local's row index");
    double const j = constant_value(e.args[1], "a matrix local's column index");
    check_index(i, base.columns, e, e.args[0].pos, " (its row)");
    check_index(j, base.columns, e, e.args[1].pos, " (its column)");
    Node n;
    n.op = Node::Op::index;
    n.pos = e.pos;
    n.slot = base.slot;
    Node index;
    index.op = Node::Op::constant;
    index.constant = (i - 1) * static_cast<double>(base.columns) + j;
    n.args.push_back(index);
    return n;
  }

  bool is_covariance(ast::Expr const& e) const {
    if (e.kind == ast::ExprKind::call) return gives_a_matrix(std::string_view(e.name));
    auto const it = e.kind == ast::ExprKind::name ? symbols_.find(e.name) : symbols_.end();
    return it != symbols_.end() && it->second.covariance;
  }

  // S * v: v a vector of K elements (a non-centred GP's L * eta).
  Node lower_covariance_vector(ast::Expr const& e) {
    Node n;
    n.op = Node::Op::covariance_vector;
    n.pos = e.pos;
    n.args.push_back(lower_matrix(e.args[0]));
    n.args.push_back(lower(e.args[1]));
    n.size = n.args[0].columns;
    if (n.args[1].size != n.size)
      fail(e.pos, fmt::format("size mismatch: the matrix is {0}×{0}, so the vector it multiplies needs {0} elements, "
                              "but this one has {1}",
                              n.size, n.args[1].size == 0 ? std::string("one (a scalar)")
                                                           : std::to_string(n.args[1].size)));
    return n;
  }

  // Where a K×K matrix stands: a matrix local, or a function that gives one.
  Node lower_matrix(ast::Expr const& e) {
    if (e.kind == ast::ExprKind::call && gives_a_matrix(std::string_view(e.name))) return lower_call(e);
    Symbol const* s = e.kind == ast::ExprKind::name ? &resolve(e.name, e.pos) : nullptr;
    if (!s || !s->covariance)
      fail(e.pos, "a K×K matrix is expected here: a model local 'matrix[K, K] S = ...;', gp_exp_quad_cov(x, alpha, "
                  "rho), add_diag(S, d) or cholesky_decompose(S)");
    if (block_ == ast::BlockKind::model && local_statement_.count(s->slot) != 0) inherit_constant_uses(s->slot);
    Node n;
    n.op = Node::Op::slot;
    n.pos = e.pos;
    n.slot = s->slot;
    n.size = s->size;
    n.columns = s->columns;
    return n;
  }

  // D_lpdf(x | …) of a distribution that reads arguments whole: those
  // arguments (and x, for a whole value such as Dirichlet's or
  // MultiNormal's) are marked whole, so each element of the result reads all
  // of them. A whole value's density is one number; Categorical's is one per
  // element of x, as every other density's.
  Node lower_whole_density(ast::Expr const& e, Node n) {
    DistributionSignature const& d = n.distribution->signature;
    n.args.push_back(lower(e.args[0]));
    for (std::size_t k = 0; k < d.parameters.size(); ++k) {
      n.args.push_back(d.reads_matrix(k) ? lower_matrix(e.args[k + 1]) : lower(e.args[k + 1]));
      n.args.back().whole = d.reads_whole(k);
    }
    Node& x = n.args[0];
    n.size = x.size;
    if (!d.whole_value) return n;
    if (x.size == 0)
      fail(e.args[0].pos, fmt::format("{} is the density of a vector, but its value here is a scalar", e.name));
    x.whole = true;
    n.size = 0;
    for (std::size_t k = 0; k < d.parameters.size(); ++k) {
      Node& a = n.args[k + 1];
      if (d.reads_matrix(k)) {
        if (a.columns != x.size)
          fail(e.args[k + 1].pos, fmt::format("size mismatch: {} of {} is {}×{}, but the value has {} elements",
                                              d.parameters[k], e.name, a.columns, a.columns, x.size));
        continue;
      }
      if (a.size == 0 && d.support == Support::real) a = repeated(a, x.size);  // MultiNormal's scalar mu
      if (a.size != x.size)
        fail(e.args[k + 1].pos, fmt::format("size mismatch: {} of {} has {} elements, but the value has {}",
                                            d.parameters[k], e.name, a.size, x.size));
    }
    return n;
  }

  // A scalar as a whole vector of `size` copies of it.
  static Node repeated(Node const& scalar, std::size_t size) {
    Node out;
    out.op = Node::Op::array;
    out.pos = scalar.pos;
    out.args.assign(size, scalar);
    out.size = size;
    out.whole = true;
    return out;
  }

  // gp_exp_quad_cov(x, alpha, rho), add_diag(S, d), cholesky_decompose(S).
  // Never folded: a constant node is a scalar.
  Node lower_covariance_call(ast::Expr const& e, Function f) {
    Node n;
    n.op = Node::Op::call;
    n.pos = e.pos;
    n.function = f;
    if (f == Function::gp_exp_quad_cov) {
      for (ast::Expr const& a : e.args) n.args.push_back(lower(a));
      if (n.args[0].size == 0)
        fail(e.args[0].pos, "gp_exp_quad_cov takes a vector of points x, then the scalars alpha and rho");
      for (std::size_t i = 1; i < 3; ++i)
        if (n.args[i].size != 0)
          fail(e.args[i].pos, fmt::format("{} of gp_exp_quad_cov is a scalar, but this has {} elements",
                                          i == 1 ? "alpha" : "rho", n.args[i].size));
      n.columns = n.args[0].size;
    } else {
      n.args.push_back(lower_matrix(e.args[0]));
      n.columns = n.args[0].columns;
      if (f == Function::add_diag) {
        n.args.push_back(lower(e.args[1]));
        if (n.args[1].size != 0 && n.args[1].size != n.columns)
          fail(e.args[1].pos, fmt::format("size mismatch: add_diag's matrix is {0}×{0}, so its diagonal has {0} "
                                          "elements, but this vector has {1}",
                                          n.columns, n.args[1].size));
      }
    }
    n.size = n.columns * n.columns;
    return n;
  }

  // matrix[K, K] S = E; in the model. Where E reads no latent (a kernel of
  // data with fixed hyperparameters), it is computed once, here, as derived
  // data is: a fit's every draw would compute the same K² numbers again.
  void covariance_local(ast::Declaration const& d) {
    double const rows = constant_value(*d.matrix_rows, "a matrix's rows");
    double const columns = constant_value(*d.size, "a matrix's columns");
    if (rows != columns || !(rows >= 1))
      fail(d.matrix_rows->pos, fmt::format("matrix local '{}' is declared {}×{}, but a matrix local is a K×K "
                                           "covariance, K at least 1",
                                           d.name, rows, columns));
    Definition def;
    def.value = lower_matrix(*d.value);
    auto const k = static_cast<std::size_t>(rows);
    if (def.value.columns != k)
      fail(d.value->pos, fmt::format("size mismatch: '{0}' is declared {1}×{1}, but its value is {2}×{2}", d.name, k,
                                     def.value.columns));
    Symbol s;
    s.kind = SlotKind::model_local;
    s.size = k * k;
    s.columns = k;
    s.covariance = true;
    s.slot = new_slot(d.name);
    def.slot = s.slot;
    def.name = d.name;
    declare(d, s);
    if (reads_data_only(def.value)) {
      try {
        out_.data[static_cast<std::size_t>(s.slot)] = evaluate(def.value, data_slots());
      } catch (DomainError const& e) {
        fail(d.value->pos, e.what());
      }
      return;
    }
    out_.model.push_back(std::move(def));
    local_statement_[s.slot] = out_.model.size() - 1;
    check_operations(std::get<Definition>(out_.model.back()), d.name_pos);
  }

  // Whether n reads data and constants only: no latent, and no model local
  // but one computed before fitting.
  bool reads_data_only(Node const& n) const {
    if ((n.op == Node::Op::slot || n.op == Node::Op::index) &&
        (latent_of_slot_.count(n.slot) != 0 || local_statement_.count(n.slot) != 0 ||
         out_.data[static_cast<std::size_t>(n.slot)].elements.empty()))
      return false;
    return std::all_of(n.args.begin(), n.args.end(), [&](Node const& a) { return reads_data_only(a); });
  }

  // dot_product, col, rows and cols, their arity checked by lower_call.
  Node lower_matrix_call(ast::Expr const& e, Function f) {
    if (f == Function::dot_product) {
      Node product;
      product.op = Node::Op::multiply;
      product.pos = e.pos;
      product.args = {lower(e.args[0]), lower(e.args[1])};
      if (product.args[0].size == 0 || product.args[1].size == 0)
        fail(e.pos, "dot_product takes two vectors of the same size");
      product.size = broadcast_size(product.args[0].size, product.args[1].size, e.pos, "the first vector",
                                    "the second");
      Node sum;
      sum.op = Node::Op::call;
      sum.function = Function::sum;
      sum.pos = e.pos;
      sum.args.push_back(std::move(product));
      return fold(std::move(sum));
    }
    if (f == Function::col) {
      Symbol const& matrix = matrix_named(e.args[0]);
      Node n;
      n.op = Node::Op::slot;
      n.pos = e.pos;
      n.slot = column_of(matrix, column_index(matrix, e, e.args[1])).slot;
      n.size = matrix.size;
      return n;
    }
    if (e.args[0].kind != ast::ExprKind::name)
      fail(e.args[0].pos, fmt::format("{} takes a matrix or a vector", e.name));
    Symbol const& s = resolve(e.args[0].name, e.args[0].pos);
    if (s.size == 0) fail(e.args[0].pos, fmt::format("{} takes a matrix or a vector, but '{}' is a scalar", e.name,
                                                     e.args[0].name));
    Node n;
    n.op = Node::Op::constant;
    n.pos = e.pos;
    n.constant = static_cast<double>(f == Function::rows ? s.size : std::max<std::size_t>(s.columns, 1));
    return n;
  }

  double constant_value(ast::Expr const& e, char const* what) {
    Node const n = lower(e);
    if (!is_constant(n)) fail(e.pos, fmt::format("{} must be a constant expression", what));
    return n.constant;
  }

  // A parameter's initial value: a constant, or an array literal of them.
  std::vector<double> initial_values(ast::Expr const& value) {
    if (value.kind != ast::ExprKind::array) return {constant_value(value, "an initial value")};
    std::vector<double> values;
    for (ast::Expr const& element : value.args) values.push_back(constant_value(element, "an initial value"));
    return values;
  }

  std::size_t size_of(ast::Declaration const& d) {
    if (!d.size) return 0;
    double const n = constant_value(*d.size, "a size");
    if (n != std::floor(n) || n < 1)
      fail(d.size->pos, fmt::format("a size must be a positive integer, but this one is {}", n));
    return static_cast<std::size_t>(n);
  }

  Constraint constraint_of(ast::Declaration const& d) {
    Constraint c;
    if (d.lower) c.lower = constant_value(*d.lower, "a lower bound");
    if (d.upper) c.upper = constant_value(*d.upper, "an upper bound");
    if (c.lower && c.upper && !(*c.lower < *c.upper))
      fail(d.pos, fmt::format("'{}' has lower bound {} not below its upper bound {}", d.name, *c.lower, *c.upper));
    return c;
  }

  // A value on a bound counts as inside for data (a count of 0 with lower=0).
  static bool within(Constraint const& c, double x) {
    return std::isfinite(x) && c.holds(x);
  }

  // --- blocks ---------------------------------------------------------------

  void data_block(ast::Block const& b) {
    block_ = ast::BlockKind::data;
    for (ast::Statement const& st : b.statements) {
      auto const* d = std::get_if<ast::Declaration>(&st);
      if (!d) fail(b.pos, "the data block holds declarations only");
      if (d->matrix_rows)
        data_matrix(*d);
      else if (!d->value)
        data_column(*d);
      else if (reads_data(*d->value) || d->size)
        derived_data(*d);
      else
        data_constant(*d);
    }
  }

  void data_constant(ast::Declaration const& d) {
    Symbol s;
    s.integer = d.type == ast::BaseType::integer;
    auto const override_it = options_.overrides.find(d.name);
    s.constant = override_it != options_.overrides.end() ? override_it->second : constant_value(*d.value, "a constant");
    // "constant 'k' is 2.5 (given), ...": the value, where it came from, what is wrong.
    auto const bad_value = [&](char const* kind, std::string const& problem) {
      Diagnostic e = error_at(syntax_.file, d.name_pos, fmt::format("{} '{}' is {} ", kind, d.name, s.constant));
      append_constant_source(e, override_it != options_.overrides.end());
      e.message += problem;
      throw DiagnosticError(std::move(e));
    };
    if (s.integer && s.constant != std::floor(s.constant)) bad_value("int constant", ", which is not an integer");
    if (!std::isfinite(s.constant)) bad_value("constant", ": a constant must be a finite number");
    Constraint const c = constraint_of(d);
    if (!within(c, s.constant))
      bad_value("constant", fmt::format(", outside its declared bounds {}", c.spelling()));
    declare(d, s);
  }

  void data_column(ast::Declaration const& d) {
    Symbol s;
    s.kind = SlotKind::column;
    s.integer = d.type == ast::BaseType::integer;
    if (!data_) fail(d.name_pos, fmt::format("'{}' is a data column, but no data file was given", d.name));
    if (!data_->has_column(d.name))
      fail(d.name_pos, fmt::format("data column '{}' is not in {} (its columns are: {})", d.name, data_->file(),
                                   join(data_->header())));
    check_has_rows(d);
    s.size = size_of(d);
    if (s.size != out_.rows)
      fail(d.size ? d.size->pos : d.name_pos,
           fmt::format("data column '{}' must be declared with size N ({} rows)", d.name, out_.rows));
    s.slot = bind_column(d, d.name, s.integer);
    declare(d, s);
  }

  // `matrix[N, K] X;`: the CSV's columns X.1 ... X.K, CmdStan's names.
  void data_matrix(ast::Declaration const& d) {
    if (!data_) fail(d.name_pos, fmt::format("'{}' is a data matrix, but no data file was given", d.name));
    check_has_rows(d);
    if (constant_value(*d.matrix_rows, "a matrix's rows") != static_cast<double>(out_.rows))
      fail(d.matrix_rows->pos,
           fmt::format("data matrix '{}' must have N rows, one per CSV row ({} rows)", d.name, out_.rows));
    Symbol s;
    s.kind = SlotKind::column;
    s.size = out_.rows;
    s.columns = size_of(d);
    for (std::size_t k = 1; k <= s.columns; ++k) {
      std::string const column = fmt::format("{}.{}", d.name, k);
      if (!data_->has_column(column))
        fail(d.name_pos, fmt::format("data matrix '{0}' reads the columns {0}.1 to {0}.{1} of {2}, but it has no "
                                     "column '{3}' (its columns are: {4})",
                                     d.name, s.columns, data_->file(), column, join(data_->header())));
      int const slot = bind_column(d, column, false);
      if (k == 1) s.slot = slot;
    }
    declare(d, s);
  }

  void check_has_rows(ast::Declaration const& d) const {
    if (out_.rows == 0)
      throw DiagnosticError(error_at(data_->file(), Position{1, 1},
                                     fmt::format("the file has a header but no data rows, so column '{}' "
                                                 "(declared at {}:{}:{}) is empty",
                                                 d.name, syntax_.file, d.name_pos.line, d.name_pos.column)));
  }

  // The CSV's column `column`, checked against d's bounds, in a new slot.
  int bind_column(ast::Declaration const& d, std::string const& column, bool integer) {
    int const slot = new_slot(column);
    std::vector<double> values;
    if (integer) {
      for (std::int64_t v : data_->int_column(column)) values.push_back(static_cast<double>(v));
      index_column_.insert(slot);
    } else {
      values = data_->real_column(column);
    }
    Constraint const c = constraint_of(d);
    for (std::size_t r = 0; r < values.size(); ++r) {
      if (within(c, values[r])) continue;
      Diagnostic e = error_at(data_->file(), data_->cell_position(column, r + 1),
                              fmt::format("column '{}', row {}: {} is outside its declared bounds {}", column, r + 1,
                                          values[r], c.spelling()));
      e.notes.push_back(note_at(d.name_pos, fmt::format("'{}' is declared here", d.name)));
      throw DiagnosticError(std::move(e));
    }
    out_.data[static_cast<std::size_t>(slot)] = Value<double>::vector(std::move(values));
    return slot;
  }

  // Whether a data-block value reads a column or derived data: then it is
  // derived data (docs/language.md, 'Transformed data').
  bool reads_data(ast::Expr const& e) const {
    return ast::reads_name(e, [&](std::string const& name) {
      auto const it = symbols_.find(name);
      return it != symbols_.end() && it->second.kind == SlotKind::column;
    });
  }

  // `real log_x[N] = log(x);`: computed once, here, and a column from then on.
  void derived_data(ast::Declaration const& d) {
    Symbol s;
    s.kind = SlotKind::column;
    s.integer = d.type == ast::BaseType::integer;
    s.size = size_of(d);
    Node const value = lower(*d.value);
    Value<double> computed = evaluate_in_model(out_, {}, 0, value);
    if (computed.is_vector && s.size == 0)
      fail(d.value->pos, fmt::format("size mismatch: the value of '{}' has {} elements, but '{}' is a scalar", d.name,
                                     computed.elements.size(), d.name));
    if (!computed.is_vector && s.size != 0)
      computed = Value<double>::vector(std::vector<double>(s.size, computed.at(0)));
    if (computed.elements.size() != std::max<std::size_t>(s.size, 1))
      fail(d.value->pos, fmt::format("size mismatch: the value of '{}' has {} elements, but '{}' has {}", d.name,
                                     computed.elements.size(), d.name, s.size));
    Constraint const c = constraint_of(d);
    for (std::size_t r = 0; r < computed.elements.size(); ++r) {
      double const v = computed.elements[r];
      std::string const where = s.size == 0 ? "" : fmt::format(" at row {}", r + 1);
      if (!std::isfinite(v))
        fail(d.name_pos, fmt::format("the value of '{}'{} is {}, not a finite number", d.name, where, v));
      if (s.integer && v != std::floor(v))
        fail(d.name_pos, fmt::format("'{}' is an int, but its value{} is {}", d.name, where, v));
      if (!within(c, v))
        fail(d.name_pos, fmt::format("the value of '{}'{} is {}, outside its declared bounds {}", d.name, where, v,
                                     c.spelling()));
    }
    s.slot = new_slot(d.name);
    if (s.integer) index_column_.insert(s.slot);
    out_.data[static_cast<std::size_t>(s.slot)] = std::move(computed);
    declare(d, s);
  }

  void check_overrides() const {
    for (auto const& [name, value] : options_.overrides) {
      auto const it = symbols_.find(name);
      Diagnostic d;
      d.setting = Setting::constant_override;
      d.setting_value = fmt::format("{}={}", name, value);
      if (name == "N") {
        d.message = "N is the number of rows of the data file, not a constant to set";
        throw DiagnosticError(d);
      }
      if (it == symbols_.end() || it->second.kind != SlotKind::constant) {
        std::vector<std::string> constants;
        for (auto const& [n, s] : symbols_)
          if (s.kind == SlotKind::constant && n != "N") constants.push_back(n);
        d.message = fmt::format("'{}' is not a data constant of {} (its constants are: {})", name, syntax_.file,
                                constants.empty() ? "none" : join(constants));
        throw DiagnosticError(d);
      }
    }
  }

  void latent_block(ast::Block const& b) {
    block_ = ast::BlockKind::latent;
    for (ast::Statement const& st : b.statements) {
      auto const* d = std::get_if<ast::Declaration>(&st);
      if (!d) fail(b.pos, "the latent block holds declarations only");
      if (d->value) fail(d->value->pos, fmt::format("latent '{}' cannot have a value", d->name));
      Symbol s;
      s.kind = SlotKind::latent;
      s.integer = d->type == ast::BaseType::integer;
      s.size = size_of(*d);
      if (d->simplex && s.size < 2)
        fail(d->size->pos, fmt::format("simplex '{}' needs at least 2 elements, but has {}", d->name, s.size));
      s.slot = new_slot(d->name);
      LatentVariable v;
      v.name = d->name;
      v.slot = s.slot;
      v.size = s.size;
      v.offset = out_.latent_dimension;
      v.discrete = s.integer;
      v.pos = d->name_pos;
      out_.latent_dimension += v.length();
      latent_of_slot_.emplace(s.slot, static_cast<int>(out_.latents.size()));
      if ((d->lower && d->upper) || d->simplex) bounded_latents_.insert(static_cast<int>(out_.latents.size()));
      latent_declarations_.emplace(s.slot, d);
      out_.latents.push_back(v);
      declare(*d, s);
    }
  }

  void model_block(ast::Block const& b) {
    block_ = ast::BlockKind::model;
    for (ast::Statement const& st : b.statements) model_statement(st);
  }

  void model_statement(ast::Statement const& st) {
    if (auto const* loop = std::get_if<ast::Loop>(&st)) return unroll(*loop);
    if (auto const* d = std::get_if<ast::Declaration>(&st)) {
      if (!d->value && d->size) return declare_assembled(*d);
      if (d->matrix_rows) {
        covariance_local(*d);
      } else {
        out_.model.push_back(local(*d, SlotKind::model_local));
        local_statement_[std::get<Definition>(out_.model.back()).slot] = out_.model.size() - 1;
        check_operations(std::get<Definition>(out_.model.back()), d->name_pos);
      }
    } else if (auto const* a = std::get_if<ast::Assignment>(&st)) {
      out_.model.push_back(assign_element(*a));
      local_statement_[std::get<Definition>(out_.model.back()).slot] = out_.model.size() - 1;
      check_operations(std::get<Definition>(out_.model.back()), a->pos);
    } else if (auto const& sample = std::get<ast::Sample>(st); sample.target_increment) {
      out_.model.push_back(target_term(sample));
    } else if (is_latent_part(sample.lhs)) {
      out_.model.push_back(latent_part(sample));
      own_parts_.insert(out_.model.size() - 1);
    } else {
      out_.model.push_back(factor(sample));
    }
    constant_uses_.resize(out_.model.size());
    if (!loop_variables_.empty() && out_.model.size() > max_unrolled_statements)
      fail(innermost_loop_, fmt::format("the model's loops run more than {} statements: a model this size is beyond "
                                        "what a fit can evaluate at every draw",
                                        max_unrolled_statements));
  }

  // The operations a walk of n goes through, the locals it reads counted
  // whole at each read; at most max_local_operations + 1.
  std::size_t operations(Node const& n) const {
    std::size_t total = 1;
    if (n.op == Node::Op::slot || n.op == Node::Op::index)
      if (auto const it = local_operations_.find(n.slot); it != local_operations_.end()) total += it->second;
    for (Node const& a : n.args) total = std::min(total + operations(a), max_local_operations + 1);
    return std::min(total, max_local_operations + 1);
  }

  void check_operations(Definition const& d, Position pos) {
    std::size_t const count = operations(d.value);
    if (count > max_local_operations)
      fail(pos, fmt::format("'{}' is computed through more than {} operations, counting those of the locals it reads "
                            "each time it reads them: a recursion this long or this branching is beyond this version "
                            "(docs/language.md, 'Limits')",
                            d.name, max_local_operations));
    local_operations_[d.slot] = count;
  }

  // --- loops (docs/language.md, 'Loops') ------------------------------------

  // The body once per value of the variable, which is an int constant there:
  // each iteration's statements are the model's like any others, and take
  // part in every analysis of its structure element by element.
  void unroll(ast::Loop const& loop) {
    double const first = constant_value(loop.first, "a loop's first value");
    double const last = constant_value(loop.last, "a loop's last value");
    // A range past the data's rows and the iterations an unrolled loop may
    // run is no model: refused before a vector of its values is made.
    if (last - first >= static_cast<double>(std::max(out_.rows, max_unrolled_statements)))
      fail(loop.pos, fmt::format("the loop runs {} iterations: more than the data's rows and than {}, the most a "
                                 "model's loops may run",
                                 last - first + 1, max_unrolled_statements));
    if (last > first && is_row_wise(loop)) return vectorise(loop, first, last);
    Position const outer = innermost_loop_;
    innermost_loop_ = loop.pos;
    loop_variables_.insert(loop.variable.name);
    for (double t = first; t <= last; ++t) {
      if (++loop_iterations_ > max_unrolled_statements)
        fail(loop.pos, fmt::format("the model's loops run more than {} iterations: a model this size is beyond what "
                                   "a fit can evaluate at every draw",
                                   max_unrolled_statements));
      Symbol variable;
      variable.constant = t;
      variable.integer = true;
      variable.pos = loop.variable.name_pos;
      symbols_.insert_or_assign(loop.variable.name, variable);
      for (ast::Statement const& st : loop.body) model_statement(st);
    }
    symbols_.erase(loop.variable.name);
    loop_variables_.erase(loop.variable.name);
    innermost_loop_ = outer;
  }

  // A loop whose every iteration adds the same terms for its own rows: each
  // statement a '~' of `y[t]` (a column's or a latent's element at the
  // variable itself) or a `target +=`, every value that reads the variable a
  // scalar computed element by element, and nothing else a vector. Written
  // once over all the iterations (the variable an int column of its values,
  // `y[t]` the slice `y[A:B]`), it is the vector form a user would write, with
  // its log joint, and is fitted as that (docs/language.md, 'Loops').
  bool is_row_wise(ast::Loop const& loop) const {
    std::string const& t = loop.variable.name;
    for (ast::Statement const& st : loop.body) {
      auto const* sample = std::get_if<ast::Sample>(&st);
      if (!sample) return false;
      bool const at_t = sample->lhs.kind == ast::ExprKind::index && sample->lhs.args.size() == 1 &&
                        sample->lhs.args[0].kind == ast::ExprKind::name && sample->lhs.args[0].name == t;
      if (!sample->target_increment && !at_t) return false;
      bool reads_t = at_t;
      for (ast::Expr const& a : sample->args) {
        if (!is_element_wise_in(a, t)) return false;
        reads_t = reads_t || ast::reads_name(a, [&](std::string const& n) { return n == t; });
      }
      if (!reads_t) return false;  // the same term once per iteration
    }
    return true;
  }

  // Whether e is a scalar in each iteration and computed element by element
  // from the loop variable t: no vector read whole, no reduction, array
  // literal, slice or matrix product of anything.
  bool is_element_wise_in(ast::Expr const& e, std::string const& t) const {
    using K = ast::ExprKind;
    switch (e.kind) {
      case K::array: return false;
      case K::name: {
        if (e.name == t) return true;
        auto const it = symbols_.find(e.name);
        return it != symbols_.end() && it->second.size == 0 && !it->second.assembled;
      }
      case K::index:
        if (e.args.size() != 1) return false;
        if (auto const it = symbols_.find(e.name); it == symbols_.end() || it->second.assembled) return false;
        return is_element_wise_in(e.args[0], t);
      case K::matrix_element:
        if (auto const it = symbols_.find(e.name); it == symbols_.end() || it->second.covariance) return false;
        return is_element_wise_in(e.args[0], t) && is_element_wise_in(e.args[1], t);
      case K::multiply:
        if (is_matrix(e.args[0]) || is_covariance(e.args[0])) return false;
        break;
      case K::call: {
        std::optional<Function> const f = implementation_of(e.name);
        if (!density_call(e.name) && (!f || reads_whole_vector(*f, e.args.size()) || is_replaced_when_lowered(*f)))
          return false;
        break;
      }
      default: break;
    }
    return std::all_of(e.args.begin(), e.args.end(), [&](ast::Expr const& a) { return is_element_wise_in(a, t); });
  }

  void vectorise(ast::Loop const& loop, double first, double last) {
    Symbol variable;
    variable.kind = SlotKind::column;
    variable.integer = true;
    variable.pos = loop.variable.name_pos;
    variable.size = static_cast<std::size_t>(last - first) + 1;
    variable.slot = new_slot(loop.variable.name);
    std::vector<double> values;
    for (double t = first; t <= last; ++t) values.push_back(t);
    out_.data[static_cast<std::size_t>(variable.slot)] = Value<double>::vector(std::move(values));
    index_column_.insert(variable.slot);
    symbols_.insert_or_assign(loop.variable.name, variable);
    row_wise_loop_ = std::pair{loop.variable.name, first};
    for (ast::Statement const& st : loop.body) {
      ast::Sample sample = std::get<ast::Sample>(st);
      if (!sample.target_increment) {  // y[t]: y[first:last]
        sample.lhs.args[0] = number_expression(first, loop.variable.name_pos);
        sample.lhs.args.push_back(number_expression(last, loop.variable.name_pos));
      }
      model_statement(sample);
    }
    row_wise_loop_.reset();
    symbols_.erase(loop.variable.name);
  }

  static ast::Expr number_expression(double value, Position pos) {
    ast::Expr n;
    n.kind = ast::ExprKind::number;
    n.pos = pos;
    n.number = value;
    n.integer_literal = true;
    return n;
  }

  // `real h[N];` in the model: its elements are assigned one by one.
  void declare_assembled(ast::Declaration const& d) {
    Symbol s;
    s.kind = SlotKind::model_local;
    s.size = size_of(d);
    s.assembled = true;
    Assembled parts;
    parts.elements.assign(s.size, -1);
    parts.bounds = constraint_of(d);
    assembled_.insert_or_assign(d.name, std::move(parts));
    declare(d, s);
  }

  // `h[k] = E;`: a definition of its own, named h[k], which later reads of
  // h[k] (and of h) read.
  Definition assign_element(ast::Assignment const& a) {
    Symbol const& target = resolve(a.target.name, a.target.pos);
    if (!target.assembled || a.target.kind != ast::ExprKind::index || a.target.args.size() != 1)
      fail(a.pos, fmt::format("only an element of a model local declared without a value can be assigned, as "
                              "'{}[t] = …;'",
                              a.target.name));
    double const k = constant_value(a.target.args[0], "an assigned element's index");
    check_index(k, target.size, a.target, a.target.args[0].pos, "");
    Definition def;
    def.value = lower(a.value);
    if (def.value.size != 0)
      fail(a.value.pos, fmt::format("size mismatch: '{}[{}]' is one element, but the value has {}", a.target.name, k,
                                    def.value.size));
    Assembled& parts = assembled_.at(a.target.name);
    def.name = fmt::format("{}[{}]", a.target.name, k);
    def.slot = new_slot(def.name);
    def.bounds = parts.bounds;
    parts.elements[static_cast<std::size_t>(k) - 1] = def.slot;
    return def;
  }

  // Elements first to last (1-based) of an assembled local, as a vector;
  // last 0: element `first`, a scalar. Each must be assigned by now.
  Node assembled_part(ast::Expr const& e, std::size_t first, std::size_t last) {
    Assembled const& parts = assembled_.at(e.name);
    Node n;
    n.pos = e.pos;
    std::size_t const to = last == 0 ? first : last;
    for (std::size_t k = first; k <= to; ++k) {
      int const slot = parts.elements[k - 1];
      if (slot < 0)
        fail(e.pos, fmt::format("element {} of '{}' is read here before any assignment to it", k, e.name));
      if (block_ == ast::BlockKind::model) inherit_constant_uses(slot);
      Node element;
      element.op = Node::Op::slot;
      element.pos = e.pos;
      element.slot = slot;
      n.args.push_back(std::move(element));
    }
    if (last == 0) return std::move(n.args[0]);
    n.op = Node::Op::array;
    n.size = n.args.size();
    return n;
  }

  void guide_block(ast::Block const& b) {
    block_ = ast::BlockKind::guide;
    for (ast::Statement const& st : b.statements) {
      if (auto const* d = std::get_if<ast::Declaration>(&st)) {
        bool const is_local = defines_guide_local(*d, [&](std::string_view name) {
          auto const it = symbols_.find(name);
          return it != symbols_.end() &&
                 (it->second.kind == SlotKind::parameter || it->second.kind == SlotKind::guide_local);
        });
        if (is_local)
          out_.guide.push_back(local(*d, SlotKind::guide_local));
        else
          parameter(*d);
      } else {
        out_.guide.push_back(factor(std::get<ast::Sample>(st)));
      }
    }
  }

  // A parameter's value, if any, is its initial value, of literals and constants only.
  void parameter(ast::Declaration const& d) {
    std::vector<double> initial;  // one value, or one per element
    if (d.value) initial = initial_values(*d.value);
    Symbol s;
    s.kind = SlotKind::parameter;
    s.size = size_of(d);
    s.slot = new_slot(d.name);
    Parameter p;
    p.name = d.name;
    if (auto const automatic = syntax_.automatic_parameters.find(d.name);
        automatic != syntax_.automatic_parameters.end()) {
      p.latent = automatic->second.latent;
      p.role = automatic->second.role;
      p.name = p.latent + "." + p.role;
    }
    p.slot = s.slot;
    p.size = s.size;
    p.offset = out_.parameter_dimension;
    p.constraint = constraint_of(d);
    p.pos = d.name_pos;
    if (d.simplex) return simplex_parameter(d, s, std::move(p), initial);
    if (d.cholesky_factor) return cholesky_parameter(d, std::move(s), std::move(p), initial);
    if (initial.size() > 1 && initial.size() != p.size)
      fail(d.value->pos, fmt::format("'{}' has {} elements, but {} initial values are given", d.name, p.length(),
                                     initial.size()));
    p.initial.assign(p.length(), 0.0);  // no initial value: 0 on the unconstrained scale
    for (std::size_t i = 0; i < initial.size(); ++i) {
      if (!p.constraint.admits(initial[i]))
        fail(d.value->pos, fmt::format("initial value {} of '{}' is outside its bounds {}", initial[i], d.name,
                                       p.constraint.spelling()));
      p.initial[i] = p.constraint.unconstrain(initial[i]);
    }
    if (initial.size() == 1) p.initial.assign(p.length(), p.initial[0]);
    out_.parameter_dimension += p.length();
    out_.parameters.push_back(p);
    declare(d, s);
  }

  // simplex[K] p: K − 1 coordinates (runtime/constraint.hpp); it starts
  // uniform, or at its K initial values, positive and summing to 1.
  void simplex_parameter(ast::Declaration const& d, Symbol const& s, Parameter p, std::vector<double> const& initial) {
    if (p.size < 2)
      fail(d.size->pos, fmt::format("simplex '{}' needs at least 2 elements, but has {}", d.name, p.size));
    p.constraint.simplex = true;
    p.initial.assign(p.coordinates(), 0.0);  // softmax(0, ..., 0): uniform
    if (!initial.empty()) {
      if (initial.size() != p.size)
        fail(d.value->pos, fmt::format("simplex '{}' has {} elements, but {} initial values are given (one each)",
                                       d.name, p.size, initial.size()));
      double sum = 0;
      for (double x : initial) sum += x;
      bool const positive = std::all_of(initial.begin(), initial.end(), [](double x) { return x > 0; });
      if (!positive || !(std::fabs(sum - 1) <= simplex_tolerance))
        fail(d.value->pos, fmt::format("the initial values of simplex '{}' must be positive and sum to 1, but they "
                                       "sum to {}{}",
                                       d.name, sum, positive ? "" : " and are not all positive"));
      p.initial = simplex_coordinates(initial);
    }
    out_.parameter_dimension += p.coordinates();
    out_.parameters.push_back(p);
    declare(d, s);
  }

  // cholesky_factor_cov[K] L: K(K + 1)/2 coordinates (runtime/constraint.hpp),
  // read whole as a K×K matrix. It starts at the identity, at x times it for
  // one initial value x > 0, or at K² values row by row, lower triangular
  // with a positive diagonal.
  void cholesky_parameter(ast::Declaration const& d, Symbol s, Parameter p, std::vector<double> initial) {
    std::size_t const k = p.size;
    p.columns = k;
    p.size = s.size = k * k;
    s.columns = k;
    s.covariance = true;
    if (initial.size() == 1) {
      if (!(initial[0] > 0) || !std::isfinite(initial[0]))
        fail(d.value->pos, fmt::format("the initial value of cholesky_factor_cov '{}' is its diagonal, which must be "
                                       "positive, but it is {}",
                                       d.name, initial[0]));
      double const diagonal = initial[0];
      initial.assign(k * k, 0.0);
      for (std::size_t i = 0; i < k; ++i) initial[i * k + i] = diagonal;
    }
    if (!initial.empty() && initial.size() != k * k)
      fail(d.value->pos, fmt::format("cholesky_factor_cov '{}' is {}×{}: it takes one initial value (its diagonal) or "
                                     "{} (row by row), but {} are given",
                                     d.name, k, k, k * k, initial.size()));
    p.initial.assign(p.coordinates(), 0.0);  // the identity
    for (std::size_t e = 0; e < initial.size(); ++e) {
      std::optional<std::size_t> const c = p.coordinate_of(e);
      if (!c && initial[e] != 0)
        fail(d.value->pos, fmt::format("cholesky_factor_cov '{}' is lower triangular, but its initial value [{}, {}] "
                                       "above the diagonal is {}, not 0",
                                       d.name, e / k + 1, e % k + 1, initial[e]));
      if (!c) continue;
      Constraint const& bounds = p.element_constraint(e);
      if (!bounds.admits(initial[e]))
        fail(d.value->pos, fmt::format("the initial value [{0}, {0}] of cholesky_factor_cov '{1}' is on its "
                                       "diagonal, which must be positive, but it is {2}",
                                       e / k + 1, d.name, initial[e]));
      p.initial[*c] = bounds.unconstrain(initial[e]);
    }
    out_.parameter_dimension += p.coordinates();
    out_.parameters.push_back(p);
    declare(d, s);
  }

  Definition local(ast::Declaration const& d, SlotKind kind) {
    if (!d.value) fail(d.name_pos, fmt::format("local '{}' needs a value: write '{} = …;'", d.name, d.name));
    Definition def;
    def.value = lower(*d.value);
    Symbol s;
    s.kind = kind;
    s.size = size_of(d);
    if (def.value.size != 0 && def.value.size != s.size)
      fail(d.value->pos, fmt::format("size mismatch: '{}' is declared with {} elements, but its value has {}", d.name,
                                     s.size, def.value.size));
    if (s.size != 0 && def.value.size == 0)
      fail(d.value->pos, fmt::format("'{}' is a vector of {} elements, but its value is a scalar", d.name, s.size));
    s.slot = new_slot(d.name);
    def.slot = s.slot;
    def.name = d.name;
    def.bounds = constraint_of(d);
    declare(d, s);
    return def;
  }

  // `target += E;`: runtime/target_term.hpp.
  Factor target_term(ast::Sample const& st) {
    Factor f;
    f.pos = st.pos;
    f.lhs_name = "target";
    f.distribution = &target_entry();
    f.args.push_back(lower(st.args[0]));
    f.lhs_size = f.args[0].size;
    f.lhs_slot = new_slot("target");
    out_.data[static_cast<std::size_t>(f.lhs_slot)] =
        f.lhs_size == 0 ? Value<double>::scalar(0.0) : Value<double>::vector(std::vector<double>(f.lhs_size, 0.0));
    return f;
  }

  // `z[A:B] ~ D(…);` or `z[k] ~ D(…);` of a latent z in the model: its
  // density there, as `target += D_lpdf(z[A:B] | …);` adds it
  // (docs/language.md, 'Slices').
  bool is_latent_part(ast::Expr const& lhs) const {
    if (lhs.kind != ast::ExprKind::index || block_ != ast::BlockKind::model) return false;
    auto const found = symbols_.find(lhs.name);
    return found != symbols_.end() && found->second.kind == SlotKind::latent;
  }

  Factor latent_part(ast::Sample const& st) {
    DistributionEntry const* d = distributions().find(st.distribution);
    if (!d) fail(st.distribution_pos, fmt::format("unknown distribution '{}'", st.distribution));
    ast::Sample term;
    term.target_increment = true;
    term.pos = st.pos;
    ast::Expr density;
    density.kind = ast::ExprKind::call;
    density.pos = st.distribution_pos;
    density.name = st.distribution + (is_discrete(d->signature.support) ? "_lpmf" : "_lpdf");
    density.args.push_back(st.lhs);
    density.args.insert(density.args.end(), st.args.begin(), st.args.end());
    term.args.push_back(std::move(density));
    Factor f = target_term(term);
    Symbol const& latent = symbols_.at(st.lhs.name);
    std::vector<bool>& covered = covered_[latent_of_slot_.at(latent.slot)];
    covered.resize(latent.size, false);
    Node const& part = f.args[0].args[0];  // the density's value: z[k], or the gather z[A:B]
    Node const& index = part.args[0];
    if (index.op == Node::Op::constant)
      covered[static_cast<std::size_t>(index.constant) - 1] = true;
    else
      for (double k : out_.data[static_cast<std::size_t>(index.slot)].elements)
        covered[static_cast<std::size_t>(k) - 1] = true;
    return f;
  }

  Factor factor(ast::Sample const& st) {
    Factor f;
    f.pos = st.pos;
    bool const slice = st.lhs.kind == ast::ExprKind::index && st.lhs.args.size() <= 2;
    if (st.lhs.kind != ast::ExprKind::name && !slice)
      fail(st.lhs.pos, "the left of '~' must be a variable's name, a data column's element or slice, or a latent's "
                       "element or slice in the model");
    auto const found = symbols_.find(st.lhs.name);
    if (found == symbols_.end()) fail(st.lhs.pos, fmt::format("unknown name '{}'", st.lhs.name));
    Symbol s = found->second;
    if (s.kind != SlotKind::latent && !(s.kind == SlotKind::column && block_ == ast::BlockKind::model))
      fail(st.lhs.pos, fmt::format("'{}' cannot be on the left of '~' here", st.lhs.name));
    if (s.kind == SlotKind::column) observe_rows(st.lhs, s);
    if (slice) {
      if (s.kind != SlotKind::column)
        fail(st.lhs.pos, fmt::format("a guide factor draws a whole latent: give '{}' one '~' here", st.lhs.name));
      // y[t] is the slice y[t:t], a column of one row.
      ast::Expr part_expression = st.lhs;
      if (part_expression.args.size() == 1) part_expression.args.push_back(part_expression.args[0]);
      Node const part = lower_slice(part_expression, s);
      s.slot = part.slot;
      s.size = part.size;
    }
    f.lhs_slot = s.slot;
    f.lhs_size = s.size;
    f.lhs_name = slice ? out_.slot_names[static_cast<std::size_t>(s.slot)] : st.lhs.name;
    if (auto const latent = latent_of_slot_.find(s.slot); latent != latent_of_slot_.end()) f.latent = latent->second;
    f.distribution = distributions().find(st.distribution);
    if (!f.distribution) fail(st.distribution_pos, fmt::format("unknown distribution '{}'", st.distribution));
    auto const& params = f.distribution->signature.parameters;
    if (st.args.size() != params.size())
      fail(st.distribution_pos, fmt::format("{} takes {} arguments ({}), but {} were given", st.distribution,
                                            params.size(), join(params), st.args.size()));
    for (std::size_t i = 0; i < st.args.size(); ++i) {
      f.args.push_back(f.distribution->signature.reads_matrix(i) ? lower_matrix(st.args[i]) : lower(st.args[i]));
      if (f.distribution->signature.reads_whole(i)) {
        whole_argument(f, st, i);
        continue;
      }
      if (f.args.back().size != 0 && f.args.back().size != f.lhs_size)
        fail(st.args[i].pos, fmt::format("size mismatch: {} of {} has {} elements, but '{}' has {}", params[i],
                                         st.distribution, f.args.back().size, st.lhs.name, f.lhs_size));
    }
    check_simplex_draw(f, st, s);
    check_multivariate_draw(f, st);
    if (block_ == ast::BlockKind::model) use_link_form(f);
    if (s.kind == SlotKind::column) {
      check_observed_support(f);
      reduce(f);
    }
    return f;
  }

  // A data column's rows are observed once each: by one '~' of the whole
  // column, or by '~'s of disjoint elements and slices (a loop's y[t]).
  void observe_rows(ast::Expr const& lhs, Symbol const& column) {
    std::vector<bool>& observed = observed_rows_[column.slot];
    observed.resize(column.size, false);
    std::size_t from = 1, to = column.size;
    if (lhs.kind == ast::ExprKind::index) std::tie(from, to) = constant_range(lhs, column.size, "an observed element");
    for (std::size_t r = from - 1; r < to; ++r) {
      if (observed[r])
        fail(lhs.pos, fmt::format("row {} of data column '{}' is already observed by an earlier '~'", r + 1,
                                  lhs.name));
      observed[r] = true;
    }
  }

  // An argument the distribution reads whole (Categorical's theta): one
  // vector for every element of the left side. A Categorical's latent is
  // declared int<lower=1, upper=K>, K the length of theta.
  void whole_argument(Factor& f, ast::Sample const& st, std::size_t i) {
    Node& a = f.args[i];
    DistributionSignature const& signature = f.distribution->signature;
    std::string const& parameter = signature.parameters[i];
    // A multivariate normal's scalar mean is repeated by check_multivariate_draw.
    bool const repeated_mean = signature.whole_value && signature.support == Support::real && i == 0;
    if (a.size == 0 && !repeated_mean)
      fail(st.args[i].pos, fmt::format("{} of {} is a vector (one for all of '{}'), but this is a scalar", parameter,
                                       st.distribution, st.lhs.name));
    a.whole = true;
    if (f.distribution->signature.support != Support::categorical || i != 0 || f.latent < 0) return;
    ast::Declaration const& d = *latent_declarations_.at(f.lhs_slot);
    std::optional<Support> const declared = declared_support(d);
    std::optional<double> const upper =
        declared == Support::categorical ? std::optional<double>(constant_value(*d.upper, "an upper bound"))
                                         : std::nullopt;
    if (!upper || *upper != static_cast<double>(a.size))
      fail(st.args[i].pos, fmt::format("{} has {} elements, so '{}' takes the values 1 to {}: declare it as "
                                       "int<lower=1, upper={}>, not {}",
                                       parameter, a.size, st.lhs.name, a.size, a.size, declared_type(d)));
  }

  // MultiNormal(mu, Sigma) of a K-vector: mu a K-vector (a scalar is
  // repeated, as Stan users write rep_vector(0, K)), Sigma K×K.
  // The guide's one multivariate factor: MultiNormalCholesky(m, L) with L a
  // cholesky_factor_cov parameter (docs/language.md, 'A full-rank guide factor').
  void check_full_rank_factor(Factor const& f, ast::Sample const& st) const {
    bool const cholesky = st.distribution == "MultiNormalCholesky";
    Node const& l = f.args[1];
    bool const factor_parameter =
        l.op == Node::Op::slot && std::any_of(out_.parameters.begin(), out_.parameters.end(), [&](Parameter const& p) {
          return p.slot == l.slot && p.columns != 0;
        });
    if (!cholesky || !factor_parameter)
      fail(cholesky ? st.args[1].pos : st.distribution_pos,
           fmt::format("a full-rank guide factor is '{0} ~ MultiNormalCholesky(m, L);' with L a variational parameter "
                       "'cholesky_factor_cov[K] L;'{1}",
                       st.lhs.name, cholesky ? "" : fmt::format(", not {}", st.distribution)));
  }

  void check_multivariate_draw(Factor& f, ast::Sample const& st) const {
    DistributionSignature const& d = f.distribution->signature;
    if (!d.whole_value || d.support != Support::real) return;
    if (block_ == ast::BlockKind::guide) check_full_rank_factor(f, st);
    if (f.lhs_size == 0)
      fail(st.lhs.pos, fmt::format("{} draws a vector, but '{}' is a scalar", st.distribution, st.lhs.name));
    Node& mean = f.args[0];
    if (mean.size == 0) mean = repeated(mean, f.lhs_size);
    if (mean.size != f.lhs_size)
      fail(st.args[0].pos, fmt::format("size mismatch: {} of {} has {} elements, but '{}' has {}", d.parameters[0],
                                       st.distribution, mean.size, st.lhs.name, f.lhs_size));
    if (f.args[1].columns != f.lhs_size)
      fail(st.args[1].pos, fmt::format("size mismatch: {} of {} is {}×{}, but '{}' has {} elements", d.parameters[1],
                                       st.distribution, f.args[1].columns, f.args[1].columns, st.lhs.name,
                                       f.lhs_size));
  }

  // A simplex latent is drawn whole by a distribution whose value is a
  // simplex (Dirichlet), and such a distribution draws nothing else: its K
  // is the length of its first argument.
  void check_simplex_draw(Factor const& f, ast::Sample const& st, Symbol const& s) const {
    auto const declaration = latent_declarations_.find(s.slot);
    bool const simplex = declaration != latent_declarations_.end() && declaration->second->simplex;
    bool const draws_simplex = f.distribution->signature.support == Support::simplex;
    if (simplex && !draws_simplex)
      fail(st.distribution_pos, fmt::format("'{}' is a simplex latent: its '~' takes a Dirichlet, not {}", st.lhs.name,
                                            st.distribution));
    if (!draws_simplex) return;
    if (!simplex)
      fail(st.lhs.pos, fmt::format("{} draws a simplex latent: declare '{}' as simplex[K] in the latent block",
                                   st.distribution, st.lhs.name));
    if (f.args[0].size != f.lhs_size)
      fail(st.args[0].pos, fmt::format("{} of {} has {} elements, but simplex '{}' has {}",
                                       f.distribution->signature.parameters[0], st.distribution, f.args[0].size,
                                       st.lhs.name, f.lhs_size));
  }

  // Bernoulli(inv_logit(E)) and Binomial(n, inv_logit(E)), p their last
  // argument, the same with Phi(E), Poisson(exp(E)), NegBinomial2(exp(E), phi)
  // and Gamma(shape, shape / exp(E)): see
  // Factor::link_form. Only in the model: the guide draws its outcomes from
  // p, the rate or the mean itself.
  void use_link_form(Factor& f) const {
    for (auto const& [form, link] : {std::pair{log_odds_form(*f.distribution), Function::inv_logit},
                                     std::pair{probit_form(*f.distribution), Function::Phi},
                                     std::pair{log_rate_form(*f.distribution), Function::exp}}) {
      if (!form) continue;
      Node const& linked = through_local(f.args.at(form->derivative_argument));
      if (linked.op != Node::Op::call || linked.function != link) continue;
      f.link_form = form;
      f.link_args = f.args;
      f.link_args[form->derivative_argument] = linked.args[0];
      return;
    }
    // Gamma(shape, shape / exp(E)) or Gamma(shape, shape * exp(W)), the
    // shape the same variable or number in both places: a mean of exp(E),
    // E = −W (W itself written −E, most often).
    DistributionEntry const* const form = log_mean_form(*f.distribution);
    if (!form) return;
    Node const& rate = through_local(f.args.at(form->derivative_argument));
    if ((rate.op != Node::Op::divide && rate.op != Node::Op::multiply) || !same_leaf(rate.args[0], f.args[0])) return;
    Node const& exponential = through_local(rate.args[1]);
    if (exponential.op != Node::Op::call || exponential.function != Function::exp) return;
    Node const& power = exponential.args[0];
    f.link_form = form;
    f.link_args = f.args;
    Node& eta = f.link_args[form->derivative_argument];
    if (rate.op == Node::Op::divide) {
      eta = power;
    } else if (power.op == Node::Op::negate) {
      eta = power.args[0];
    } else {
      eta = Node{};
      eta.op = Node::Op::negate;
      eta.size = power.size;
      eta.pos = power.pos;
      eta.args = {power};
    }
  }

  // Both the same data or latent variable, or the same number.
  static bool same_leaf(Node const& a, Node const& b) {
    if (a.op == Node::Op::slot && b.op == Node::Op::slot) return a.slot == b.slot && a.size == b.size;
    return a.op == Node::Op::constant && b.op == Node::Op::constant && a.constant == b.constant;
  }

  // The value of the model local `n` names, where it is a whole local defined
  // once before (Stan's style, `real lambda[N] = exp(E); y ~ Poisson(lambda);`);
  // `n` itself otherwise.
  Node const& through_local(Node const& n) const {
    if (n.op != Node::Op::slot) return n;
    Definition const* found = nullptr;
    for (Statement const& st : out_.model)
      if (auto const* d = std::get_if<Definition>(&st); d && d->slot == n.slot) {
        if (found) return n;  // assigned more than once
        found = d;
      }
    return found && found->value.size == n.size ? found->value : n;
  }

  // Observed values the distribution cannot produce make log p = −∞ at every
  // draw: name the row now rather than fail the fit later. Bounds that
  // depend on an argument are checked where the argument is a number.
  void check_observed_support(Factor const& f) const {
    Value<double> const& column = out_.data[static_cast<std::size_t>(f.lhs_slot)];
    Support const support = f.distribution->signature.support;
    auto const number = [&](std::size_t arg) -> std::optional<double> {
      // A Categorical's K: the length of theta.
      if (support == Support::categorical && arg == 0) return static_cast<double>(f.args[0].size);
      if (arg < f.args.size() && is_constant(f.args[arg])) return f.args[arg].constant;
      return std::nullopt;
    };
    for (std::size_t r = 0; r < column.size(); ++r) {
      double const v = column.at(r);
      if (within_support(support, v, number(0), number(1))) continue;
      Diagnostic d = error_at(data_->file(), data_->cell_position(f.lhs_name, r + 1),
                              fmt::format("column '{}', row {}: {} is outside the support of {}, {}", f.lhs_name,
                                          r + 1, v, f.distribution->signature.name, spelling(support, number(0))));
      d.notes.push_back(note_at(f.pos, fmt::format("'{}' is drawn from {} here", f.lhs_name,
                                                    f.distribution->signature.name)));
      throw DiagnosticError(std::move(d));
    }
  }

  void reduce(Factor& f) const {
    DistributionEntry const& density = f.evaluated();
    if (!options_.sufficient_statistics || !density.statistics) return;
    for (Node const& a : f.evaluated_args())
      if (a.size != 0) return;
    Value<double> const& column = out_.data[static_cast<std::size_t>(f.lhs_slot)];
    f.statistics = density.statistics(column.elements.data(), column.size());
  }

  // After the model block, whose locals the reductions evaluate at a few draws.
  void reduce_regressions() {
    if (!options_.sufficient_statistics) return;
    for (std::size_t i = 0; i < out_.model.size(); ++i)
      if (auto* f = std::get_if<Factor>(&out_.model[i])) f->affine = reduce_affine_normal(out_, i);
  }

  ast::Program const& syntax_;
  data::CsvTable const* data_;
  CompileOptions const& options_;
  Program out_;
  std::map<std::string, Symbol, std::less<>> symbols_;
  std::set<int> index_column_;  // int data columns: usable as indices
  // By model statement: the data constants its expressions name (initial_scale.hpp).
  std::vector<std::vector<ConstantUse>> constant_uses_;
  std::map<int, std::size_t> local_statement_;  // a model local's slot: the statement defining it
  std::vector<ConstantUse>& uses_here() {
    constant_uses_.resize(out_.model.size() + 1);
    return constant_uses_.back();
  }
  std::map<int, int> latent_of_slot_;  // a latent's slot -> its place in out_.latents
  std::map<int, std::vector<bool>> covered_;  // by latent: the elements its own '~'s draw (latent_part)
  std::set<std::size_t> own_parts_;           // the model statements that are such '~'s
  std::map<int, ast::Declaration const*> latent_declarations_;  // a latent's slot -> its declaration
  std::set<int> bounded_latents_;             // declared with both bounds: a flat prior there is proper
  // A model local assigned element by element: by element, the slot of its
  // latest assignment (-1: none yet); its declared bounds.
  struct Assembled {
    std::vector<int> elements;
    Constraint bounds;
  };
  std::map<std::string, Assembled, std::less<>> assembled_;
  std::set<std::string, std::less<>> loop_variables_;  // of the loops being unrolled
  std::size_t loop_iterations_ = 0;                     // all loops' so far
  std::map<int, std::vector<bool>> observed_rows_;  // by data column slot: the rows a '~' observes
  Position innermost_loop_;  // the loop being unrolled, for a message about its size
  std::optional<std::pair<std::string, double>> row_wise_loop_;  // its variable and first value (vectorise)
  std::map<int, std::size_t> local_operations_;  // by model local's slot: what operations() counts for it
  ast::BlockKind block_ = ast::BlockKind::data;
};

}  // namespace

Program compile(ast::Program const& syntax, data::CsvTable const* data, CompileOptions const& options) {
  return Lowering(syntax, data, options).run();
}

}  // namespace bbvi
