// Gaussian processes (docs/language.md, 'Covariance matrices'): the log
// joint of MultiNormal and MultiNormalCholesky over gp_exp_quad_cov,
// add_diag and cholesky_decompose against the densities written out here
// with Eigen, and a GP regression with fixed hyperparameters against its
// exact posterior. That posterior is Gaussian, N(m, V) with V⁻¹ = K⁻¹ + I/σ²
// and m = V y/σ², so the mean-field optimum is known in closed form: the
// means m and the sds 1/√(V⁻¹)ᵢᵢ; and models/gp, whose full-rank guide can be
// that posterior itself. With latent hyperparameters, on 7 and 20 points,
// q(f) against the optimum given their fitted guide.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"
#include "tests/support/fit_helpers.hpp"

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

constexpr double log_two_pi = 1.8378770664093454836;

// alpha² exp(−(xᵢ − xⱼ)² / (2 rho²)) + nugget on the diagonal.
Eigen::MatrixXd kernel(std::vector<double> const& x, double alpha, double rho, double nugget) {
  auto const n = static_cast<Eigen::Index>(x.size());
  Eigen::MatrixXd k(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) {
      double const d = x[static_cast<std::size_t>(i)] - x[static_cast<std::size_t>(j)];
      k(i, j) = alpha * alpha * std::exp(-d * d / (2 * rho * rho)) + (i == j ? nugget : 0.0);
    }
  return k;
}

double log_multi_normal(Eigen::VectorXd const& f, Eigen::VectorXd const& mu, Eigen::MatrixXd const& sigma) {
  Eigen::LLT<Eigen::MatrixXd> const llt(sigma);
  Eigen::VectorXd const r = f - mu;
  double const log_det = 2 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
  return -0.5 * (static_cast<double>(f.size()) * log_two_pi + log_det + r.dot(llt.solve(r)));
}

double log_normal(double x, double m, double s) {
  return -0.5 * log_two_pi - std::log(s) - 0.5 * (x - m) * (x - m) / (s * s);
}

data::CsvTable table_of(std::vector<double> const& x, std::vector<double> const& y) {
  std::string csv = "x,y\n";
  for (std::size_t i = 0; i < x.size(); ++i) csv += fmt::format("{:.17g},{:.17g}\n", x[i], y[i]);
  return data::CsvTable::from_text(std::move(csv), "memory.csv");
}

// Points on [−3, 3] and y = sin(1.3 x) plus a fixed list of residuals
// written out here (their sd is about 0.2).
std::vector<double> const noise{0.36, -0.12, 0.07, -0.41, 0.22, 0.05, -0.27, 0.31, -0.08, 0.14,
                                -0.33, 0.02, 0.19, -0.06, 0.28, -0.21, 0.11, -0.02, 0.25, -0.15};

std::vector<double> points(std::size_t n) {
  std::vector<double> x;
  for (std::size_t i = 0; i < n; ++i) x.push_back(-3 + 6 * static_cast<double>(i) / static_cast<double>(n - 1));
  return x;
}

std::vector<double> observations(std::vector<double> const& x) {
  std::vector<double> y;
  for (std::size_t i = 0; i < x.size(); ++i) y.push_back(std::sin(1.3 * x[i]) + noise[i % noise.size()]);
  return y;
}

}  // namespace

TEST_CASE("gp: the log joint of MultiNormal and MultiNormalCholesky over a kernel of latent hyperparameters") {
  std::vector<double> const x{-1.0, 0.25, 0.5, 2.0};
  std::vector<double> const y{0.3, -0.2, 0.1, 0.9};
  data::CsvTable const table = table_of(x, y);
  std::string const prior = R"(
data { real x[N]; real y[N]; }
latent { real<lower=0> alpha; real<lower=0> rho; real f[N]; }
model {
  alpha ~ HalfNormal(2);
  rho ~ LogNormal(0, 1);
  matrix[N, N] K = add_diag(gp_exp_quad_cov(x, alpha, rho), {0.1, 0.2, 0.3, 0.4});
  )";
  std::string const rest = R"(
  y ~ Normal(f, 0.5);
}
guide {
  real a = 0; real<lower=0> as = 1; real r = 0; real<lower=0> rs = 1;
  real m[N] = 0; real<lower=0> s[N] = 1;
  alpha ~ LogNormal(a, as); rho ~ LogNormal(r, rs); f ~ Normal(m, s);
}
)";
  Program const full = testing::compile_model(prior + "f ~ MultiNormal({0.1, 0, -0.1, 0.2}, K);" + rest, &table);
  Program const factor = testing::compile_model(
      prior + "matrix[N, N] L = cholesky_decompose(K);\n  f ~ MultiNormalCholesky({0.1, 0, -0.1, 0.2}, L);" + rest,
      &table);
  double const alpha = 1.3, rho = 0.7;
  std::vector<double> const f{0.2, -0.5, 0.4, 1.1};
  Eigen::MatrixXd sigma = kernel(x, alpha, rho, 0.0);
  for (Eigen::Index i = 0; i < 4; ++i) sigma(i, i) += 0.1 * static_cast<double>(i + 1);
  double expected = log_multi_normal(Eigen::Map<Eigen::VectorXd const>(f.data(), 4),
                                     Eigen::Vector4d(0.1, 0, -0.1, 0.2), sigma);
  expected += std::log(2.0) + log_normal(alpha, 0, 2);                   // HalfNormal(2)
  expected += log_normal(std::log(rho), 0, 1) - std::log(rho);          // LogNormal(0, 1)
  for (std::size_t i = 0; i < 4; ++i) expected += log_normal(y[i], f[i], 0.5);
  std::vector<double> const z{alpha, rho, f[0], f[1], f[2], f[3]};
  CHECK(log_joint(full, z) == Approx(expected).epsilon(1e-12));
  CHECK(log_joint(factor, z) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("gp: a mean-field guide on a GP regression with fixed hyperparameters reaches the closed-form optimum") {
  std::vector<double> const x = points(20);
  std::vector<double> const y = observations(x);
  data::CsvTable const table = table_of(x, y);
  double const alpha = 1.0, rho = 0.8, nugget = 0.01, sigma = 0.3;
  Program const program = testing::compile_model(R"(
data { real x[N]; real y[N]; }
latent { real f[N]; }
model {
  matrix[N, N] L = cholesky_decompose(add_diag(gp_exp_quad_cov(x, 1.0, 0.8), 0.01));
  f ~ MultiNormalCholesky(0, L);
  y ~ Normal(f, 0.3);
}
guide {
  real m[N] = 0; real<lower=0> s[N] = 0.3;
  f ~ Normal(m, s);
}
)",
                                                 &table);
  Eigen::MatrixXd const precision =
      kernel(x, alpha, rho, nugget).inverse() + Eigen::MatrixXd::Identity(20, 20) / (sigma * sigma);
  Eigen::VectorXd const mean =
      precision.llt().solve(Eigen::Map<Eigen::VectorXd const>(y.data(), 20) / (sigma * sigma));
  for (std::uint64_t seed : {1, 2}) {
    FitResult const r = testing::fit_on_seed(program, seed);
    std::vector<std::vector<double>> const fitted = constrained_parameters(program, r.u);
    // KL(q ‖ q*) of two products of Normals, q* the optimum: means m, sds 1/√Λᵢᵢ.
    double kl = 0, worst = 0;
    for (Eigen::Index i = 0; i < 20; ++i) {
      double const m = fitted[0][static_cast<std::size_t>(i)], s = fitted[1][static_cast<std::size_t>(i)];
      double const s_opt = 1 / std::sqrt(precision(i, i));
      kl += std::log(s_opt / s) + (s * s + (m - mean[i]) * (m - mean[i])) / (2 * s_opt * s_opt) - 0.5;
      worst = std::max(worst, std::fabs(m - mean[i]) / s_opt);
    }
    INFO(fmt::format("seed {}: {} iterations, converged {}; KL to the optimum {:.2g}, the worst mean {:.2g} sds off",
                     seed, r.iterations, r.converged, kl, worst));
    CHECK(r.converged);
    CHECK(kl < 0.01);
  }
}

namespace {

// With latent alpha, rho and sigma, on every `step`-th of 20 points.
void check_latent_hyperparameters(std::size_t step) {
  // Given q(alpha, rho, sigma), the best mean-field q(f) is known: log q*(f)
  // = E_q[log p(f, y | alpha, rho, sigma)] + const, a Gaussian of precision
  // Λ = E_q[K⁻¹] + E_q[σ⁻²] I and mean Λ⁻¹ E_q[σ⁻²] y, whose mean-field
  // optimum has those means and the sds 1/√Λᵢᵢ. The expectations are taken
  // over 4000 draws of the fitted guide.
  std::vector<double> x = points(20), y = observations(x);
  std::vector<double> xs, ys;
  for (std::size_t i = step / 2; i < 20; i += step) xs.push_back(x[i]), ys.push_back(y[i]);
  auto const n = static_cast<Eigen::Index>(xs.size());
  data::CsvTable const table = table_of(xs, ys);
  double const nugget = 1e-6;
  Program const program = testing::compile_model(R"(
data { real x[N]; real y[N]; }
latent { real<lower=0> alpha; real<lower=0> rho; real<lower=0> sigma; real f[N]; }
model {
  alpha ~ HalfNormal(1);
  rho ~ InvGamma(5, 5);
  sigma ~ HalfNormal(1);
  matrix[N, N] L = cholesky_decompose(add_diag(gp_exp_quad_cov(x, alpha, rho), 1e-6));
  f ~ MultiNormalCholesky(0, L);
  y ~ Normal(f, sigma);
}
guide {
  real la = 0; real<lower=0> las = 0.3; real lr = 0; real<lower=0> lrs = 0.3;
  real ls = -1; real<lower=0> lss = 0.3; real m[N] = 0; real<lower=0> s[N] = 0.3;
  alpha ~ LogNormal(la, las); rho ~ LogNormal(lr, lrs); sigma ~ LogNormal(ls, lss);
  f ~ Normal(m, s);
}
)",
                                                 &table);
  FitResult const r = testing::fit_on_seed(program, 1);
  Eigen::MatrixXd inverse_kernel = Eigen::MatrixXd::Zero(n, n);
  double inverse_variance = 0;
  constexpr int draws = 4000;
  for (int d = 0; d < draws; ++d) {
    RandomStream rng(11, 0, static_cast<std::uint64_t>(d));
    std::vector<double> const z = sample_guide(program, r.u, rng);
    inverse_kernel += kernel(xs, z[0], z[1], nugget).inverse() / draws;
    inverse_variance += 1 / (z[2] * z[2]) / draws;
  }
  Eigen::MatrixXd const precision = inverse_kernel + inverse_variance * Eigen::MatrixXd::Identity(n, n);
  Eigen::VectorXd const mean =
      precision.llt().solve(inverse_variance * Eigen::Map<Eigen::VectorXd const>(ys.data(), n));
  std::vector<std::vector<double>> const fitted = constrained_parameters(program, r.u);
  double kl = 0, worst = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    double const m = fitted[6][static_cast<std::size_t>(i)], s = fitted[7][static_cast<std::size_t>(i)];
    double const s_opt = 1 / std::sqrt(precision(i, i));
    kl += std::log(s_opt / s) + (s * s + (m - mean[i]) * (m - mean[i])) / (2 * s_opt * s_opt) - 0.5;
    worst = std::max(worst, std::fabs(m - mean[i]) / s_opt);
  }
  INFO(fmt::format("{} iterations, converged {}; KL of q(f) to the optimum given q(alpha, rho, sigma) {:.2g}, the "
                   "worst mean {:.2g} sds off",
                   r.iterations, r.converged, kl, worst));
  CHECK(r.converged);
  CHECK(kl < 0.01);
}

}  // namespace

TEST_CASE("gp: with latent hyperparameters, q(f) is the optimum given the hyperparameters' fitted guide") {
  check_latent_hyperparameters(3);  // 7 points
}

// About 25 s (5,000 iterations); under the sanitizers the 7-point case runs the same code.
TEST_CASE("gp: on 20 points with latent hyperparameters, q(f) is the optimum given their fitted guide", "[long]") {
  check_latent_hyperparameters(1);
}

TEST_CASE("gp: a non-centred GP, f = L * eta, has the log joint by hand and its closed-form mean-field optimum") {
  // With fixed hyperparameters, eta ~ Normal(0, 1) and y ~ Normal(L eta, σ)
  // give the Gaussian posterior of precision I + LᵀL/σ² and mean
  // (I + LᵀL/σ²)⁻¹ Lᵀy/σ².
  std::vector<double> const x = points(12);
  std::vector<double> const y = observations(x);
  data::CsvTable const table = table_of(x, y);
  double const sigma = 0.3;
  Program const program = testing::compile_model(R"(
data { real x[N]; real y[N]; }
latent { real eta[N]; }
model {
  eta ~ Normal(0, 1);
  matrix[N, N] L = cholesky_decompose(add_diag(gp_exp_quad_cov(x, 1.0, 0.8), 0.01));
  y ~ Normal(L * eta, 0.3);
}
guide { real m[N] = 0; real<lower=0> s[N] = 0.5; eta ~ Normal(m, s); }
)",
                                                 &table);
  Eigen::MatrixXd const l = kernel(x, 1.0, 0.8, 0.01).llt().matrixL();
  Eigen::VectorXd const observed = Eigen::Map<Eigen::VectorXd const>(y.data(), 12);
  std::vector<double> eta(12);
  for (std::size_t i = 0; i < 12; ++i) eta[i] = 0.1 * static_cast<double>(i) - 0.5;
  Eigen::VectorXd const f = l * Eigen::Map<Eigen::VectorXd const>(eta.data(), 12);
  double expected = 0;
  for (Eigen::Index i = 0; i < 12; ++i)
    expected += log_normal(eta[static_cast<std::size_t>(i)], 0, 1) + log_normal(observed[i], f[i], sigma);
  CHECK(log_joint(program, eta) == Approx(expected).epsilon(1e-12));

  Eigen::MatrixXd const precision = Eigen::MatrixXd::Identity(12, 12) + l.transpose() * l / (sigma * sigma);
  Eigen::VectorXd const mean = precision.llt().solve(l.transpose() * observed / (sigma * sigma));
  FitResult const r = testing::fit_on_seed(program, 1);
  std::vector<std::vector<double>> const fitted = constrained_parameters(program, r.u);
  double kl = 0;
  for (Eigen::Index i = 0; i < 12; ++i) {
    double const m = fitted[0][static_cast<std::size_t>(i)], s = fitted[1][static_cast<std::size_t>(i)];
    double const s_opt = 1 / std::sqrt(precision(i, i));
    kl += std::log(s_opt / s) + (s * s + (m - mean[i]) * (m - mean[i])) / (2 * s_opt * s_opt) - 0.5;
  }
  INFO(fmt::format("{} iterations, converged {}; KL to the optimum {:.2g}", r.iterations, r.converged, kl));
  CHECK(r.converged);
  CHECK(kl < 0.01);
}

// models/gp: a known kernel and noise, so the posterior of f is N(mean,
// precision⁻¹) exactly, and the example's full-rank guide can be it.
TEST_CASE("gp: models/gp's full-rank guide reaches the exact GP posterior") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/gp.csv");
  Program const program = testing::compile_model(testing::read_source_file("models/gp.model"), &table);
  std::vector<double> const x = table.real_column("x"), y = table.real_column("y");
  auto const n = static_cast<Eigen::Index>(x.size());
  double const sigma = 0.3;
  Eigen::MatrixXd const precision =
      kernel(x, 1.0, 0.8, 0.01).inverse() + Eigen::MatrixXd::Identity(n, n) / (sigma * sigma);
  Eigen::VectorXd const mean =
      precision.llt().solve(Eigen::Map<Eigen::VectorXd const>(y.data(), n) / (sigma * sigma));
  double const log_det_precision = 2 * precision.llt().matrixL().toDenseMatrix().diagonal().array().log().sum();
  for (std::uint64_t seed : {1, 2, 3}) {
    FitResult const r = testing::fit_on_seed(program, seed);
    std::vector<std::vector<double>> const q = constrained_parameters(program, r.u);
    Eigen::VectorXd const d = Eigen::Map<Eigen::VectorXd const>(q[0].data(), n) - mean;
    Eigen::MatrixXd const l =
        Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> const>(q[1].data(), n, n);
    // KL(N(m, L Lᵀ) ‖ N(mean, precision⁻¹)).
    double const kl = 0.5 * ((precision * l * l.transpose()).trace() + d.dot(precision * d) -
                             static_cast<double>(n) - 2 * l.diagonal().array().log().sum() - log_det_precision);
    INFO(fmt::format("seed {}: {} iterations, converged {}; KL to the exact posterior {:.2g}", seed, r.iterations,
                     r.converged, kl));
    CHECK(r.converged);
    CHECK(kl < 0.01);
  }
}
