// A full-rank guide factor, `beta ~ MultiNormalCholesky(m, L)` with
// `cholesky_factor_cov[K] L` (docs/language.md, 'A full-rank guide factor'):
// on a Gaussian linear regression with 5 correlated coefficients and a known
// noise scale, the posterior is a multivariate normal computed here without
// the engine, and the full-rank guide reaches it (KL(q ‖ p) < 0.01), where
// the best mean-field guide is held far from it by the correlation.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <boost/random/normal_distribution.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

constexpr Eigen::Index coefficients = 5;

// Predictors sharing a common factor (pairwise correlation about 0.99),
// around means of 2 to 10, and y from them with noise sd 1.
data::CsvTable correlated_rows(std::size_t rows) {
  RandomStream rng(41, 0, 0);
  boost::random::normal_distribution<double> normal;
  std::string csv = "y,X.1,X.2,X.3,X.4,X.5\n";
  double const beta[coefficients] = {1.0, -0.5, 0.3, 2.0, 0.0};
  for (std::size_t n = 0; n < rows; ++n) {
    double const common = normal(rng);
    std::vector<double> x;
    double y = normal(rng);
    for (Eigen::Index k = 0; k < coefficients; ++k) {
      x.push_back(2.0 * static_cast<double>(k + 1) + 10 * common + normal(rng));
      y += beta[k] * x.back();
    }
    csv += fmt::format("{:.17g}", y);
    for (double v : x) csv += fmt::format(",{:.17g}", v);
    csv += '\n';
  }
  return data::CsvTable::from_text(std::move(csv), "correlated.csv");
}

std::string const full_rank_regression = R"(
data { matrix[N, 5] X; real y[N]; }
latent { real beta[5]; }
model {
  beta ~ Normal(0, 10);
  y ~ Normal(X * beta, 1);
}
guide {
  real m[5];
  cholesky_factor_cov[5] L = 0.1;
  beta ~ MultiNormalCholesky(m, L);
}
)";

struct Gaussian {
  Eigen::VectorXd mean;
  Eigen::MatrixXd precision;
};

// The exact posterior of beta under beta ~ Normal(0, 10), y ~ Normal(X beta, 1).
Gaussian exact_posterior(data::CsvTable const& table, Eigen::Index columns = coefficients) {
  Eigen::MatrixXd design(static_cast<Eigen::Index>(table.rows()), columns);
  for (Eigen::Index k = 0; k < columns; ++k) {
    std::vector<double> const x = table.real_column(fmt::format("X.{}", k + 1));
    design.col(k) = Eigen::Map<Eigen::VectorXd const>(x.data(), design.rows());
  }
  std::vector<double> const y = table.real_column("y");
  Gaussian p;
  p.precision = design.transpose() * design;
  p.precision.diagonal().array() += 1 / 100.0;
  p.mean = p.precision.ldlt().solve(design.transpose() * Eigen::Map<Eigen::VectorXd const>(y.data(), design.rows()));
  return p;
}

// KL(N(m, L Lᵀ) ‖ N(mean, precision⁻¹)).
double kl_to(Gaussian const& p, Eigen::VectorXd const& m, Eigen::MatrixXd const& l) {
  Eigen::VectorXd const d = m - p.mean;
  double const log_det_q = 2 * l.diagonal().array().log().sum();
  double const log_det_precision = 2 * p.precision.llt().matrixL().toDenseMatrix().diagonal().array().log().sum();
  return 0.5 * ((p.precision * l * l.transpose()).trace() + d.dot(p.precision * d) - static_cast<double>(m.size()) -
                log_det_q - log_det_precision);
}

}  // namespace

TEST_CASE("full-rank guide: MultiNormalCholesky(m, L) reaches the exact posterior of a correlated regression") {
  data::CsvTable const table = correlated_rows(100);
  Gaussian const p = exact_posterior(table);
  Eigen::MatrixXd const covariance = p.precision.inverse();
  Eigen::VectorXd const sd = covariance.diagonal().array().sqrt();
  double most_correlated = 0;
  for (Eigen::Index i = 0; i < coefficients; ++i)
    for (Eigen::Index j = 0; j < i; ++j)
      most_correlated = std::max(most_correlated, std::abs(covariance(i, j) / (sd[i] * sd[j])));
  // The mean-field optimum (the exact means, sds 1/√precision_ii) is this far from the posterior.
  Eigen::MatrixXd const mean_field = p.precision.diagonal().array().rsqrt().matrix().asDiagonal();
  double const mean_field_kl = kl_to(p, p.mean, mean_field);
  INFO("largest posterior correlation " << most_correlated << "; the best mean-field guide's KL " << mean_field_kl);
  REQUIRE(most_correlated > 0.5);
  REQUIRE(mean_field_kl > 1);

  Program const program = testing::compile_model(full_rank_regression, &table);
  for (std::uint64_t seed : {1, 2, 3}) {
    FitResult const r = testing::fit_on_seed(program, seed);
    auto const q = constrained_parameters(program, r.u);
    Eigen::VectorXd const m = Eigen::Map<Eigen::VectorXd const>(q[0].data(), coefficients);
    Eigen::MatrixXd const l =
        Eigen::Map<Eigen::Matrix<double, coefficients, coefficients, Eigen::RowMajor> const>(q[1].data());
    double const kl = kl_to(p, m, l);
    INFO("seed " << seed << ": KL " << kl << " after " << r.iterations << " iterations");
    CHECK(r.converged);
    CHECK(kl < testing::promised_kl);
    CHECK((l.triangularView<Eigen::StrictlyUpper>().toDenseMatrix().array() == 0).all());
  }
}

// An intercept and a slope on a predictor near 100 (sd 3): the posterior
// correlation is −0.9999, a ridge along which a mean-field guide's means crawl.
TEST_CASE("full-rank guide: an intercept and the slope of an uncentred predictor, at their exact posterior") {
  RandomStream rng(43, 0, 0);
  boost::random::normal_distribution<double> normal;
  std::string csv = "y,X.1,X.2\n";
  for (int n = 0; n < 100; ++n) {
    double const x = 100 + 3 * normal(rng);
    csv += fmt::format("{:.17g},1,{:.17g}\n", 3 + 0.5 * (x - 100) + normal(rng), x);
  }
  data::CsvTable const table = data::CsvTable::from_text(std::move(csv), "ridge.csv");
  Program const program = testing::compile_model(R"(
data { matrix[N, 2] X; real y[N]; }
latent { real beta[2]; }
model { beta ~ Normal(0, 10); y ~ Normal(X * beta, 1); }
guide { real m[2]; cholesky_factor_cov[2] L; beta ~ MultiNormalCholesky(m, L); }
)",
                                                 &table);
  Gaussian const p = exact_posterior(table, 2);
  Eigen::MatrixXd const covariance = p.precision.inverse();
  REQUIRE(covariance(0, 1) / std::sqrt(covariance(0, 0) * covariance(1, 1)) < -0.999);
  for (std::uint64_t seed : {1, 2, 3}) {
    FitResult const r = testing::fit_on_seed(program, seed);
    auto const q = constrained_parameters(program, r.u);
    Eigen::MatrixXd const l = Eigen::Map<Eigen::Matrix<double, 2, 2, Eigen::RowMajor> const>(q[1].data());
    double const kl = kl_to(p, Eigen::Vector2d(q[0][0], q[0][1]), l);
    INFO("seed " << seed << ": KL " << kl << " after " << r.iterations << " iterations");
    CHECK(r.converged);
    CHECK(kl < testing::promised_kl);
  }
}

TEST_CASE("full-rank guide: L's initial value, one diagonal value or K² row by row, and its coordinates") {
  data::CsvTable const table = correlated_rows(10);
  std::string const model = R"(
data { matrix[N, 5] X; real y[N]; }
latent { real beta[2]; }
model { beta ~ Normal(0, 10); y ~ Normal(X[1, 1] * beta[1] + beta[2], 1); }
guide { real m[2]; cholesky_factor_cov[2] L INITIAL; beta ~ MultiNormalCholesky(m, L); }
)";
  auto const initial = [&](std::string const& value) {
    std::string source = model;
    source.replace(source.find("INITIAL"), 7, value);
    Program const program = testing::compile_model(source, &table);
    REQUIRE(program.parameter_dimension == 2 + 3);  // m, then L's lower triangle
    return constrained_parameters(program, initial_parameters(program))[1];
  };
  CHECK(initial("") == std::vector<double>{1, 0, 0, 1});
  CHECK(initial("= 0.5") == std::vector<double>{0.5, 0, 0, 0.5});
  std::vector<double> const given = initial("= {2, 0, -0.5, 0.25}");
  REQUIRE(given.size() == 4);
  CHECK(given[0] == Approx(2).epsilon(1e-14));
  CHECK(given[1] == 0);
  CHECK(given[2] == Approx(-0.5).epsilon(1e-14));
  CHECK(given[3] == Approx(0.25).epsilon(1e-14));
}

// The score in u: m's coordinates, then L's lower triangle row by row with
// the diagonal on a log scale, against central differences of log q, and
// log q against the bivariate normal written out.
TEST_CASE("full-rank guide: log q and its score in L's coordinates") {
  data::CsvTable const table = correlated_rows(10);
  Program const program = testing::compile_model(R"(
data { matrix[N, 5] X; real y[N]; }
latent { real beta[2]; }
model { beta ~ Normal(0, 10); y ~ Normal(X[1, 1] * beta[1] + beta[2], 1); }
guide { real m[2] = {0.5, -1}; cholesky_factor_cov[2] L = {2, 0, -0.5, 0.25}; beta ~ MultiNormalCholesky(m, L); }
)",
                                                 &table);
  Eigen::VectorXd const u = initial_parameters(program);
  std::vector<double> const z{1.3, -0.2};
  // x − m = L ε: ε₁ = 0.8 / 2, ε₂ = (0.8 + 0.5 ε₁) / 0.25.
  double const e1 = 0.4, e2 = (0.8 + 0.5 * e1) / 0.25;
  double const expected = -0.5 * (e1 * e1 + e2 * e2) - std::log(2 * 0.25) - std::log(2 * M_PI);
  CHECK(log_guide(program, u, z) == Approx(expected).epsilon(1e-12));
  Eigen::VectorXd score(u.size());
  log_guide_with_score(program, u, z, score);
  for (Eigen::Index k = 0; k < u.size(); ++k) {
    double const h = 1e-6;
    Eigen::VectorXd up = u, down = u;
    up[k] += h;
    down[k] -= h;
    INFO("coordinate " << k);
    CHECK(score[k] == Approx((log_guide(program, up, z) - log_guide(program, down, z)) / (2 * h)).epsilon(1e-6));
  }
}
