// Replays the corpus tests/bad/: each case, run as `bbvi-ppl check …` from
// inside that folder, must print exactly its NAME.expected on standard error,
// and exit 2 with nothing on standard output, or, for a case whose expected
// output holds warnings only, exit 0 with its "ok" line. A case is NAME.model (with NAME.csv as its data if there is
// one), or NAME.args: the arguments after `check`, for cases that share a
// model or a CSV or need options. To add a case, add its files.
#include "tests/support/run_binary.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it


#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path const corpus = fs::path(BBVI_SOURCE_DIR) / "tests" / "bad";

using bbvi::testing::slurp;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<std::string> case_names() {
  std::set<std::string> names;
  for (auto const& entry : fs::directory_iterator(corpus)) {
    std::string const ext = entry.path().extension().string();
    if (ext == ".expected") names.insert(entry.path().stem().string());
  }
  return {names.begin(), names.end()};
}

std::string arguments_of(std::string const& name) {
  if (fs::exists(corpus / (name + ".args"))) return trimmed(slurp(corpus / (name + ".args")));
  std::string args = name + ".model";
  if (fs::exists(corpus / (name + ".csv"))) args += " " + name + ".csv";
  return args;
}

bbvi::testing::Run check(std::string const& arguments) { return bbvi::testing::run_binary("check " + arguments, corpus); }

}  // namespace

TEST_CASE("the corpus of bad inputs is large enough to mean something") {
  CHECK(case_names().size() >= 60);
}

TEST_CASE("bad inputs: each case of tests/bad prints exactly its expected diagnostics") {
  std::vector<std::string> const names = case_names();
  std::string const name = GENERATE_COPY(from_range(names));
  std::string const arguments = arguments_of(name);
  INFO("bbvi-ppl check " << arguments);
  std::string const expected = slurp(corpus / (name + ".expected"));
  bbvi::testing::Run const r = check(arguments);
  CHECK(r.err == expected);
  if (expected.find(": error: ") != std::string::npos) {
    CHECK(r.status == 2);
    CHECK(r.out.empty());
  } else {
    CHECK(r.status == 0);
    CHECK(r.out.find(": ok\n") != std::string::npos);
  }
}
