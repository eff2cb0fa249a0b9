#pragma once
// What both fuzz targets hold every diagnostic to, crash or no crash: it
// names the file it was given, has a message, and points into the text (its
// line exists; its column is at most `column_slack` past the end of that
// line). A caret on a line that does not exist is a bug in the positions.
// A broken contract aborts, which libFuzzer records as a finding.
#include "core/diagnostic.hpp"
#include "core/text_encoding.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace bbvi::fuzz {

[[noreturn]] inline void contract_broken(char const* what) {
  std::fprintf(stderr, "contract broken: %s\n", what);
  std::abort();
}

[[noreturn]] inline void contract_broken(char const* what, Diagnostic const& d) {
  std::fprintf(stderr, "contract broken: %s (diagnostic at %d:%d in '%s': %s)\n", what, d.pos.line, d.pos.column,
               d.file.c_str(), d.message.c_str());
  std::abort();
}

// What any rendering holds to: it is not empty, it holds no control
// character but line breaks and tabs (a NUL would cut the printed message
// short, a CR overwrite it), and a quoted source line is at most the window
// and its two '…' marks (after its two-space indent), in characters.
inline void check_rendering(Diagnostic const& d, std::string const& rendered) {
  if (rendered.empty()) contract_broken("empty rendering", d);
  for (char const c : rendered) {
    auto const byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n' && c != '\t') || byte == 0x7F) contract_broken("control character in the rendering", d);
  }
  // A quoted line is the one above a caret line (blanks, then '^').
  std::string_view previous;
  std::string_view rest = rendered;
  while (!rest.empty()) {
    std::string_view const line = rest.substr(0, rest.find('\n'));
    rest.remove_prefix(std::min(rest.size(), line.size() + 1));
    bool const caret_line = !line.empty() && line.back() == '^' &&
                            line.find_first_not_of(" \t") == line.size() - 1;
    if (caret_line) {
      auto const characters = static_cast<std::size_t>(std::count_if(previous.begin(), previous.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      }));
      if (characters > 2 + quoted_line_window + 2) contract_broken("quoted line longer than its window", d);
    }
    previous = line;
  }
}

// `text`: what positions count in; also rendered, so that the rendering runs.
inline void check_diagnostic(Diagnostic const& d, std::string_view text, std::string const& file,
                             std::size_t column_slack) {
  if (d.file != file) contract_broken("diagnostic names another file", d);
  if (d.message.empty()) contract_broken("diagnostic without a message", d);
  if (d.pos.line < 0 || (d.pos.line > 0 && d.pos.column < 1)) contract_broken("negative position", d);
  // Line count + 1 so that "expected X at end of input" after a final newline still fits.
  auto const lines = static_cast<long>(std::count(text.begin(), text.end(), line_break_of(text))) + 1;
  if (d.pos.line > lines) contract_broken("line past the end of the file", d);
  if (d.pos.line > 0 && static_cast<std::size_t>(d.pos.column) > source_line(text, d.pos.line).size() + column_slack)
    contract_broken("column past the end of its line", d);
  for (Diagnostic const& note : d.notes) check_diagnostic(note, text, file, column_slack);
  check_rendering(d, render(d, text));
}

}  // namespace bbvi::fuzz
