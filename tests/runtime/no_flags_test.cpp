// Library code names command-line settings (core/diagnostic.hpp's Setting)
// and never spells their flags: tools/bbvi-ppl words them. This scans the
// string literals of core/, grammar/ and runtime/ for "--" before a letter.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string read(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The contents of the C++ string literals of `code` (raw ones included),
// outside comments and character literals.
std::vector<std::string> string_literals(std::string const& code) {
  std::vector<std::string> out;
  std::size_t i = 0;
  auto const at = [&](std::size_t k) { return k < code.size() ? code[k] : '\0'; };
  while (i < code.size()) {
    char const c = code[i];
    if (c == '/' && at(i + 1) == '/') {
      i = std::min(code.find('\n', i), code.size());
    } else if (c == '/' && at(i + 1) == '*') {
      i = std::min(code.find("*/", i + 2), code.size()) + 2;
    } else if (c == 'R' && at(i + 1) == '"' && (i == 0 || !std::isalnum(static_cast<unsigned char>(code[i - 1])))) {
      std::size_t const open = code.find('(', i + 2);
      std::string const close = ")" + code.substr(i + 2, open - (i + 2)) + "\"";
      std::size_t const end = std::min(code.find(close, open), code.size());
      out.push_back(code.substr(open + 1, end - open - 1));
      i = end + close.size();
    } else if (c == '"' || (c == '\'' && (i == 0 || !std::isalnum(static_cast<unsigned char>(code[i - 1]))))) {
      std::string literal;
      for (++i; i < code.size() && code[i] != c; ++i) {
        if (code[i] == '\\') literal += code[i++];
        if (i < code.size()) literal += code[i];
      }
      if (c == '"') out.push_back(literal);
      ++i;
    } else {
      ++i;
    }
  }
  return out;
}

bool spells_a_flag(std::string const& literal) {
  for (std::size_t p = literal.find("--"); p != std::string::npos; p = literal.find("--", p + 1))
    if (p + 2 < literal.size() && std::islower(static_cast<unsigned char>(literal[p + 2]))) return true;
  return false;
}

}  // namespace

TEST_CASE("string_literals: finds strings, not comments or characters") {
  auto const found = string_literals("// \"--a\"\nchar q = '\"'; /* \"--b\" */ f(\"x--y\", R\"(--set)\", 1'000, \"\\\"\");");
  CHECK(found == std::vector<std::string>{"x--y", "--set", "\\\""});
  CHECK(spells_a_flag("--samples 5"));
  CHECK_FALSE(spells_a_flag("a -- b, x--1"));
}

TEST_CASE("library code spells no command-line flag in its strings") {
  fs::path const root = BBVI_SOURCE_DIR;
  std::size_t scanned = 0;
  for (char const* folder : {"core", "grammar", "runtime"})
    for (auto const& entry : fs::recursive_directory_iterator(root / folder)) {
      std::string const extension = entry.path().extension().string();
      if (!entry.is_regular_file() || (extension != ".cpp" && extension != ".hpp")) continue;
      std::string const file = entry.path().lexically_relative(root).generic_string();
      std::vector<std::string> const literals = string_literals(read(entry.path()));
      bool const spells = std::any_of(literals.begin(), literals.end(), spells_a_flag);
      ++scanned;
      INFO(file);
      CHECK_FALSE(spells);
    }
  CHECK(scanned > 50);
}
