// tests/grammar/check_cycles_test.cpp tests grammar/check_cycles.cpp: a
// cycle is searched for only among the variables that lie on one, so a long
// model without cycles costs no search (the messages are in check_test.cpp).
#include "grammar/checker.hpp"
#include "grammar/parse.hpp"
#include "tests/grammar/test_catalog.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <string>

using namespace bbvi;

namespace {

// z0 ~ Normal(0, 1); z_i ~ Normal(z_{i-1}, 1): each latent depends on all before it.
// With `closed`, z0 depends on the last one, and the whole chain is a cycle.
std::string chain(int n, bool closed) {
  std::string latent = "latent {\n", model = "model {\n", guide = "guide {\n";
  for (int i = 0; i < n; ++i) {
    std::string const k = std::to_string(i);
    latent += "  real z" + k + ";\n";
    model += "  z" + k + " ~ Normal(" + (i > 0 ? "z" + std::to_string(i - 1) : closed ? "z" + std::to_string(n - 1) : "0") +
             ", 1);\n";
    guide += "  z" + k + " ~ Normal(0, 1);\n";
  }
  return latent + "}\n" + model + "}\n" + guide + "}\n";
}

struct Checked {
  std::size_t steps;
  std::vector<Diagnostic> diagnostics;
};

Checked check_cycles_of(std::string const& source) {
  ast::Program const program = parse_program(source, "t.model");
  DistributionCatalog const catalog = test::small_catalog();
  checker::Checker c{program, catalog, {}, {}};
  checker::declare_symbols(c);
  checker::check_cycles(c);
  return {c.cycle_search_steps, std::move(c.diagnostics)};
}

}  // namespace

TEST_CASE("check_cycles: a chain of '~' without a cycle is not searched") {
  Checked const checked = check_cycles_of(chain(3000, false));
  CHECK(checked.diagnostics.empty());
  CHECK(checked.steps == 0);  // a search from every variable would look at n(n - 1)/2 parents
}

TEST_CASE("check_cycles: a chain closed into a cycle is found once") {
  Checked const checked = check_cycles_of(chain(4, true));
  REQUIRE(checked.diagnostics.size() == 1);
  CHECK(checked.diagnostics[0].message ==
        "the model's '~' statements form a cycle: 'z3' depends on 'z2', which depends on 'z1', which depends on "
        "'z0', which depends on 'z3'");
  CHECK(checked.steps > 0);
}
