// models/linear_regression.model against its exact mean-field optimum: for a
// Gaussian posterior N(μ, Λ⁻¹) the best factorised Gaussian has the exact
// means μ and precisions diag(Λ) (Bishop, PRML §10.1.2), computed here from
// the shipped CSV with the model's constants.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <Eigen/Dense>
#include <catch2/catch.hpp>

using namespace bbvi;

TEST_CASE("linear_regression: default fit within KL 0.01 of the exact mean-field optimum") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/linear_regression.csv");
  std::vector<double> const x = table.real_column("x"), y = table.real_column("y");
  double const sigma = 1.5, prior_sd = 10;  // the model's constants

  Eigen::Matrix2d precision = Eigen::Matrix2d::Identity() / (prior_sd * prior_sd);
  Eigen::Vector2d weighted = Eigen::Vector2d::Zero();
  for (std::size_t n = 0; n < x.size(); ++n) {
    Eigen::Vector2d const row(1.0, x[n]);
    precision += row * row.transpose() / (sigma * sigma);
    weighted += row * y[n] / (sigma * sigma);
  }
  Eigen::Vector2d const mean = precision.ldlt().solve(weighted);

  Program const program = testing::compile_model(testing::read_source_file("models/linear_regression.model"), &table);
  FitResult const r = fit(program, FitOptions{});
  auto const p = constrained_parameters(program, r.u);  // a_mean, a_sd, b_mean, b_sd
  double const kl = reference::kl_normal(p[0][0], 1 / (p[1][0] * p[1][0]), mean[0], precision(0, 0)) +
                    reference::kl_normal(p[2][0], 1 / (p[3][0] * p[3][0]), mean[1], precision(1, 1));
  INFO("KL " << kl << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}
