#include "runtime/data/numbers.hpp"

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include <charconv>  // std::from_chars for integers
#include <cmath>

namespace bbvi::data {

namespace {

// fast_float accepts neither a leading '+' nor blanks; the cell is trimmed and
// one '+' is removed here ("+-1" stays malformed).
std::string_view without_plus(std::string_view s) {
  if (s.size() >= 2 && s[0] == '+' && s[1] != '+' && s[1] != '-') s.remove_prefix(1);
  return s;
}

}  // namespace

Parsed parse_real(std::string_view s, double& value) {
  if (s.empty()) return Parsed::empty;
  s = without_plus(s);
  char const* const last = s.data() + s.size();
  auto const result = fast_float::from_chars(s.data(), last, value);
  if (result.ptr != last) return Parsed::malformed;  // includes "1.5x" and "abc"
  // fast_float parses "nan" and "inf", and gives ±inf (or reports
  // out-of-range, depending on the version) for 1e999: none is a datum.
  if (result.ec != std::errc() || !std::isfinite(value)) return Parsed::not_finite;
  return Parsed::ok;
}

Parsed parse_int(std::string_view s, std::int64_t& value) {
  if (s.empty()) return Parsed::empty;
  std::string_view const digits = without_plus(s);
  char const* const last = digits.data() + digits.size();
  auto const result = std::from_chars(digits.data(), last, value);
  if (result.ptr == last) return result.ec == std::errc() ? Parsed::ok : Parsed::out_of_range;
  // "3.0" or "1e3": whole numbers that went through floating point. Beyond
  // 2^53 a double no longer holds every integer, so the value may be wrong.
  double real = 0;
  if (parse_real(s, real) != Parsed::ok) return Parsed::not_integer;
  if (real != std::trunc(real)) return Parsed::not_integer;
  if (std::fabs(real) > 9007199254740992.0) return Parsed::out_of_range;  // 2^53
  value = static_cast<std::int64_t>(real);
  return Parsed::ok;
}

std::string real_problem(Parsed p, std::string const& text) {
  return fmt::format("expected {}number, found '{}'", p == Parsed::not_finite ? "a finite " : "a ", text);
}

}  // namespace bbvi::data
