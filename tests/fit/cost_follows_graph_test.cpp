// The default fit's cost follows the model's graph (docs/method.md, 'Cost
// follows the graph'): the draws an iteration takes, the log-joint
// evaluations each draw makes and the blocks of its matrices do not grow
// with the number of rows when each row has a latent of its own. Checked on
// the plan and one iteration's estimate, not with a timer.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/fit.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <cmath>
#include <string>

using namespace bbvi;

namespace {

// A two-component mixture written with a Bernoulli latent per row.
std::string const mixture = R"(
data { real y[N]; }
latent { real mu0; real mu1; real<lower=0, upper=1> w; int<lower=0, upper=1> z[N]; }
model {
  mu0 ~ Normal(-2, 5);
  mu1 ~ Normal(2, 5);
  w ~ Beta(1, 1);
  z ~ Bernoulli(w);
  y ~ Normal(mu0 + (mu1 - mu0) * z, 1);
}
guide {
  real m0 = -1; real<lower=0> s0 = 1; real m1 = 1; real<lower=0> s1 = 1;
  real<lower=0> wa = 1; real<lower=0> wb = 1; real<lower=0, upper=1> p[N] = 0.5;
  mu0 ~ Normal(m0, s0); mu1 ~ Normal(m1, s1); w ~ Beta(wa, wb); z ~ Bernoulli(p);
}
)";

Program mixture_of(int rows) {
  std::vector<double> y;
  for (int n = 0; n < rows; ++n) y.push_back((n % 5 < 2 ? -2.0 : 2.0) + std::sin(n));
  data::CsvTable const table = testing::column_table("y", y);
  return testing::compile_model(mixture, &table);
}

struct Cost {
  int samples = 0;
  std::size_t largest_block = 0;
  long evaluations_per_draw = 0;
  std::size_t largest_matrix_block = 0;  // of the estimate's covariance, Fisher and their inverses
};

Cost cost_of(Program const& program) {
  FitPlan plan = plan_fit(program, FitOptions{});
  Cost c;
  c.samples = plan.settings.samples;
  c.largest_block = plan.largest_block;
  WorkerPool pool(1);
  Eigen::VectorXd const u = initial_parameters(program);
  Draws const d = draw(program, u, c.samples, 1, 1, pool, plan.estimator->needs());
  c.evaluations_per_draw = d.evaluations / c.samples;
  GradientEstimate const e = plan.estimator->estimate(d);
  for (BlockDiagonal const* m : {&e.covariance, &e.natural_covariance, &e.fisher, &e.exact_fisher_inverse})
    for (std::size_t b = 0; b < m->block_count(); ++b)
      c.largest_matrix_block = std::max(c.largest_matrix_block, static_cast<std::size_t>(m->block(b).rows()));
  return c;
}

}  // namespace

TEST_CASE("cost follows the graph: a mixture with a Bernoulli per row, at 100 and 1,000 rows") {
  Program const small = mixture_of(100), large = mixture_of(1000);
  REQUIRE(large.parameter_dimension == 1006);
  Cost const a = cost_of(small), b = cost_of(large);
  // The weight w is not local: its slopes come from its own regression, 2
  // coordinates, where a joint regression on all P needed S > P + 1.
  CHECK(a.largest_block == 2);
  CHECK(b.largest_block == 2);
  CHECK(a.samples == 10);
  CHECK(b.samples == 10);
  // Each draw: its own evaluation, then the points of each colour (mu0,
  // mu1, and every z together), whatever the rows.
  CHECK(a.evaluations_per_draw == b.evaluations_per_draw);
  CHECK(b.evaluations_per_draw <= 10);
  // No P × P matrix: the largest block is a group's.
  CHECK(a.largest_matrix_block == 2);
  CHECK(b.largest_matrix_block == 2);
}

TEST_CASE("cost follows the graph: a small model keeps the joint regression, whose S grows with its P") {
  // With at most 64 parameters the groups that are not local share one
  // regression on every score (local.cpp): 6 + 4 here, S = 2P + 2.
  Program const tiny = mixture_of(4);
  REQUIRE(tiny.parameter_dimension == 10);
  Cost const c = cost_of(tiny);
  CHECK(c.largest_block == 10);
  CHECK(c.samples == 22);
}
