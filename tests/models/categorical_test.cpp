// Categorical(theta) in the model: an observed column and a latent under a
// theta that is softmax of a latent vector, read whole (one theta for every
// row), against the log joint written out by hand; and the Markov blankets
// see every element of theta read by every row.
#include "runtime/bbvi/blankets.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace bbvi;

TEST_CASE("categorical: an observed column and a latent under softmax of a latent vector, by hand") {
  data::CsvTable const table = testing::column_table("y", {1, 3, 3, 2});
  Program const program = testing::compile_model(R"(
data { int y[N]; }
latent {
  real v[3];
  int<lower=1, upper=3> z;
}
model {
  v ~ Normal(0, 1);
  y ~ Categorical(softmax(v));
  z ~ Categorical(softmax(v));
}
guide {
  real m[3] = 0;
  simplex[3] p;
  v ~ Normal(m, 1);
  z ~ Categorical(p);
}
)",
                                                 &table);
  std::vector<double> const v{0.4, -1.0, 0.9};
  double const norm = std::exp(0.4) + std::exp(-1.0) + std::exp(0.9);
  double const log_theta[3] = {0.4 - std::log(norm), -1.0 - std::log(norm), 0.9 - std::log(norm)};
  double expected = 0;
  for (double x : v) expected += -0.5 * x * x - 0.5 * std::log(2 * M_PI);
  for (int y : {1, 3, 3, 2}) expected += log_theta[y - 1];
  expected += log_theta[2 - 1];  // z = 2
  CHECK(log_joint(program, {v[0], v[1], v[2], 2.0}) == Approx(expected).epsilon(1e-13));
  // A value outside 1..3 has probability 0.
  CHECK(log_joint(program, {v[0], v[1], v[2], 4.0}) == -std::numeric_limits<double>::infinity());

  // Every row of the column, and z's prior, read all of v: one group per
  // element of v, each in both terms; z's own group in its prior.
  Blankets const b = find_blankets(program);
  REQUIRE(b.groups.size() == 4);
  for (std::size_t g = 0; g < 3; ++g) {
    CHECK(std::find(b.terms[1].groups.begin(), b.terms[1].groups.end(), static_cast<int>(g)) !=
          b.terms[1].groups.end());
    CHECK(std::find(b.terms[2].groups.begin(), b.terms[2].groups.end(), static_cast<int>(g)) !=
          b.terms[2].groups.end());
  }
  CHECK(b.terms[1].uniform);  // the same theta for every row
}
