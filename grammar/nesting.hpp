#pragma once
// Limits on how deep an expression may nest. The parser, the checker and the
// runtime all walk expressions recursively, so without a limit a file of a
// hundred thousand '(' (or '-' signs, or '+' terms) would overflow the stack
// instead of getting an error. The limits are far beyond any model a person
// writes.
#include <string_view>
#include <string>

namespace bbvi::grammar {

constexpr int max_bracket_depth = 100;  // '(' and '[' open at once
constexpr int max_sign_run = 100;       // '+' and '-' in a row: unary signs nest
constexpr int max_expression_height = 1000;  // operations on the longest path to a leaf

// Before parsing: rejects brackets nested deeper than max_bracket_depth and
// runs of more than max_sign_run signs, pointing at the first character past
// the limit. Comments are skipped as the parser skips them.
void check_nesting(std::string_view source, std::string const& file);

}  // namespace bbvi::grammar
