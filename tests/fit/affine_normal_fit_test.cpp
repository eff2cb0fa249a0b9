// A 10-coefficient regression with an uncentred predictor, its likelihood
// reduced to CᵀC, Cᵀr and rᵀr (runtime/affine_normal.hpp), fitted with the
// default options against its closed-form mean-field optimum
// (tests/support/gaussian_regression_reference.hpp).
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/gaussian_regression_reference.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

using namespace bbvi;
using namespace bbvi::reference;

TEST_CASE("affine normal: a reduced 10-coefficient regression reaches its mean-field optimum") {
  GaussianRegression const data = correlated_regression(10, 2000, 0.99, 1);
  data::CsvTable const table = data::CsvTable::from_text(regression_csv(data), "regression.csv");
  Program const program = testing::compile_model(known_noise_model(data), &table);
  bool reduced = false;
  for (Statement const& st : program.model)
    if (auto const* f = std::get_if<Factor>(&st)) reduced = reduced || f->affine.has_value();
  REQUIRE(reduced);
  GaussianPosterior const exact = exact_posterior(data);
  MeanFieldNormal const best = mean_field_optimum(exact);
  FitOptions options;
  options.threads = 1;
  FitResult const f = fit(program, options);
  auto const p = constrained_parameters(program, f.u);
  MeanFieldNormal const q{Eigen::Map<Eigen::VectorXd const>(p[0].data(), 10),
                          Eigen::Map<Eigen::VectorXd const>(p[1].data(), 10)};
  CHECK(f.converged);
  CHECK(elbo_gap(exact, q) < 0.01);
  CHECK((q.sd.array() / best.sd.array() - 1).abs().maxCoeff() < 0.05);
}
