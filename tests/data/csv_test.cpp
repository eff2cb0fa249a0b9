// tests/data/csv_test.cpp tests runtime/data/csv.hpp
#include "runtime/data/csv.hpp"

#include "core/diagnostic.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <functional>  // std::function
#include <string>
#include <vector>

using bbvi::Diagnostic;
using bbvi::DiagnosticError;
using bbvi::Position;
using bbvi::data::CsvTable;

namespace {

CsvTable table(std::string text) { return CsvTable::from_text(std::move(text), "data.csv"); }

// The one diagnostic that `f` throws; fails the test if it throws none.
Diagnostic diagnostic_of(std::function<void()> const& f) {
  try {
    f();
  } catch (DiagnosticError const& e) {
    REQUIRE(e.diagnostics().size() == 1);
    return e.diagnostics().front();
  }
  FAIL("no DiagnosticError thrown");
  return {};
}

// "line:col: message", to pin all three in one comparison.
std::string where_what(Diagnostic const& d) {
  return fmt::format("{}:{}: {}", d.pos.line, d.pos.column, d.message);
}

std::string construction_error(std::string text) {
  return where_what(diagnostic_of([&] { table(text); }));
}

std::string real_error(std::string text, std::string column) {
  CsvTable const t = table(std::move(text));
  return where_what(diagnostic_of([&] { t.real_column(column); }));
}

std::string int_error(std::string text, std::string column) {
  CsvTable const t = table(std::move(text));
  return where_what(diagnostic_of([&] { t.int_column(column); }));
}

}  // namespace

TEST_CASE("CsvTable: reads named columns") {
  CsvTable const t = table("id,x,g\na,1.5,3\nb,-2,4\n");
  CHECK(t.file() == "data.csv");
  CHECK(t.rows() == 2);
  CHECK(t.header() == std::vector<std::string>{"id", "x", "g"});
  CHECK(t.has_column("x"));
  CHECK_FALSE(t.has_column("y"));
  CHECK(t.header_position("g") == Position{1, 6});
  CHECK(t.header_position("y") == Position{});
  CHECK(t.real_column("x") == std::vector<double>{1.5, -2});
  CHECK(t.int_column("g") == std::vector<std::int64_t>{3, 4});
  CHECK(t.real_column("g") == std::vector<double>{3, 4});
}

TEST_CASE("CsvTable: line ends, trailing lines, blanks and a byte-order mark") {
  std::vector<double> const expected{1, 2.5};
  CHECK(table("x\n1\n2.5").real_column("x") == expected);             // no final newline
  CHECK(table("x\r\n1\r\n2.5\r\n").real_column("x") == expected);     // CRLF
  CHECK(table("x\n1\n2.5\n\n \r\n\t\n").real_column("x") == expected);  // blank lines at the end
  CHECK(table("\n\nx\n1\n2.5\n").real_column("x") == expected);       // blank lines before the header
  CHECK(table(" x ,\ty\n 1 ,\t7\n2.5\t, 8 \n").real_column("x") == expected);
  CsvTable const bom = table("\xEF\xBB\xBFx\n1\n2.5\n");
  CHECK(bom.header() == std::vector<std::string>{"x"});
  CHECK(bom.text() == "x\n1\n2.5\n");
  CHECK(bom.header_position("x") == Position{1, 1});
  CHECK(bom.real_column("x") == expected);
  CHECK(table("x\n").rows() == 0);  // a header alone is a table without rows
  CHECK(table("x\n").real_column("x").empty());
}

TEST_CASE("CsvTable: numbers in every spelling a CSV writer uses") {
  CHECK(table("x\n+4\n.5\n5.\n1e3\n-2.5E-2\n\"7\"\n\" 8 \"\n").real_column("x") ==
        std::vector<double>{4, 0.5, 5, 1000, -0.025, 7, 8});
  // 17 significant digits round-trip exactly (the generator writes these).
  CHECK(table("x\n0.10000000000000001\n").real_column("x").front() == 0.1);
}

TEST_CASE("CsvTable: integers, and whole numbers written as reals") {
  CHECK(table("g\n3\n-2\n+4\n3.0\n1e3\n9223372036854775807\n").int_column("g") ==
        std::vector<std::int64_t>{3, -2, 4, 3, 1000, 9223372036854775807});
  CHECK(int_error("g\n1\n2.5\n", "g") == "3:1: column 'g', row 2: expected an integer, found '2.5'");
  CHECK(int_error("g\nabc\n", "g") == "2:1: column 'g', row 1: expected an integer, found 'abc'");
  CHECK(int_error("g\nnan\n", "g") == "2:1: column 'g', row 1: expected an integer, found 'nan'");
  CHECK(int_error("g\n 9223372036854775808\n", "g") ==
        "2:2: column 'g', row 1: the integer '9223372036854775808' is too large");
  CHECK(int_error("g\n1e300\n", "g") == "2:1: column 'g', row 1: the integer '1e300' is too large");
  CHECK(int_error("g,h\n1,\n,2\n", "g") == "3:1: column 'g', row 2: the cell is empty");
}

TEST_CASE("CsvTable: quoted cells follow RFC 4180") {
  CsvTable const t = table(
      "\"a,b\",\"say \"\"hi\"\"\", \"x\" ,n\n"
      "\"1,5\",\"two\nlines\",\" 2.5 \",1\n"
      "\"\",text,3,x2\n");
  CHECK(t.header() == std::vector<std::string>{"a,b", "say \"hi\"", "x", "n"});
  CHECK(t.rows() == 2);
  CHECK(t.real_column("x") == std::vector<double>{2.5, 3});
  CHECK(real_error(std::string(t.text()), "a,b") == "2:1: column 'a,b', row 1: expected a number, found '\"1,5\"'");
  // The quoted line break moves every later line down by one.
  CHECK(real_error(std::string(t.text()), "n") == "4:11: column 'n', row 2: expected a number, found 'x2'");
  CHECK(real_error(std::string(t.text()), "say \"hi\"") ==
        "2:7: column 'say \"hi\"', row 1: expected a number, found '\"two\nlines\"'");
  // R's write.csv names its row-name column "": such a column cannot be requested.
  CsvTable const r = table("\"\",\"x\"\n\"1\",0.5\n");
  CHECK(r.header() == std::vector<std::string>{"", "x"});
  CHECK_FALSE(r.has_column(""));
  CHECK(r.real_column("x") == std::vector<double>{0.5});
}

TEST_CASE("CsvTable: structural errors are raised on reading") {
  CHECK(construction_error("") == "0:0: the file is empty: expected a header row naming the columns");
  CHECK(construction_error("\n \r\n\t\n") ==
        "0:0: the file is empty: expected a header row naming the columns");
  CHECK(construction_error("x,y\n1,2\n3,4,5\n") == "3:5: row 2 has 3 cells, but the header names 2 columns");
  CHECK(construction_error("x,y\n1\n") == "2:1: row 1 has 1 cell, but the header names 2 columns");
  CHECK(construction_error("x,y,z\n1,2\n") == "2:1: row 1 has 2 cells, but the header names 3 columns");
  CHECK(construction_error("x,y\n1,2\n\n3,4\n") == "3:1: row 2 is blank, but the header names 2 columns");
  CHECK(construction_error("x\n\"abc\n") == "2:1: this quoted cell has no closing quote");
  CHECK(construction_error("x\n \"a\"b\n") ==
        "2:5: unexpected text after the closing quote of a cell (quotes in a quoted cell are "
        "written \"\")");
}

TEST_CASE("CsvTable: a duplicate column name points at both places") {
  Diagnostic const d = diagnostic_of([] { table("x,y, x\n1,2,3\n"); });
  CHECK(where_what(d) == "1:6: the header names column 'x' twice");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].severity == bbvi::Severity::note);
  CHECK(where_what(d.notes[0]) == "1:1: 'x' is first named here");
}

TEST_CASE("CsvTable: cell errors name the column and the data row") {
  std::string const ids = "id,x\na,1\nb,2\nc,3\nd,abc\n";
  CHECK(table(ids).rows() == 4);  // the text column is fine until someone asks for it
  CHECK(real_error(ids, "x") == "5:3: column 'x', row 4: expected a number, found 'abc'");
  CHECK(real_error(ids, "id") == "2:1: column 'id', row 1: expected a number, found 'a'");
  CHECK(real_error("x,y\n1,\n", "y") == "2:3: column 'y', row 1: the cell is empty");
  CHECK(real_error("x,y\n1,   \n", "y") == "2:3: column 'y', row 1: the cell is empty");
  CHECK(real_error("x,y\n1,\"\"\n", "y") == "2:3: column 'y', row 1: the cell is empty");
  CHECK(real_error("x\n1\n\n3\n", "x") == "3:1: column 'x', row 2: the cell is empty");
  CHECK(real_error("x\n1.5x\n", "x") == "2:1: column 'x', row 1: expected a number, found '1.5x'");
  CHECK(real_error("x\n+-1\n", "x") == "2:1: column 'x', row 1: expected a number, found '+-1'");
  CHECK(real_error("x\n1 2\n", "x") == "2:1: column 'x', row 1: expected a number, found '1 2'");
  CHECK(real_error("x\n0x10\n", "x") == "2:1: column 'x', row 1: expected a number, found '0x10'");
  CHECK(real_error("x\n nan\n", "x") == "2:2: column 'x', row 1: expected a finite number, found 'nan'");
  CHECK(real_error("x\n-inf\n", "x") == "2:1: column 'x', row 1: expected a finite number, found '-inf'");
  CHECK(real_error("x\n1e999\n", "x") == "2:1: column 'x', row 1: expected a finite number, found '1e999'");
  CHECK(real_error("x,y\r\n1,2\r\n3,oops\r\n", "y") ==
        "3:3: column 'y', row 2: expected a number, found 'oops'");
  // Columns count characters: the two-byte é is one.
  CHECK(real_error("naïve,x\né,abc\n", "x") == "2:3: column 'x', row 1: expected a number, found 'abc'");
  CHECK(real_error("\xEF\xBB\xBFx\nabc\n", "x") == "2:1: column 'x', row 1: expected a number, found 'abc'");
  CHECK(real_error("x\n" + std::string(50, 'a') + "\n", "x") ==
        "2:1: column 'x', row 1: expected a number, found '" + std::string(40, 'a') + "...'");
  CHECK(real_error("x,y\n1,2\n", "z") == "1:1: the header has no column 'z' (its columns: 'x', 'y')");
}

TEST_CASE("CsvTable: a data error renders with its line and a caret") {
  CsvTable const t = table("id,x\na,1\nb,2\nc,3\nd,abc\n");
  Diagnostic const d = diagnostic_of([&] { t.real_column("x"); });
  CHECK(bbvi::render(d, t.text()) ==
        "data.csv:5:3: error: column 'x', row 4: expected a number, found 'abc'\n"
        "  d,abc\n"
        "    ^\n");
}

TEST_CASE("CsvTable: a file with CR line ends (the old Mac OS's) is read like one with LF") {
  CsvTable const t = table("x,y\r1,2\r3,4\r");
  CHECK(t.rows() == 2);
  CHECK(t.real_column("x") == std::vector<double>{1, 3});
  CHECK(t.int_column("y") == std::vector<std::int64_t>{2, 4});
  CHECK(t.cell_position("y", 2) == Position{3, 3});
  CHECK(construction_error("x,y\r1,2\r3\r") == "3:1: row 2 has 1 cell, but the header names 2 columns");
  CHECK(real_error("id,x\ra,1\rb,oops\r", "x") == "3:3: column 'x', row 2: expected a number, found 'oops'");
}

TEST_CASE("CsvTable: a data error in a file with CR line ends quotes its own line only") {
  std::string text = "x";
  for (int i = 0; i < 100000; ++i) text += "\r1.5";
  text += "\rabc\r";
  CsvTable const t = table(text);
  Diagnostic const d = diagnostic_of([&] { t.real_column("x"); });
  CHECK(bbvi::render(d, text) ==
        "data.csv:100002:1: error: column 'x', row 100001: expected a number, found 'abc'\n"
        "  abc\n"
        "  ^\n");
}

TEST_CASE("CsvTable: a UTF-16 file is named as such") {
  std::string const message = "0:0: the text looks like UTF-16; save the file as UTF-8";
  using namespace std::string_literals;
  CHECK(construction_error("\xFF\xFEx\0\n\0\x31\0\n\0"s) == message);  // little-endian, with its BOM
  CHECK(construction_error("\xFE\xFF\0x\0\n\0\x31\0\n"s) == message);  // big-endian, with its BOM
  CHECK(construction_error("x\0,\0y\0\n\0\x31\0,\0\x32\0\n\0"s) == message);  // no BOM
  CHECK(construction_error("\0x\0,\0y\0\n\0\x31\0,\0\x32\0\n"s) == message);
}

TEST_CASE("CsvTable: a NUL byte is named, at its row and column, and never printed") {
  using namespace std::string_literals;
  CHECK(construction_error("x,a\0b\n1,2\n"s) ==
        "1:4: the header holds a NUL byte (a zero byte): a CSV file is text; is this the file you meant?");
  CHECK(real_error("x,y\n1,2\n3,4\0\n"s, "y") == "3:4: column 'y', row 2: the cell holds a NUL byte (a zero byte)");
  CHECK(int_error("x,y\n1,\0\n"s, "y") == "2:3: column 'y', row 1: the cell holds a NUL byte (a zero byte)");
  CsvTable const t = table("x,y\n1,2\n3,4\0\n"s);
  CHECK(t.rows() == 2);  // a NUL in a column nobody asks for is nobody's concern
  Diagnostic const d = diagnostic_of([&] { t.real_column("y"); });
  CHECK(bbvi::render(d, t.text()).find('\0') == std::string::npos);
}

TEST_CASE("CsvTable: a missing column's message shortens long column names") {
  CHECK(real_error(std::string(60, 'a') + ",y\n1,2\n", "z") ==
        "1:1: the header has no column 'z' (its columns: '" + std::string(40, 'a') + "...', 'y')");
}

TEST_CASE("CsvTable: reading files") {
  CHECK(where_what(diagnostic_of([] { CsvTable::from_file("/nonexistent/data.csv"); })) ==
        "0:0: cannot read the file: No such file or directory");
  Diagnostic const d = diagnostic_of([] { CsvTable::from_file("/nonexistent/data.csv"); });
  CHECK(d.file == "/nonexistent/data.csv");
  CHECK(where_what(diagnostic_of([] { CsvTable::from_file(BBVI_SOURCE_DIR "/models"); })) ==
        "0:0: cannot read the file: Is a directory");
  CsvTable const t = CsvTable::from_file(BBVI_SOURCE_DIR "/models/normal_gamma.csv");
  CHECK(t.rows() == 100);
  CHECK(t.real_column("x").size() == 100);
}

TEST_CASE("CsvTable: a million rows") {
  // Integers times a power of two are exact in a double, so the sum is exact.
  std::string text = "id,x\n";
  std::size_t const n = 1000000;
  for (std::size_t i = 0; i < n; ++i) text += fmt::format("r{},{}\n", i, static_cast<double>(i) * 0.25);
  auto const start = std::chrono::steady_clock::now();
  CsvTable const t = table(std::move(text));
  std::vector<double> const x = t.real_column("x");
  double const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(x.size() == n);
  double sum = 0;
  for (double v : x) sum += v;
  CHECK(sum == 0.25 * (static_cast<double>(n) * (n - 1) / 2));
  CHECK(x[123456] == 30864);
  // About 0.05 s in a release build; the bound catches a quadratic slip, which
  // would take minutes, without failing a slow debug or sanitizer build.
  INFO(fmt::format("split and parsed {} rows in {:.3f} s", n, seconds));
  CHECK(seconds < 2);
}

TEST_CASE("CsvTable: a file large enough to be parsed in parallel gives the same values and first errors") {
  // 300,000 rows of about 25 bytes: above the 4 MB from which the reader
  // parses a column's rows on several threads.
  std::size_t const rows = 300000;
  std::vector<std::string> lines(rows);
  for (std::size_t r = 0; r < rows; ++r)
    lines[r] = fmt::format("{:.17g},{}", 0.1 * static_cast<double>(r) + 1e-7, r % 7);
  auto const file = [&](std::vector<std::string> const& body) {
    return "x,k\n" + fmt::format("{}", fmt::join(body, "\n")) + "\n";
  };
  CsvTable const good = table(file(lines));
  REQUIRE(good.rows() == rows);
  std::vector<double> const x = good.real_column("x");
  std::vector<std::int64_t> const k = good.int_column("k");
  bool same = true;
  for (std::size_t r = 0; r < rows; ++r)
    same = same && x[r] == 0.1 * static_cast<double>(r) + 1e-7 && k[r] == static_cast<std::int64_t>(r % 7);
  CHECK(same);

  // Two bad cells, both past the middle: the first one in the file is reported.
  std::vector<std::string> bad_cells = lines;
  bad_cells[250000] = "2.5x,1";
  bad_cells[280000] = "abc,1";
  CsvTable const with_bad_cells = table(file(bad_cells));
  CHECK(where_what(diagnostic_of([&] { with_bad_cells.real_column("x"); })) ==
        "250002:1: column 'x', row 250001: expected a number, found '2.5x'");
  std::vector<std::string> bad_ints = lines;
  bad_ints[200000] = "1,2.5";
  CHECK(where_what(diagnostic_of([&] { table(file(bad_ints)).int_column("k"); })) ==
        "200002:3: column 'k', row 200001: expected an integer, found '2.5'");

  // Two ragged rows, one in each half: the first is reported.
  std::vector<std::string> ragged = lines;
  ragged[100000] = "1";
  ragged[290000] = "1,2,3";
  CHECK(construction_error(file(ragged)) == "100002:1: row 100001 has 1 cell, but the header names 2 columns");
}

TEST_CASE("CsvTable: a large file without quotes is split on several threads into the same cells") {
  // Above 4 MB, a file with no quote after its header is split line by line
  // on every core; one quoted cell makes the same file split record by
  // record. Both must find the same rows, values and cell positions.
  std::size_t const rows = 300000;
  std::string body;
  for (std::size_t r = 0; r < rows; ++r)
    body += fmt::format("{:.17g} ,r{}\r\n", 0.5 * static_cast<double>(r) + 1e-9, r);
  std::string const quote_free = "x,name\r\n" + body + "\r\n\r\n";
  std::string quoted = quote_free;
  quoted.replace(quoted.find(",r7\r"), 3, ",\"r7\"");
  CsvTable const parallel = table(quote_free);
  CsvTable const sequential = table(quoted);
  REQUIRE(parallel.rows() == rows);
  REQUIRE(sequential.rows() == rows);
  CHECK(parallel.real_column("x") == sequential.real_column("x"));
  bool same_positions = true;
  for (std::size_t row = 1; row <= rows; row += 997)
    for (char const* column : {"x", "name"})
      same_positions = same_positions && parallel.cell_position(column, row) == sequential.cell_position(column, row);
  CHECK(same_positions);
  std::size_t const last_name_column = fmt::format("{:.17g} ,", 0.5 * static_cast<double>(rows - 1) + 1e-9).size() + 1;
  CHECK(parallel.cell_position("name", rows) == Position{static_cast<int>(rows) + 1, static_cast<int>(last_name_column)});

  // One column: a blank line is a row with an empty cell, wherever the
  // file is cut between threads.
  std::string one_column = "x\n";
  for (std::size_t r = 0; r < rows; ++r) one_column += r == 200000 ? "\n" : fmt::format("{:.17g}\n", 1.0 + static_cast<double>(r));
  CsvTable const with_blank = table(one_column);
  CHECK(with_blank.rows() == rows);
  CHECK(where_what(diagnostic_of([&] { with_blank.real_column("x"); })) ==
        "200002:1: column 'x', row 200001: the cell is empty");
}
