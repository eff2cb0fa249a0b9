#include "tools/bbvi-ppl/settings.hpp"

#include "grammar/diagnostic.hpp"

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <string_view>

namespace bbvi::cli {

namespace {

[[noreturn]] void bad_setting(std::string const& setting, std::string const& expected) {
  Diagnostic d;
  d.message = fmt::format("--set {}: {}", setting, expected);
  throw DiagnosticError(d);
}

// What a VALUE that is not a number lacks, as runtime/data/csv.cpp says it
// of a cell: the same parser (fast_float, one leading '+' allowed, blanks
// trimmed) and the same words, so that a text reads the same in both places.
std::optional<std::string> problem_with(std::string_view text, double& value) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::string_view digits = text;
  if (digits.size() >= 2 && digits[0] == '+' && digits[1] != '+' && digits[1] != '-') digits.remove_prefix(1);
  char const* const last = digits.data() + digits.size();
  auto const result = fast_float::from_chars(digits.data(), last, value);
  if (digits.empty() || result.ptr != last) return fmt::format("expected a number, found '{}'", text);
  if (result.ec != std::errc() || !std::isfinite(value)) return fmt::format("expected a finite number, found '{}'", text);
  return std::nullopt;
}

}  // namespace

std::map<std::string, double, std::less<>> parse_settings(std::vector<std::string> const& settings) {
  std::map<std::string, double, std::less<>> out;
  for (std::string const& s : settings) {
    std::size_t const eq = s.find('=');
    if (eq == std::string::npos || eq == 0) bad_setting(s, "expected NAME=VALUE");
    double value = 0;
    if (auto const problem = problem_with(std::string_view(s).substr(eq + 1), value)) bad_setting(s, *problem);
    out[s.substr(0, eq)] = value;
  }
  return out;
}

}  // namespace bbvi::cli
