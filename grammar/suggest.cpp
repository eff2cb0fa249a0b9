#include "grammar/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace bbvi {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Levenshtein distance, case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t const substitution = diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest_match(std::string_view word, std::vector<std::string_view> const& candidates) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view candidate : candidates) {
    if (candidate == word) continue;
    std::size_t const d = edit_distance(word, candidate);
    if (d < best_distance && d < std::max(word.size(), candidate.size())) {
      best = candidate;
      best_distance = d;
    }
  }
  return std::string(best);
}

std::string did_you_mean(std::string_view word, std::vector<std::string_view> const& candidates) {
  std::string const match = closest_match(word, candidates);
  return match.empty() ? std::string() : "; did you mean '" + match + "'?";
}

}  // namespace bbvi
