#include "grammar/nesting.hpp"

#include "core/diagnostic.hpp"
#include "grammar/source_map.hpp"
#include "core/text_encoding.hpp"

#include <fmt/format.h>

#include <cctype>

namespace bbvi::grammar {

namespace {

// A character that can end an operand: a '+' or '-' after it is binary.
bool ends_operand(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ')' || c == ']';
}

// Whether the word `word` starts at i (and is not the start of a longer name).
bool starts_word(std::string_view source, std::size_t i, std::string_view word) {
  if (source.substr(i, word.size()) != word) return false;
  std::size_t const after = i + word.size();
  return after == source.size() || !(std::isalnum(static_cast<unsigned char>(source[after])) || source[after] == '_');
}

}  // namespace

void check_nesting(std::string_view source, std::string const& file) {
  SourceMap const map(source);
  auto const fail = [&](std::size_t at, std::string message) {
    throw DiagnosticError(error_at(file, map.locate(source.data() + at), std::move(message)));
  };
  int depth = 0;
  int chain = 0;
  int conditionals = 0;
  int braces = 0;
  int loops = 0;
  char previous = ';';  // the last character that is not blank or comment
  char const line_break = line_break_of(source);
  for (std::size_t i = 0; i < source.size(); ++i) {
    char const c = source[i];
    if (c == '#' || source.substr(i, 2) == "//") {
      std::size_t const end = source.find(line_break, i);
      if (end == std::string_view::npos) break;
      i = end;
      continue;
    }
    if (source.substr(i, 2) == "/*") {
      std::size_t const end = source.find("*/", i + 2);
      if (end == std::string_view::npos) break;  // the parser reports it
      i = end + 1;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) continue;  // as the parser's skipper: \v and \f too
    if (c == '(' || c == '[') {
      if (++depth > max_bracket_depth)
        fail(i, fmt::format("brackets nest more than {} deep here: use local definitions for the inner parts",
                            max_bracket_depth));
    } else if (c == ')' || c == ']') {
      if (depth > 0) --depth;
    } else if (c == '^' || ((c == '+' || c == '-' || (c == '!' && source.substr(i, 2) != "!=")) &&
                            !ends_operand(previous))) {
      if (++chain > max_unary_chain)
        fail(i, fmt::format("more than {} '^' and unary signs in one chain: use local definitions for parts of it",
                            max_unary_chain));
    } else if (c == '?') {
      // Each '?' nests its branches one level deeper in the parser, until
      // the statement ends.
      if (++conditionals > max_bracket_depth)
        fail(i, fmt::format("more than {} '?' in one statement: use local definitions for parts of it",
                            max_bracket_depth));
      chain = 0;
    } else if (!ends_operand(c)) {
      chain = 0;
    }
    if (c == '{' && ++braces > max_brace_depth)
      fail(i, fmt::format("braces nest more than {} deep here: loops nested this deep are beyond this language",
                          max_brace_depth));
    if (c == '}' && braces > 0) --braces;
    if (starts_word(source, i, "for") && !ends_operand(previous) && ++loops > max_loop_chain)
      fail(i, fmt::format("more than {} loops nested without braces: loops nested this deep are beyond this "
                          "language",
                          max_loop_chain));
    if (c == ';' || c == '{' || c == '}') conditionals = loops = 0;
    previous = c;
  }
}

}  // namespace bbvi::grammar
