// The example families as someone else would write them: other names, other
// statement orders, other parameterisations of the same guide family. Each
// must reach the same exact posterior as the shipped example.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <catch2/catch.hpp>

using namespace bbvi;

TEST_CASE("a Poisson rate with a mean-parameterised Gamma guide, statements reversed") {
  std::string const source = R"(
data { int<lower=0> arrivals[N]; }
latent { real<lower=0> lambda; }
model {
  arrivals ~ Poisson(lambda);
  lambda ~ Gamma(3, 0.5);
}
guide {
  real<lower=0> k = 2;        # shape
  real<lower=0> average = 1;  # the guide's mean
  real<lower=0> r = k / average;  // a local: the rate, its bound checked
  lambda ~ Gamma(k, r);
}
)";
  data::CsvTable const table = data::CsvTable::from_text("arrivals\n4\n7\n2\n5\n5\n3\n", "arrivals.csv");
  Program const program = testing::compile_model(source, &table);
  FitResult const r = fit(program, FitOptions{});
  auto const p = constrained_parameters(program, r.u);  // k, average
  double const shape = 3 + 26, rate = 0.5 + 6;           // conjugate update
  double const kl = reference::kl_gamma(p[0][0], p[0][0] / p[1][0], shape, rate);
  INFO("KL " << kl << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}

TEST_CASE("a success probability from Binomial counts with varying trials") {
  std::string const source = R"(
data {
  int<lower=0> tries[N];
  int<lower=0> wins[N];
}
latent { real<lower=0, upper=1> theta; }
model {
  wins ~ Binomial(tries, theta);
  theta ~ Beta(2, 2);
}
guide {
  real<lower=0> alpha;
  real<lower=0> beta;
  theta ~ Beta(alpha, beta);
}
)";
  data::CsvTable const table = data::CsvTable::from_text("tries,wins\n10,3\n4,1\n7,4\n12,2\n", "wins.csv");
  Program const program = testing::compile_model(source, &table);
  FitResult const r = fit(program, FitOptions{});
  auto const p = constrained_parameters(program, r.u);
  double const kl = testing::kl_beta(p[0][0], p[1][0], 2 + 10, 2 + (33 - 10));  // Σwins = 10, Σtries = 33
  INFO("KL " << kl << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}
