#pragma once
// Builds the diagnostic for "expected X" at a place in the source, adding
// what was found there when that helps (a stray character, a reserved word).
#include "core/diagnostic.hpp"
#include "grammar/parse_state.hpp"

#include <string_view>

namespace bbvi::grammar {

Diagnostic expected_here(ParseState const& state, char const* where, std::string_view expected);

}  // namespace bbvi::grammar
