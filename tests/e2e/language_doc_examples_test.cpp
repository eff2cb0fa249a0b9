// Every complete model in docs/language.md, docs/tutorial.md and
// docs/adding-a-distribution.md (a ```stan
// block that holds "model {") passes `bbvi-ppl check`, so that the docs
// never show a model the binary rejects. Its data is the ```csv block that comes next in
// the document, if the next code block is one; otherwise three rows made up
// from the data block's column declarations (`real x[N];` gets 0.25, 0.5,
// 0.75; `int g[N];` gets 1). Fragments (no "model {") are not run.
// (tests/runtime/language_doc_test.cpp holds the reference to the registry.)
#include "tests/support/run_binary.hpp"
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using bbvi::testing::slurp;
namespace testing = bbvi::testing;

namespace {

struct CodeBlock {
  std::string language;  // what follows the opening ```, e.g. "stan"
  std::string text;
  int line = 0;  // of the opening fence, 1-based
};

// The fenced code blocks of a Markdown text, in order. A fence may be
// indented (inside a list item); the block's lines lose that indentation.
std::vector<CodeBlock> code_blocks(std::string const& markdown) {
  std::vector<CodeBlock> blocks;
  std::istringstream lines(markdown);
  std::string line;
  int number = 0;
  CodeBlock* open = nullptr;
  std::size_t indent = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::size_t const first = line.find_first_not_of(' ');
    bool const fence = first != std::string::npos && line.compare(first, 3, "```") == 0;
    if (!open) {
      if (!fence) continue;
      blocks.push_back({line.substr(first + 3), "", number});
      open = &blocks.back();
      indent = first;
    } else if (fence) {
      open = nullptr;
    } else {
      open->text += (line.size() >= indent ? line.substr(indent) : std::string()) + "\n";
    }
  }
  return blocks;
}

// The model with its comments (/* */, //, #) blanked out. (No <regex>: with
// the sanitizers, GCC 12 warns inside it, and warnings are errors.)
std::string without_comments(std::string model) {
  for (std::size_t at = 0; at < model.size(); ++at) {
    std::size_t end = at;
    if (model.compare(at, 2, "/*") == 0) end = std::min(model.size(), model.find("*/", at + 2) + 2);
    else if (model.compare(at, 2, "//") == 0 || model[at] == '#') end = model.find('\n', at);
    if (end == at) continue;
    if (end == std::string::npos || end < at) end = model.size();
    std::fill(model.begin() + static_cast<std::ptrdiff_t>(at), model.begin() + static_cast<std::ptrdiff_t>(end), ' ');
    at = end;
  }
  return model;
}

std::string trimmed(std::string const& s) {
  std::size_t const first = s.find_first_not_of(" \t\n");
  return first == std::string::npos ? "" : s.substr(first, s.find_last_not_of(" \t\n") - first + 1);
}

// Three rows for the data columns a model's data block declares
// (`real x[N];`, `int<lower=0> g[N];`), or an empty string when it declares
// none.
std::string made_up_csv(std::string const& model) {
  std::string const code = without_comments(model);
  // The block: the word `data`, then blanks, then its brace.
  std::size_t open = std::string::npos;
  for (std::size_t at = code.find("data"); at != std::string::npos; at = code.find("data", at + 1)) {
    bool const word_start = at == 0 || !(std::isalnum(static_cast<unsigned char>(code[at - 1])) || code[at - 1] == '_');
    std::size_t const brace = code.find_first_not_of(" \t\n", at + 4);
    if (word_start && brace != std::string::npos && code[brace] == '{') {
      open = brace;
      break;
    }
  }
  std::size_t const close = open == std::string::npos ? open : code.find('}', open);
  if (close == std::string::npos) return {};
  std::vector<std::string> names;
  std::vector<bool> integer;
  std::istringstream statements(code.substr(open + 1, close - open - 1));
  for (std::string statement; std::getline(statements, statement, ';');) {
    statement = trimmed(statement);
    bool const is_int = statement.rfind("int", 0) == 0, is_real = statement.rfind("real", 0) == 0;
    if (!is_int && !is_real) continue;
    std::string rest = statement.substr(is_int ? 3 : 4);
    if (std::size_t const bounds = rest.find('<'); bounds != std::string::npos && trimmed(rest.substr(0, bounds)).empty())
      rest = rest.substr(rest.find('>', bounds) + 1);
    rest = trimmed(rest);
    std::size_t const name_end = rest.find_first_of(" \t\n[=");
    if (name_end == std::string::npos) continue;
    std::string size = rest.substr(name_end);
    size.erase(std::remove_if(size.begin(), size.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n'; }),
               size.end());
    if (size != "[N]") continue;
    names.push_back(rest.substr(0, name_end));
    integer.push_back(is_int);
  }
  if (names.empty()) return {};
  std::string csv;
  for (std::size_t i = 0; i < names.size(); ++i) csv += (i > 0 ? "," : "") + names[i];
  csv += "\n";
  for (char const* value : {"0.25", "0.5", "0.75"}) {
    for (std::size_t i = 0; i < names.size(); ++i) csv += std::string(i > 0 ? "," : "") + (integer[i] ? "1" : value);
    csv += "\n";
  }
  return csv;
}

testing::Run check(fs::path const& directory, std::string const& arguments) {
  return testing::run_binary("check " + arguments, directory);
}

// Checks every complete model of docs/`doc`; returns how many there were.
int check_examples(std::string const& doc) {
  std::string const text = slurp(fs::path(BBVI_SOURCE_DIR) / "docs" / doc);
  REQUIRE_FALSE(text.empty());
  std::vector<CodeBlock> const blocks = code_blocks(text);
  fs::path const directory = bbvi::testing::scratch_dir() / "doc_examples";
  fs::create_directories(directory);
  int checked = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    CodeBlock const& block = blocks[i];
    if (block.language != "stan" || block.text.find("model {") == std::string::npos) continue;
    std::string const name = "example_line_" + std::to_string(block.line);
    std::ofstream(directory / (name + ".model")) << block.text;
    std::string csv = i + 1 < blocks.size() && blocks[i + 1].language == "csv" ? blocks[i + 1].text
                                                                              : made_up_csv(block.text);
    std::string arguments = name + ".model";
    if (!csv.empty()) {
      std::ofstream(directory / (name + ".csv")) << csv;
      arguments += " " + name + ".csv";
    }
    testing::Run const r = check(directory, arguments);
    INFO("the ```stan block at docs/" << doc << ":" << block.line << ":\n"
                                       << block.text << "\nwith data:\n"
                                       << csv << "\nbbvi-ppl check printed:\n"
                                       << r.out << r.err);
    CHECK(r.status == 0);
    CHECK(r.out.find(": ok") != std::string::npos);
    ++checked;
  }
  return checked;
}

}  // namespace

TEST_CASE("every complete model in docs/language.md, docs/tutorial.md and docs/adding-a-distribution.md passes "
          "bbvi-ppl check") {
  // The extraction itself: each document has at least this many complete examples.
  CHECK(check_examples("language.md") >= 8);
  CHECK(check_examples("tutorial.md") >= 3);
  CHECK(check_examples("adding-a-distribution.md") >= 1);
}
