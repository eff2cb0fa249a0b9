#pragma once
// What a model or data file must be before it is read as text: UTF-8 (or
// ASCII), without NUL bytes. Files saved as UTF-16 are the common way to get
// this wrong (Windows editors and Excel offer it), and their NUL bytes would
// otherwise cut a message short where it is printed.
#include <cstddef>
#include <string_view>

namespace bbvi {

// A UTF-16 byte-order mark (FF FE or FE FF), or, without one, a NUL in every
// other byte at the start of the text, as ASCII written as UTF-16 has.
bool looks_like_utf16(std::string_view text);

inline constexpr std::string_view utf16_message = "the text looks like UTF-16; save the file as UTF-8";

// The character that ends a line of `text`: '\r' for a file saved with the
// line ends of the old Mac OS (a CR and no LF anywhere), else '\n' (a CRLF
// line end is a '\n' line end with a trailing blank).
char line_break_of(std::string_view text);

// Where the first NUL byte of `text` is, or npos.
std::size_t first_nul_byte(std::string_view text);

}  // namespace bbvi
