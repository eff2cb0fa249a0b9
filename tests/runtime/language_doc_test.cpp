// docs/language.md against the code it documents: every distribution of the
// registry with its parameters as the registry spells them, and its support as
// the checker spells it; every function of grammar/functions.hpp; every
// reserved word; the nesting limits with their messages. A distribution, a
// function or a limit added to the code without the reference fails here.
// (tests/e2e/language_doc_examples_test.cpp runs the reference's examples.)
#include "grammar/functions.hpp"
#include "grammar/keywords.hpp"
#include "grammar/nesting.hpp"
#include "core/support.hpp"
#include "runtime/registry.hpp"
#include "tests/support/source_file.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::string const& language_doc() {
  static std::string const text = bbvi::testing::read_source_file("docs/language.md");
  return text;
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Whether `text` occurs in `doc` as a whole word at its start: `sum(` in
// "`sum(v)`" but not in "log_density_sum(".
bool mentions(std::string_view doc, std::string_view text) {
  for (std::size_t at = doc.find(text); at != std::string_view::npos; at = doc.find(text, at + 1))
    if (at == 0 || !is_name_char(doc[at - 1])) return true;
  return false;
}

// "Normal(mean, sd)", as the registry spells it.
std::string signature_of(bbvi::DistributionEntry const& d) {
  std::string s = d.signature.name + "(";
  for (std::size_t i = 0; i < d.signature.parameters.size(); ++i)
    s += (i > 0 ? ", " : "") + d.signature.parameters[i];
  return s + ")";
}

// The lines of the doc that start a table row with `text` in code quotes.
std::vector<std::string> table_rows_of(std::string const& text) {
  std::vector<std::string> rows;
  std::istringstream lines(language_doc());
  std::string const start = "| `" + text + "`";
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(start, 0) == 0) rows.push_back(line);
  return rows;
}

}  // namespace

TEST_CASE("docs/language.md exists and is the language reference") {
  REQUIRE_FALSE(language_doc().empty());
  CHECK(mentions(language_doc(), "# The .model language"));
}

TEST_CASE("docs/language.md names every distribution of the registry with its parameters") {
  auto const all = bbvi::distributions().all();
  REQUIRE(all.size() >= 15);
  for (bbvi::DistributionEntry const* d : all) {
    std::string const signature = signature_of(*d);
    INFO("docs/language.md should mention `" << signature << "`");
    CHECK(mentions(language_doc(), signature));
  }
}

TEST_CASE("docs/language.md's distribution table gives each support as the checker spells it") {
  for (bbvi::DistributionEntry const* d : bbvi::distributions().all()) {
    std::string const signature = signature_of(*d);
    std::vector<std::string> const rows = table_rows_of(signature);
    INFO("the table of distributions should have one row starting | `" << signature << "` |");
    REQUIRE(rows.size() == 1);
    std::string const support = "`" + std::string(bbvi::support_spelling(d->signature.support)) + "`";
    INFO("and that row should give the support " << support << ": " << rows.front());
    CHECK(rows.front().find(support) != std::string::npos);
  }
}

TEST_CASE("docs/language.md mentions every function of the language as a call") {
  for (bbvi::FunctionSignature const& f : bbvi::functions) {
    std::string const call = std::string(f.name) + "(";
    INFO("docs/language.md should mention " << call << "…)");
    CHECK(mentions(language_doc(), call));
  }
}

TEST_CASE("docs/language.md lists every reserved word") {
  for (std::string_view word : bbvi::grammar::keywords) {
    std::string const quoted = "`" + std::string(word) + "`";
    INFO("docs/language.md should list " << quoted);
    CHECK(mentions(language_doc(), quoted));
  }
}

TEST_CASE("docs/language.md states the nesting limits the parser enforces") {
  using namespace bbvi::grammar;
  for (std::string const& message :
       {"brackets nest more than " + std::to_string(max_bracket_depth) + " deep",
        "more than " + std::to_string(max_unary_chain) + " '^' and unary signs in one chain",
        "this expression nests more than " + std::to_string(max_expression_height) + " operations deep"}) {
    INFO("docs/language.md should quote the message: " << message);
    CHECK(mentions(language_doc(), message));
  }
}
