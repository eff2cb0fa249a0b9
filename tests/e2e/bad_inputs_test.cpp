// Replays the corpus tests/bad/: each case, run as `bbvi-ppl check …` from
// inside that folder, must print exactly its NAME.expected on standard error,
// and exit 2 with nothing on standard output, or, for a case whose expected
// output holds warnings only, exit 0 with its "ok" line. A case is NAME.model (with NAME.csv as its data if there is
// one), or NAME.args: the arguments after `check`, for cases that share a
// model or a CSV or need options. To add a case, add its files.
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path const corpus = fs::path(BBVI_SOURCE_DIR) / "tests" / "bad";

std::string slurp(fs::path const& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

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

struct Run {
  int status = -1;
  std::string out, err;
};

Run check(std::string const& arguments) {
  fs::path const scratch = bbvi::testing::scratch_dir() / "bad";
  fs::create_directories(scratch);
  std::string const command = "cd '" + corpus.string() + "' && '" + BBVI_BINARY + "' check " + arguments + " >'" +
                              (scratch / "out").string() + "' 2>'" + (scratch / "err").string() + "'";
  int const raw = std::system(command.c_str());
  Run r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(scratch / "out");
  r.err = slurp(scratch / "err");
  return r;
}

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
  Run const r = check(arguments);
  CHECK(r.err == expected);
  if (expected.find(": error: ") != std::string::npos) {
    CHECK(r.status == 2);
    CHECK(r.out.empty());
  } else {
    CHECK(r.status == 0);
    CHECK(r.out.find(": ok\n") != std::string::npos);
  }
}
