#include "grammar/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bbvi {

namespace {

char const* severity_word(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

constexpr std::size_t max_shown = 160;  // characters of a source line

void render_one(std::string& out, Diagnostic const& d, std::string_view source) {
  if (d.file.empty())
    out += fmt::format("bbvi-ppl: {}: {}\n", severity_word(d.severity), d.message);
  else if (d.pos.line <= 0)
    out += fmt::format("{}: {}: {}\n", d.file, severity_word(d.severity), d.message);
  else
    out += fmt::format("{}:{}:{}: {}: {}\n", d.file, d.pos.line, d.pos.column,
                       severity_word(d.severity), d.message);
  if (d.pos.line <= 0 || source.empty()) return;
  std::string_view line = source_line(source, d.pos.line);
  std::size_t const caret = std::min(static_cast<std::size_t>(d.pos.column - 1), line.size());
  // A very long line is shown as a window around the caret.
  std::size_t const from = line.size() > max_shown ? caret - std::min(caret, max_shown / 2) : 0;
  std::string_view const before = from > 0 ? "..." : "";
  std::string_view const after = from + max_shown < line.size() ? "..." : "";
  line = line.substr(from, max_shown);
  out += fmt::format("  {}{}{}\n", before, line, after);
  // Tabs stay tabs under the caret so that it lines up in any terminal.
  std::string pad(before.size(), ' ');
  for (std::size_t i = from; i < caret; ++i) pad += line[i - from] == '\t' ? '\t' : ' ';
  out += fmt::format("  {}^\n", pad);
}

}  // namespace

std::string_view source_line(std::string_view source, int line) {
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) {
    std::size_t const nl = source.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  std::size_t end = source.find('\n', start);
  if (end == std::string_view::npos) end = source.size();
  if (end > start && source[end - 1] == '\r') --end;
  return source.substr(start, end - start);
}

std::string render(Diagnostic const& d, std::string_view source) {
  std::string out;
  render_one(out, d, source);
  for (Diagnostic const& note : d.notes) render_one(out, note, note.file == d.file ? source : "");
  return out;
}

std::string render(Diagnostic const& d, std::function<std::string_view(std::string const&)> const& source_of) {
  std::string out;
  render_one(out, d, source_of(d.file));
  for (Diagnostic const& note : d.notes) render_one(out, note, source_of(note.file));
  return out;
}

namespace {
std::string joined_messages(std::vector<Diagnostic> const& ds) {
  std::string s;
  for (auto const& d : ds) s += (s.empty() ? "" : "; ") + d.message;
  return s;
}
}  // namespace

DiagnosticError::DiagnosticError(Diagnostic d)
    : DiagnosticError(std::vector<Diagnostic>{std::move(d)}) {}

DiagnosticError::DiagnosticError(std::vector<Diagnostic> ds)
    : std::runtime_error(joined_messages(ds)), diagnostics_(std::move(ds)) {}

Diagnostic error_at(std::string file, Position pos, std::string message) {
  Diagnostic d;
  d.file = std::move(file);
  d.pos = pos;
  d.message = std::move(message);
  return d;
}

}  // namespace bbvi
