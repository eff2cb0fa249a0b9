// The coupled step where the locations' gradient is not a local expectation
// (docs/method.md, 'The coupled step'): the curvature and the gradient from
// one regression of f on the guide's Hermite polynomials, against the
// closed-form posterior of a Gaussian ridge, and the fit of a logistic
// regression on an uncentred covariate against its mean-field optimum
// (tests/support/logistic_regression_reference.hpp).
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/newton_direction.hpp"
#include "runtime/bbvi/regressed_curvature.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/gaussian_regression_reference.hpp"
#include "tests/support/logistic_regression_reference.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <Eigen/Dense>

using namespace bbvi;
using namespace bbvi::reference;

namespace {

MeanFieldNormal coefficients(Program const& program, Eigen::VectorXd const& u, Eigen::Index k) {
  auto const p = constrained_parameters(program, u);
  return {Eigen::Map<Eigen::VectorXd const>(p[0].data(), k), Eigen::Map<Eigen::VectorXd const>(p[1].data(), k)};
}

}  // namespace

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

TEST_CASE("regressed curvature: a logistic ridge on an uncentred covariate reaches its mean-field optimum, seeds 1-5") {
  // Posterior correlation 0.99 between intercept and slope. Without the
  // coupled step the fit ended 0.017 to 0.11 nats short at the cap. The
  // tolerance: the ELBO gap of the tail's mean is its Monte-Carlo noise,
  // measured at 6e-6 to 1.3e-4 over these seeds, and an sd's error 0.2% to
  // 0.8%; 0.01 nats and 5% are what the fit must reach.
  LogisticRegression const data = correlated_logistic_regression(2, 50, 0.99, 1);
  data::CsvTable const table = data::CsvTable::from_text(logistic_csv(data), "logistic.csv");
  Program const program = testing::compile_model(logistic_model(data), &table);
  MeanFieldNormal const best = mean_field_optimum(data);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    CAPTURE(seed);
    FitOptions options;
    options.seed = seed;
    options.threads = 1;
    FitResult const f = fit(program, options);
    MeanFieldNormal const q = coefficients(program, f.u, 2);
    CHECK(elbo_gap(data, best, q) < 0.01);
    CHECK(worst_relative_sd_error(best, q) < 0.05);
  }
}
