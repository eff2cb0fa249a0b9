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

namespace {

// The best factorised Gaussian for y ~ Normal(a + b x, sigma) with
// Normal(0, prior_sd) priors: the exact posterior means, and the diagonal of
// the posterior precision.
struct MeanField {
  Eigen::Vector2d mean;
  Eigen::Vector2d precision;
};

MeanField exact_mean_field(std::vector<double> const& x, std::vector<double> const& y, double sigma,
                           double prior_sd) {
  Eigen::Matrix2d precision = Eigen::Matrix2d::Identity() / (prior_sd * prior_sd);
  Eigen::Vector2d weighted = Eigen::Vector2d::Zero();
  for (std::size_t n = 0; n < x.size(); ++n) {
    Eigen::Vector2d const row(1.0, x[n]);
    precision += row * row.transpose() / (sigma * sigma);
    weighted += row * y[n] / (sigma * sigma);
  }
  return {precision.ldlt().solve(weighted), precision.diagonal()};
}

// KL of the fitted Normal(mean, 1/precision) pairs from the mean-field optimum.
double kl_from(MeanField const& optimum, double a_mean, double a_precision, double b_mean, double b_precision) {
  return reference::kl_normal(a_mean, a_precision, optimum.mean[0], optimum.precision[0]) +
         reference::kl_normal(b_mean, b_precision, optimum.mean[1], optimum.precision[1]);
}

}  // namespace

TEST_CASE("linear_regression: default fit within KL 0.01 of the exact mean-field optimum") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/linear_regression.csv");
  MeanField const optimum = exact_mean_field(table.real_column("x"), table.real_column("y"), 1.5, 10);  // the model's constants

  Program const program = testing::compile_model(testing::read_source_file("models/linear_regression.model"), &table);
  FitResult const r = fit(program, FitOptions{});
  auto const p = constrained_parameters(program, r.u);  // a_mean, a_sd, b_mean, b_sd
  double const kl = kl_from(optimum, p[0][0], 1 / (p[1][0] * p[1][0]), p[2][0], 1 / (p[3][0] * p[3][0]));
  INFO("KL " << kl << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}

TEST_CASE("linear_regression rewritten: other names and order, a precision guide, constants set, the mean inline") {
  std::string const source = R"(
data {
  real<lower=0> noise = 1;
  real response[N];
  real<lower=0> spread = 1;
  real dose[N];
}
latent { real slope; real intercept; }
model {
  response ~ Normal(intercept + dose * slope, noise);
  slope ~ Normal(0, spread);
  intercept ~ Normal(0, spread);
}
guide {
  real<lower=0> slope_precision = 2;
  real slope_mean;
  real<lower=0> intercept_precision = 0.5;
  real intercept_mean = 3;
  real<lower=0> slope_sd = 1 / sqrt(slope_precision);
  intercept ~ Normal(intercept_mean, 1 / sqrt(intercept_precision));
  slope ~ Normal(slope_mean, slope_sd);
}
)";
  data::CsvTable const table = data::CsvTable::from_text(
      "dose,response\n0.5,2.1\n1.0,2.9\n1.5,3.2\n2.0,4.4\n3.0,5.1\n4.0,7.3\n6.0,9.8\n", "doses.csv");
  CompileOptions options;
  options.overrides = {{"noise", 0.6}, {"spread", 4.0}};
  MeanField const optimum = exact_mean_field(table.real_column("dose"), table.real_column("response"), 0.6, 4.0);

  Program const program = testing::compile_model(source, &table, options);
  FitResult const r = fit(program, FitOptions{});
  auto const p = constrained_parameters(program, r.u);  // slope_precision, slope_mean, intercept_precision, intercept_mean
  double const kl = kl_from(optimum, p[3][0], p[2][0], p[1][0], p[0][0]);
  INFO("KL " << kl << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}
