#pragma once
// Converts the parser's tree into ast.hpp's: operator chains become binary
// trees (left associative, except right associative '^'), numbers are read,
// and a declaration's constraints become its lower and upper bounds.
// Throws DiagnosticError for what the grammar accepts but the language does
// not: a bound given twice, a number too large for a double.
#include "grammar/ast.hpp"
#include "grammar/x3_ast.hpp"

#include <string>

namespace bbvi::grammar {

ast::Expr to_ast(x3ast::Expression const& expression, std::string const& file);
ast::Statement to_ast(x3ast::Statement const& statement, std::string const& file);

}  // namespace bbvi::grammar
