#include "grammar/nesting.hpp"

#include "grammar/diagnostic.hpp"
#include "grammar/source_map.hpp"

#include <fmt/format.h>

namespace bbvi::grammar {

void check_nesting(std::string_view source, std::string const& file) {
  SourceMap const map(source);
  auto const fail = [&](std::size_t at, std::string message) {
    throw DiagnosticError(error_at(file, map.locate(source.data() + at), std::move(message)));
  };
  int depth = 0;
  int signs = 0;
  for (std::size_t i = 0; i < source.size(); ++i) {
    char const c = source[i];
    if (c == '#' || source.substr(i, 2) == "//") {
      std::size_t const end = source.find('\n', i);
      if (end == std::string_view::npos) break;
      i = end;
    } else if (source.substr(i, 2) == "/*") {
      std::size_t const end = source.find("*/", i + 2);
      if (end == std::string_view::npos) break;  // the parser reports it
      i = end + 1;
    } else if (c == '(' || c == '[') {
      signs = 0;
      if (++depth > max_bracket_depth)
        fail(i, fmt::format("brackets nest more than {} deep here: use local definitions for the inner parts",
                            max_bracket_depth));
    } else if (c == ')' || c == ']') {
      signs = 0;
      if (depth > 0) --depth;
    } else if (c == '+' || c == '-') {
      if (++signs > max_sign_run) fail(i, fmt::format("more than {} '+' and '-' signs in a row", max_sign_run));
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      signs = 0;
    }
  }
}

}  // namespace bbvi::grammar
