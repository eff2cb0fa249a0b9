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

// The command-line settings a diagnostic can be about. Library code (grammar/,
// runtime/) never spells a command-line flag: it names the setting here, and
// tools/bbvi-ppl words it as the option the user typed (its option_wording.hpp)
// before the diagnostic is printed. A new setting: a value here, its plain
// name in setting_name(), its flag in tools/bbvi-ppl/option_wording.cpp.
enum class Setting {
  none,
  samples,            // draws per iteration (--samples S)
  method,             // the optimiser (--method NAME)
  estimator,          // the gradient estimator (--estimator NAME)
  constant_override,  // a data constant's value set from outside the model file (--set NAME=VALUE)
  batch,              // the rows an iteration reads in a subsampled fit (--batch B)
};

// The setting as library text names it where a message mentions it: "samples",
// "method", "an override".
std::string_view setting_name(Setting s);

// Where a message names a setting: message[begin, end) holds setting_name(setting),
// which tools/ replaces by the flag ("--method", "--set").
struct SettingMention {
  std::size_t begin = 0, end = 0;
  Setting setting = Setting::none;
};

struct Diagnostic {
  Severity severity = Severity::error;
  std::string file;  // empty: not tied to a file (a command-line option)
  Position pos;      // line 0: the file as a whole
  // Library text, without command-line flags: see `setting` and `mentions`.
  std::string message;
  std::vector<Diagnostic> notes;  // related places ("note: declared here")

  // The setting the whole diagnostic is about, and its value as the user gave
  // it ("5"; for constant_override "NAME=VALUE"). tools/ prefixes the message
  // with both ("--samples 5: "); the message itself starts after them.
  Setting setting = Setting::none;
  std::string setting_value;
  // The settings the message names inside its text, in order (mention()).
  std::vector<SettingMention> mentions;
};

// Appends setting_name(s) to d.message and records it as a mention, for a
// message built in pieces:
//
//   Diagnostic d;
//   d.setting = Setting::samples;         // printed as "--samples 5: " ...
//   d.setting_value = fmt::format("{}", samples);
//   d.message = fmt::format("the {} estimator with ", estimator_name);
//   mention(d, Setting::method);           // ... "with --method natural-gradient"
//   d.message += fmt::format(" {} needs at least {} draws", method_name, needed);
//   throw DiagnosticError(d);
//
void mention(Diagnostic& d, Setting s);

// Appends where the value of the constant the message names came from:
// "(given)" in the model file, or, `overridden`, "(set with " and a mention of
// Setting::constant_override and ")", which prints as "(set with --set)".
void append_constant_source(Diagnostic& d, bool overridden);

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
