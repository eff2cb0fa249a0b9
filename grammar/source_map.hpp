#pragma once
// Turns a place in the source text into a 1-based line and column. Columns
// count bytes from the start of the line, as render() does when it places the
// caret, so a tab counts as one column.
#include "core/position.hpp"

#include <string_view>
#include <vector>

namespace bbvi::grammar {

class SourceMap {
 public:
  explicit SourceMap(std::string_view source);

  Position locate(char const* where) const;
  std::string_view source() const { return source_; }

 private:
  std::string_view source_;
  std::vector<std::size_t> line_starts_;  // offset of the first byte of each line
};

}  // namespace bbvi::grammar
