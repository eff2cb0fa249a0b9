// Matrices: `matrix[N, K] X;` binds the CSV's columns X.1 ... X.K. A
// regression `y ~ Normal(alpha + X * beta, sigma)` with K = 10 correlated,
// uncentred predictors is held to its mean-field optimum computed here
// without the engine (the exact Gaussian posterior's means and the diagonal
// of its precision); the matrix's other uses are checked in the log joint
// against the same sums written by hand.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <boost/random/normal_distribution.hpp>

#include <string>
#include <vector>

using namespace bbvi;

namespace {

constexpr std::size_t columns = 10;
constexpr double noise_sd = 1.5, prior_sd = 10;

// Rows of K predictors sharing a common factor (pairwise correlation about
// 0.5) around means of 3 to 30, as measured covariates are, and y from them.
data::CsvTable regression_rows(std::size_t rows) {
  RandomStream rng(23, 0, 0);
  boost::random::normal_distribution<double> normal;
  std::string csv = "y";
  for (std::size_t k = 1; k <= columns; ++k) csv += fmt::format(",X.{}", k);
  csv += '\n';
  for (std::size_t n = 0; n < rows; ++n) {
    double const common = normal(rng);
    std::vector<double> x;
    double y = 1.0 + noise_sd * normal(rng);
    for (std::size_t k = 0; k < columns; ++k) {
      x.push_back(3.0 * static_cast<double>(k + 1) + common + normal(rng));
      y += (static_cast<double>(k % 3) - 1.0) * 0.5 * x.back();
    }
    csv += fmt::format("{:.17g}", y);
    for (double v : x) csv += fmt::format(",{:.17g}", v);
    csv += '\n';
  }
  return data::CsvTable::from_text(std::move(csv), "matrix.csv");
}

std::string const matrix_regression = R"(
data { int K = 10; matrix[N, K] X; real y[N]; real sigma = 1.5; }
latent { real alpha; real beta[K]; }
model {
  alpha ~ Normal(0, 10);
  beta ~ Normal(0, 10);
  y ~ Normal(alpha + X * beta, sigma);
}
guide {
  real a = 0; real<lower=0> as = 1; real b[K] = 0; real<lower=0> bs[K] = 1;
  alpha ~ Normal(a, as);
  beta ~ Normal(b, bs);
}
)";

// Fits y ~ Normal(alpha + X * beta, noise_sd) on seeds 1-3 (its guide's
// parameters a, a_sd, b[K], b_sd[K]) and holds each to the exact Gaussian
// posterior's mean-field optimum: its means, and its precision's diagonal.
void check_exact_optimum(Program const& program, data::CsvTable const& table, std::size_t k_columns,
                         double noise_sd_here, double alpha_prior_sd, double beta_prior_sd) {
  auto const p = static_cast<Eigen::Index>(k_columns + 1);
  Eigen::MatrixXd design(static_cast<Eigen::Index>(table.rows()), p);
  design.col(0).setOnes();
  for (std::size_t k = 1; k <= k_columns; ++k) {
    std::vector<double> const x = table.real_column(fmt::format("X.{}", k));
    design.col(static_cast<Eigen::Index>(k)) = Eigen::Map<Eigen::VectorXd const>(x.data(), design.rows());
  }
  std::vector<double> const y = table.real_column("y");
  Eigen::Map<Eigen::VectorXd const> const yv(y.data(), design.rows());
  Eigen::VectorXd prior_precision = Eigen::VectorXd::Constant(p, 1 / (beta_prior_sd * beta_prior_sd));
  prior_precision[0] = 1 / (alpha_prior_sd * alpha_prior_sd);
  Eigen::MatrixXd precision = design.transpose() * design / (noise_sd_here * noise_sd_here);
  precision.diagonal() += prior_precision;
  Eigen::VectorXd const mean = precision.ldlt().solve(design.transpose() * yv / (noise_sd_here * noise_sd_here));
  for (std::uint64_t seed : {1, 2, 3}) {
    FitResult const r = testing::fit_on_seed(program, seed);
    auto const q = constrained_parameters(program, r.u);
    double kl = reference::kl_normal(q[0][0], 1 / (q[1][0] * q[1][0]), mean[0], precision(0, 0));
    for (std::size_t k = 0; k < k_columns; ++k) {
      auto const i = static_cast<Eigen::Index>(k + 1);
      kl += reference::kl_normal(q[2][k], 1 / (q[3][k] * q[3][k]), mean[i], precision(i, i));
    }
    INFO("seed " << seed << ": KL " << kl << " after " << r.iterations << " iterations");
    CHECK(r.converged);
    CHECK(kl < testing::promised_kl);
  }
}

}  // namespace

TEST_CASE("matrices: a regression on matrix[N, 10] X reaches the exact posterior's mean-field optimum") {
  data::CsvTable const table = regression_rows(300);
  check_exact_optimum(testing::compile_model(matrix_regression, &table), table, columns, noise_sd, prior_sd, prior_sd);
}

TEST_CASE("matrices: models/matrix_regression reaches the exact posterior's mean-field optimum") {
  std::string const csv = std::string(BBVI_SOURCE_DIR) + "/models/matrix_regression.csv";
  data::CsvTable const table = data::CsvTable::from_file(csv);
  Program const program = testing::compile_model(testing::read_source_file("models/matrix_regression.model"), &table);
  check_exact_optimum(program, table, 4, 1, 10, 5);
}

TEST_CASE("matrices: X * v, X[n, k], col, rows, cols and dot_product in the log joint") {
  data::CsvTable const table =
      data::CsvTable::from_text("A.1,A.2,A.3,y\n1,2,3,0.5\n4,5,6,-1\n", "a.csv");
  Program const program = testing::compile_model(R"(
data { matrix[N, 3] A; real y[N]; int R = rows(A); }
latent { real v[3]; }
model {
  v ~ Normal(0, 1);
  y ~ Normal(A * v, 1);
  target += A[2, 3] * v[1] + dot_product(v, v) + sum(col(A, 2)) * R + cols(A);
}
guide { real m[3]; v ~ Normal(m, 1); }
)",
                                                 &table);
  std::vector<double> const v{0.3, -1.1, 2.0};
  double const half_log_two_pi = 0.918938533204672742;
  double expected = 0;
  for (double x : v) expected += -0.5 * x * x - half_log_two_pi;
  double const means[] = {0.3 - 2.2 + 6.0, 1.2 - 5.5 + 12.0}, ys[] = {0.5, -1};
  for (int n = 0; n < 2; ++n) expected += -0.5 * (ys[n] - means[n]) * (ys[n] - means[n]) - half_log_two_pi;
  expected += 6 * 0.3 + (0.09 + 1.21 + 4.0) + (2 + 5) * 2 + 3;
  CHECK(log_joint(program, v) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("matrices: a logistic regression on X * beta fits as the same model with its columns written out") {
  RandomStream rng(31, 0, 0);
  boost::random::normal_distribution<double> normal;
  std::string rows_text;
  for (int n = 0; n < 200; ++n) {
    double const x1 = 50 + 10 * normal(rng), x2 = normal(rng), x3 = x2 + normal(rng);
    double const eta = -2 + 0.04 * x1 + x2 - 0.5 * x3;
    rows_text += fmt::format("{},{:.17g},{:.17g},{:.17g}\n", normal(rng) < eta ? 1 : 0, x1, x2, x3);
  }
  data::CsvTable const as_matrix = data::CsvTable::from_text("y,X.1,X.2,X.3\n" + rows_text, "matrix.csv");
  data::CsvTable const as_columns = data::CsvTable::from_text("y,x1,x2,x3\n" + rows_text, "columns.csv");
  std::string const rest = R"(
latent { real alpha; real beta[3]; }
model { alpha ~ Normal(0, 10); beta ~ Normal(0, 2.5); y ~ Bernoulli(inv_logit(alpha + MEAN)); }
guide {
  real a = 0; real<lower=0> as = 1; real b[3] = 0; real<lower=0> bs[3] = 1;
  alpha ~ Normal(a, as); beta ~ Normal(b, bs);
}
)";
  auto const with_mean = [&](std::string const& mean) {
    std::string source = rest;
    return source.replace(source.find("MEAN"), 4, mean);
  };
  Program const with_matrix = testing::compile_model(
      "data { int<lower=0, upper=1> y[N]; matrix[N, 3] X; }" + with_mean("X * beta"), &as_matrix);
  Program const written_out = testing::compile_model(
      "data { int<lower=0, upper=1> y[N]; real x1[N]; real x2[N]; real x3[N]; }" +
          with_mean("x1 * beta[1] + x2 * beta[2] + x3 * beta[3]"),
      &as_columns);
  FitResult const a = testing::fit_on_seed(with_matrix, 1), b = testing::fit_on_seed(written_out, 1);
  INFO("iterations " << a.iterations << " and " << b.iterations);
  CHECK(a.converged);
  CHECK(a.iterations == b.iterations);
  for (Eigen::Index i = 0; i < a.u.size(); ++i) {
    INFO("parameter " << i);
    CHECK(a.u[i] == Approx(b.u[i]).epsilon(1e-9));
  }
}
