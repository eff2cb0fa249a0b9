// Names, function calls and indexing inside expressions. Which names an
// expression may use depends on where it is (UseContext); names resolve in
// declaration order, so a name declared later is "used before it is declared".
#include "grammar/checker.hpp"
#include "grammar/functions.hpp"
#include "grammar/suggest.hpp"

#include <fmt/format.h>

namespace bbvi::checker {

namespace {

std::string_view kind_word(SymbolKind kind) {
  std::string_view const d = described(kind);
  return d.substr(d.find(' ') + 1);  // without the article
}

bool allowed(SymbolKind kind, UseContext context) {
  switch (context) {
    case UseContext::constant_value: return kind == SymbolKind::constant || kind == SymbolKind::rows;
    case UseContext::data_value:
      return kind == SymbolKind::constant || kind == SymbolKind::rows || kind == SymbolKind::data_column;
    case UseContext::bound:
    case UseContext::size:
    case UseContext::slice_bound: return kind == SymbolKind::constant || kind == SymbolKind::rows;
    case UseContext::model:
      return kind != SymbolKind::parameter && kind != SymbolKind::guide_local;
    case UseContext::guide_value:
    case UseContext::guide_factor:
      return kind == SymbolKind::rows || kind == SymbolKind::constant ||
             kind == SymbolKind::parameter || kind == SymbolKind::guide_local;
  }
  return false;
}

bool belongs_to_later_block(SymbolKind kind) {
  return kind == SymbolKind::latent || kind == SymbolKind::parameter ||
         kind == SymbolKind::model_local || kind == SymbolKind::guide_local;
}

// Why `s` cannot be used where `use` is.
std::string not_allowed(Symbol const& s, Use const& use) {
  if (use.block == ast::BlockKind::data && belongs_to_later_block(s.kind))
    return fmt::format("the data block cannot use {}", named(s));
  switch (use.context) {
    case UseContext::constant_value:
      return fmt::format("the value of constant '{}' can use only literals, N and other constants, not {}",
                         use.owner, named(s));
    case UseContext::data_value:
      return fmt::format("the value of '{}' can use only literals, constants, N and data, not {}", use.owner,
                         named(s));
    case UseContext::bound:
      return fmt::format("a bound can use only literals, constants and N, not {}", named(s));
    case UseContext::size:
      return fmt::format("a size can use only literals, constants and N, not {}", named(s));
    case UseContext::slice_bound:
      return fmt::format("a slice's bounds can use only literals, constants and N, not {}", named(s));
    case UseContext::model:
      return fmt::format("the model cannot use {}; it belongs to the guide", named(s));
    case UseContext::guide_value:
    case UseContext::guide_factor:
      break;
  }
  if (s.kind == SymbolKind::model_local)
    return fmt::format("the guide cannot use {}; it belongs to the model", named(s));
  if (use.context == UseContext::guide_factor)
    return fmt::format("the guide factor of '{}' depends on {}, but guide factors may depend only on "
                       "variational parameters and constants (mean field)",
                       use.owner, named(s));
  return fmt::format("'{}' depends on {}, but guide declarations may depend only on variational "
                     "parameters and constants (mean field)",
                     use.owner, named(s));
}


bool is_vector(Symbol const& s) { return s.declaration && s.declaration->size; }

bool is_real(Symbol const& s) { return s.declaration && s.declaration->type == ast::BaseType::real; }

// Only what is plainly real is rejected here: a real literal or a real name.
void check_index_is_int(Checker& c, ast::Expr const& index, Use const& use) {
  if (index.kind == ast::ExprKind::number && !index.integer_literal) {
    c.error(index.pos, "an index must be an int, not a real number");
    return;
  }
  if (index.kind != ast::ExprKind::name) return;
  Symbol const* s = c.symbols.find(index.name, use.block);
  if (s && is_real(*s)) c.error(index.pos, fmt::format("an index must be an int, but {} is real", named(*s)));
}

// A matrix's name where one may stand: the left of '*', or the first
// argument of col, rows and cols. True when `e` names a matrix.
bool check_matrix_name(Checker& c, ast::Expr const& e, Use const& use) {
  if (e.kind != ast::ExprKind::name) return false;
  Symbol const* s = c.symbols.find(e.name, use.block);
  if (!s || !is_matrix(*s)) return false;
  if (check_name(c, e.name, e.pos, use) && is_matrix_local(*s))
    c.error(e.pos, covariance_uses("'" + e.name + "' is"));
  return true;
}

void check_index(Checker& c, ast::Expr const& e, Use const& use) {
  Symbol const* s = check_name(c, e.name, e.pos, use);
  if (s && is_matrix(*s)) {
    c.error(e.pos, fmt::format("the matrix '{0}' takes two indices, {0}[n, k]; its column k is col({0}, k)", e.name));
    return;
  }
  if (s && is_matrix_local(*s)) {
    c.error(e.pos, fmt::format("the K×K matrix '{0}' takes two indices, {0}[i, j]", e.name));
    return;
  }
  if (s && !is_vector(*s)) c.error(e.pos, fmt::format("{} is a scalar and cannot be indexed", named(*s)));
  if (e.args.size() == 2) {
    // A slice's bounds are numbers known before fitting, as a size's are.
    for (ast::Expr const& bound : e.args) {
      std::size_t const before = c.diagnostics.size();
      check_expression(c, bound, Use{use.block, use.order, UseContext::slice_bound, use.owner});
      if (c.diagnostics.size() == before && !is_integer_valued(c, bound, use.block))
        c.error(first_position(bound), "a slice's bounds must be integers");
    }
    return;
  }
  check_expression(c, e.args[0], use);
  check_index_is_int(c, e.args[0], use);
}

std::string arguments(std::size_t n) {
  return n == 1 ? "1 argument" : fmt::format("{} arguments", n);
}

// `Normal_lpdf(y | mu, sigma)`: a distribution's log density as a value.
// True when `e` names one (after reporting what is wrong with the call).
bool check_density_call(Checker& c, ast::Expr const& e, Use const& use) {
  std::optional<DensityCall> const density = density_call(e.name);
  if (!density) return false;
  auto const found = c.catalog.find(density->distribution);
  if (found == c.catalog.end()) {
    std::optional<std::string_view> const ours = from_stan(c.catalog, density->distribution);
    if (!ours) return false;
    c.error(e.pos, fmt::format("'{}' is spelled '{}{}' here", e.name, *ours,
                               e.name.substr(density->distribution.size())));
    return true;
  }
  DistributionSignature const& d = found->second;
  bool const discrete = is_discrete(d.support);
  if (use.block != ast::BlockKind::model)
    c.error(e.pos, fmt::format("{} can be used in the model block only: the guide's factors are '~' statements",
                               e.name));
  else if (discrete != density->mass)
    c.error(e.pos, fmt::format("{} is {}: its log {} is {}_{}", d.name, discrete ? "discrete" : "continuous",
                               discrete ? "probability" : "density", d.name, discrete ? "lpmf" : "lpdf"));
  else if (e.args.size() != d.parameters.size() + 1)
    c.error(e.pos, fmt::format("{} takes {}: the value, then {} ({}), but {} {} given", e.name,
                               arguments(d.parameters.size() + 1), arguments(d.parameters.size()),
                               fmt::join(d.parameters, ", "), e.args.size(), e.args.size() == 1 ? "was" : "were"));
  else {
    // A K×K matrix where the distribution takes one (MultiNormal's Sigma).
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      if (i > 0 && d.reads_matrix(i - 1))
        check_matrix_expression(c, e.args[i], use);
      else
        check_expression(c, e.args[i], use);
    }
    return true;
  }
  for (ast::Expr const& arg : e.args) check_expression(c, arg, use);
  return true;
}

void check_matrix_element(Checker& c, ast::Expr const& e, Use const& use) {
  Symbol const* s = check_name(c, e.name, e.pos, use);
  if (s && !is_matrix(*s) && !is_matrix_local(*s))
    c.error(e.pos, fmt::format("{} is not a matrix: it takes one index", named(*s)));
  for (ast::Expr const& index : e.args) {
    check_expression(c, index, use);
    check_index_is_int(c, index, use);
  }
}

// gp_exp_quad_cov(x, alpha, rho), add_diag(S, d), cholesky_decompose(S): S a matrix.
void check_matrix_call_arguments(Checker& c, ast::Expr const& e, Use const& use) {
  for (std::size_t i = 0; i < e.args.size(); ++i) {
    if (i == 0 && e.name != "gp_exp_quad_cov")
      check_matrix_expression(c, e.args[i], use);
    else
      check_expression(c, e.args[i], use);
  }
}

// X * v and S * v: a matrix on the left only.
void check_product(Checker& c, ast::Expr const& e, Use const& use) {
  Symbol const* left = e.args[0].kind == ast::ExprKind::name ? c.symbols.find(e.args[0].name, use.block) : nullptr;
  if ((left && is_matrix_local(*left)) || (e.args[0].kind == ast::ExprKind::call && gives_a_matrix(e.args[0].name)))
    check_matrix_expression(c, e.args[0], use);
  else if (!check_matrix_name(c, e.args[0], use))
    check_expression(c, e.args[0], use);
  if (e.args[1].kind == ast::ExprKind::name) {
    Symbol const* s = c.symbols.find(e.args[1].name, use.block);
    if (s && is_matrix(*s)) {
      c.error(e.args[1].pos, fmt::format("a matrix multiplies from the left only: write {0} * v, not v * {0}",
                                         e.args[1].name));
      return;
    }
  }
  check_expression(c, e.args[1], use);
}

bool check_arity(Checker& c, ast::Expr const& e, FunctionSignature const& f) {
  if (f.takes(e.args.size())) return true;
  std::string const takes = f.max_arity > 0 ? fmt::format("{} or {} arguments", f.arity, f.max_arity)
                                            : arguments(static_cast<std::size_t>(f.arity));
  c.error(e.pos, fmt::format("{} takes {}, but {} {} given", e.name, takes, e.args.size(),
                             e.args.size() == 1 ? "was" : "were"));
  return false;
}

void check_call(Checker& c, ast::Expr const& e, Use const& use) {
  FunctionSignature const* f = find_function(e.name);
  bool const takes_matrix = e.name == "col" || gives_a_size(e.name);
  if (takes_matrix && f->takes(e.args.size())) {
    bool const matrix = check_matrix_name(c, e.args[0], use);
    if (!matrix && e.name == "col") c.error(e.args[0].pos, "col takes a matrix, then a column number: col(X, k)");
    if (!matrix && e.name != "col") {
      Symbol const* s = e.args[0].kind == ast::ExprKind::name ? check_name(c, e.args[0].name, e.args[0].pos, use)
                                                              : nullptr;
      if (!s || !is_vector(*s)) c.error(e.args[0].pos, fmt::format("{} takes the name of a matrix or a vector",
                                                                   e.name));
    }
    for (std::size_t i = 1; i < e.args.size(); ++i) check_expression(c, e.args[i], use);
    return;
  }
  if (!f && check_density_call(c, e, use)) return;
  if (!f) {
    std::vector<std::string_view> names;
    for (FunctionSignature const& g : functions) names.push_back(g.name);
    c.error(e.pos, fmt::format("unknown function '{}'{}", e.name, did_you_mean(e.name, names)));
  } else if (check_arity(c, e, *f) && gives_a_matrix(e.name)) {
    c.error(e.pos, covariance_uses(e.name + " gives"));
    check_matrix_call_arguments(c, e, use);
    return;
  }
  for (ast::Expr const& arg : e.args) check_expression(c, arg, use);
}

}  // namespace

Symbol const* check_name(Checker& c, std::string const& name, Position pos, Use const& use) {
  Symbol const* s = c.symbols.find(name, use.block);
  if (s && s->is_loop_variable() && use.order >= s->scope_end) {
    if (Symbol const* current = c.symbols.loop_variable_at(name, use.order)) return current;
    Diagnostic& e = c.error(pos, fmt::format("'{}' is a loop's variable, seen only in the loop's body", name));
    c.note(e, s->declaration->name_pos, fmt::format("'{}' is declared here", name));
    return nullptr;
  }
  if (!s) {
    c.error(pos, fmt::format("unknown name '{}'{}", name,
                             did_you_mean(name, c.symbols.visible_names(use.block, use.order))));
    return nullptr;
  }
  if (!allowed(s->kind, use.context)) {
    c.error(pos, not_allowed(*s, use));
    return nullptr;
  }
  if (s->order >= use.order) {
    Diagnostic& e = c.error(pos, s->order == use.order
                                     ? fmt::format("'{}' is used in its own definition", name)
                                     : fmt::format("'{}' is used before it is declared", name));
    c.note(e, s->declaration->name_pos, fmt::format("'{}' is declared here", name));
    return nullptr;
  }
  return s;
}

std::string named(Symbol const& s) {
  if (s.kind == SymbolKind::rows) return "N, the number of data rows";
  return fmt::format("the {} '{}'", kind_word(s.kind), s.name);
}

void check_expression(Checker& c, ast::Expr const& e, Use const& use) {
  switch (e.kind) {
    case ast::ExprKind::number: return;
    case ast::ExprKind::name:
      if (Symbol const* s = check_name(c, e.name, e.pos, use); s && is_matrix(*s))
        c.error(e.pos, is_matrix_local(*s) ? covariance_uses("'" + e.name + "' is") : matrix_uses(e.name));
      return;
    case ast::ExprKind::index: check_index(c, e, use); return;
    case ast::ExprKind::matrix_element: check_matrix_element(c, e, use); return;
    case ast::ExprKind::call: check_call(c, e, use); return;
    case ast::ExprKind::multiply: check_product(c, e, use); return;
    default:
      for (ast::Expr const& arg : e.args) check_expression(c, arg, use);
  }
}

void check_matrix_expression(Checker& c, ast::Expr const& e, Use const& use) {
  if (e.kind == ast::ExprKind::name) {
    Symbol const* s = check_name(c, e.name, e.pos, use);
    if (!s || is_matrix_local(*s)) return;
    c.error(e.pos, is_matrix(*s) ? fmt::format("the data matrix '{}' holds columns of the CSV, not a covariance: "
                                               "a K×K matrix is a model local 'matrix[K, K] S = ...;'",
                                               e.name)
                                 : fmt::format("a K×K matrix is expected here, but {} is not one", named(*s)));
    return;
  }
  if (e.kind == ast::ExprKind::call && gives_a_matrix(e.name)) {
    if (check_arity(c, e, *find_function(e.name))) check_matrix_call_arguments(c, e, use);
    return;
  }
  c.error(first_position(e), "a K×K matrix is expected here: a model local 'matrix[K, K] S = ...;', "
                             "gp_exp_quad_cov(x, alpha, rho), add_diag(S, d) or cholesky_decompose(S)");
}

bool is_integer_valued(Checker const& c, ast::Expr const& e, ast::BlockKind block) {
  switch (e.kind) {
    case ast::ExprKind::number: return e.integer_literal;
    case ast::ExprKind::name:
    case ast::ExprKind::index: {
      Symbol const* s = c.symbols.find(e.name, block);
      return s && !is_real(*s);
    }
    case ast::ExprKind::negate:
    case ast::ExprKind::add:
    case ast::ExprKind::subtract:
    case ast::ExprKind::multiply:
    case ast::ExprKind::array: {
      for (ast::Expr const& arg : e.args)
        if (!is_integer_valued(c, arg, block)) return false;
      return true;
    }
    case ast::ExprKind::logical_not: return true;  // 1 or 0
    case ast::ExprKind::call: return gives_a_size(e.name);
    case ast::ExprKind::conditional:
      return is_integer_valued(c, e.args[1], block) && is_integer_valued(c, e.args[2], block);
    default: return ast::is_binary_truth(e.kind);
  }
}

Position first_position(ast::Expr const& e) {
  switch (e.kind) {
    case ast::ExprKind::add:
    case ast::ExprKind::subtract:
    case ast::ExprKind::multiply:
    case ast::ExprKind::divide:
    case ast::ExprKind::power:
    case ast::ExprKind::conditional: return first_position(e.args[0]);
    default: return ast::is_binary_truth(e.kind) ? first_position(e.args[0]) : e.pos;
  }
}

}  // namespace bbvi::checker
