// The coupled step where the locations' gradient is not a local expectation
// (docs/method.md, 'The coupled step'): the curvature and the gradient from
// one regression of f on the guide's Hermite polynomials, against the
// closed-form posterior of a Gaussian ridge. (A logistic ridge's fit takes
// its curvature from the linear predictor: linear_predictor_curvature_test.)
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/newton_direction.hpp"
#include "runtime/bbvi/regressed_curvature.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/gaussian_regression_reference.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <Eigen/Dense>

using namespace bbvi;
using namespace bbvi::reference;

TEST_CASE("regressed curvature: one regression of f measures the locations' curvature exactly when log p is Gaussian") {
  // Known noise: M = XᵀX/σ² + I/σ0², the posterior precision, at any guide.
  // f is then a quadratic in the standard normals, which the regressors
  // span: the fit has no residual and no Monte-Carlo error remains.
  GaussianRegression const data = correlated_regression(5, 50, 0.99999, 1);
  data::CsvTable const table = data::CsvTable::from_text(regression_csv(data), "regression.csv");
  Program const program = testing::compile_model(known_noise_model(data), &table);
  Blankets const blankets = find_blankets(program);
  RegressedCurvature const curvature(program, blankets, std::vector<bool>(blankets.groups.size(), true));
  REQUIRE(curvature.locations() == 5);
  REQUIRE(curvature.regressors() == 1 + 2 * 5 + 10);  // every pair of coefficients shares the likelihood
  Eigen::VectorXd u = initial_parameters(program);
  u.head(5) << 3, -1, 0.5, 2, 7;  // anywhere, far from the optimum
  WorkerPool pool(1);
  Draws const d = draw(program, u, 30, 1, 1, pool);
  LocationCoupling const c = curvature.measure(program, d);
  REQUIRE(c.coordinates.size() == 5);
  GaussianPosterior const exact = exact_posterior(data);
  double const scale = exact.precision.cwiseAbs().maxCoeff();
  CHECK((Eigen::MatrixXd(c.curvature) - exact.precision).cwiseAbs().maxCoeff() < 1e-8 * scale);
  // With no residual, M̂ has no standard error to raise an eigenvalue to.
  CHECK((Eigen::MatrixXd(c.cautious_curvature) - exact.precision).cwiseAbs().maxCoeff() < 1e-8 * scale);
  Eigen::VectorXd const g = exact.precision * (exact.mean - u.head(5));
  CHECK((c.gradient - g).cwiseAbs().maxCoeff() < 1e-8 * g.cwiseAbs().maxCoeff());
  NewtonDirection const n = newton_direction(c.curvature, c.gradient);
  REQUIRE(n.positive_definite);
  CHECK(elbo_gap(exact, MeanFieldNormal{u.head(5) + n.step, mean_field_optimum(exact).sd}) < 1e-6);
  // Fewer draws than regressors measure nothing, rather than a singular M.
  CHECK(curvature.measure(program, draw(program, u, 21, 1, 1, pool)).coordinates.empty());
}
