// docs/adding-a-distribution.md walks through Weibull "as it ships": each
// piece of code and each table row it shows must be in the file it says it
// goes in, so that following the page gives what the repository has.
// (language_doc_examples_test.cpp checks its model; language_doc_test.cpp
// the language reference's table against the registry.)
#include "tests/support/run_binary.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <sstream>
#include <string>
#include <vector>

namespace {

std::string source(std::string const& relative) {
  return bbvi::testing::slurp(std::string(BBVI_SOURCE_DIR) + "/" + relative);
}

// The fenced code blocks of the page, in order, each with its language.
std::vector<std::pair<std::string, std::string>> code_blocks(std::string const& markdown) {
  std::vector<std::pair<std::string, std::string>> blocks;
  std::istringstream lines(markdown);
  bool open = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("```", 0) == 0) {
      if (!open) blocks.emplace_back(line.substr(3), "");
      open = !open;
    } else if (open) {
      blocks.back().second += line + "\n";
    }
  }
  return blocks;
}

std::string trimmed(std::string const& s) {
  std::size_t const first = s.find_first_not_of(" \n"), last = s.find_last_not_of(" \n");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

}  // namespace

TEST_CASE("adding-a-distribution.md: the code and rows it shows are where it says they go") {
  auto const blocks = code_blocks(source("docs/adding-a-distribution.md"));
  REQUIRE(blocks.size() >= 8);
  // 1. The header, whole.
  CHECK(blocks[0].first == "cpp");
  CHECK(blocks[0].second == source("runtime/distributions/weibull.hpp"));
  // 2. The registry's include and line.
  std::string const registry = source("runtime/registry.cpp");
  CHECK(blocks[1].second.find("#include \"runtime/distributions/weibull.hpp\"") != std::string::npos);
  CHECK(registry.find("#include \"runtime/distributions/weibull.hpp\"\n") != std::string::npos);
  CHECK(registry.find("  table.add<Weibull>();\n") != std::string::npos);
  // 3. The rows of the two tables, as the page gives them.
  CHECK(source("docs/language.md").find(trimmed(blocks[2].second) + "\n") != std::string::npos);
  CHECK(source("docs/distributions.md").find(trimmed(blocks[3].second) + "\n") != std::string::npos);
  // 4. The densities test: the include, and the check inside a loop over points.
  std::string const densities = source("tests/runtime/densities_test.cpp");
  CHECK(densities.find(trimmed(blocks[5].second) + "\n") != std::string::npos);
  std::string const check = trimmed(blocks[6].second.substr(blocks[6].second.find('\n') + 1));
  CHECK(check.rfind("CHECK(Weibull::log_density(x, 1.5, 2.0)", 0) == 0);
  CHECK(densities.find(check) != std::string::npos);
  CHECK(trimmed(blocks[6].second).rfind("for (double x : {", 0) == 0);  // a whole statement with its loop
}
