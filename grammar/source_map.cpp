#include "grammar/source_map.hpp"

#include "core/text_encoding.hpp"

#include <algorithm>

namespace bbvi::grammar {

SourceMap::SourceMap(std::string_view source) : source_(source) {
  line_starts_.push_back(0);
  char const line_break = line_break_of(source);
  for (std::size_t i = 0; i < source.size(); ++i)
    if (source[i] == line_break) line_starts_.push_back(i + 1);
}

Position SourceMap::locate(char const* where) const {
  auto const offset = static_cast<std::size_t>(where - source_.data());
  // The last line that starts at or before `offset`.
  auto const next = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto const line = static_cast<std::size_t>(next - line_starts_.begin());
  return Position{static_cast<int>(line), static_cast<int>(offset - line_starts_[line - 1]) + 1};
}

}  // namespace bbvi::grammar
