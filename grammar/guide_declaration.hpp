#pragma once
// Whether a guide declaration is a variational parameter or a guide local
// (docs/language.md, 'Declarations'): a local when its value names or
// indexes a guide parameter or guide local declared before it, a parameter
// otherwise (its value, of literals, constants and N, is the initial value).
// The checker decides a symbol's kind by it, and the lowering whether to
// make a parameter or a definition: one rule, so the two cannot differ.
#include "grammar/ast.hpp"

#include <functional>
#include <string_view>

namespace bbvi {

// `is_guide_variable(name)`: whether `name`, where the declaration stands,
// means a guide parameter or guide local declared before it.
bool defines_guide_local(ast::Declaration const& d, std::function<bool(std::string_view)> const& is_guide_variable);

}  // namespace bbvi
