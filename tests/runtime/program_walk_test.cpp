// tests program_walk.hpp: element k of an expression, resolved through
// locals, indices and reductions, for any analysis.
#include "runtime/program_walk.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace bbvi;

namespace {

// The model block's Factor for `name`.
Factor const& factor_of(Program const& p, std::string const& name) {
  for (Statement const& st : p.model)
    if (auto const* f = std::get_if<Factor>(&st); f && f->lhs_name == name) return *f;
  throw std::logic_error("no factor for " + name);
}

// (leaf, element) pairs read by element k of n.
std::set<std::pair<std::size_t, std::size_t>> leaves_read(ProgramWalk const& walk, Node const& n, std::size_t k) {
  std::set<std::pair<std::size_t, std::size_t>> read;
  walk.visit_leaves(n, k, [&](std::size_t leaf, std::size_t element) { read.emplace(leaf, element); });
  return read;
}

// How many leaf elements element k of an expression reads, counted with
// repeats: an analysis with a result of its own.
struct CountLeaves {
  using Result = int;
  int leaf(std::size_t, std::size_t) const { return 1; }
  int other() const { return 0; }
  void gather(int& so_far, int next) const { so_far += next; }
  template <typename Operand>
  int combine(Node const& n, Operand const& operand) const {
    int total = 0;
    for (std::size_t i = 0; i < n.args.size(); ++i) total += operand(i);
    return total;
  }
};

std::string const source = R"(
data { int g[N]; real y[N]; real z[N]; }
latent { real mu; real theta[3]; }
model {
  mu ~ Normal(0, 1);
  real shifted[3] = theta + mu;
  theta ~ Normal(0, 1);
  y ~ Normal(shifted[g] + theta[2], 1);
  z ~ Normal(sum(shifted) * mean(theta), 1);
}
guide {
  real m; real<lower=0> s; real c[3];
  real twice[3] = 2 * c;
  mu ~ Normal(m, s);
  theta ~ Normal(twice, exp(s));
}
)";

}  // namespace

TEST_CASE("program walk: element k follows a data index into a local, and a constant index into a latent") {
  data::CsvTable const table = data::CsvTable::from_text("g,y,z\n3,0.5,2\n1,1.0,3\n", "groups.csv");
  Program const p = testing::compile_model(source, &table);
  ProgramWalk const model = ProgramWalk::of_model(p);
  Node const& mean = factor_of(p, "y").args[0];  // shifted[g] + theta[2]
  // Row 1: g = 3, so shifted[3] = theta[3] + mu; and theta[2]. Latent
  // elements: mu is 0, theta[j] is j.
  using Read = std::set<std::pair<std::size_t, std::size_t>>;
  CHECK(leaves_read(model, mean, 0) == Read{{0, 0}, {1, 3}, {1, 2}});
  CHECK(leaves_read(model, mean, 1) == Read{{0, 0}, {1, 1}, {1, 2}});  // g = 1
}

TEST_CASE("program walk: sum and mean read every element of their argument, and a scalar operand its only one") {
  data::CsvTable const table = data::CsvTable::from_text("g,y,z\n3,0.5,2\n1,1.0,3\n", "groups.csv");
  Program const p = testing::compile_model(source, &table);
  ProgramWalk const model = ProgramWalk::of_model(p);
  Node const& location = factor_of(p, "z").args[0];  // sum(shifted) * mean(theta)
  CountLeaves count;
  // sum(shifted): theta[j] and mu for each of 3 elements; mean(theta): 3.
  CHECK(model.operand(location, 0, count) == 9);
  CHECK(model.operand(location, 2, count) == 9);  // a scalar: element 2 is element 0
}

TEST_CASE("program walk: in the guide, the leaves are the parameters, through the guide's locals") {
  data::CsvTable const table = data::CsvTable::from_text("g,y,z\n3,0.5,2\n1,1.0,3\n", "groups.csv");
  Program const p = testing::compile_model(source, &table);
  ProgramWalk const guide = ProgramWalk::of_guide(p);
  Factor const& theta = std::get<Factor>(p.guide.back());
  using Read = std::set<std::pair<std::size_t, std::size_t>>;
  // twice[2] = 2 * c[2]: parameter c (the third) at u index 2 + 1; exp(s): s at 1.
  CHECK(leaves_read(guide, theta.args[0], 1) == Read{{2, 3}});
  CHECK(leaves_read(guide, theta.args[1], 1) == Read{{1, 1}});
}
