// A draw's local work is what its colours need: a group whose blanket reads
// no other latent is evaluated once an iteration, and a centred hierarchy's
// own Normal factor is taken from its derivatives, not a log density per
// point (nor a dense regression's sd its model per point); either gives
// what evaluating every point at every draw gives.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/local_expectation.hpp"
#include "runtime/bbvi/location_curvature.hpp"
#include "core/parallel.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

using namespace bbvi;

namespace {

// Every local group's gradient and curvature from `plan` match those from
// evaluating every point (`points`) at u, to rounding, over 10 draws; and
// `plan` makes fewer evaluations.
void matches_points(Program const& program, Blankets const& blankets, LocalPlan const& plan, LocalPlan const& points,
                    Eigen::VectorXd const& u, std::uint64_t seed) {
  WorkerPool pool(1);
  Draws const a = draw(program, u, 10, seed, 1, pool, {&blankets, &plan, nullptr, true});
  Draws const b = draw(program, u, 10, seed, 1, pool, {&blankets, &points, nullptr, true});
  CHECK(a.evaluations < b.evaluations);
  for (std::size_t e : plan.element)
    for (Eigen::Index c : blankets.groups[static_cast<std::size_t>(blankets.group_of_element[e])].coordinates)
      for (Eigen::Index s = 0; s < 10; ++s) {
        CAPTURE(u.transpose(), e, c, s);
        CHECK(a.local.gradients(s, c) == Approx(b.local.gradients(s, c)).epsilon(1e-9).margin(1e-9));
        CHECK(a.local.curvature(s, c) == Approx(b.local.curvature(s, c)).epsilon(1e-9).margin(1e-9));
      }
}

}  // namespace

TEST_CASE("local work: a group whose blanket reads no other latent is evaluated at the first draw and the same at every draw") {
  // from_b's likelihood reads data alone; mu and s share y's rows.
  data::CsvTable const table = data::CsvTable::from_text("x,y\n1.2,0.3\n1.9,-0.4\n0.8,1.1\n1.4,0.2\n", "alone.csv");
  Program const program = testing::compile_model(R"(
    data { real x[N]; real y[N]; }
    latent { int<lower=0, upper=1> from_b; real mu; real<lower=0> s; }
    model {
      from_b ~ Bernoulli(0.3);
      x ~ Normal(1.5 * from_b, 1);
      mu ~ Normal(0, 5);
      s ~ HalfNormal(2);
      y ~ Normal(mu, s);
    }
    guide {
      real<lower=0, upper=1> q = 0.4;
      from_b ~ Bernoulli(q);
      real m = 0.5;
      real<lower=0> m_sd = 1;
      mu ~ Normal(m, m_sd);
      real s_log = 0;
      real<lower=0> s_log_sd = 0.5;
      s ~ LogNormal(s_log, s_log_sd);
    }
  )",
                                                 &table);
  Blankets const blankets = find_blankets(program);
  LocalPlan const plan = plan_local(program, blankets);
  REQUIRE(plan.constant.size() == plan.colours.size());
  std::size_t constant = plan.colours.size();
  for (std::size_t c = 0; c < plan.colours.size(); ++c)
    if (plan.constant[c]) {
      CHECK(constant == plan.colours.size());  // one such colour at most
      constant = c;
    }
  REQUIRE(constant < plan.colours.size());
  REQUIRE(plan.colours[constant].size() == 1);
  std::size_t const from_b = plan.colours[constant][0];
  CHECK(plan.element[from_b] == 0);

  // Every draw evaluating every colour: the same numbers to rounding (each
  // draw's from_b starts from its own value), at one more evaluation (the
  // means, from_b's colour being taken from the rows) a draw past the first.
  LocalPlan every = plan;
  every.constant.assign(every.constant.size(), false);
  CHECK(plan.rows[constant].by_rows);
  for (bool by_rows : {true, false}) {
    LocalPlan once_plan = plan;
    once_plan.rows[constant].by_rows = every.rows[constant].by_rows = by_rows;
    WorkerPool pool(2);
    Eigen::VectorXd const u = initial_parameters(program);
    Draws const once = draw(program, u, 10, 3, 1, pool, {&blankets, &once_plan, nullptr, true});
    Draws const each = draw(program, u, 10, 3, 1, pool, {&blankets, &every, nullptr, true});
    CHECK(once.evaluations == each.evaluations - 9 * (by_rows ? 1 : 2));  // else from_b's two values
    for (Eigen::Index s = 0; s < 10; ++s)
      for (Eigen::Index c = 0; c < u.size(); ++c) {
        CAPTURE(by_rows, s, c);
        CHECK(once.local.gradients(s, c) == Approx(each.local.gradients(s, c)).epsilon(1e-12).margin(1e-12));
        CHECK(once.local.curvature(s, c) == Approx(each.local.curvature(s, c)).epsilon(1e-12).margin(1e-12));
      }
    Eigen::Index const q = blankets.groups[static_cast<std::size_t>(plan.groups[from_b])].coordinates[0];
    CHECK(once.local.gradients(0, q) != 0);
    CHECK((once.local.gradients.col(q).array() == once.local.gradients(0, q)).all());
  }
}

TEST_CASE("local work: a centred hierarchy's own Normal factor is taken from its derivatives, and gives what its points give") {
  // theta ~ Normal(mu, tau) reads mu and tau: its change at each of theta[j]'s
  // points is the quadratic in theta[j] − mu its derivatives give, the same
  // to rounding as its log density at the points, at the initial guide and
  // at one far from the data (mu at 300, tau's sd wide).
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/eight_schools.csv");
  Program const centred =
      testing::compile_model(testing::read_source_file("bench/eight_schools_centred.model"), &table);
  Blankets const blankets = find_blankets(centred);
  LocalPlan const plan = plan_local(centred, blankets);
  std::size_t thetas = 0;
  for (std::size_t c = 0; c < plan.colours.size(); ++c) {
    if (plan.colours[c].size() != 8) continue;
    thetas += 1;
    REQUIRE(plan.rows[c].by_rows);
    REQUIRE(plan.rows[c].own.size() == 1);
    CHECK(plan.rows[c].own[0].fixed.empty());  // its arguments read mu and tau
  }
  REQUIRE(thetas == 1);
  LocalPlan points = plan;
  for (RowsColour& r : points.rows) r.by_rows = false;
  std::vector<Eigen::VectorXd> guides{initial_parameters(centred), initial_parameters(centred)};
  guides.back()[0] = 300;          // mu_mean
  guides.back()[3] = std::log(2);  // log_tau_sd, on its unconstrained (log) scale
  for (Eigen::VectorXd const& u : guides) matches_points(centred, blankets, plan, points, u, 5);
}

TEST_CASE("local work: a latent sd is taken from the rows' squared residuals, and gives what its points give") {
  // sigma is every row's sd and tau a centred hierarchy's: each one's terms
  // are −n log σ − Σ k r²/σ² given the rest of the draw, so their colours
  // need no evaluation at their points; the gradient and curvature match
  // those from evaluating every point, to rounding, at the initial guide and
  // at sds that put the points far apart.
  data::CsvTable const table = data::CsvTable::from_text(
      "g,y\n1,0.3\n1,1.2\n2,-0.8\n2,-1.5\n3,2.1\n3,1.7\n4,0.1\n4,-0.2\n5,0.9\n5,1.4\n", "groups.csv");
  Program const program = testing::compile_model(R"(
    data { int g[N]; real y[N]; }
    latent { real mu; real<lower=0> tau; real theta[5]; real<lower=0> sigma; }
    model {
      mu ~ Normal(0, 5);
      tau ~ HalfNormal(5);
      theta ~ Normal(mu, tau);
      sigma ~ HalfNormal(2);
      y ~ Normal(theta[g], sigma);
    }
    guide {
      real mu_m = 0;
      real<lower=0> mu_s = 1;
      mu ~ Normal(mu_m, mu_s);
      real tau_m = 0;
      real<lower=0> tau_s = 1;
      tau ~ LogNormal(tau_m, tau_s);
      real theta_m[5] = 0;
      real<lower=0> theta_s[5] = 1;
      theta ~ Normal(theta_m, theta_s);
      real sigma_m = 0;
      real<lower=0> sigma_s = 1;
      sigma ~ LogNormal(sigma_m, sigma_s);
    }
  )",
                                                 &table);
  Blankets const blankets = find_blankets(program);
  LocalPlan const plan = plan_local(program, blankets);
  std::size_t scales = 0;
  for (RowsColour const& r : plan.rows) {
    CHECK(r.by_rows);
    for (RowsColour::Likelihood const& l : r.scales) {
      scales += 1;
      CHECK(std::count(l.local_of_row.begin(), l.local_of_row.end(), -1) == 0);  // every row reads it
    }
  }
  CHECK(scales == 2);  // tau's in theta's prior, sigma's in y's rows
  // Each theta's control variates would regress on tau's and sigma's two
  // scores each, 6 controls and 14 draws; their locations' scores alone
  // keep the draws at the floor of 10.
  CHECK(LocationCurvature(program, blankets, plan).largest_regression() == 4);
  LocalPlan points = plan;
  for (RowsColour& r : points.rows) r.by_rows = false;
  Eigen::VectorXd wide = initial_parameters(program);
  wide[3] = std::log(2.5);   // tau's log-sd, on its unconstrained (log) scale
  wide[15] = std::log(2.5);  // sigma's
  for (Eigen::VectorXd const& u : {initial_parameters(program), wide})
    matches_points(program, blankets, plan, points, u, 7);
}

TEST_CASE("local work: a dense regression's latent sd is taken from its statistics, and gives what its points give") {
  // The autoregression's likelihood is reduced to a dense regression's
  // statistics (Factor::affine) and sigma is its sd: each of sigma's points
  // is the reduced sum at that sd, O(K²), not the model evaluated there. The
  // gradient and curvature match those from evaluating every point, at the
  // initial guide and at one whose sd puts the points far apart and whose
  // coefficients are far from the data.
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/ar1.csv");
  Program const ar1 = testing::compile_model(testing::read_source_file("models/ar1.model"), &table);
  Blankets const blankets = find_blankets(ar1);
  LocalPlan const plan = plan_local(ar1, blankets);
  // Without the estimator's closed form, alpha and beta are local too; their
  // points are evaluated (the reduced mean is not read row by row).
  std::size_t affine = 0;
  for (std::size_t c = 0; c < plan.colours.size(); ++c) {
    if (plan.rows[c].affine_scales.empty()) continue;
    affine += 1;
    CHECK(plan.rows[c].by_rows);
    CHECK(plan.rows[c].affine_scales.size() == 1);
    CHECK(plan.colours[c].size() == 1);
  }
  CHECK(affine == 1);
  LocalPlan points = plan;
  for (RowsColour& r : points.rows) r.by_rows = false;
  Eigen::VectorXd far = initial_parameters(ar1);
  far[0] = 40;               // alpha_mean
  far[5] = std::log(2.5);    // log_sigma_sd, on its unconstrained (log) scale
  for (Eigen::VectorXd const& u : {initial_parameters(ar1), far}) matches_points(ar1, blankets, plan, points, u, 3);
}

namespace {

// Periods with ties (2, 2), one before every category (0.5) and one between
// two (3.5); counts and measurements for the likelihoods below.
data::CsvTable periods() {
  return data::CsvTable::from_text("y1,y2,y3,y4,t,w1,w2,w3,w4\n"
                                   "3,1,0,2,0.5,0.3,1.2,-0.4,0.8\n"
                                   "4,2,1,0,1,-0.2,0.6,0.1,1.1\n"
                                   "2,0,3,1,2,1.1,-0.3,0.9,0.2\n"
                                   "5,3,2,4,2,0.8,0.4,1.6,-0.7\n"
                                   "1,1,4,2,3.5,-0.5,2.1,0.3,0.5\n"
                                   "0,4,2,3,5,0.2,-1.0,0.7,1.3\n"
                                   "2,2,1,0,6,1.4,0.9,-0.2,0.4\n"
                                   "1,0,5,1,8,0.9,0.1,1.2,-0.3\n",
                                   "periods.csv");
}

// tau's colour, every comparison either way round, a bound that is a data
// column or a number (w4's, whose column is reduced to its statistics), and
// a branch outside Poisson's domain (a rate of 0.5 − 0.75) at the one row
// that chooses it at no category.
Program thresholds() {
  data::CsvTable const table = periods();
  return testing::compile_model(R"(
    data {
      int y1[N]; int y2[N]; int y3[N]; int y4[N]; real t[N]; real w1[N]; real w2[N]; real w3[N]; real w4[N];
      real uniform_tau[N] = 1.0 / N;
    }
    latent { real<lower=0> e; real<lower=0> l; int<lower=1, upper=N> tau; }
    model {
      e ~ Gamma(2, 0.5);
      l ~ Gamma(2, 0.5);
      tau ~ Categorical(uniform_tau);
      y1 ~ Poisson(t < tau ? e : l);
      y2 ~ Poisson(tau > t ? 2 * e : t - 0.75);
      y3 ~ Poisson(t <= tau ? l : e);
      y4 ~ Poisson(tau <= t ? l : e + l);
      w1 ~ Normal(t > tau ? e : 2 * l + 1, 1);
      w2 ~ Normal(t == tau ? e : l, 2);
      w3 ~ Normal(t != tau ? e : -l, 3);
      w4 ~ Normal(tau < 4 ? e - l : l, 1.5);
    }
    guide {
      simplex[N] p;
      real<lower=0> e_shape = 2;
      real<lower=0> e_rate = 0.5;
      real<lower=0> l_shape = 2;
      real<lower=0> l_rate = 0.5;
      tau ~ Categorical(p);
      e ~ Gamma(e_shape, e_rate);
      l ~ Gamma(l_shape, l_rate);
    }
  )",
                                &table);
}

// A guide whose categories are far from equal and whose rates are far from
// the prior's (e near 10).
Eigen::VectorXd skewed(Program const& program) {
  Eigen::VectorXd u = initial_parameters(program);
  u.head(7) << 1.5, -2, 0.3, 2.2, -0.7, 0.1, -1.2;  // p's coordinates
  u[7] = std::log(20.0);                            // e_shape, on its log scale
  u[8] = std::log(2.0);                             // e_rate
  return u;
}

}  // namespace

TEST_CASE("local work: a row that reads its element only in a condition takes one of two values, and gives what its points give") {
  // Each row's term is its `?:`'s true branch's or false branch's whatever
  // tau is: the two are evaluated once a draw and a category's sum comes
  // from the rows whose condition holds there. The gradient and curvature
  // match those from evaluating every category, to rounding, for each
  // comparison, with ties, and with a branch that is invalid at a row that
  // never chooses it (where the rows' evaluation would reject the draw).
  Program const program = thresholds();
  Blankets const blankets = find_blankets(program);
  LocalPlan const plan = plan_local(program, blankets);
  REQUIRE(plan.groups.size() == 1);  // tau: e's and l's Gamma guides have no rule
  REQUIRE(plan.rows.size() == 1);
  CHECK(plan.rows[0].by_rows);
  CHECK(plan.rows[0].thresholds.size() == 8);
  CHECK(plan.rows[0].own.size() == 1);  // tau's prior
  LocalPlan points = plan;
  points.rows[0].by_rows = false;
  WorkerPool pool(1);
  std::vector<Eigen::Index> const& tau = blankets.groups[static_cast<std::size_t>(plan.groups[0])].coordinates;
  for (Eigen::VectorXd const& u : {initial_parameters(program), skewed(program)}) {
    matches_points(program, blankets, plan, points, u, 11);
    // tau's point did not fail at the row that never takes the invalid branch.
    Draws const d = draw(program, u, 10, 11, 1, pool, {&blankets, &plan, nullptr, true});
    CHECK(d.local.gradients(Eigen::all, tau).cwiseAbs().maxCoeff() > 0);
  }
}

TEST_CASE("local work: a condition read through a local is found there, and gives what its points give") {
  // The shipped changepoint with its rate a local: the `?:` is the local's
  // value, and each row still takes one of its two.
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/changepoint.csv");
  std::string model = testing::read_source_file("models/changepoint.model");
  std::string const written = "y ~ Poisson(t < tau ? e : l);";
  std::size_t const at = model.find(written);
  REQUIRE(at != std::string::npos);
  model.replace(at, written.size(), "real rate[N] = t < tau ? e : l;\n  y ~ Poisson(rate);");
  Program const program = testing::compile_model(model, &table);
  Blankets const blankets = find_blankets(program);
  LocalPlan const plan = plan_local(program, blankets);
  REQUIRE(plan.groups.size() == 1);
  CHECK(plan.rows[0].by_rows);
  CHECK(plan.rows[0].thresholds.size() == 1);
  LocalPlan points = plan;
  points.rows[0].by_rows = false;
  matches_points(program, blankets, plan, points, initial_parameters(program), 17);
}

TEST_CASE("local work: a Categorical guide's scores at its categories are its softmax's, as its scorer gives them") {
  // At category k the score on the simplex's coordinate j is [j = k] − p_j,
  // and log q is log p_k: taken so, not from the scorer's dual numbers.
  Program const program = thresholds();
  Blankets const blankets = find_blankets(program);
  LocalPlan const plan = plan_local(program, blankets);
  REQUIRE(plan.groups.size() == 1);
  std::vector<Eigen::Index> const& coordinates =
      blankets.groups[static_cast<std::size_t>(plan.groups[0])].coordinates;
  WorkerPool pool(1);
  for (Eigen::VectorXd const& u : {initial_parameters(program), skewed(program)}) {
    std::vector<double> z{1.5, 0.7, 3};  // e, l, tau
    LocalPoints const at = local_points(program, blankets, plan, u, z, pool);
    REQUIRE(at.points[0].size() == 8);
    GuideScorer scorer(program, u, blankets.score_groups);
    Eigen::VectorXd score(u.size());
    std::vector<double> elements;
    for (std::size_t k = 0; k < 8; ++k) {
      z[2] = at.points[0][k].value;
      scorer(z, score, &elements);
      CAPTURE(u.transpose(), k);
      CHECK(at.log_q[0][k] == Approx(elements[2]).epsilon(1e-12));
      for (std::size_t c = 0; c < coordinates.size(); ++c)
        CHECK(at.scores[0](static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(c)) ==
              Approx(score[coordinates[c]]).epsilon(1e-12).margin(1e-14));
    }
  }
}

TEST_CASE("local work: a category whose rows choose a branch outside its density's domain is not finite, as its evaluation is not") {
  // tau's change at each category against the model evaluated there: equal
  // to rounding where the rows choose valid branches, and not finite at
  // tau = 1 and 2, where the periods 1 and 2 take a rate of t − 2.5 < 0.
  data::CsvTable const table =
      data::CsvTable::from_text("y,t\n3,1\n4,2\n2,3\n5,4\n1,5\n0,6\n2,7\n1,8\n", "counts.csv");
  Program const program = testing::compile_model(R"(
    data { int y[N]; real t[N]; real uniform_tau[N] = 1.0 / N; }
    latent { real<lower=0> e; int<lower=1, upper=N> tau; }
    model {
      e ~ Gamma(2, 0.5);
      tau ~ Categorical(uniform_tau);
      y ~ Poisson(t < tau ? e : t - 2.5);
    }
    guide {
      simplex[N] p;
      real<lower=0> e_shape = 2;
      real<lower=0> e_rate = 0.5;
      tau ~ Categorical(p);
      e ~ Gamma(e_shape, e_rate);
    }
  )",
                                                 &table);
  Blankets const blankets = find_blankets(program);
  LocalPlan const plan = plan_local(program, blankets);
  REQUIRE(plan.groups.size() == 1);
  REQUIRE(plan.rows[0].thresholds.size() == 1);
  std::vector<std::vector<QuadraturePoint>> points(1);
  for (int k = 8; k >= 1; --k) points[0].push_back({static_cast<double>(k), 0.125});  // in no order of value
  std::vector<double> const z{1.7, 5};  // e, tau
  RowsAtDraw at(program);
  at.start(z);
  RowsScratch scratch;
  std::vector<std::vector<double>> change(1);
  blanket_changes(program, plan.rows[0], plan.colours[0], plan.element, points, z, at, scratch, change);
  std::vector<std::vector<double>> terms;
  double const at_draw = log_joint_terms(program, z, terms);
  for (std::size_t p = 0; p < 8; ++p) {
    double const tau = points[0][p].value;
    CAPTURE(tau);
    if (tau <= 2) {
      CHECK_FALSE(std::isfinite(change[0][p]));
      continue;
    }
    std::vector<double> moved = z;
    moved[1] = tau;
    CHECK(change[0][p] == Approx(log_joint_terms(program, moved, terms) - at_draw).epsilon(1e-12).margin(1e-12));
  }
}
