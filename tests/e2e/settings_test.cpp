// --set NAME=VALUE and a CSV cell say the same of the same text: one parser,
// one wording ("expected a finite number, found '1e400'").
#include "tests/support/run_binary.hpp"
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

namespace {

std::string const model = std::string(BBVI_SOURCE_DIR) + "/tests/bad/set_cases.model";

// What follows "PREFIX" up to the end of its line in `text`, or "(none)".
std::string after(std::string const& text, std::string const& prefix) {
  std::size_t const at = text.find(prefix);
  if (at == std::string::npos) return "(none)";
  std::size_t const start = at + prefix.size();
  return text.substr(start, text.find('\n', start) - start);
}

}  // namespace

TEST_CASE("settings: --set and the CSV reader word a bad number alike") {
  std::string const data = (bbvi::testing::scratch_dir() / "set.csv").string();
  std::ofstream(data) << "x\n0.5\n";
  for (std::string const text : {"1e400", "-1e999", "nan", "inf", "wide", "1.5x", "--2", "0x10"}) {
    INFO(text);
    std::string const cell = (bbvi::testing::scratch_dir() / "cell.csv").string();
    std::ofstream(cell) << "x\n" << text << "\n";
    bbvi::testing::Run const from_csv = bbvi::testing::run_binary("check " + model + " " + cell);
    bbvi::testing::Run const from_set = bbvi::testing::run_binary("check " + model + " " + data + " --set 'scale=" + text + "'");
    CHECK(from_csv.status == 2);
    CHECK(from_set.status == 2);
    std::string const csv_says = after(from_csv.err, "column 'x', row 1: ");
    CHECK(csv_says.rfind("expected a ", 0) == 0);
    CHECK(after(from_set.err, "--set scale=" + text + ": ") == csv_says);
  }
  // And what both take: a leading '+', an exponent.
  for (std::string const text : {"+2", "2e-3", "3."}) {
    INFO(text);
    CHECK(bbvi::testing::run_binary("check " + model + " " + data + " --set scale=" + text).status == 0);
  }
}
