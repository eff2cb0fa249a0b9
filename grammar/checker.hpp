#pragma once
// What the checker's rules share: the program, the catalog, the symbol table
// and the diagnostics found so far. Each rule is a function in a
// check_*.cpp file; check.cpp runs them in order.
#include "grammar/ast.hpp"
#include "grammar/catalog.hpp"
#include "core/diagnostic.hpp"
#include "grammar/symbols.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bbvi::checker {

struct Checker {
  ast::Program const& program;
  DistributionCatalog const& catalog;
  SymbolTable symbols;
  std::vector<Diagnostic> diagnostics;
  // The parents check_cycles' searches have looked at: only variables on a
  // cycle are searched, so a model without one costs none.
  std::size_t cycle_search_steps = 0;

  Diagnostic& error(Position pos, std::string message);
  void note(Diagnostic& error, Position pos, std::string message) const;
};

// Every statement of the program in file order, with its place in that
// order: the number declaration-order name resolution compares. A loop
// comes before the statements of its body.
int statements_in(ast::Loop const& loop);  // its body's, nested ones included
void for_each_statement(ast::Program const& program,
                        std::function<void(ast::Block const&, ast::Statement const&, int order)> const& visit);

// Where an expression is used decides which names it may refer to.
enum class UseContext {
  constant_value,  // a data constant's value: literals and constants
  data_value,      // derived data's value: literals, constants, N and data (columns, derived data)
  bound,           // lower=, upper=: literals, constants and N
  size,            // [SIZE]: as a bound
  slice_bound,     // y[A:B]'s A and B: as a bound
  model,           // model statements: anything of the data, latent and model blocks
  guide_value,     // a guide declaration's value: parameters, guide locals, constants, N
  guide_factor,    // a guide factor's arguments: likewise (the mean-field rule)
};

struct Use {
  ast::BlockKind block;
  int order;               // the statement the expression is in
  UseContext context;
  std::string_view owner;  // the declared name, or the latent a guide factor is for
};

// A data matrix, `matrix[N, K] X;` (docs/language.md, 'Matrices').
inline bool is_matrix(Symbol const& s) { return s.declaration && s.declaration->matrix_rows; }
// A K×K matrix: a covariance, `matrix[K, K] S = ...;` in the model
// (docs/language.md, 'Covariance matrices'), or a guide's
// `cholesky_factor_cov[K] L;` (docs/language.md, 'A full-rank guide factor').
inline bool is_matrix_local(Symbol const& s) {
  return (is_matrix(s) && s.block == ast::BlockKind::model) || (s.declaration && s.declaration->cholesky_factor);
}

// check_declarations.cpp
void declare_symbols(Checker& c);      // builds the table; duplicates, N redeclared
void check_declarations(Checker& c);   // values, sizes, bounds, per block

// check_expressions.cpp: names, functions and indexing, in the context `use`.
void check_expression(Checker& c, ast::Expr const& e, Use const& use);
// Where a K×K matrix is expected: a matrix local, or a function that gives one.
void check_matrix_expression(Checker& c, ast::Expr const& e, Use const& use);
// The symbol `name` refers to at `pos` in `use`, or nullptr after reporting why none.
Symbol const* check_name(Checker& c, std::string const& name, Position pos, Use const& use);
// "the latent 'mu'", "N, the number of data rows": a symbol in a message.
std::string named(Symbol const& s);
// Integer literals, int names, and + - * of those (an int stays an int).
bool is_integer_valued(Checker const& c, ast::Expr const& e, ast::BlockKind block);
// The leftmost token of an expression, where a message about all of it points.
Position first_position(ast::Expr const& e);

// check_samples.cpp
// The name here of a distribution Stan spells `stan`: without case or
// underscores (normal, student_t, inv_gamma), or double_exponential.
std::optional<std::string_view> from_stan(DistributionCatalog const& catalog, std::string_view stan);
void check_samples(Checker& c);          // distribution, arity, left side, arguments
void check_sample_counts(Checker& c);    // one prior and one guide factor per latent
void check_guide_supports(Checker& c);   // guide factor support = latent support

// check_cycles.cpp
void check_cycles(Checker& c);

// check_loops.cpp: loops' bounds and bodies, assignments' targets and values.
void check_loops(Checker& c);

// check.cpp: every rule above, in order, into c.diagnostics (unsorted).
void run_rules(Checker& c);

}  // namespace bbvi::checker
