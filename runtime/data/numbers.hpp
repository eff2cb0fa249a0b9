#pragma once
// Numbers as bbvi-ppl reads them from text, in a CSV cell or a --set VALUE:
// one parser and one wording for both, so a text reads the same everywhere.
#include <cstdint>
#include <string>
#include <string_view>

namespace bbvi::data {

enum class Parsed { ok, empty, malformed, not_finite, not_integer, out_of_range };

// A finite real: fast_float's syntax, one leading '+' allowed, no blanks
// (the caller trims them); "nan", "inf" and 1e999 are not_finite.
Parsed parse_real(std::string_view s, double& value);

// An integer, or a real that is a whole number of at most 2^53.
Parsed parse_int(std::string_view s, std::int64_t& value);

// What a text that is not a real (p not ok) lacks:
// "expected a finite number, found '1e400'".
std::string real_problem(Parsed p, std::string const& text);

}  // namespace bbvi::data
