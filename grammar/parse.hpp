#pragma once
// Parses the text of a .model file into its syntax tree.
#include "grammar/ast.hpp"

#include <string>
#include <string_view>

namespace bbvi {

// `file` names the source in diagnostics. Throws DiagnosticError on a syntax
// error, a block out of order or missing, or a '~' in the data or latent
// block. A file without a guide block gives has_guide false: see
// parse_with_guide (automatic_guide.hpp).
ast::Program parse_program(std::string_view source, std::string const& file);

}  // namespace bbvi
