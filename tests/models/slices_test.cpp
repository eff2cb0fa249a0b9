// Slices: an AR(1) series written `y[2:N] ~ Normal(alpha + beta * y[1:(N - 1)], s)`
// against its conjugate posterior, computed here as the regression of y_t
// on (1, y_{t−1}); and a latent's slice read in an expression.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

std::vector<double> series(std::size_t n) {
  std::vector<double> y{1.0};
  for (std::size_t t = 1; t < n; ++t)
    y.push_back(0.3 + 0.8 * y.back() + 0.5 * std::sin(1.9 * static_cast<double>(t) + 0.4 * static_cast<double>(t * t)));
  return y;
}

}  // namespace

TEST_CASE("slices: an AR(1) series reaches its conjugate posterior's mean-field optimum") {
  std::vector<double> const y = series(200);
  std::string csv = "y\n";
  for (double v : y) csv += fmt::format("{:.17g}\n", v);
  data::CsvTable const table = data::CsvTable::from_text(std::move(csv), "ar1.csv");
  // Priors Normal(0, 10) and Normal(0, 1), noise sd 0.5: Λ = XᵀX/σ² + diag(1/100, 1).
  Eigen::Matrix2d precision = Eigen::Vector2d(0.01, 1.0).asDiagonal();
  Eigen::Vector2d weighted = Eigen::Vector2d::Zero();
  for (std::size_t t = 1; t < y.size(); ++t) {
    Eigen::Vector2d const row(1.0, y[t - 1]);
    precision += row * row.transpose() / 0.25;
    weighted += row * y[t] / 0.25;
  }
  Eigen::Vector2d const mean = precision.ldlt().solve(weighted);
  Program const program = testing::compile_model(R"(
data { real y[N]; }
latent { real alpha; real beta; }
model {
  alpha ~ Normal(0, 10);
  beta ~ Normal(0, 1);
  y[2:N] ~ Normal(alpha + beta * y[1:(N - 1)], 0.5);
}
guide {
  real a = 0; real<lower=0> as = 1; real b = 0; real<lower=0> bs = 1;
  alpha ~ Normal(a, as); beta ~ Normal(b, bs);
}
)",
                                                 &table);
  FitResult const r = testing::fit_on_seed(program, 1);
  auto const p = constrained_parameters(program, r.u);
  double const kl = reference::kl_normal(p[0][0], 1 / (p[1][0] * p[1][0]), mean[0], precision(0, 0)) +
                    reference::kl_normal(p[2][0], 1 / (p[3][0] * p[3][0]), mean[1], precision(1, 1));
  INFO("KL " << kl << "; beta " << p[2][0] << " (" << mean[1] << ")");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}

TEST_CASE("slices: a latent's slice is the gather of its elements, in the log joint and the blankets") {
  data::CsvTable const table = data::CsvTable::from_text("y\n0.5\n-1\n", "y.csv");
  Program const program = testing::compile_model(R"(
data { real y[N]; }
latent { real theta[4]; }
model { theta ~ Normal(0, 1); y ~ Normal(theta[2:3] - theta[3:4], 1); }
guide { real m[4]; theta ~ Normal(m, 1); }
)",
                                                 &table);
  std::vector<double> const theta{0.3, -1.1, 2.0, 0.7};
  double expected = 0;
  for (double t : theta) expected += -0.5 * t * t - 0.918938533204672742;
  double const means[] = {-1.1 - 2.0, 2.0 - 0.7}, ys[] = {0.5, -1};
  for (int n = 0; n < 2; ++n) expected += -0.5 * (ys[n] - means[n]) * (ys[n] - means[n]) - 0.918938533204672742;
  CHECK(log_joint(program, theta) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("slices: sizes as expressions, an int constant from N; a lag column derived in the data block fits as "
          "the slice itself") {
  std::vector<double> const y = series(60);
  std::string csv = "y\n";
  for (double v : y) csv += fmt::format("{:.17g}\n", v);
  data::CsvTable const table = data::CsvTable::from_text(std::move(csv), "ar1.csv");
  std::string const guide = R"(
guide {
  real a = 0; real<lower=0> as = 1; real b = 0; real<lower=0> bs = 1; real zm[2 * K - 1] = 0;
  alpha ~ Normal(a, as); beta ~ Normal(b, bs); z ~ Normal(zm, 1);
}
)";
  std::string const latent = "latent { real alpha; real beta; real z[2 * K - 1]; }\n";
  Program const sliced = testing::compile_model("data { real y[N]; int K = 3; }\n" + latent + R"(
model {
  alpha ~ Normal(0, 10); beta ~ Normal(0, 1); z ~ Normal(0, 1);
  y[2:N] ~ Normal(alpha + beta * y[1:(N - 1)], 0.5);
}
)" + guide,
                                                &table);
  Program const lagged = testing::compile_model(
      "data { real y[N]; int K = 3; int M = N - 1; real y_lag[M] = y[1:M]; }\n" + latent + R"(
model {
  alpha ~ Normal(0, 10); beta ~ Normal(0, 1); z ~ Normal(0, 1);
  real next[N - 1] = alpha + beta * y_lag;
  y[2:N] ~ Normal(next, 0.5);
}
)" + guide,
      &table);
  CHECK(sliced.latents[2].size == 5);
  FitResult const a = testing::fit_on_seed(sliced, 1), b = testing::fit_on_seed(lagged, 1);
  CHECK(a.converged);
  CHECK(a.iterations == b.iterations);
  for (Eigen::Index i = 0; i < a.u.size(); ++i) {
    INFO("parameter " << i);
    CHECK(a.u[i] == Approx(b.u[i]).epsilon(1e-12));
  }
}

TEST_CASE("slices: a latent random walk drawn by its elements and slices reaches its exact posterior's optimum") {
  // z[1] ~ Normal(0, 10), z[k] ~ Normal(z[k - 1], 1), y[k] ~ Normal(z[k], 0.5):
  // a Gaussian posterior whose precision is tridiagonal, written here.
  std::vector<double> const y{0.3, 1.1, 0.7, 1.9, 2.4, 2.2};
  std::string csv = "y\n";
  for (double v : y) csv += fmt::format("{}\n", v);
  data::CsvTable const table = data::CsvTable::from_text(std::move(csv), "walk.csv");
  std::string const guide = R"(
guide { real m[6] = 0; real<lower=0> s[6] = 1; z ~ Normal(m, s); }
)";
  Program const by_parts = testing::compile_model(R"(
data { real y[N]; }
latent { real z[6]; }
model {
  z[1] ~ Normal(0, 10);
  z[2:6] ~ Normal(z[1:5], 1);
  y ~ Normal(z, 0.5);
}
)" + guide,
                                                  &table);
  Program const by_target = testing::compile_model(R"(
data { real y[N]; }
latent { real z[6]; }
model {
  target += Normal_lpdf(z[1] | 0, 10);
  target += Normal_lpdf(z[2:6] | z[1:5], 1);
  y ~ Normal(z, 0.5);
}
)" + guide,
                                                   &table);
  CHECK_FALSE(by_parts.latents[0].flat_prior);  // every element has its '~'
  CHECK(by_target.latents[0].flat_prior);
  std::vector<double> const z{0.1, 0.9, 0.5, 2.0, 2.1, 2.6};
  CHECK(log_joint(by_parts, z) == Approx(log_joint(by_target, z)).epsilon(1e-14));

  Eigen::MatrixXd precision = Eigen::MatrixXd::Zero(6, 6);
  precision(0, 0) = 1 / 100.0;
  for (Eigen::Index k = 1; k < 6; ++k) {
    precision(k, k) += 1;
    precision(k - 1, k - 1) += 1;
    precision(k, k - 1) -= 1;
    precision(k - 1, k) -= 1;
  }
  precision.diagonal().array() += 4;  // the observations, sd 0.5
  Eigen::VectorXd const mean =
      precision.ldlt().solve(4 * Eigen::Map<Eigen::VectorXd const>(y.data(), static_cast<Eigen::Index>(y.size())));
  for (std::uint64_t seed : {1, 2, 3}) {
    FitResult const r = testing::fit_on_seed(by_parts, seed);
    auto const q = constrained_parameters(by_parts, r.u);
    double kl = 0;
    for (std::size_t k = 0; k < 6; ++k) {
      auto const i = static_cast<Eigen::Index>(k);
      kl += reference::kl_normal(q[0][k], 1 / (q[1][k] * q[1][k]), mean[i], precision(i, i));
    }
    INFO("seed " << seed << ": KL " << kl << " after " << r.iterations << " iterations");
    CHECK(r.converged);
    CHECK(kl < testing::promised_kl);
  }
}
