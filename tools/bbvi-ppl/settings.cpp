#include "tools/bbvi-ppl/settings.hpp"

#include "core/diagnostic.hpp"
#include "runtime/data/numbers.hpp"

#include <fmt/format.h>

#include <optional>
#include <string_view>

namespace bbvi::cli {

namespace {

[[noreturn]] void bad_setting(std::string const& setting, std::string const& expected) {
  Diagnostic d;
  d.message = fmt::format("--set {}: {}", setting, expected);
  throw DiagnosticError(d);
}

// VALUE read as a CSV cell is (runtime/data/numbers.hpp), blanks trimmed.
std::optional<std::string> problem_with(std::string_view text, double& value) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  data::Parsed const parsed = data::parse_real(text, value);
  if (parsed == data::Parsed::ok) return std::nullopt;
  return data::real_problem(parsed, std::string(text));
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
