// Latents with no '~' in the model: a flat prior on their support. Each fit
// is held to its mean-field optimum computed here without the engine: the
// exact Gaussian posterior of a regression under a flat prior (means by least
// squares, precisions the diagonal of XᵀX/σ²), and eight schools with a flat
// prior on mu, by the reference's closed-form ELBO with mu's prior sd so wide
// (1e8) that it moves the optimum by less than 1e-12.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"
#include "tests/support/eight_schools_reference.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <boost/random/normal_distribution.hpp>

#include <string>

using namespace bbvi;

namespace {

// y = 3 + 0.02 x + noise with x a year near 2000: the intercept and slope
// are correlated −0.9999 a posteriori, and a flat prior leaves them there.
data::CsvTable uncentred_rows(std::size_t rows, double noise_sd) {
  RandomStream rng(11, 0, 0);
  boost::random::normal_distribution<double> normal;
  std::string csv = "x,y\n";
  for (std::size_t n = 0; n < rows; ++n) {
    double const x = 2000 + 9 * normal(rng);
    csv += fmt::format("{:.17g},{:.17g}\n", x, 3 + 0.02 * x + noise_sd * normal(rng));
  }
  return data::CsvTable::from_text(std::move(csv), "uncentred.csv");
}

std::string const flat_regression = R"(
data { real x[N]; real y[N]; real<lower=0> sigma = 2; }
latent { real a; real b; }
model { y ~ Normal(a + b * x, sigma); }
guide {
  real a_mean = 0; real<lower=0> a_sd = 1; real b_mean = 0; real<lower=0> b_sd = 1;
  a ~ Normal(a_mean, a_sd); b ~ Normal(b_mean, b_sd);
}
)";

std::string eight_schools_with_flat_mu() {
  std::string source = testing::read_source_file("models/eight_schools.model");
  std::string const prior = "  mu ~ Normal(0, 5);\n";
  std::size_t const at = source.find(prior);
  REQUIRE(at != std::string::npos);
  return source.erase(at, prior.size());
}

}  // namespace

TEST_CASE("flat priors: an uncentred regression reaches the exact posterior's mean-field optimum") {
  double const sigma = 2;
  data::CsvTable const table = uncentred_rows(200, sigma);
  std::vector<double> const x = table.real_column("x"), y = table.real_column("y");
  Eigen::Matrix2d gram = Eigen::Matrix2d::Zero();
  Eigen::Vector2d xty = Eigen::Vector2d::Zero();
  for (std::size_t n = 0; n < x.size(); ++n) {
    Eigen::Vector2d const row(1.0, x[n]);
    gram += row * row.transpose();
    xty += row * y[n];
  }
  Eigen::Vector2d const mean = gram.ldlt().solve(xty);
  Eigen::Vector2d const precision = gram.diagonal() / (sigma * sigma);
  Program const program = testing::compile_model(flat_regression, &table);
  CHECK(program.latents[0].flat_prior);
  CHECK(program.latents[1].flat_prior);
  for (std::uint64_t seed : {1, 2, 3}) {
    FitResult const r = testing::fit_on_seed(program, seed);
    auto const p = constrained_parameters(program, r.u);  // a_mean, a_sd, b_mean, b_sd
    double const kl = reference::kl_normal(p[0][0], 1 / (p[1][0] * p[1][0]), mean[0], precision[0]) +
                      reference::kl_normal(p[2][0], 1 / (p[3][0] * p[3][0]), mean[1], precision[1]);
    INFO("seed " << seed << ": KL " << kl << " after " << r.iterations << " iterations; a " << p[0][0] << " ("
                 << mean[0] << "), b " << p[2][0] << " (" << mean[1] << ")");
    CHECK(r.converged);
    CHECK(kl < testing::promised_kl);
  }
}

TEST_CASE("flat priors: eight schools with a flat prior on mu reaches its mean-field optimum") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/eight_schools.csv");
  reference::EightSchools d;
  for (std::int64_t s : table.int_column("school")) d.school.push_back(static_cast<int>(s));
  d.y = table.real_column("y");
  d.sigma = table.real_column("sigma");
  d.mu_prior_sd = 1e8;
  reference::EightSchoolsGuide const optimum = reference::eight_schools_optimum(d);
  Program const program = testing::compile_model(eight_schools_with_flat_mu(), &table);
  REQUIRE(program.latents[0].name == "mu");
  CHECK(program.latents[0].flat_prior);
  CHECK_FALSE(program.latents[1].flat_prior);
  for (std::uint64_t seed : {1, 2, 3}) {
    FitResult const r = testing::fit_on_seed(program, seed);
    auto const p = constrained_parameters(program, r.u);
    reference::EightSchoolsGuide const fitted{p[0][0], p[1][0], p[2][0], p[3][0], p[4], p[5]};
    double const kl = reference::kl(fitted, optimum);
    INFO("seed " << seed << ": KL " << kl << " after " << r.iterations << " iterations; mu " << p[0][0] << " ("
                 << optimum.mu_mean << ")");
    CHECK(r.converged);
    CHECK(kl < testing::promised_kl);
  }
}
