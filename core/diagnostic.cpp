#include "core/diagnostic.hpp"

#include "core/text_encoding.hpp"

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

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// A control character as its Unicode control picture (NUL as U+2400 and so
// on, DEL as U+2421): one column wide, like the byte it stands for, and
// nothing a terminal acts on. A raw NUL would also end the C string the
// message is printed as.
void append_visible(std::string& out, char c) {
  auto const byte = static_cast<unsigned char>(c);
  if (c == '\t' || (byte >= 0x20 && byte != 0x7F)) {
    out += c;
    return;
  }
  unsigned const picture = byte == 0x7F ? 0x2421u : 0x2400u + byte;
  out += static_cast<char>(0xE0 | (picture >> 12));
  out += static_cast<char>(0x80 | ((picture >> 6) & 0x3F));
  out += static_cast<char>(0x80 | (picture & 0x3F));
}

// A message keeps its line breaks; every other control character is shown.
std::string visible_message(std::string_view message) {
  std::string out;
  for (char c : message) {
    if (c == '\n') out += c;
    else append_visible(out, c);
  }
  return out;
}

constexpr std::string_view ellipsis = "\u2026";  // one column

void render_one(std::string& out, Diagnostic const& d, std::string_view source) {
  std::string const message = visible_message(d.message);
  if (d.file.empty())
    out += fmt::format("bbvi-ppl: {}: {}\n", severity_word(d.severity), message);
  else if (d.pos.line <= 0)
    out += fmt::format("{}: {}: {}\n", d.file, severity_word(d.severity), message);
  else
    out += fmt::format("{}:{}:{}: {}: {}\n", d.file, d.pos.line, d.pos.column, severity_word(d.severity), message);
  if (d.pos.line <= 0 || source.empty()) return;
  std::string_view const line = source_line(source, d.pos.line);
  std::size_t const caret = std::min(static_cast<std::size_t>(d.pos.column - 1), line.size());
  // Only a window of the line around the caret is quoted: a minified model or
  // a data file whose lines do not end where they should is one huge line.
  // The window's ends are moved to the start of a character.
  std::size_t from = line.size() > quoted_line_window ? caret - std::min(caret, quoted_line_window / 2) : 0;
  while (from > 0 && is_continuation_byte(line[from])) --from;
  std::size_t to = std::min(line.size(), from + quoted_line_window);
  while (to < line.size() && is_continuation_byte(line[to])) ++to;
  std::string quoted = "  ";
  if (from > 0) quoted += ellipsis;
  for (std::size_t i = from; i < to; ++i) append_visible(quoted, line[i]);
  if (to < line.size()) quoted += ellipsis;
  out += quoted + "\n";
  // Tabs stay tabs under the caret so that it lines up in any terminal; a
  // character of several bytes takes one column.
  std::string pad = from > 0 ? "   " : "  ";
  for (std::size_t i = from; i < caret; ++i)
    if (!is_continuation_byte(line[i])) pad += line[i] == '\t' ? '\t' : ' ';
  out += pad + "^\n";
}

}  // namespace

std::string_view source_line(std::string_view source, int line) {
  char const line_break = line_break_of(source);
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) {
    std::size_t const nl = source.find(line_break, start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  std::size_t end = source.find(line_break, start);
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

std::string_view setting_name(Setting s) {
  switch (s) {
    case Setting::none: return "";
    case Setting::samples: return "samples";
    case Setting::method: return "method";
    case Setting::estimator: return "estimator";
    case Setting::constant_override: return "an override";
    case Setting::batch: return "the batch size";
  }
  return "";
}

void mention(Diagnostic& d, Setting s) {
  std::size_t const begin = d.message.size();
  d.message += setting_name(s);
  d.mentions.push_back({begin, d.message.size(), s});
}

void append_constant_source(Diagnostic& d, bool overridden) {
  if (!overridden) {
    d.message += "(given)";
    return;
  }
  d.message += "(set with ";
  mention(d, Setting::constant_override);
  d.message += ")";
}

Diagnostic error_at(std::string file, Position pos, std::string message) {
  Diagnostic d;
  d.file = std::move(file);
  d.pos = pos;
  d.message = std::move(message);
  return d;
}

}  // namespace bbvi
