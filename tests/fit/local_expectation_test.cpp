// Local expectation gradients' plan: which groups are taken by quadrature,
// how many points each needs (read from the program: as few as make the
// rule exact), and that those few points give what many give.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/local_expectation.hpp"
#include "core/parallel.hpp"
#include "runtime/polynomial_degree.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace bbvi;

namespace {

Program shipped(std::string const& name) {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/" + name + ".csv");
  return testing::compile_model(testing::read_source_file("models/" + name + ".model"), &table);
}

// The plan with every colour's points evaluated, none taken from the rows.
LocalPlan by_points(LocalPlan plan) {
  for (RowsColour& r : plan.rows) r.by_rows = false;
  return plan;
}

}  // namespace

TEST_CASE("local expectations: 3 points for a Gaussian blanket under a Normal guide, 10 under a LogNormal one, none for a logistic blanket") {
  Program const schools = shipped("eight_schools");
  LocalPlan const plan = plan_local(schools, find_blankets(schools));
  REQUIRE(plan.groups.size() == 10);  // mu, tau and every eta
  CHECK(plan.colours.size() == 3);    // mu; tau; the etas, which share no term
  CHECK(plan.points[0] == 3);         // mu: Normal guide, y ~ Normal(mu + tau * eta[school], sigma)
  CHECK(plan.points[1] == 10);        // tau: a LogNormal guide is not affine in its normal, at most 10
  // tau's blanket is a quadratic in tau (tau * eta in a Normal mean, and a
  // HalfNormal prior): e^{2(m + s x)} at most, so its points follow s.
  CHECK(plan.log_degree[1] == 2);
  CHECK(plan.log_degree[0] == PolynomialDegree::not_polynomial);  // mu's guide is Normal
  for (std::size_t e = 2; e < 10; ++e) CHECK(plan.points[e] == 3);

  // A Normal guide in a logistic likelihood: smooth, not a polynomial, left to
  // the regression.
  Program const logistic = shipped("logistic_regression");
  CHECK(plan_local(logistic, find_blankets(logistic)).groups.empty());

  // The canonical model: tau's Gamma guide has no rule; mu's blanket is
  // Gaussian in mu whatever tau is.
  Program const canonical = shipped("normal_gamma");
  LocalPlan const canonical_plan = plan_local(canonical, find_blankets(canonical));
  REQUIRE(canonical_plan.groups.size() == 1);
  CHECK(canonical_plan.points[canonical_plan.element[0]] == 3);
}

TEST_CASE("local expectations: on a Gaussian blanket, 3 points give what 10 give, to rounding") {
  Program const schools = shipped("eight_schools");
  Blankets const blankets = find_blankets(schools);
  LocalPlan const few = by_points(plan_local(schools, blankets));
  LocalPlan many = few;
  for (int& k : many.points) k = default_gauss_hermite_points;
  WorkerPool pool(1);
  Eigen::VectorXd const u = initial_parameters(schools);
  Draws const a = draw(schools, u, 10, 3, 1, pool, {&blankets, &few});
  Draws const b = draw(schools, u, 10, 3, 1, pool, {&blankets, &many});
  // tau's quadratic blanket is evaluated at 3 of its 10 points either way.
  CHECK(a.evaluations == 10 * (1 + 3 + 3 + 3));
  CHECK(b.evaluations == 10 * (1 + 10 + 3 + 10));
  for (std::size_t e : few.element) {
    if (few.points[e] != 3) continue;  // tau keeps its 10 either way
    auto const& coordinates = blankets.groups[static_cast<std::size_t>(blankets.group_of_element[e])].coordinates;
    for (Eigen::Index c : coordinates)
      for (Eigen::Index s = 0; s < 10; ++s) {
        CAPTURE(e, c, s);
        CHECK(a.local.gradients(s, c) == Approx(b.local.gradients(s, c)).epsilon(1e-10).margin(1e-12));
      }
  }
}

TEST_CASE("local expectations: a LogNormal guide with a small sd takes fewer points, and gives what 10 give") {
  // The rule's points for e^{ax}: 10 at a unit sd (a = 2 for a quadratic
  // blanket), fewer as the sd shrinks, and never less accurate than 10 points
  // or than 10⁻⁶ relative.
  CHECK(gauss_hermite_points_for_exp(2.0) == 10);
  CHECK(gauss_hermite_points_for_exp(0.1) < 10);
  CHECK(gauss_hermite_points_for_exp(0.0) == 3);
  for (double a : {0.01, 0.1, 0.3, 1.0, 2.0}) {
    int const n = gauss_hermite_points_for_exp(a);
    double sum = 0;
    for (QuadraturePoint const& p : gauss_hermite(n)) sum += p.weight * p.value * p.value * std::exp(a * p.value);
    double const exact = (1 + a * a) * std::exp(0.5 * a * a);
    double ten = 0;
    for (QuadraturePoint const& p : gauss_hermite(10)) ten += p.weight * p.value * p.value * std::exp(a * p.value);
    CAPTURE(a, n);
    CHECK(std::abs(sum - exact) <= std::max(exp_error_tolerance * exact, std::abs(ten - exact)) * (1 + 1e-9));
  }

  // Eight schools with tau's guide sd at 0.05: its local gradient from the
  // points chosen matches 10 points' to 10⁻⁶ relative.
  Program const schools = shipped("eight_schools");
  Blankets const blankets = find_blankets(schools);
  LocalPlan const plan = by_points(plan_local(schools, blankets));
  Eigen::VectorXd u = initial_parameters(schools);
  u[3] = std::log(0.05);  // log_tau_sd, on its unconstrained (log) scale
  std::vector<int> const points = points_at(schools, plan, u);
  CHECK(points[1] < 10);
  LocalPlan many = plan;
  many.log_degree.assign(many.log_degree.size(), PolynomialDegree::not_polynomial);  // always 10 for tau
  WorkerPool pool(1);
  Draws const a = draw(schools, u, 10, 3, 1, pool, {&blankets, &plan});
  Draws const b = draw(schools, u, 10, 3, 1, pool, {&blankets, &many});
  CHECK(a.evaluations == 10 * (1 + 3 + std::min(points[1], 3) + 3));
  CHECK(b.evaluations == 10 * (1 + 3 + 10 + 3));
  for (Eigen::Index c : blankets.groups[static_cast<std::size_t>(blankets.group_of_element[1])].coordinates)
    for (Eigen::Index s = 0; s < 10; ++s) {
      CAPTURE(c, s);
      CHECK(a.local.gradients(s, c) == Approx(b.local.gradients(s, c)).epsilon(1e-6));
    }
}

TEST_CASE("local expectations: a LogNormal guide's quadratic blanket is evaluated at 3 of its points and interpolated at the rest, exactly") {
  // tau's blanket in eight schools is a quadratic in tau: its values at 3 of
  // its points give the rest, so the gradient and curvature match those
  // from evaluating every point, to rounding, at sds from 0.3 to 3 (tau's
  // values spanning a factor of e^{±13} at the largest).
  Program const schools = shipped("eight_schools");
  Blankets const blankets = find_blankets(schools);
  LocalPlan const plan = by_points(plan_local(schools, blankets));
  WorkerPool pool(1);
  for (double sd : {0.3, 1.0, 3.0}) {
    Eigen::VectorXd u = initial_parameters(schools);
    u[3] = std::log(sd);  // log_tau_sd, on its unconstrained (log) scale
    int const points = points_at(schools, plan, u)[1];
    CHECK(points == (sd < 1 ? 6 : 10));
    LocalPlan every = plan;  // the same points, each evaluated
    every.log_degree.assign(every.log_degree.size(), PolynomialDegree::not_polynomial);
    every.points[1] = points;
    Draws const a = draw(schools, u, 10, 3, 1, pool, {&blankets, &plan, nullptr, true});
    Draws const b = draw(schools, u, 10, 3, 1, pool, {&blankets, &every, nullptr, true});
    CHECK(a.evaluations == 10 * (1 + 3 + 3 + 3));
    CHECK(b.evaluations == 10 * (1 + 3 + points + 3));
    for (Eigen::Index c : blankets.groups[static_cast<std::size_t>(blankets.group_of_element[1])].coordinates)
      for (Eigen::Index s = 0; s < 10; ++s) {
        CAPTURE(sd, c, s);
        CHECK(a.local.gradients(s, c) == Approx(b.local.gradients(s, c)).epsilon(1e-9).margin(1e-9));
        CHECK(a.local.curvature(s, c) == Approx(b.local.curvature(s, c)).epsilon(1e-9).margin(1e-9));
      }
  }
}

TEST_CASE("local expectations: a colour whose blankets are Gaussian in its elements is taken from the rows, and gives what evaluating every point gives") {
  // Eight schools: mu, tau and the etas each enter the mean of
  // y ~ Normal(theta[school], sigma) affinely, and their own priors do not
  // read them: every colour is taken from the rows, at one evaluation of the
  // means a colour and one of the rows' derivatives a draw. Its gradient
  // and curvature match those from evaluating every point (no
  // interpolation either), to rounding, at the initial guide, at tau's sds
  // from 0.3 to 3, and at a guide far from the data (mu at 300, the etas at 5).
  Program const schools = shipped("eight_schools");
  Blankets const blankets = find_blankets(schools);
  LocalPlan const plan = plan_local(schools, blankets);
  REQUIRE(plan.rows.size() == 3);
  for (RowsColour const& r : plan.rows) CHECK(r.by_rows);
  WorkerPool pool(1);
  std::vector<Eigen::VectorXd> guides;
  for (double sd : {1.0, 0.3, 3.0}) {
    guides.push_back(initial_parameters(schools));
    guides.back()[3] = std::log(sd);  // log_tau_sd, on its unconstrained (log) scale
  }
  guides.push_back(initial_parameters(schools));
  guides.back()[0] = 300;                                             // mu_mean
  for (Eigen::Index j = 0; j < 8; ++j) guides.back()[4 + j] = 5;      // eta_mean
  for (Eigen::VectorXd const& u : guides) {
    LocalPlan every = by_points(plan);
    every.log_degree.assign(every.log_degree.size(), PolynomialDegree::not_polynomial);
    every.points[1] = points_at(schools, plan, u)[1];
    Draws const a = draw(schools, u, 10, 3, 1, pool, {&blankets, &plan, nullptr, true});
    Draws const b = draw(schools, u, 10, 3, 1, pool, {&blankets, &every, nullptr, true});
    CHECK(a.evaluations == 10 * (1 + 1 + 3));
    CHECK(b.evaluations == 10 * (1 + 3 + every.points[1] + 3));
    for (std::size_t e : plan.element)
      for (Eigen::Index c : blankets.groups[static_cast<std::size_t>(blankets.group_of_element[e])].coordinates)
        for (Eigen::Index s = 0; s < 10; ++s) {
          CAPTURE(u[0], u[3], e, c, s);
          CHECK(a.local.gradients(s, c) == Approx(b.local.gradients(s, c)).epsilon(1e-9).margin(1e-9));
          CHECK(a.local.curvature(s, c) == Approx(b.local.curvature(s, c)).epsilon(1e-9).margin(1e-9));
        }
  }
}

TEST_CASE("local expectations: a colour is taken from the rows only where its blankets are Gaussian in its elements") {
  // The canonical model's likelihood is reduced to its statistics {n, x̄,
  // ss}: one row whose derivatives in mu are n times x̄'s, and mu's prior
  // reads tau. Both are quadratic in mu: its colour is taken from the rows,
  // and gives what its points give, to rounding.
  Program const canonical = shipped("normal_gamma");
  Blankets const canonical_blankets = find_blankets(canonical);
  LocalPlan const canonical_plan = plan_local(canonical, canonical_blankets);
  REQUIRE(canonical_plan.rows.size() == 1);
  CHECK(canonical_plan.rows[0].by_rows);
  REQUIRE(canonical_plan.rows[0].likelihoods.size() == 1);
  CHECK(canonical_plan.rows[0].likelihoods[0].local_of_row.size() == 1);
  LocalPlan const canonical_points = by_points(canonical_plan);
  WorkerPool pool(1);
  Eigen::VectorXd u = initial_parameters(canonical);
  u[0] = 40;  // mu_N: far from the data's mean
  for (Eigen::VectorXd const& at : {initial_parameters(canonical), u}) {
    Draws const a = draw(canonical, at, 10, 3, 1, pool, {&canonical_blankets, &canonical_plan, nullptr, true});
    Draws const b = draw(canonical, at, 10, 3, 1, pool, {&canonical_blankets, &canonical_points, nullptr, true});
    CHECK(a.evaluations == 10 * (1 + 1 + 1));
    CHECK(b.evaluations == 10 * (1 + 3));
    for (Eigen::Index c : canonical_blankets.groups[static_cast<std::size_t>(canonical_plan.groups[0])].coordinates)
      for (Eigen::Index s = 0; s < 10; ++s) {
        CAPTURE(at[0], c, s);
        CHECK(a.local.gradients(s, c) == Approx(b.local.gradients(s, c)).epsilon(1e-9).margin(1e-9));
        CHECK(a.local.curvature(s, c) == Approx(b.local.curvature(s, c)).epsilon(1e-9).margin(1e-9));
      }
  }

  // A Normal whose mean is affine in mu is; but not through a local with
  // bounds, which are checked only where the local is evaluated.
  auto const only_colour = [](std::string const& source) {
    data::CsvTable const table = data::CsvTable::from_text("y,sd\n1,1\n2,2\n3,1\n", "rows.csv");
    Program const program = testing::compile_model(source, &table);
    LocalPlan const plan = plan_local(program, find_blankets(program));
    REQUIRE(plan.rows.size() == 1);
    return plan.rows[0];
  };
  std::string const data = "data { real y[N]; real sd[N]; }\n";
  std::string const guide = "guide { real mu_m = 0; real<lower=0> mu_s = 1; mu ~ Normal(mu_m, mu_s); }\n";
  RowsColour const plain =
      only_colour(data + "latent { real mu; }\nmodel { mu ~ Normal(0, 5); y ~ Normal(2 * mu + 1, sd); }\n" + guide);
  CHECK(plain.by_rows);
  REQUIRE(plain.own.size() == 1);  // mu's prior, its arguments evaluated once
  CHECK(plain.own[0].fixed.size() == 2);
  CHECK_FALSE(only_colour(data +
                          "latent { real mu; }\n"
                          "model { mu ~ Normal(0, 5); real<lower=0> m = mu; y ~ Normal(m, sd); }\n" +
                          guide)
                  .by_rows);

  // A bounded local that does not read mu leaves mu's colour to the rows;
  // before mu's prior and out of its bounds at a draw of zeros, it makes
  // mu's prior's fixed arguments evaluated at each draw instead.
  RowsColour const elsewhere = only_colour(
      data +
      "latent { real mu; real<lower=0> w; }\n"
      "model { real<lower=2> scale = w + 1; w ~ Gamma(2, 2); sd ~ Normal(0, scale); mu ~ Normal(0, 5); "
      "y ~ Normal(mu, sd); }\n"
      "guide { real mu_m = 0; real<lower=0> mu_s = 1; mu ~ Normal(mu_m, mu_s); real<lower=0> a = 2; "
      "real<lower=0> b = 1; w ~ Gamma(a, b); }\n");
  CHECK(elsewhere.by_rows);
  REQUIRE(elsewhere.own.size() == 1);  // mu's prior
  CHECK(elsewhere.own[0].fixed.empty());
}

TEST_CASE("local expectations: points under a Normal or LogNormal guide are scored in closed form, as the guide's scorer scores them") {
  // Eight schools' mu and etas have Normal guides and tau a LogNormal one,
  // each with its own location and sd parameters: every point's score and
  // log q come from its standardised value. A guide whose sd is computed
  // (exp of a parameter) is scored by the scorer as before; both must agree
  // with the scorer at every point.
  std::string const computed_sd = R"(
latent { real mu; }
model { mu ~ Normal(0, 5); }
guide { real m = 0; real log_s = 0; mu ~ Normal(m, exp(log_s)); }
)";
  for (bool const shipped_model : {true, false}) {
    Program const program = shipped_model ? shipped("eight_schools") : testing::compile_model(computed_sd, nullptr);
    Blankets const blankets = find_blankets(program);
    LocalPlan const plan = plan_local(program, blankets);
    REQUIRE(!plan.groups.empty());
    Eigen::VectorXd u = initial_parameters(program);
    for (Eigen::Index c = 0; c < u.size(); ++c) u[c] = 0.3 - 0.2 * static_cast<double>(c % 5);  // sds away from 1
    WorkerPool pool(1);
    std::vector<double> const z(program.latent_dimension, 0.5);  // the guide factorises: any values do
    LocalPoints const points = local_points(program, blankets, plan, u, z, pool);
    GuideScorer scorer(program, u, blankets.score_groups);
    Eigen::VectorXd score(u.size());
    std::vector<double> elements;
    for (std::size_t i = 0; i < plan.groups.size(); ++i) {
      auto const& coordinates = blankets.groups[static_cast<std::size_t>(plan.groups[i])].coordinates;
      for (std::size_t k = 0; k < points.points[i].size(); ++k) {
        std::vector<double> at = z;
        at[plan.element[i]] = points.points[i][k].value;
        scorer(at, score, &elements);
        CAPTURE(shipped_model, i, k);
        CHECK(points.log_q[i][k] == Approx(elements[plan.element[i]]).epsilon(1e-12).margin(1e-12));
        for (std::size_t c = 0; c < coordinates.size(); ++c)
          CHECK(points.scores[i](static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(c)) ==
                Approx(score[coordinates[c]]).epsilon(1e-12).margin(1e-12));
      }
    }
  }
}
