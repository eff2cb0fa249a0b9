#pragma once
// What the rules' handlers need while parsing, reached through the X3 context
// under parse_state_tag: the source map that turns iterators into positions,
// and the syntax error, if one was found.
#include "core/diagnostic.hpp"
#include "grammar/source_map.hpp"

#include <optional>
#include <string>

namespace bbvi::grammar {

struct parse_state_tag;

struct ParseState {
  std::string file;
  SourceMap source;
  std::optional<Diagnostic> error;
};

}  // namespace bbvi::grammar
