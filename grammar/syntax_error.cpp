#include "grammar/syntax_error.hpp"

#include "grammar/keywords.hpp"
#include "grammar/stan_syntax.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace bbvi::grammar {

namespace {

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// The characters a .model file can hold outside comments.
bool is_language_char(char c) {
  return is_word_char(c) || std::string_view("{}[]()<>=~;,.+-*/^#").find(c) != std::string_view::npos ||
         std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string_view word_at(char const* where, char const* end) {
  char const* stop = where;
  while (stop != end && is_word_char(*stop)) ++stop;
  return {where, static_cast<std::size_t>(stop - where)};
}

// "found ..." details, or empty when the token is an ordinary one.
std::string what_is_found(char const* where, char const* end, std::string_view expected) {
  if (where == end) return {};
  if (!is_language_char(*where)) {
    auto const byte = static_cast<unsigned char>(*where);
    if (std::isprint(byte) != 0) return fmt::format(", found stray character '{}'", *where);
    return fmt::format(", found stray byte 0x{:02X}", byte);
  }
  std::string_view const word = word_at(where, end);
  bool const wants_name = expected.find("name") != std::string_view::npos;
  if (wants_name && std::find(keywords.begin(), keywords.end(), word) != keywords.end())
    return fmt::format(" ('{}' is a reserved word)", word);
  return {};
}

}  // namespace

Diagnostic expected_here(ParseState const& state, char const* where, std::string_view expected) {
  std::string_view const source = state.source.source();
  char const* const end = source.data() + source.size();
  if (auto const stan = stan_construct(source, where))
    return error_at(state.file, state.source.locate(stan->at), stan->message);
  return error_at(state.file, state.source.locate(where),
                  fmt::format("expected {}{}", expected, what_is_found(where, end, expected)));
}

}  // namespace bbvi::grammar
