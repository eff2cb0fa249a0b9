#pragma once
// The parser's own tree: shaped for Spirit X3's attribute rules (variants,
// forward_ast for recursion, operator chains kept flat), not for the rest of
// the program. parse.cpp converts it into ast::Program, which is what every
// later stage sees. Nothing outside grammar/ includes this header.
#include "grammar/ast.hpp"
#include "core/position.hpp"

#include <boost/optional.hpp>
#include <boost/spirit/home/x3/support/ast/variant.hpp>

#include <string>
#include <vector>

namespace bbvi::grammar::x3ast {

namespace x3 = boost::spirit::x3;

// A node whose position annotate_position stamps when its rule succeeds: the
// first character of the match, after skipping blanks and comments.
struct Positioned {
  Position pos;
};

// Blocks also remember where they end, so that "expected 'guide' block" can
// point just after the last block rather than at the end of the file.
struct Spanned : Positioned {
  Position end;
};

// Tokens with a position. The converting constructors let X3 assign the
// string a token rule produced (calc9's ast::variable does the same).
struct Number : Positioned {
  Number(std::string written = {}) : text(std::move(written)) {}
  std::string text;  // as written; parse.cpp converts it and spots integers
};

struct Identifier : Positioned {
  Identifier(std::string spelled = {}) : name(std::move(spelled)) {}
  std::string name;
};

struct Call;
struct Indexed;
struct Negation;
struct ArrayLiteral;
struct Chain;
struct Expression;

struct Operand : x3::variant<Number, Identifier, x3::forward_ast<Call>, x3::forward_ast<Indexed>,
                             x3::forward_ast<Negation>, x3::forward_ast<ArrayLiteral>, x3::forward_ast<Chain>,
                             x3::forward_ast<Expression>> {
  using base_type::base_type;
  using base_type::operator=;
};

// One "op operand" link of a chain; its position is the operator's. The
// two-character operators have one-character codes (comparison_codes in
// program_def.hpp): 'l' <=, 'g' >=, 'e' ==, 'n' !=, '&' &&, '|' ||.
struct Operation : Positioned {
  char op = '+';
  Operand operand;
};

// first op1 operand1 op2 operand2 ...: one precedence level, folded into a
// binary tree by convert.cpp (left for + - * / and the comparisons, right
// for ^). A lower level's chain is an Operand of the next.
struct Chain {
  Operand first;
  std::vector<Operation> rest;
};

// A whole expression: a chain of || (the loosest level), and, for
// `condition ? a : b`, the two branches. A parenthesised expression is an
// Operand holding one.
struct Conditional;
struct Expression {
  Chain condition;
  boost::optional<x3::forward_ast<Conditional>> branches;
};

// `when_true : when_false` after a condition's '?'; its position is the '?'.
struct Conditional : Positioned {
  Expression when_true;
  Expression when_false;
};

struct Negation : Positioned {
  char sign = '-';  // '-' or '!'
  Operand operand;
};

// {E, E, ...}: a vector of its elements.
struct ArrayLiteral : Positioned {
  char open = '{';  // a member so the struct is not a one-element tuple
  std::vector<Expression> elements;
};

struct Call : Positioned {
  std::string function;
  std::vector<Expression> args;
};

// name[index], the slice name[index:last], or a matrix's element name[index, column].
struct Indexed : Positioned {
  std::string name;
  Expression index;
  boost::optional<Expression> last;
  boost::optional<Expression> column;
};

// lower=E or upper=E inside <...>; parse.cpp rejects a bound given twice.
struct Constraint : Positioned {
  std::string bound;  // "lower" or "upper"
  Chain value;        // no comparisons: '>' closes the constraints
};

struct Declaration : Positioned {
  ast::BaseType type = ast::BaseType::real;
  std::vector<Constraint> constraints;
  Identifier name;
  boost::optional<Expression> size;
  boost::optional<Expression> value;
};

// matrix[<constraints>][ROWS, COLUMNS] NAME [= VALUE];
struct MatrixDeclaration : Positioned {
  std::vector<Constraint> constraints;
  Expression rows;
  Expression columns;
  Identifier name;
  boost::optional<Expression> value;
};

// simplex[K] NAME [= VALUE]; a variational parameter on the simplex, and
// cholesky_factor_cov[K] NAME [= VALUE]; a full-rank guide's factor
// (docs/language.md, 'The guide block').
struct ShapeDeclaration : Positioned {
  std::string shape;  // "simplex" or "cholesky_factor_cov"
  Expression size;
  Identifier name;
  boost::optional<Expression> value;
};

struct Sample : Positioned {
  Operand lhs;  // an Identifier or an Indexed
  Identifier distribution;
  std::vector<Expression> args;
};

// `target += E;`: E, or its sum, added to log p (the model block only).
struct TargetIncrement : Positioned {
  std::string keyword;  // always "target"; a member so the struct is not a one-element tuple
  Expression value;
};

// `NAME[INDEX] = E;`: an element of a model local (the model block only).
struct Assignment : Positioned {
  Operand target;  // an Identifier or an Indexed
  Expression value;
};

struct Loop;

struct Statement
    : x3::variant<Declaration, MatrixDeclaration, ShapeDeclaration, Sample, TargetIncrement, Assignment,
                  x3::forward_ast<Loop>> {
  using base_type::base_type;
  using base_type::operator=;
};

// for (VARIABLE in FIRST:LAST) BODY: a body of one statement or of a braced list.
struct Loop : Positioned {
  Identifier variable;
  Expression first;
  Expression last;
  std::vector<Statement> body;
};

// Blocks are parsed in any order and with any statements; parse.cpp then
// enforces the order and what each block may hold, which gives clearer
// messages ("the latent block must come before the model block") than a
// grammar that simply stops at the first surprise.
struct Block : Spanned {
  ast::BlockKind kind = ast::BlockKind::model;
  bool automatic = false;  // `guide auto;`
  std::vector<Statement> statements;
};

using Program = std::vector<Block>;

}  // namespace bbvi::grammar::x3ast
