// The default fit against the closed-form CAVI optimum (docs/method.md, 'The
// CAVI optimum'), on data
// generated here, never seen while the method was designed, at N = 10, 1,000
// and 100,000 with other hyperparameters set as --set would set them.
//
// Why KL < 0.01 is a fair bound and not a widened one: the stopping rule ends
// the fit only when the expected KL that the Monte-Carlo noise of the steps
// leaves in the iterate is below the tolerance (3e-4 nats), and the gradient is
// indistinguishable from noise at the 5% level. The KL of a fit is then about
// tolerance × χ²_P / P, far below 0.01; 0.01 nats is the product's promise.
// Measured while writing this (40 fits at N = 10, other seeds): at most 0.0035.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"
#include "tools/normal_gamma_data.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <utility>

using namespace bbvi;

namespace {

struct Case {
  std::size_t n;
  tools::NormalGammaPrior prior;
  std::uint64_t data_seed;
};

CompileOptions overrides_for(tools::NormalGammaPrior const& p) {
  CompileOptions o;
  o.overrides = {{"mu0", p.mu0}, {"lambda0", p.lambda0}, {"alpha0", p.alpha0}, {"beta0", p.beta0}};
  return o;
}

}  // namespace

TEST_CASE("natural gradient: the canonical guide reaches the CAVI optimum at N = 10, 1e3, 1e5, 1e6") {
  Case const cases[] = {
      {10, {0.0, 1.0, 1.0, 1.0}, 101},
      {1000, {2.0, 0.5, 3.0, 2.0}, 202},
      {100000, {-1.0, 4.0, 2.0, 0.5}, 303},
      {1000000, {0.5, 1.0, 2.0, 1.0}, 404},
  };
  std::string const source = testing::read_source_file("models/normal_gamma.model");
  for (Case const& c : cases) {
    std::vector<double> const x = tools::generate_normal_gamma(c.n, c.prior, c.data_seed);
    data::CsvTable const table = testing::column_table("x", x);
    Program const program = testing::compile_model(source, &table, overrides_for(c.prior));
    FitOptions options;
    options.seed = 17;
    FitResult const r = fit(program, options);
    auto const p = constrained_parameters(program, r.u);
    reference::NormalGammaGuide const fitted{p[0][0], p[1][0], p[2][0], p[3][0]};
    reference::NormalGammaGuide const optimum = reference::cavi_optimum(x, c.prior);
    double const kl = reference::kl_to(fitted, optimum);
    INFO("N = " << c.n << ": KL " << kl << " after " << r.iterations << " iterations");
    CHECK(r.converged);
    CHECK(kl < 0.01);
    // README.md, 'Measured': about 30 iterations from N = 10³ on; the
    // coupled step's trust region once made N = 10⁶ take 84.
    if (c.n >= 1000) CHECK(r.iterations <= 40);
    // The reported ELBO is a Monte-Carlo estimate of the fitted guide's ELBO:
    // within 5 of its own standard errors (plus rounding at large N).
    double const exact_elbo = reference::elbo(fitted, x, c.prior);
    CHECK(std::fabs(r.elbo - exact_elbo) < 5 * r.elbo_se + 1e-9 * std::fabs(exact_elbo));
  }
}

TEST_CASE("natural gradient: from a poor start, far from the data and over-confident, at N = 10, 1e3, 1e6") {
  // mu_N = 1000 with precision 1e6 (sd 0.001) while the data sit within a
  // few units of 0, and tau's guide Gamma(1000, 1) claims a precision of
  // 1000 ± 32: no tuning, the default options.
  std::string source = testing::read_source_file("models/normal_gamma.model");
  for (auto const& [from, to] : {std::pair<std::string, std::string>{"real mu_N = 0;", "real mu_N = 1000;"},
                                 {"lambda_N = 1;", "lambda_N = 1e6;"},
                                 {"alpha_N = 1;", "alpha_N = 1000;"}}) {
    REQUIRE(source.find(from) != std::string::npos);
    source.replace(source.find(from), from.size(), to);
  }
  tools::NormalGammaPrior const prior{0.0, 1.0, 1.0, 1.0};
  for (std::size_t n : {10, 1000, 1000000}) {
    std::vector<double> const x = tools::generate_normal_gamma(n, prior, 505 + n);
    data::CsvTable const table = testing::column_table("x", x);
    Program const program = testing::compile_model(source, &table);
    FitResult const r = fit(program, FitOptions{});
    auto const p = constrained_parameters(program, r.u);
    double const kl = reference::kl_to({p[0][0], p[1][0], p[2][0], p[3][0]}, reference::cavi_optimum(x, prior));
    INFO("N = " << n << ": KL " << kl << " after " << r.iterations << " iterations");
    CHECK(r.converged);
    CHECK(kl < 0.01);
  }
}

TEST_CASE("natural gradient: a model with other names, order and a standard-deviation guide") {
  // The same family written by someone else: the guide's mu factor takes a
  // standard deviation, parameters have no initial values, statements are
  // in another order, the data column has another name.
  std::string const source = R"(
data {
  real<lower=0> b0 = 1;  real<lower=0> a0 = 1;
  real y[N];
  real<lower=0> k0 = 1;  real m0 = 0;
}
latent { real<lower=0> precision; real location; }
model {
  y ~ Normal(location, 1 / sqrt(precision));
  location ~ Normal(m0, 1 / sqrt(k0 * precision));
  precision ~ Gamma(a0, b0);
}
guide {
  real<lower=0> shape;  real<lower=0> rate;
  real centre;          real<lower=0> spread;
  precision ~ Gamma(shape, rate);
  location ~ Normal(centre, spread);
}
)";
  tools::NormalGammaPrior const prior{0.0, 1.0, 1.0, 1.0};
  std::vector<double> const x = tools::generate_normal_gamma(1000, prior, 404);
  data::CsvTable const table = testing::column_table("y", x);
  Program const program = testing::compile_model(source, &table);
  FitOptions options;
  options.seed = 5;
  FitResult const r = fit(program, options);
  auto const p = constrained_parameters(program, r.u);  // shape, rate, centre, spread
  reference::NormalGammaGuide const fitted{p[2][0], 1 / (p[3][0] * p[3][0]), p[0][0], p[1][0]};
  double const kl = reference::kl_to(fitted, reference::cavi_optimum(x, prior));
  INFO("KL " << kl << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(kl < 0.01);
}

TEST_CASE("Algorithm 1 with AdaGrad runs and moves towards the optimum") {
  // No claim of convergence: it was measured still many nats away after
  // 20,000 iterations (docs/method.md, 'AdaGrad and Adam'). What it must do
  // is climb: the exact ELBO of its guide after 2,000 iterations is above
  // that of the initial guide.
  tools::NormalGammaPrior const prior{0.0, 1.0, 1.0, 1.0};
  std::vector<double> const x = tools::generate_normal_gamma(1000, prior, 505);
  data::CsvTable const table = testing::column_table("x", x);
  Program const program = testing::compile_model(testing::read_source_file("models/normal_gamma.model"), &table);
  FitOptions options;
  options.method = Method::adagrad;
  options.max_iterations = 2000;
  options.seed = 9;
  FitResult const r = fit(program, options);
  auto const start = constrained_parameters(program, initial_parameters(program));
  auto const end = constrained_parameters(program, r.u);
  auto const guide = [](auto const& p) { return reference::NormalGammaGuide{p[0][0], p[1][0], p[2][0], p[3][0]}; };
  reference::NormalGammaGuide const optimum = reference::cavi_optimum(x, prior);
  CHECK_FALSE(r.converged);
  CHECK(r.iterations == 2000);
  CHECK(reference::elbo(guide(end), x, prior) > reference::elbo(guide(start), x, prior));
  CHECK(reference::kl_to(guide(end), optimum) < reference::kl_to(guide(start), optimum));
}

TEST_CASE("natural gradient, Rao-Blackwellised per group: still reaches the optimum, in more iterations") {
  // On this model the blanket f makes the gradient noisier at the optimum
  // (docs/method.md, 'Markov blankets'); the fit must still get there, just slower.
  tools::NormalGammaPrior const prior{1.0, 2.0, 2.0, 1.0};
  std::vector<double> const x = tools::generate_normal_gamma(1000, prior, 606);
  data::CsvTable const table = testing::column_table("x", x);
  Program const program = testing::compile_model(testing::read_source_file("models/normal_gamma.model"), &table,
                                                 overrides_for(prior));
  FitOptions options;
  options.seed = 23;
  options.estimator = "regression-rb";
  FitResult const r = fit(program, options);
  auto const p = constrained_parameters(program, r.u);
  reference::NormalGammaGuide const fitted{p[0][0], p[1][0], p[2][0], p[3][0]};
  double const kl = reference::kl_to(fitted, reference::cavi_optimum(x, prior));
  INFO("KL " << kl << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(kl < 0.01);
}
