// A step that lands where the model cannot be evaluated is taken back and
// retried shorter; trouble at the starting point, or trouble that no shorter
// step avoids, ends the fit with a message naming the statement, the draw and
// the guide's parameters.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

using namespace bbvi;

namespace {

// mu's prior is flat on (−10, 10) and the data sit at 9: with no trust
// region, steps of 1.9 natural gradients overshoot the optimum by 0.9 of the
// distance, so from mu = 0 the first steps land far past 10, where every
// draw is outside the prior's support. Without the retry the fit would end
// there.
std::string const bounded = R"(
data { real x[N]; }
latent { real mu; }
model { mu ~ Uniform(-10, 10); x ~ Normal(mu, 1); }
guide { real m = 0; real<lower=0> s = 0.5; mu ~ Normal(m, s); }
)";

std::vector<double> const near_the_bound = {8.5, 9.5, 9.0, 8.8, 9.2, 9.1, 8.9, 9.0, 9.3, 8.7};

}  // namespace

TEST_CASE("numerical trouble: a step out of the support is taken back and the fit goes on") {
  data::CsvTable const table = testing::column_table("x", near_the_bound);
  Program const program = testing::compile_model(bounded, &table);
  FitOptions options;
  options.step_size = 1.9;
  options.trust_region = 1e9;
  options.max_iterations = 3000;
  FitResult const r = fit(program, options);
  double const m = constrained_parameters(program, r.u)[0][0];
  double const mean = std::accumulate(near_the_bound.begin(), near_the_bound.end(), 0.0) / 10;
  // The exact posterior is Normal(mean, 1/√10) truncated 3 sd away: its mean
  // is mean to 1e-3.
  INFO("m " << m << " s " << constrained_parameters(program, r.u)[1][0] << " after " << r.iterations << " converged " << r.converged);
  CHECK(m == Approx(mean).margin(0.05));
}

TEST_CASE("numerical trouble: AdaGrad and Adam take back a step out of the support as the natural gradient does") {
  data::CsvTable const table = testing::column_table("x", near_the_bound);
  Program const program = testing::compile_model(bounded, &table);
  double const mean = std::accumulate(near_the_bound.begin(), near_the_bound.end(), 0.0) / 10;
  // AdaGrad's first step moves m by η whatever the gradient's size: to 15,
  // where no draw is in the prior's support.
  FitOptions adagrad;
  adagrad.method = Method::adagrad;
  adagrad.step_size = 15;
  adagrad.max_iterations = 300;
  FitResult const a = fit(program, adagrad);
  double const m = constrained_parameters(program, a.u)[0][0];
  INFO("adagrad: m " << m);
  CHECK(m > 0);
  CHECK(m < 10);
  // Adam at η = 1 overshoots past 10 on its way to the data.
  FitOptions adam;
  adam.method = Method::adam;
  adam.step_size = 1;
  adam.max_iterations = 300;
  FitResult const b = fit(program, adam);
  std::vector<std::vector<double>> const q = constrained_parameters(program, b.u);
  INFO("adam: m " << q[0][0] << " s " << q[1][0]);
  // The posterior: Normal(mean, 1/√10), truncated 3 sd away; Adam's constant
  // step leaves m and s noisy by about η·10⁻³.
  CHECK(q[0][0] == Approx(mean).margin(0.05));
  CHECK(q[1][0] == Approx(1 / std::sqrt(10.0)).margin(0.03));
}

TEST_CASE("numerical trouble at the starting point ends the fit with the statement, draw and parameters") {
  data::CsvTable const table = testing::column_table("x", near_the_bound);
  std::string source = bounded;
  source.replace(source.find("s = 0.5"), 7, "s = 50");  // half the first draws are outside (−10, 10)
  Program const program = testing::compile_model(source, &table);
  try {
    fit(program, FitOptions{});
    FAIL("the fit went on");
  } catch (NumericalError const& e) {
    std::string const& message = e.diagnostic().message;
    INFO(message);
    CHECK(e.diagnostic().pos.line == 4);  // mu ~ Uniform(-10, 10)
    CHECK(message.find("the log density of mu under Uniform is -inf") != std::string::npos);
    CHECK(message.find("guide parameters: m = 0, s = 50") != std::string::npos);
  }
}
