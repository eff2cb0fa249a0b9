// Local expectation gradients' plan: which groups are taken by quadrature,
// how many points each needs (read from the program: as few as make the
// rule exact), and that those few points give what many give.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/local_expectation.hpp"
#include "core/parallel.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace bbvi;

namespace {

Program shipped(std::string const& name) {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/" + name + ".csv");
  return testing::compile_model(testing::read_source_file("models/" + name + ".model"), &table);
}

}  // namespace

TEST_CASE("local expectations: 3 points for a Gaussian blanket under a Normal guide, 10 under a LogNormal one, none for a logistic blanket") {
  Program const schools = shipped("eight_schools");
  LocalPlan const plan = plan_local(schools, find_blankets(schools));
  REQUIRE(plan.groups.size() == 10);  // mu, tau and every eta
  CHECK(plan.colours.size() == 3);    // mu; tau; the etas, which share no term
  CHECK(plan.points[0] == 3);         // mu: Normal guide, y ~ Normal(mu + tau * eta[school], sigma)
  CHECK(plan.points[1] == 10);        // tau: a LogNormal guide is not affine in its normal
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
  LocalPlan const few = plan_local(schools, blankets);
  LocalPlan many = few;
  for (int& k : many.points) k = default_gauss_hermite_points;
  WorkerPool pool(1);
  Eigen::VectorXd const u = initial_parameters(schools);
  Draws const a = draw(schools, u, 10, 3, 1, pool, {&blankets, &few});
  Draws const b = draw(schools, u, 10, 3, 1, pool, {&blankets, &many});
  CHECK(a.evaluations == 10 * (1 + 3 + 10 + 3));
  CHECK(b.evaluations == 10 * (1 + 3 * 10));
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
