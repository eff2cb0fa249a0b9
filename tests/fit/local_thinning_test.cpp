// A local colour whose points cost more than a draw's log-joint (a
// changepoint's period inside a density, every period evaluating every
// row) is taken at some of an iteration's draws only (local_cost.hpp): at
// those it gives what every draw gives, its mean over them is unbiased, and
// the covariance it claims is the spread its mean has from iteration to
// iteration.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/estimators/estimator.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/local_cost.hpp"
#include "runtime/bbvi/local_expectation.hpp"
#include "runtime/bbvi/regression.hpp"
#include "core/parallel.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/source_file.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

// 40 periods of counts, the rate falling from about 3 to about 1 at period 25.
data::CsvTable changepoint_table() {
  std::vector<int> const y = {4, 2, 3, 5, 1, 3, 2, 4, 3, 2, 6, 3, 1, 2, 4, 3, 3, 5, 2, 3,
                              2, 4, 1, 3, 1, 0, 2, 1, 0, 1, 1, 2, 0, 1, 1, 0, 2, 1, 1, 0};
  std::string csv = "y,t\n";
  for (std::size_t i = 0; i < y.size(); ++i) csv += std::to_string(y[i]) + "," + std::to_string(i + 1) + "\n";
  return data::CsvTable::from_text(csv, "changepoint.csv");
}

// The plan's one colour whose points may be thinned.
std::size_t thinnable_colour(LocalPlan const& plan) {
  std::size_t found = plan.colours.size();
  for (std::size_t c = 0; c < plan.colours.size(); ++c)
    if (plan.terms_per_point[c] > 0) {
      CHECK(found == plan.colours.size());
      found = c;
    }
  REQUIRE(found < plan.colours.size());
  return found;
}

// The shipped changepoint model on those counts, its likelihood added as a
// density: a row that reads tau inside a density call is evaluated at each
// of tau's points (the shipped model's rows each take one of two values,
// local_rows.hpp), so tau's colour costs about 40 draws' terms a draw.
std::string changepoint_as_a_density() {
  std::string model = testing::read_source_file("models/changepoint.model");
  std::string const written = "y ~ Poisson(t < tau ? e : l);";
  std::size_t const at = model.find(written);
  REQUIRE(at != std::string::npos);
  return model.replace(at, written.size(), "target += Poisson_lpmf(y | t < tau ? e : l);");
}

struct ChangepointPlan {
  data::CsvTable table = changepoint_table();
  Program program = testing::compile_model(changepoint_as_a_density(), &table);
  Blankets blankets = find_blankets(program);
  LocalPlan plan = plan_local(program, blankets);
  std::size_t tau = thinnable_colour(plan);  // τ's colour
  std::size_t group = plan.colours[tau][0];  // τ's place among plan.groups
};

}  // namespace

TEST_CASE("local thinning: a costly colour is taken at some draws, which give what every draw gives, the rest zero") {
  ChangepointPlan const cp;
  Program const& program = cp.program;
  Blankets const& blankets = cp.blankets;
  LocalPlan const& plan = cp.plan;
  std::size_t const tau = cp.tau, i = cp.group;
  CHECK(plan.terms_per_draw == 43);        // 40 rows and 3 priors
  CHECK(plan.terms_per_point[tau] == 41);  // its prior and the rows

  int const S = 32;
  std::vector<std::size_t> wanted(plan.colours.size(), 1);
  WorkerPool pool(2);
  Eigen::VectorXd const u = initial_parameters(program);
  Draws const every = draw(program, u, S, 5, 1, pool, {&blankets, &plan, nullptr, false});
  Draws const some = draw(program, u, S, 5, 1, pool, {&blankets, &plan, nullptr, false, false, &wanted});
  // 40 points a draw cost 38 draws' terms: the colour keeps the fewest draws.
  REQUIRE(some.local.stride[i] == static_cast<std::size_t>(S) / fewest_local_draws);
  REQUIRE(every.local.stride[i] == 1);
  std::vector<Eigen::Index> const taken = draws_taken(S, some.local.stride[i]);
  CHECK(taken.size() == fewest_local_draws);
  CHECK(some.evaluations == every.evaluations - (S - static_cast<long>(taken.size())) * 40);
  for (Eigen::Index c : blankets.groups[static_cast<std::size_t>(plan.groups[i])].coordinates)
    for (Eigen::Index s = 0; s < S; ++s) {
      CAPTURE(c, s);
      bool const is_taken = s % static_cast<Eigen::Index>(some.local.stride[i]) == 0;
      CHECK(some.local.gradients(s, c) == (is_taken ? every.local.gradients(s, c) : 0.0));
    }

  // Asked for every draw, or under an optimiser that reads no noise test
  // (no `wanted`), nothing is thinned.
  std::vector<std::size_t> const all(plan.colours.size(), S);
  Draws const asked_all = draw(program, u, S, 5, 1, pool, {&blankets, &plan, nullptr, false, false, &all});
  CHECK(asked_all.local.stride[i] == 1);
  CHECK(asked_all.evaluations == every.evaluations);
}

TEST_CASE("local thinning: a colour whose points cost less than a draw's log-joint is taken at every draw") {
  // s's blanket is its prior and mu's: 2 terms at each of 10 points. A draw
  // evaluates 30 rows of y's Poisson besides.
  std::string csv = "x,y\n";
  for (int k = 0; k < 30; ++k) csv += std::to_string(0.1 * k) + "," + std::to_string(k % 4) + "\n";
  data::CsvTable const table = data::CsvTable::from_text(csv, "cheap.csv");
  Program const program = testing::compile_model(R"(
    data { real x[N]; int<lower=0> y[N]; }
    latent { real mu; real<lower=0> s; }
    model { s ~ HalfNormal(2); mu ~ StudentT(3, 0, s); y ~ Poisson(exp(mu + x)); }
    guide {
      real m = 0; real<lower=0> m_sd = 1; mu ~ Normal(m, m_sd);
      real s_log = 0; real<lower=0> s_log_sd = 0.5; s ~ LogNormal(s_log, s_log_sd);
    }
  )",
                                                 &table);
  Blankets const blankets = find_blankets(program);
  LocalPlan const plan = plan_local(program, blankets);
  REQUIRE(plan.groups.size() == 1);  // s alone: mu's blanket is not a polynomial in it
  CHECK(plan.terms_per_draw == 32);
  CHECK(plan.terms_per_point[0] == 2);
  std::vector<std::size_t> const wanted(plan.colours.size(), 1);
  WorkerPool pool(1);
  Draws const d = draw(program, initial_parameters(program), 24, 2, 1, pool,
                       {&blankets, &plan, nullptr, false, false, &wanted});
  CHECK(d.local.stride[0] == 1);
}

TEST_CASE("local thinning: the mean over the taken draws is unbiased, and the covariance it claims is its spread") {
  ChangepointPlan const cp;
  Program const& program = cp.program;
  Blankets const& blankets = cp.blankets;
  std::size_t const i = cp.group;
  std::vector<Eigen::Index> const& coordinates =
      blankets.groups[static_cast<std::size_t>(cp.plan.groups[i])].coordinates;
  Eigen::Index const P = static_cast<Eigen::Index>(coordinates.size());

  int const S = 32, R = 400;
  std::vector<std::size_t> const wanted(cp.plan.colours.size(), 1);
  WorkerPool pool(2);
  Eigen::VectorXd const u = initial_parameters(program);
  // The default estimator's gradient and covariance are those of the taken
  // draws.
  std::unique_ptr<GradientEstimator> const estimator = estimator_named("local")->make({program, blankets});
  DrawNeeds every_draw = estimator->needs(), some_draws = every_draw;
  every_draw.local_draws = nullptr;
  some_draws.local_draws = &wanted;
  // Iteration by iteration: the thinned mean less every draw's (the same
  // draws' streams, so most of their noise cancels), the thinned mean, and
  // the variance of it that its draws claim.
  Eigen::MatrixXd difference(R, P), thinned(R, P), claimed(R, P);
  for (int r = 0; r < R; ++r) {
    auto const iteration = static_cast<std::uint64_t>(r + 1);
    Draws const every = draw(program, u, S, 9, iteration, pool, every_draw);
    Draws const some = draw(program, u, S, 9, iteration, pool, some_draws);
    std::vector<Eigen::Index> const taken = draws_taken(S, some.local.stride[i]);
    REQUIRE(taken.size() == fewest_local_draws);
    Eigen::MatrixXd const rows = some.local.gradients(taken, coordinates);
    Eigen::RowVectorXd const mean = rows.colwise().mean();
    thinned.row(r) = mean;
    difference.row(r) = mean - every.local.gradients(Eigen::all, coordinates).colwise().mean();
    double const m = static_cast<double>(taken.size());
    claimed.row(r) = (rows.rowwise() - mean).array().square().colwise().sum() / (m * (m - 1));
    GradientEstimate const e = estimator->estimate(some);
    Eigen::VectorXd const variance = e.covariance.diagonal();
    for (Eigen::Index c = 0; c < P; ++c) {
      CHECK(e.gradient[coordinates[static_cast<std::size_t>(c)]] == Approx(mean[c]).epsilon(1e-12).margin(1e-300));
      CHECK(variance[coordinates[static_cast<std::size_t>(c)]] == Approx(claimed(r, c)).epsilon(1e-9).margin(1e-300));
    }
    CHECK(e.dof <= m - 1);
  }
  // The periods near the change carry the gradient; far from it, q's
  // points there are nearly identical draw to draw. Each coordinate whose
  // spread is not negligible:
  int checked = 0;
  for (Eigen::Index c = 0; c < P; ++c) {
    Eigen::VectorXd const x = thinned.col(c);
    double const spread = (x.array() - x.mean()).square().sum() / (R - 1);
    if (!(spread > 1e-12)) continue;
    ++checked;
    CAPTURE(c, spread);
    // Unbiased: the mean difference within 4.5 of its standard errors
    // (R = 400 iterations, every coordinate tested: a 1-in-10⁵ chance each).
    Eigen::VectorXd const dc = difference.col(c);
    double const dc_sd = std::sqrt((dc.array() - dc.mean()).square().sum() / (R - 1) / R);
    CHECK(std::abs(dc.mean()) < 4.5 * dc_sd);
    // Honest: the mean claimed variance against the spread across
    // iterations. Each claim has 3 degrees of freedom; over 400 iterations,
    // both sides are good to about 10%, heavier-tailed terms making it
    // worse: a factor 1.6 either way is about 5 of those errors.
    double const claim = claimed.col(c).mean();
    CHECK(claim / spread > 1 / 1.6);
    CHECK(claim / spread < 1.6);
  }
  CHECK(checked >= 5);
}

namespace {

// Over `R` iterations at the fitted guide, those after which the default
// estimator wants each of `program`'s costly colours at none of the draws
// (local_draws_wanted), summed over the colours.
int taken_at_none(Program const& program, int R) {
  FitResult const fitted = testing::fit_on_seed(program, 1);
  Blankets const blankets = find_blankets(program);
  LocalPlan const plan = plan_local(program, blankets);
  std::unique_ptr<GradientEstimator> const estimator = estimator_named("local")->make({program, blankets});
  WorkerPool pool(1);
  int none = 0;
  for (int r = 0; r < R; ++r) {
    Draws const d = draw(program, fitted.u, fitted.settings.samples, 3, static_cast<std::uint64_t>(r + 1), pool,
                         estimator->needs());
    estimator->estimate(d);
    estimator->end_iteration();
    std::vector<std::size_t> const* wanted = estimator->needs().local_draws;
    REQUIRE(wanted != nullptr);
    for (std::size_t c = 0; c < plan.colours.size(); ++c)
      if (plan.terms_per_point[c] > 0 && (*wanted)[c] == 0) ++none;
  }
  return none;
}

}  // namespace

TEST_CASE("local thinning: a costly colour the regression estimates as well as it does the others is taken at none of the draws") {
  // mixture's sigma inside log_mix: its points evaluate every row, and near
  // the optimum the joint regression's noise for it, ½ tr(F Cov) of its
  // natural gradient, is a tenth to a half of the other groups' together.
  // Taken at none, it costs no evaluation, and its slopes are the joint
  // regression's.
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/mixture.csv");
  Program const mixture = testing::compile_model(testing::read_source_file("models/mixture.model"), &table);
  Blankets const blankets = find_blankets(mixture);
  LocalPlan const plan = plan_local(mixture, blankets);
  std::size_t const sigma = thinnable_colour(plan);
  REQUIRE(plan.colours[sigma].size() == 1);
  std::size_t const i = plan.colours[sigma][0];
  std::vector<Eigen::Index> const& coordinates =
      blankets.groups[static_cast<std::size_t>(plan.groups[i])].coordinates;
  int const S = 22;
  std::vector<std::size_t> none(plan.colours.size(), 1);
  none[sigma] = 0;
  WorkerPool pool(1);
  Eigen::VectorXd const u = initial_parameters(mixture);
  std::unique_ptr<GradientEstimator> const estimator = estimator_named("local")->make({mixture, blankets});
  DrawNeeds needs = estimator->needs();
  needs.local_draws = &none;
  Draws const at_none = draw(mixture, u, S, 5, 1, pool, needs);
  needs.local_draws = nullptr;
  Draws const every = draw(mixture, u, S, 5, 1, pool, needs);
  CHECK(at_none.local.stride[i] == 0);
  CHECK(at_none.evaluations < every.evaluations);
  CHECK(at_none.local.gradients(Eigen::all, coordinates).isZero(0));
  GradientEstimate const e = estimator->estimate(at_none);
  RegressionEstimate const joint = regress(at_none.scores, at_none.elbo_terms());
  for (Eigen::Index c : coordinates) CHECK(e.natural[c] == Approx(joint.slope[c]).epsilon(1e-9));
  // Near the optimum, after most iterations: at none.
  CHECK(taken_at_none(mixture, 40) >= 30);
}

TEST_CASE("local thinning: a costly colour whose regression is noisier than the rest of the step is always taken at some draws") {
  // A Student-t regression: nu's and sigma's noise under the regression is
  // hundreds of times that of a and b's sds (their locations, on the coupled
  // step, left out); taken at none they would make the fit many times
  // slower. 200 rows, x uncentred, heavy-tailed residuals.
  std::string csv = "x,y\n";
  for (int n = 0; n < 200; ++n) {
    double const x = 50 + 10 * std::sin(1.7 * n), u = std::fmod(0.6180339887 * (n + 1), 1.0);
    csv += std::to_string(x) + "," + std::to_string(1 + 0.3 * x + 0.8 * std::tan(3.0 * (u - 0.5))) + "\n";
  }
  data::CsvTable const table = data::CsvTable::from_text(csv, "robust.csv");
  Program const robust = testing::compile_model(testing::read_source_file("bench/robust_regression.model"), &table);
  CHECK(taken_at_none(robust, 40) == 0);
}
