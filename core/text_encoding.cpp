#include "core/text_encoding.hpp"

#include <algorithm>
#include <cstring>

namespace bbvi {

bool looks_like_utf16(std::string_view text) {
  if (text.substr(0, 2) == "\xFF\xFE" || text.substr(0, 2) == "\xFE\xFF") return true;
  // The first 32 characters: ASCII in UTF-16 has its NUL at one parity
  // (odd bytes little-endian, even bytes big-endian) and none at the other.
  std::size_t const checked = std::min<std::size_t>(text.size(), 64) & ~std::size_t{1};
  if (checked < 4) return false;
  std::size_t nul_at[2] = {0, 0};
  for (std::size_t i = 0; i < checked; ++i)
    if (text[i] == '\0') ++nul_at[i % 2];
  std::size_t const pairs = checked / 2;
  return (nul_at[0] == 0 && 2 * nul_at[1] >= pairs) || (nul_at[1] == 0 && 2 * nul_at[0] >= pairs);
}

char line_break_of(std::string_view text) {
  if (text.empty()) return '\n';  // memchr wants a valid pointer, even for no bytes
  // A file with a LF stops the search in its first line.
  if (std::memchr(text.data(), '\n', text.size()) != nullptr) return '\n';
  return std::memchr(text.data(), '\r', text.size()) != nullptr ? '\r' : '\n';
}

std::size_t first_nul_byte(std::string_view text) {
  if (text.empty()) return std::string_view::npos;  // as above
  void const* const nul = std::memchr(text.data(), '\0', text.size());
  return nul ? static_cast<std::size_t>(static_cast<char const*>(nul) - text.data()) : std::string_view::npos;
}

}  // namespace bbvi
