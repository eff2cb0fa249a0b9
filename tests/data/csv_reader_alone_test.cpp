// tests/data/csv_reader_alone_test.cpp: the CSV reader is a library of its own.
// This executable links the reader's and core's static libraries by file, not
// through their CMake targets, so nothing the reader needs comes along
// unasked: a reader that called into the parser or the engine would not link.
#include "runtime/data/csv.hpp"

#include "core/diagnostic.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <string>
#include <vector>

TEST_CASE("CSV reader alone: reads a shipped data file and reports a bad cell") {
  auto const table = bbvi::data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/eight_schools.csv");
  CHECK(table.rows() == 8);
  CHECK(table.real_column("y") == std::vector<double>{28, 8, -3, 7, -1, 1, 18, 12});
  auto const bad = bbvi::data::CsvTable::from_text("y\n1\nx\n", "bad.csv");
  try {
    bad.real_column("y");
    FAIL("no DiagnosticError thrown");
  } catch (bbvi::DiagnosticError const& e) {
    CHECK(bbvi::render(e.diagnostics().front(), bad.text()) ==
          "bad.csv:3:1: error: column 'y', row 2: expected a number, found 'x'\n  x\n  ^\n");
  }
}
