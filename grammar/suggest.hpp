#pragma once
// "did you mean ...?" for misspelt names, functions and distributions.
#include <string>
#include <string_view>
#include <vector>

namespace bbvi {

// The candidate closest to `word` within edit distance 2 (ignoring case, so
// that `normal` finds `Normal`), or empty when none is that close. A
// candidate that only shares the length of a one- or two-letter word is not
// offered: `b` is not a misspelling of `N`.
std::string closest_match(std::string_view word, std::vector<std::string_view> const& candidates);

// "; did you mean 'x'?" or "": to append to a message.
std::string did_you_mean(std::string_view word, std::vector<std::string_view> const& candidates);

}  // namespace bbvi
