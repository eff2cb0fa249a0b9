// tests/grammar/symbols_test.cpp tests grammar/symbols.hpp: lookups by name
// and by declaration, and that a lookup looks only at the symbols of its name
// (a model of n declarations is checked in O(n) looks, not O(n^2)).
#include "grammar/symbols.hpp"

#include "grammar/checker.hpp"
#include "grammar/parse.hpp"
#include "tests/grammar/test_catalog.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <deque>
#include <string>

using namespace bbvi;
using checker::Symbol;
using checker::SymbolKind;
using checker::SymbolTable;

namespace {

Symbol symbol(ast::Declaration const& d, SymbolKind kind, ast::BlockKind block, int order) {
  return Symbol{d.name, kind, &d, block, order};
}

}  // namespace

TEST_CASE("SymbolTable: a name means its own block's declaration first, then a global one") {
  std::deque<ast::Declaration> d(3);
  d[0].name = "a";
  d[1].name = "a";
  d[2].name = "b";
  SymbolTable table;
  table.add(symbol(d[0], SymbolKind::latent, ast::BlockKind::latent, 0));
  table.add(symbol(d[1], SymbolKind::model_local, ast::BlockKind::model, 1));
  table.add(symbol(d[2], SymbolKind::guide_local, ast::BlockKind::guide, 2));
  CHECK(table.find("a", ast::BlockKind::model)->declaration == &d[1]);
  CHECK(table.find("a", ast::BlockKind::guide)->declaration == &d[0]);
  CHECK(table.find("b", ast::BlockKind::model)->declaration == &d[2]);  // another block's: the caller says why not
  CHECK(table.find("c", ast::BlockKind::model) == nullptr);
  CHECK(table.find("N", ast::BlockKind::guide)->kind == SymbolKind::rows);
  CHECK(table.find_in_scope("b", ast::BlockKind::model) == nullptr);
  CHECK(table.find_in_scope("b", ast::BlockKind::guide)->declaration == &d[2]);
  CHECK(table.of(d[1])->block == ast::BlockKind::model);
  ast::Declaration const undeclared;
  CHECK(table.of(undeclared) == nullptr);
}

TEST_CASE("SymbolTable: a lookup looks at the symbols of its name only, however many there are") {
  int const n = 10000;
  std::deque<ast::Declaration> declarations(n);
  SymbolTable table;
  for (int i = 0; i < n; ++i) {
    declarations[static_cast<std::size_t>(i)].name = "c" + std::to_string(i);
    table.add(symbol(declarations[static_cast<std::size_t>(i)], SymbolKind::constant, ast::BlockKind::data, i));
  }
  std::size_t const before = table.symbols_examined();
  for (ast::Declaration const& d : declarations) {
    REQUIRE(table.find(d.name, ast::BlockKind::model)->declaration == &d);
    REQUIRE(table.find_in_scope(d.name, ast::BlockKind::data)->declaration == &d);
    REQUIRE(table.of(d)->declaration == &d);
  }
  // One symbol per lookup; a scan of the table would look at n per lookup.
  CHECK(table.symbols_examined() - before == 3 * static_cast<std::size_t>(n));
}

TEST_CASE("SymbolTable: checking a model of n declarations looks at O(n) symbols") {
  // Constants that each use the one before, latents with a prior and a guide
  // factor each, and their guide parameters: every rule of the checker runs.
  int const n = 2000;
  std::string data = "data {\n  real x[N];\n  real c0 = 1;\n", latent = "latent {\n", model = "model {\n",
              guide = "guide {\n";
  for (int i = 1; i < n; ++i) data += "  real c" + std::to_string(i) + " = c" + std::to_string(i - 1) + " + 1;\n";
  for (int i = 0; i < n; ++i) {
    std::string const k = std::to_string(i);
    latent += "  real z" + k + ";\n";
    model += "  z" + k + " ~ Normal(c" + k + ", 1);\n";
    guide += "  real m" + k + " = 0;\n  z" + k + " ~ Normal(m" + k + ", 1);\n";
  }
  model += "  x ~ Normal(z0, 1);\n";
  std::string const source = data + "}\n" + latent + "}\n" + model + "}\n" + guide + "}\n";
  ast::Program const program = parse_program(source, "t.model");
  DistributionCatalog const catalog = test::small_catalog();
  checker::Checker c{program, catalog, {}, {}};
  checker::run_rules(c);
  REQUIRE(c.diagnostics.empty());
  // 4n declarations and 3n name uses, each looked up a few times over the rules.
  CHECK(c.symbols.symbols_examined() <= 20 * static_cast<std::size_t>(n));
}
