// Declarations: the symbol table (with duplicates and N), and what each
// block's declarations may hold: values, sizes and bounds.
#include "grammar/checker.hpp"
#include "grammar/declared_support.hpp"
#include "grammar/guide_declaration.hpp"

#include <fmt/format.h>

#include <optional>

namespace bbvi::checker {

namespace {

// Whether an expression reads a data column or derived data declared
// before statement `order` (N is a number like the constants).
bool reads_data(SymbolTable const& symbols, ast::Expr const& e, int order) {
  return ast::reads_name(e, [&](std::string const& name) {
    Symbol const* s = symbols.find(name, ast::BlockKind::data);
    return s && s->order < order && s->kind == SymbolKind::data_column;
  });
}

// Whether some assignment of the model sets an element of `name`.
bool model_assigns(ast::Block const& model, std::string const& name) {
  bool assigns = false;
  ast::for_each_nested(model.statements, [&](ast::Statement const& statement) {
    auto const* a = std::get_if<ast::Assignment>(&statement);
    assigns = assigns || (a && a->target.name == name);
  });
  return assigns;
}

SymbolKind kind_of(SymbolTable const& symbols, ast::Declaration const& d, ast::BlockKind block, int order) {
  switch (block) {
    // A value computed from the data is derived data, a column like those
    // the CSV holds (docs/language.md, 'Transformed data').
    case ast::BlockKind::data:
      // So is a vector's value, `real w[3] = {0.2, 0.3, 0.5};`: constants are scalars.
      return d.value && !d.size && !reads_data(symbols, *d.value, order) ? SymbolKind::constant
                                                                         : SymbolKind::data_column;
    case ast::BlockKind::latent: return SymbolKind::latent;
    case ast::BlockKind::model: return SymbolKind::model_local;
    case ast::BlockKind::guide: break;
  }
  bool const local = defines_guide_local(d, [&](std::string_view name) {
    Symbol const* s = symbols.find(name, ast::BlockKind::guide);
    return s && s->order < order && (s->kind == SymbolKind::parameter || s->kind == SymbolKind::guide_local);
  });
  return local ? SymbolKind::guide_local : SymbolKind::parameter;
}

UseContext value_context(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::constant: return UseContext::constant_value;
    case SymbolKind::data_column: return UseContext::data_value;
    case SymbolKind::parameter:
    case SymbolKind::guide_local: return UseContext::guide_value;
    default: return UseContext::model;
  }
}

// A bound written as a number, possibly negated; nothing for an expression.
std::optional<double> literal_value(ast::Expr const& e) {
  if (e.kind == ast::ExprKind::number) return e.number;
  if (e.kind == ast::ExprKind::negate && e.args.size() == 1 && e.args[0].kind == ast::ExprKind::number)
    return -e.args[0].number;
  return std::nullopt;
}

void check_bounds(Checker& c, ast::Declaration const& d, Symbol const& s) {
  for (auto const* bound : {&d.lower, &d.upper})
    if (*bound) check_expression(c, **bound, Use{s.block, s.order, UseContext::bound, s.name});
  if (!d.lower || !d.upper) return;
  std::optional<double> const lower = literal_value(*d.lower), upper = literal_value(*d.upper);
  if (lower && upper && !(*lower < *upper))
    c.error(first_position(*d.upper), fmt::format("'{}' can hold no value: its lower bound {} is not below its "
                                                  "upper bound {}",
                                                  s.name, *lower, *upper));
}

// A size is an int expression of literals, int constants and N (`N - 1`,
// `2 * K`); a CSV column's is N. Whether it is at least 1 is known once the
// constants are: a literal is checked here, the rest when the data is bound.
void check_size_expression(Checker& c, ast::Expr const& size, Symbol const& s, bool column) {
  std::size_t const before = c.diagnostics.size();
  check_expression(c, size, Use{s.block, s.order, UseContext::size, s.name});
  if (c.diagnostics.size() != before) return;
  bool const is_rows = size.kind == ast::ExprKind::name && size.name == rows_name;
  if (column) {
    if (!is_rows)
      c.error(first_position(size),
              fmt::format("data column '{}' must have size N, the number of CSV rows", s.name));
    return;
  }
  if (size.kind == ast::ExprKind::number && size.integer_literal) {
    if (size.number < 1) c.error(size.pos, fmt::format("the size of '{}' must be at least 1", s.name));
    return;
  }
  if (!is_integer_valued(c, size, s.block))
    c.error(first_position(size),
            fmt::format("the size of '{}' must be an int: N, int literals and int constants, with + - *", s.name));
}

// matrix[K, K] S = E; in the model: a covariance (docs/language.md, 'Covariance matrices').
void check_matrix_local(Checker& c, ast::Declaration const& d, Symbol const& s) {
  check_size_expression(c, *d.matrix_rows, s, false);
  check_size_expression(c, *d.size, s, false);
  if (!d.value) {
    c.error(d.name_pos, fmt::format("matrix local '{0}' needs a value: 'matrix[K, K] {0} = gp_exp_quad_cov(x, alpha, "
                                    "rho);', for example",
                                    s.name));
    return;
  }
  check_matrix_expression(c, *d.value, Use{s.block, s.order, UseContext::model, s.name});
}

// matrix[N, K] X: data read from the CSV, a row per CSV row.
void check_matrix(Checker& c, ast::Declaration const& d, Symbol const& s) {
  if (s.block == ast::BlockKind::model) {
    check_matrix_local(c, d, s);
    return;
  }
  if (s.block != ast::BlockKind::data) {
    c.error(d.pos, fmt::format("matrix '{0}' cannot be declared here: a matrix is data, read from the CSV's columns "
                               "{0}.1, {0}.2, ..., or a covariance local of the model ('matrix[K, K] {0} = ...;')",
                               s.name));
    return;
  }
  if (d.value) {
    c.error(first_position(*d.value),
            fmt::format("data matrix '{0}' reads the CSV's columns {0}.1, {0}.2, ... and takes no value; a computed "
                        "matrix is a model local",
                        s.name));
    return;
  }
  ast::Expr const& rows = *d.matrix_rows;
  std::size_t const before = c.diagnostics.size();
  check_expression(c, rows, Use{s.block, s.order, UseContext::size, s.name});
  if (c.diagnostics.size() == before && !(rows.kind == ast::ExprKind::name && rows.name == rows_name))
    c.error(first_position(rows), fmt::format("data matrix '{}' must have N rows, one per CSV row", s.name));
  check_size_expression(c, *d.size, s, false);
}

void check_size(Checker& c, ast::Declaration const& d, Symbol const& s) {
  if (d.matrix_rows) {
    check_matrix(c, d, s);
    return;
  }
  if (s.kind == SymbolKind::data_column && !d.size && !d.value) {
    c.error(d.name_pos, fmt::format("'{0}' has neither a size nor a value: declare a data column as "
                                    "'real {0}[N];' or a constant as 'real {0} = 1;'",
                                    s.name));
    return;
  }
  if (!d.size) return;
  check_size_expression(c, *d.size, s, s.kind == SymbolKind::data_column && !d.value);
}

void check_value(Checker& c, ast::Declaration const& d, Symbol const& s) {
  if (s.kind == SymbolKind::latent) {
    if (d.value)
      c.error(first_position(*d.value),
              fmt::format("latent '{0}' cannot have a value: it is drawn from its prior "
                          "('{0} ~ ...;' in the model block)",
                          s.name));
    return;
  }
  // Without a value, a vector's elements may be assigned (docs/language.md, 'Loops').
  if (s.kind == SymbolKind::model_local && !d.value && !d.matrix_rows &&
      !(d.size && model_assigns(c.program.model, s.name))) {
    c.error(d.name_pos, d.size ? fmt::format("model local '{0}' needs a value ('{0} = ...'), or assignments to its "
                                             "elements ('{0}[t] = ...;')",
                                             s.name)
                               : fmt::format("model local '{0}' needs a value ('{0} = ...'): the model block "
                                             "declares only deterministic definitions",
                                             s.name));
    return;
  }
  if (!d.value || d.matrix_rows) return;  // a matrix's value: check_matrix
  std::size_t const before = c.diagnostics.size();
  check_expression(c, *d.value, Use{s.block, s.order, value_context(s.kind), s.name});
  if (c.diagnostics.size() == before && (s.kind == SymbolKind::constant || s.kind == SymbolKind::data_column) &&
      d.type == ast::BaseType::integer && !is_integer_valued(c, *d.value, s.block))
    c.error(first_position(*d.value), fmt::format("'{}' is an int, but its value is not an integer", s.name));
}

// Discrete latents are counts (int<lower=0>) or categories (int<lower=1, upper=K>).
void check_int_latent(Checker& c, ast::Declaration const& d, Symbol const& s) {
  if (s.kind != SymbolKind::latent || d.type != ast::BaseType::integer || declared_support(d)) return;
  c.error(d.lower ? first_position(*d.lower) : d.pos,
          fmt::format("int latents need lower=0: declare '{}' as int<lower=0> or int<lower=0, upper=n>, or as "
                      "int<lower=1, upper=K> for a Categorical",
                      s.name));
}

// A variational parameter lives on a continuous, unconstrained scale.
void check_parameter_type(Checker& c, ast::Declaration const& d, Symbol const& s) {
  if (s.kind == SymbolKind::parameter && d.type == ast::BaseType::integer)
    c.error(d.pos, fmt::format("variational parameter '{}' must be real: it is optimised on a "
                               "continuous scale",
                               s.name));
}

// `for (t in …)`: t, an int constant seen in the loop's body only. Another
// loop may use the name again; nothing else may.
void declare_loop_variable(Checker& c, ast::Loop const& loop, int order) {
  ast::Declaration const& v = loop.variable;
  if (v.name == rows_name) {
    c.error(v.name_pos, "'N' is the number of data rows and cannot be a loop's variable");
    return;
  }
  Symbol const* earlier = c.symbols.find_in_scope(v.name, ast::BlockKind::model);
  if (earlier && !(earlier->is_loop_variable() && earlier->scope_end <= order)) {
    Diagnostic& e = c.error(v.name_pos, fmt::format("'{}' is already declared", v.name));
    c.note(e, earlier->declaration->name_pos, fmt::format("'{}' is first declared here", v.name));
    return;
  }
  Symbol s{v.name, SymbolKind::constant, &v, ast::BlockKind::model, order};
  s.scope_end = order + 1 + statements_in(loop);
  c.symbols.add(std::move(s));
}

// simplex[K] p: in this version a latent (drawn by a Dirichlet) or a
// variational parameter, with literal initial values (docs/language.md,
// 'The guide block'); cholesky_factor_cov[K] L: a variational parameter only,
// the factor of a full-rank guide (docs/language.md, 'A full-rank guide factor').
void shape_out_of_place(Checker& c, ast::Declaration const& d) {
  c.error(d.pos, d.simplex ? fmt::format("simplex '{}' must be a latent or a variational parameter of the guide "
                                         "block, with literal initial values if any (a simplex data column or local "
                                         "is not part of the language yet)",
                                         d.name)
                           : fmt::format("cholesky_factor_cov '{0}' must be a variational parameter of the guide "
                                         "block, with literal initial values if any: the factor L of a full-rank "
                                         "guide factor 'beta ~ MultiNormalCholesky(m, {0});'",
                                         d.name));
}

void check_shape(Checker& c, ast::Declaration const& d, Symbol const& s) {
  bool const simplex_in_place = s.kind == SymbolKind::parameter || s.kind == SymbolKind::latent;
  bool const factor_in_place = s.kind == SymbolKind::parameter;
  if ((d.simplex && !simplex_in_place) || (d.cholesky_factor && !factor_in_place)) shape_out_of_place(c, d);
}

}  // namespace

void declare_symbols(Checker& c) {
  std::size_t statements = 0;
  for_each_statement(c.program, [&](ast::Block const&, ast::Statement const&, int) { ++statements; });
  c.symbols.reserve(statements + 1);  // and N
  for_each_statement(c.program, [&](ast::Block const& block, ast::Statement const& statement, int order) {
    if (auto const* loop = std::get_if<ast::Loop>(&statement)) {
      declare_loop_variable(c, *loop, order);
      return;
    }
    auto const* d = std::get_if<ast::Declaration>(&statement);
    if (!d) return;
    if (d->name == rows_name) {
      c.error(d->name_pos, "'N' is the number of data rows and cannot be declared");
      return;
    }
    bool const in_guide = block.kind == ast::BlockKind::guide;
    if ((d->simplex && !in_guide && block.kind != ast::BlockKind::latent) || (d->cholesky_factor && !in_guide)) {
      // Not declared at all: a latent or data simplex would bring errors of
      // its own (no prior, no guide factor) that only restate this one.
      shape_out_of_place(c, *d);
      return;
    }
    if (Symbol const* first = c.symbols.find_in_scope(d->name, block.kind)) {
      Diagnostic& e = c.error(d->name_pos, fmt::format("'{}' is already declared", d->name));
      c.note(e, first->declaration->name_pos, fmt::format("'{}' is first declared here", d->name));
      return;
    }
    c.symbols.add(Symbol{d->name, kind_of(c.symbols, *d, block.kind, order), d, block.kind, order});
  });
}

void check_declarations(Checker& c) {
  for_each_statement(c.program, [&](ast::Block const&, ast::Statement const& statement, int) {
    auto const* d = std::get_if<ast::Declaration>(&statement);
    Symbol const* s = d ? c.symbols.of(*d) : nullptr;
    if (!s) return;  // not a declaration, or a duplicate already reported
    check_bounds(c, *d, *s);
    check_size(c, *d, *s);
    check_value(c, *d, *s);
    check_int_latent(c, *d, *s);
    check_parameter_type(c, *d, *s);
    check_shape(c, *d, *s);
  });
}

}  // namespace bbvi::checker
