#pragma once
// One diagnostic type for every error the user can get (syntax, semantic,
// data, options) and one printer for all of them.
#include "core/position.hpp"

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bbvi {

enum class Severity { error, warning, note };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string file;  // empty: not tied to a file (a command-line option)
  Position pos;      // line 0: the file as a whole
  std::string message;
  std::vector<Diagnostic> notes;  // related places ("note: declared here")
};

// Renders `file:line:col: error: message`, then the source line and a caret
// under the column. A line longer than quoted_line_window bytes is quoted as a
// window of that many around the caret, with a '…' for each cut end; control
// characters in the message and the line are shown as Unicode control
// pictures (NUL as '␀'), so the output never holds a NUL or a bare CR. `source` is the whole text of `d.file` (empty when it is
// not available: then only the first line is printed). Notes follow, rendered
// the same way; a note in another file gets no source line.
std::string render(Diagnostic const& d, std::string_view source);
inline constexpr std::size_t quoted_line_window = 100;
// The same, each diagnostic and note with the text of its own file, as
// `source_of(file)` gives it (empty when it is not available).
std::string render(Diagnostic const& d, std::function<std::string_view(std::string const&)> const& source_of);

// The line `line` (1-based) of `source`, without its end-of-line characters.
// Lines end in LF or CRLF, or in CR in a file with no LF (see line_break_of).
std::string_view source_line(std::string_view source, int line);

// Library code throws this; only tools/ prints it and picks the exit code.
class DiagnosticError : public std::runtime_error {
 public:
  explicit DiagnosticError(Diagnostic d);
  explicit DiagnosticError(std::vector<Diagnostic> ds);
  std::vector<Diagnostic> const& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

Diagnostic error_at(std::string file, Position pos, std::string message);

}  // namespace bbvi
