#pragma once
// Limits on how deep an expression may nest. The parser, the checker and the
// runtime all walk expressions recursively, so without a limit a file of a
// hundred thousand '(' (or '-' signs, or '^', or '+' terms) would overflow
// the stack instead of getting an error. The limits are far beyond any model
// a person writes.
#include <string_view>
#include <string>

namespace bbvi::grammar {

constexpr int max_bracket_depth = 100;  // '(' and '[' open at once
// '^' and unary '+' '-' in one chain, each of which the parser nests one
// level deeper (x^-x^-x…): only a binary operator, ',' or ';' ends it.
constexpr int max_unary_chain = 100;
constexpr int max_expression_height = 1000;  // operations on the longest path to a leaf
// Loops nest by braces and by a loop written as another's one-statement
// body: each of the two is limited, so loops nest at most their product deep.
constexpr int max_brace_depth = 20;  // '{' open at once, the block's own included
constexpr int max_loop_chain = 20;   // 'for' keywords with no ';', '{' or '}' between them

// Before parsing: rejects brackets nested deeper than max_bracket_depth and
// chains longer than max_unary_chain, pointing at the first character past
// the limit. Comments and blanks are skipped as the parser skips them.
void check_nesting(std::string_view source, std::string const& file);

}  // namespace bbvi::grammar
