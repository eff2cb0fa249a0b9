#pragma once
// The syntax tree of a .model file. Plain value types: the parser builds it,
// the checker reads it, runtime/compile lowers it. Every node knows where it
// came from so that any later stage can point at the offending token.
#include "core/position.hpp"

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace bbvi::ast {

enum class ExprKind {
  number,    // literal: `number`, `integer_literal`
  name,      // `name`
  negate,    // unary minus: args[0]
  add,       // binary: args[0] op args[1]
  subtract,
  multiply,
  divide,
  power,     // right associative, binds tighter than unary minus
  call,      // `name`(args...)
  index,     // `name`[args[0]], 1-based; with args[1], the slice `name`[args[0]:args[1]]
  matrix_element,  // `name`[args[0], args[1]]: row, then column, of a matrix
  // Comparisons and logic give 1 or 0, element by element (Stan's meaning).
  less,
  less_equal,
  greater,
  greater_equal,
  equal,
  not_equal,
  logical_and,
  logical_or,
  logical_not,  // unary: args[0]
  conditional,  // args[0] ? args[1] : args[2], element by element
  array,        // {args[0], args[1], ...}: a vector of scalars
};

// The binary operators that give 1 or 0: comparisons, && and ||.
constexpr bool is_binary_truth(ExprKind k) {
  return k == ExprKind::less || k == ExprKind::less_equal || k == ExprKind::greater ||
         k == ExprKind::greater_equal || k == ExprKind::equal || k == ExprKind::not_equal ||
         k == ExprKind::logical_and || k == ExprKind::logical_or;
}

struct Expr {
  ExprKind kind = ExprKind::number;
  // number, name, call, index: the first character of the token.
  // negate and binary operators: the operator character.
  Position pos;
  double number = 0;             // number
  bool integer_literal = false;  // number written without '.', 'e' or 'E'
  std::string name;              // name; the function of a call; the indexed name
  std::vector<Expr> args;        // operands, call arguments, or the one index
  // Nodes on the longest path down to a leaf, this one included: the parser
  // keeps it within max_expression_height, which bounds the depth of every
  // recursive walk over the tree.
  int height = 1;
};

// Whether `e` reads the variable e.name: plainly, or an element or slice of it.
constexpr bool reads_variable(Expr const& e) {
  return e.kind == ExprKind::name || e.kind == ExprKind::index || e.kind == ExprKind::matrix_element;
}

// Whether `e` reads a name (plain or indexed) for which test(name) holds.
template <typename Test>
bool reads_name(Expr const& e, Test const& test) {
  if (reads_variable(e) && test(e.name)) return true;
  for (Expr const& a : e.args)
    if (reads_name(a, test)) return true;
  return false;
}

enum class BaseType { real, integer };

// TYPE[<lower=E, upper=E>] NAME[SIZE] [= EXPR];
struct Declaration {
  Position pos;  // the type keyword
  BaseType type = BaseType::real;
  std::optional<Expr> lower;
  std::optional<Expr> upper;
  std::string name;
  Position name_pos;
  std::optional<Expr> size;   // absent for a scalar
  std::optional<Expr> value;  // absent without "= EXPR"
  // matrix[ROWS, COLUMNS] NAME: the rows here, the columns in `size`; its
  // columns are the CSV's NAME.1 ... (docs/language.md, 'Matrices').
  std::optional<Expr> matrix_rows;
  // simplex[SIZE] NAME: a vector of positive elements summing to 1, `size`
  // elements (a variational parameter: docs/language.md, 'The guide block').
  bool simplex = false;
  // cholesky_factor_cov[SIZE] NAME: a SIZE×SIZE lower-triangular matrix with
  // a positive diagonal, a variational parameter (docs/language.md, 'A
  // full-rank guide factor').
  bool cholesky_factor = false;
};

// LHS ~ Distribution(args);
// `target += args[0];` is a Sample with target_increment set: its lhs is
// the name `target` and it has no distribution.
struct Sample {
  bool target_increment = false;
  Position pos;  // first character of the left-hand side
  Expr lhs;      // a name, or an indexed name
  std::string distribution;
  Position distribution_pos;
  std::vector<Expr> args;
};

// `NAME[INDEX] = EXPR;` in the model: an element of a model local declared
// without a value (docs/language.md, 'Loops').
struct Assignment {
  Position pos;  // first character of the target
  Expr target;   // an indexed name (a plain name is reported by the checker)
  Expr value;
};

struct Loop;

using Statement = std::variant<Declaration, Sample, Assignment, Loop>;

// `for (VARIABLE in FIRST:LAST) BODY` in the model. The variable is an int
// constant inside the body; `variable` declares it for the checker's table.
struct Loop {
  Position pos;  // the keyword
  Declaration variable;
  Expr first;
  Expr last;
  std::vector<Statement> body;
};

// visit(s) for every statement of `statements` and, after a loop, of its
// body: every statement a block runs, in file order.
template <typename Visit>
void for_each_nested(std::vector<Statement> const& statements, Visit const& visit) {
  for (Statement const& s : statements) {
    visit(s);
    if (auto const* loop = std::get_if<Loop>(&s)) for_each_nested(loop->body, visit);
  }
}

enum class BlockKind { data, latent, model, guide };

struct Block {
  BlockKind kind = BlockKind::model;
  Position pos;  // the block keyword
  std::vector<Statement> statements;
};

// A variational parameter of the automatic guide (docs/language.md,
// 'Automatic guides'): the latent it belongs to and its role in its factor.
struct AutomaticParameter {
  std::string latent;
  std::string role;  // "mean", "sd", "log_mean", ...
};

struct Program {
  std::string file;           // as given on the command line, for diagnostics
  std::optional<Block> data;  // the data block may be absent
  Block latent;
  Block model;
  Block guide;
  bool has_guide = false;     // the file has a guide block, or the automatic one was added
  Position guide_end;         // just after the guide block's closing brace
  // `guide auto;` in the file, from guide_auto to guide_end: no guide block
  // was written, as if the line were not there.
  bool guide_auto = false;
  Position guide_auto_pos;
  // Where the file has no guide block, or latents without a factor in it:
  // the automatic guide's text (the whole block, or the declarations and
  // factors added to the written one), and its parameters by name
  // (automatic_guide.hpp).
  std::string automatic_guide;
  std::map<std::string, AutomaticParameter> automatic_parameters;
};

}  // namespace bbvi::ast
