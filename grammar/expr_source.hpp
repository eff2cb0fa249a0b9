#pragma once
// Writes an expression back as source text, with only the parentheses it
// needs, for messages ("tau is real<lower=a + 1>, but ...").
#include "grammar/ast.hpp"

#include <string>

namespace bbvi {

std::string to_source(ast::Expr const& e);

}  // namespace bbvi
