// tests/grammar/bad_models_test.cpp replays tests/bad/*.model: each file's
// diagnostics, rendered, must equal its .expected file (as stanc3's
// test/integration/bad does). To add a case, add the pair of files.
#include "grammar/check.hpp"
#include "grammar/diagnostic.hpp"
#include "grammar/parse.hpp"
#include "tests/grammar/test_catalog.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

using namespace bbvi;

namespace {

std::filesystem::path const bad_models = std::filesystem::path(BBVI_SOURCE_DIR) / "tests" / "bad";

std::string read(std::filesystem::path const& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What `bbvi-ppl` would print for the file before it reads any data.
std::string diagnostics_of(std::string const& source, std::string const& file) {
  std::vector<Diagnostic> diagnostics;
  try {
    diagnostics = check_program(parse_program(source, file), test::small_catalog());
  } catch (DiagnosticError const& e) {
    diagnostics = e.diagnostics();
  }
  std::string out;
  for (Diagnostic const& d : diagnostics) out += render(d, source);
  return out;
}

std::vector<std::filesystem::path> model_files() {
  std::vector<std::filesystem::path> files;
  for (auto const& entry : std::filesystem::directory_iterator(bad_models))
    if (entry.path().extension() == ".model") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("bad models: each tests/bad/*.model gives exactly its .expected diagnostics") {
  std::vector<std::filesystem::path> const files = model_files();
  REQUIRE(files.size() >= 15);
  for (std::filesystem::path const& model : files) {
    std::string const name = model.filename().string();
    std::filesystem::path expected = model;
    expected.replace_extension(".expected");
    INFO(name);
    REQUIRE(std::filesystem::exists(expected));
    std::string const actual = diagnostics_of(read(model), name);
    CHECK_FALSE(actual.empty());
    CHECK(actual == read(expected));
  }
}
