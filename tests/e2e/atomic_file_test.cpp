// The result file is replaced whole or not at all: a reader never sees half a
// JSON document, and a failed write leaves the previous result in place.
#include "tools/bbvi-ppl/atomic_file.hpp"
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>


#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace {

fs::path scratch_dir() {
  fs::path const dir = bbvi::testing::scratch_dir() / "atomic";
  fs::create_directories(dir);
  return dir;
}

std::string slurp(fs::path const& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("write_file_atomically replaces a file whole and leaves no temporary behind") {
  fs::path const dir = scratch_dir();
  fs::path const target = dir / "result.json";
  std::ofstream(target) << "a previous, longer result\n";
  bbvi::cli::write_file_atomically(target.string(), "{}\n");
  CHECK(slurp(target) == "{}\n");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}) == 1);
  fs::remove_all(dir);
}

TEST_CASE("write_file_atomically that cannot write throws and leaves the old file as it was") {
  fs::path const dir = scratch_dir();
  fs::path const target = dir / "result.json";
  std::ofstream(target) << "previous\n";
  // A directory standing where the file should go: the rename fails.
  fs::path const blocked = dir / "blocked";
  fs::create_directories(blocked / "inside");
  CHECK_THROWS_AS(bbvi::cli::write_file_atomically(blocked.string(), "{}\n"), std::runtime_error);
  CHECK_THROWS_AS(bbvi::cli::write_file_atomically((dir / "missing" / "r.json").string(), "{}\n"),
                  std::runtime_error);
  CHECK(slurp(target) == "previous\n");
  CHECK(fs::is_directory(blocked / "inside"));
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}) == 2);  // result.json, blocked
  fs::remove_all(dir);
}
