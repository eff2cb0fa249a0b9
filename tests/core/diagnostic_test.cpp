// tests/core/diagnostic_test.cpp tests core/diagnostic.hpp: how a
// diagnostic quotes its line (a window around the caret, control characters
// made visible) and which line that is.
#include "core/diagnostic.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <algorithm>
#include <string>

using namespace bbvi;

namespace {

std::string rendered(std::string_view source, int line, int column) {
  return render(error_at("f.csv", Position{line, column}, "bad"), source);
}

// The characters of a UTF-8 string (not its bytes).
std::size_t characters(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

TEST_CASE("render: a short line is quoted whole, with the caret under the column") {
  CHECK(rendered("a,b\n1,x\n", 2, 3) == "f.csv:2:3: error: bad\n  1,x\n    ^\n");
}

TEST_CASE("render: a long line is quoted as a window around the caret, with a mark at each cut end") {
  std::string const line = std::string(1000, 'a') + "X" + std::string(1000, 'b');
  std::string const out = rendered(line, 1, 1001);
  std::string const expected_quote = "  \u2026" + std::string(50, 'a') + "X" + std::string(49, 'b') + "\u2026\n";
  std::string const expected_caret = "   " + std::string(50, ' ') + "^\n";
  CHECK(out == "f.csv:1:1001: error: bad\n" + expected_quote + expected_caret);
  // At the start of the line only the end is cut; at the end only the start.
  CHECK(rendered(line, 1, 1) == "f.csv:1:1: error: bad\n  " + std::string(100, 'a') + "\u2026\n  ^\n");
  std::string const end = rendered(line, 1, 2002);  // just past the end
  CHECK(end.find("  \u2026" + std::string(50, 'b') + "\n") != std::string::npos);
}

TEST_CASE("render: a window does not cut a character in two, and a character of several bytes is one column") {
  std::string line;
  for (int i = 0; i < 300; ++i) line += "\u00e9";  // é, two bytes
  std::string const out = rendered(line, 1, 302);  // byte 302: inside the 151st é
  std::string const quote = out.substr(out.find('\n') + 1, out.find('\n', out.find('\n') + 1) - out.find('\n') - 1);
  CHECK(quote.substr(0, 7) == "  \u2026\u00e9");
  CHECK(characters(quote) == 2 + 1 + 50 + 1);  // indent, mark, 100 bytes of é, mark
  CHECK(out.substr(out.rfind('\n', out.size() - 2) + 1) == "   " + std::string(26, ' ') + "^\n");
}

TEST_CASE("render: control characters in the line and the message are shown as control pictures, never raw") {
  std::string const source("a\0b\rc\td\x7f\n", 9);
  std::string const out = render(error_at("f.csv", Position{1, 3}, std::string("cell 'a\0b'", 10)), source);
  CHECK(out == "f.csv:1:3: error: cell 'a\u2400b'\n  a\u2400b\u240dc\td\u2421\n    ^\n");
  CHECK(out.find('\0') == std::string::npos);
}

TEST_CASE("source_line: LF, CRLF, and CR alone in a file without LF") {
  CHECK(source_line("a\nb\nc", 2) == "b");
  CHECK(source_line("a\r\nb\r\nc", 2) == "b");
  CHECK(source_line("a\rb\rc\r", 3) == "c");
  CHECK(source_line("a\rb\nc", 1) == "a\rb");  // with a LF, a CR does not end a line
  CHECK(source_line("a\nb", 3).empty());
}

TEST_CASE("render: a file with CR line ends quotes only the line of the diagnostic") {
  std::string source = "x";
  for (int i = 0; i < 100000; ++i) source += "\r1.5";
  source += "\rabc\r";
  CHECK(rendered(source, 100002, 1) == "f.csv:100002:1: error: bad\n  abc\n  ^\n");
}
