// The coupled step's cross-curvature from the rows (rows_coupling.hpp): which
// pairs of locations it covers, its value at each draw against the model's
// own second derivative, and the models where it must leave the couplings
// to the regressions.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/local_expectation.hpp"
#include "runtime/bbvi/location_curvature.hpp"
#include "core/parallel.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace bbvi;

namespace {

Program shipped(std::string const& name, data::CsvTable const& table) {
  return testing::compile_model(testing::read_source_file("models/" + name + ".model"), &table);
}

}  // namespace

TEST_CASE("rows coupling: eight schools' mu and each eta are coupled by the school's row, tau * 1/sigma² at each draw") {
  // theta[j] = mu + tau * eta[j] and y[j] ~ Normal(theta[j], sigma[j]): the
  // log-joint's second derivative in mu and eta[j] is −tau / sigma[j]², so
  // the coupling at a draw is that draw's tau over the school's variance.
  data::CsvTable const table =
      data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/eight_schools.csv");
  Program const schools = shipped("eight_schools", table);
  Blankets const blankets = find_blankets(schools);
  LocalPlan const plan = plan_local(schools, blankets);
  REQUIRE(plan.coupling.pairs.size() == 8);
  std::vector<double> const sigma = table.real_column("sigma");
  Eigen::VectorXd u = initial_parameters(schools);
  u[2] = 1.5;  // log_tau_mean: tau near 4.5, so that its draws differ from 1
  WorkerPool pool(1);
  Draws const d = draw(schools, u, 10, 7, 1, pool, {&blankets, &plan, &blankets, true, true});
  REQUIRE(d.local.couplings.rows() == 10);
  REQUIRE(d.local.couplings.cols() == 8);
  for (std::size_t p = 0; p < plan.coupling.pairs.size(); ++p) {
    auto const [i, j] = plan.coupling.pairs[p];
    CHECK(plan.element[i] == 0);  // mu
    std::size_t const school = plan.element[j] - 2;  // eta[school + 1], after mu and tau
    REQUIRE(school < 8);
    for (Eigen::Index s = 0; s < 10; ++s) {
      CAPTURE(p, s);
      double const tau = d.latents(s, 1);
      CHECK(d.local.couplings(s, static_cast<Eigen::Index>(p)) ==
            Approx(tau / (sigma[school] * sigma[school])).epsilon(1e-12));
    }
  }
  // The coupled step's M takes them, averaged over the draws: M between mu
  // and eta[j] is the mean of tau over the draws, over sigma[j]².
  LocationCurvature const curvature(schools, blankets, plan);
  REQUIRE(curvature.from_rows());
  LocationCoupling const c = curvature.measure(d);
  REQUIRE(c.coordinates.size() == 9);
  double const mean_tau = d.latents.col(1).mean();
  for (Eigen::Index school = 0; school < 8; ++school) {
    CAPTURE(school);
    double const sd = sigma[static_cast<std::size_t>(school)];
    double const expected = mean_tau / (sd * sd);
    CHECK(c.curvature.coeff(0, school + 1) == Approx(expected).epsilon(1e-12));
    CHECK(c.curvature.coeff(school + 1, 0) == Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("rows coupling: none where two locations meet in a product, whose coupling the rows miss") {
  // Rows with sds of their own, not reduced to statistics: every colour
  // below is taken from the rows, and only the coupling decides.
  data::CsvTable const table = data::CsvTable::from_text("y,g,s\n1.2,1,1\n-0.3,2,2\n2.5,1,1\n0.7,2,3\n", "rows.csv");
  auto const coupling_of = [&](std::string const& model) {
    Program const program = testing::compile_model(R"(
      data { real y[N]; int g[N]; real s[N]; }
      latent { real a; real b[2]; }
      model { a ~ Normal(0, 5); )" + model + R"( }
      guide {
        real am = 1; real<lower=0> as = 1; real bm[2] = 1; real<lower=0> bs[2] = 1;
        a ~ Normal(am, as); b ~ Normal(bm, bs);
      })",
                                                   &table);
    LocalPlan const plan = plan_local(program, find_blankets(program));
    CHECK(plan.groups.size() == 3);
    CHECK(std::all_of(plan.rows.begin(), plan.rows.end(), [](RowsColour const& r) { return r.by_rows; }));
    return plan.coupling;
  };
  // Added: jointly affine in a and each b, coupled by the rows of its group.
  RowsCoupling const sum = coupling_of("b ~ Normal(0, 5); y ~ Normal(a + 2 * b[g], s);");
  REQUIRE(sum.pairs.size() == 2);
  REQUIRE(sum.shared.size() == 1);
  CHECK(sum.shared[0].rows.size() == 4);
  // Multiplied: affine in each, but not jointly.
  CHECK(coupling_of("b ~ Normal(0, 5); y ~ Normal(a * b[g], s);").empty());
}

TEST_CASE("rows coupling: a prior whose mean reads another location couples them by −1/sd², beside the rows") {
  // Centred eight schools: theta ~ Normal(mu, tau) and y ~ Normal(theta[j],
  // sigma[j]). The log-joint's second derivative in mu and theta[j] is
  // 1/tau² from the prior (a density in theta − mu), and no row of y reads
  // both: the coupling at a draw is −1/tau².
  data::CsvTable const table =
      data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/eight_schools.csv");
  Program const centred =
      testing::compile_model(testing::read_source_file("bench/eight_schools_centred.model"), &table);
  Blankets const blankets = find_blankets(centred);
  LocalPlan const plan = plan_local(centred, blankets);
  REQUIRE(plan.coupling.pairs.size() == 8);
  WorkerPool pool(1);
  Draws const d = draw(centred, initial_parameters(centred), 10, 5, 1, pool, {&blankets, &plan, &blankets, true, true});
  for (std::size_t p = 0; p < plan.coupling.pairs.size(); ++p)
    for (Eigen::Index s = 0; s < 10; ++s) {
      CAPTURE(p, s);
      double const tau = d.latents(s, 1);
      CHECK(d.local.couplings(s, static_cast<Eigen::Index>(p)) == Approx(-1 / (tau * tau)).epsilon(1e-12));
    }

  // Both at once, with nothing random in them: b[g]'s prior reads a (−1/2²),
  // and so do the rows of group g, each 1/s².
  data::CsvTable const rows = data::CsvTable::from_text("y,g,s\n1.2,1,1\n-0.3,2,2\n2.5,1,1\n0.7,2,3\n", "rows.csv");
  Program const both = testing::compile_model(R"(
    data { real y[N]; int g[N]; real s[N]; }
    latent { real a; real b[2]; }
    model { a ~ Normal(0, 5); b ~ Normal(a, 2); y ~ Normal(a + b[g], s); }
    guide {
      real am = 1; real<lower=0> as = 1; real bm[2] = 1; real<lower=0> bs[2] = 1;
      a ~ Normal(am, as); b ~ Normal(bm, bs);
    })",
                                              &rows);
  Blankets const both_blankets = find_blankets(both);
  LocalPlan const both_plan = plan_local(both, both_blankets);
  REQUIRE(both_plan.coupling.pairs.size() == 2);
  Draws const e =
      draw(both, initial_parameters(both), 10, 5, 1, pool, {&both_blankets, &both_plan, &both_blankets, true});
  double const group[2] = {-0.25 + 1 + 1, -0.25 + 1.0 / 4 + 1.0 / 9};
  for (std::size_t p = 0; p < 2; ++p) {
    std::size_t const b = both_plan.element[both_plan.coupling.pairs[p].second] - 1;  // after a
    REQUIRE(b < 2);
    for (Eigen::Index s = 0; s < 10; ++s)
      CHECK(e.local.couplings(s, static_cast<Eigen::Index>(p)) == Approx(group[b]).epsilon(1e-12));
  }
}
