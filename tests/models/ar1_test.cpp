// models/ar1.model against its mean-field optimum, as written and with a
// 'for' loop, and an AR(2) written with a loop against its own. Under the
// guide Normal(alpha) × Normal(beta) × LogNormal(sigma) every expectation in the
// ELBO has a closed form (E 1/sigma² = exp(−2m + 2s²), E sigma² = exp(2m + 2s²),
// E log sigma = m, and each row's squared residual is its value at the means
// plus alpha's and beta's variances), so the test writes it out from the
// shipped CSV and maximises it by Newton steps, without the engine.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/engine_elbo.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/newton.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <Eigen/Core>
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

constexpr double half_log_2pi = 0.91893853320467274178;

// The entropy of a Normal of sd s; a LogNormal's is this of its log's sd plus
// the log's mean.
double normal_entropy(double s) { return half_log_2pi + 0.5 + std::log(s); }

// The ELBO, with every constant, of the guide θ = (alpha's mean, log sd,
// then each lag's coefficient's mean and log sd, then log sigma's mean and
// log sd), for the model's priors alpha ~ Normal(0, 10), beta[k] ~ Normal(0,
// 1), sigma ~ HalfNormal(1) and y[t] ~ Normal(alpha + Σ_k beta[k] y[t − k],
// sigma) for t = lags + 1..N.
double ar_elbo(std::vector<double> const& y, std::size_t lags, Eigen::VectorXd const& theta) {
  auto const at = [&](std::size_t i) { return theta[static_cast<Eigen::Index>(i)]; };
  double const am = at(0), as = std::exp(at(1));
  double const m = at(2 * lags + 2), s = std::exp(at(2 * lags + 3));
  double squares = 0;
  for (std::size_t t = lags; t < y.size(); ++t) {
    double residual = y[t] - am, variance = as * as;
    for (std::size_t k = 1; k <= lags; ++k) {
      double const bs = std::exp(at(2 * k + 1));
      residual -= at(2 * k) * y[t - k];
      variance += bs * bs * y[t - k] * y[t - k];
    }
    squares += residual * residual + variance;
  }
  double const rows = static_cast<double>(y.size() - lags);
  double const likelihood = -rows * (half_log_2pi + m) - 0.5 * std::exp(-2 * m + 2 * s * s) * squares;
  double elbo = likelihood + (-std::log(10.0) - half_log_2pi - (am * am + as * as) / 200) + normal_entropy(as) +
                (std::log(2.0) - half_log_2pi - 0.5 * std::exp(2 * m + 2 * s * s)) + m + normal_entropy(s);
  for (std::size_t k = 1; k <= lags; ++k) {
    double const bm = at(2 * k), bs = std::exp(at(2 * k + 1));
    elbo += -half_log_2pi - (bm * bm + bs * bs) / 2 + normal_entropy(bs);
  }
  return elbo;
}

double ar1_elbo(std::vector<double> const& y, Eigen::VectorXd const& theta) { return ar_elbo(y, 1, theta); }

// The guide's parameters in the reference's coordinates, from the engine's
// (in the guide block's order: means and sds).
Eigen::VectorXd reference_coordinates(Program const& program, Eigen::VectorXd const& u, Eigen::Index factors = 3) {
  auto const p = constrained_parameters(program, u);
  Eigen::VectorXd theta(2 * factors);
  for (Eigen::Index k = 0; k < factors; ++k) {
    theta[2 * k] = p[static_cast<std::size_t>(2 * k)][0];
    theta[2 * k + 1] = std::log(p[static_cast<std::size_t>(2 * k + 1)][0]);
  }
  return theta;
}

// KL(fit ‖ optimum), summed over the three factors; the LogNormal's is its
// log's Normal's.
double kl_between(Eigen::VectorXd const& fit, Eigen::VectorXd const& optimum) {
  double kl = 0;
  for (Eigen::Index k = 0; k < fit.size() / 2; ++k)
    kl += reference::kl_normal(fit[2 * k], std::exp(-2 * fit[2 * k + 1]), optimum[2 * k],
                               std::exp(-2 * optimum[2 * k + 1]));
  return kl;
}

// The mean-field optimum, θ as ar_elbo takes it.
Eigen::VectorXd optimum_of(std::vector<double> const& y, std::size_t lags = 1) {
  Eigen::VectorXd start = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(2 * lags + 4));
  start[start.size() - 1] = std::log(0.5);
  return testing::newton_maximise([&](Eigen::VectorXd const& t) { return ar_elbo(y, lags, t); }, start);
}

std::string const sliced_term = "y[2:N] ~ Normal(alpha + beta * y[1:(N - 1)], sigma);";

// models/ar1.model with its sliced '~' written as a loop over the rows.
std::string ar1_as_loop() {
  std::string source = testing::read_source_file("models/ar1.model");
  return source.replace(source.find(sliced_term), sliced_term.size(),
                        "for (t in 2:N) y[t] ~ Normal(alpha + beta * y[t - 1], sigma);");
}

}  // namespace

TEST_CASE("ar1: the closed-form ELBO agrees with the engine's log p − log q") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/ar1.csv");
  std::vector<double> const y = table.real_column("y");
  Program const program = testing::compile_model(testing::read_source_file("models/ar1.model"), &table);
  // Off the optimum (tests/support/engine_elbo.hpp); the engine's coordinates
  // are θ's, a <lower=0> parameter's being its log.
  Eigen::VectorXd const theta = testing::off_optimum(optimum_of(y));
  REQUIRE((reference_coordinates(program, theta) - theta).norm() < 1e-12);
  testing::ElboEstimate const engine = testing::engine_elbo(program, theta, 20000);
  double const closed_form = ar1_elbo(y, theta);
  INFO("Monte Carlo " << engine.mean << " ± " << engine.se << ", closed form " << closed_form);
  // 4 standard errors of a mean of 20,000 draws: exceeded by chance once in
  // 16,000 seeds; a wrong term or constant would move it by far more.
  CHECK(std::abs(engine.mean - closed_form) < 4 * engine.se);
}

TEST_CASE("ar1: default fit within KL 0.01 of the mean-field optimum") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/ar1.csv");
  Eigen::VectorXd const optimum = optimum_of(table.real_column("y"));
  Program const program = testing::compile_model(testing::read_source_file("models/ar1.model"), &table);
  FitResult const r = fit(program, FitOptions{});
  Eigen::VectorXd const fitted = reference_coordinates(program, r.u);
  double const kl = kl_between(fitted, optimum);
  INFO("KL " << kl << " after " << r.iterations << " iterations, " << r.seconds << " s; alpha " << fitted[0]
             << " (optimum " << optimum[0] << "), beta " << fitted[2] << " (" << optimum[2] << "), log sigma "
             << fitted[4] << " ± " << std::exp(fitted[5]) << " (" << optimum[4] << " ± " << std::exp(optimum[5])
             << ")");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}

TEST_CASE("ar1: written with a loop, the log joint of its slices, and the mean-field optimum on seeds 1-3") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/ar1.csv");
  Program const sliced = testing::compile_model(testing::read_source_file("models/ar1.model"), &table);
  Program const looped = testing::compile_model(ar1_as_loop(), &table);
  for (std::vector<double> const& z : {std::vector<double>{0.5, 0.6, 0.5}, std::vector<double>{-1, 0.2, 2}})
    CHECK(log_joint(looped, z) == Approx(log_joint(sliced, z)).epsilon(1e-12));
  // A loop over rows is written as its vector form (docs/language.md,
  // 'Loops'): one term of 149 rows, not 149 terms, and so the same fit.
  CHECK(looped.model.size() == sliced.model.size());
  Eigen::VectorXd const optimum = optimum_of(table.real_column("y"));
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    FitResult const r = testing::fit_on_seed(looped, seed);
    double const kl = kl_between(reference_coordinates(looped, r.u), optimum);
    INFO("seed " << seed << ": KL " << kl << " after " << r.iterations << " iterations");
    CHECK(r.converged);
    CHECK(kl < testing::promised_kl);
    CHECK(r.u == testing::fit_on_seed(sliced, seed).u);
  }
}

// An AR(2) written with a loop, its guide given by `guide`, fitted on seed
// 1; `coordinates` reads θ as ar_elbo takes it from the fitted parameters.
void check_ar2(std::string const& guide,
               std::function<Eigen::VectorXd(std::vector<std::vector<double>> const&)> const& coordinates) {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/ar1.csv");
  Program const program = testing::compile_model(R"(
data { real y[N]; }
latent { real alpha; real beta[2]; real<lower=0> sigma; }
model {
  alpha ~ Normal(0, 10);
  beta ~ Normal(0, 1);
  sigma ~ HalfNormal(1);
  for (t in 3:N)
    y[t] ~ Normal(alpha + beta[1] * y[t - 1] + beta[2] * y[t - 2], sigma);
}
)" + guide,
                                                 &table);
  Eigen::VectorXd const optimum = optimum_of(table.real_column("y"), 2);
  FitResult const r = testing::fit_on_seed(program, 1);
  Eigen::VectorXd const fitted = coordinates(constrained_parameters(program, r.u));
  double const kl = kl_between(fitted, optimum);
  INFO("KL " << kl << " after " << r.iterations << " iterations; beta " << fitted[2] << ", " << fitted[4]
             << " (optimum " << optimum[2] << ", " << optimum[4] << ")");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}

TEST_CASE("ar2: a loop over two lags reaches the mean-field optimum") {
  check_ar2(R"(
guide {
  real a = 0; real<lower=0> a_sd = 1;
  real b[2] = 0; real<lower=0> b_sd[2] = 1;
  real s = 0; real<lower=0> s_sd = 0.5;
  alpha ~ Normal(a, a_sd);
  beta ~ Normal(b, b_sd);
  sigma ~ LogNormal(s, s_sd);
}
)",
            [](auto const& p) {
              Eigen::VectorXd theta(8);
              theta << p[0][0], std::log(p[1][0]), p[2][0], std::log(p[3][0]), p[2][1], std::log(p[3][1]), p[4][0],
                  std::log(p[5][0]);
              return theta;
            });
}

// Its lags' coefficients are correlated (about −0.5): the Newton step on the
// Normal factors' locations must see each coefficient's location, written
// as an array literal's element as well as a vector's.
TEST_CASE("ar2: a guide factor whose arguments are array literals of scalar parameters") {
  check_ar2(R"(
guide {
  real a = 0; real<lower=0> a_sd = 1;
  real b1 = 0; real<lower=0> b1_sd = 1;
  real b2 = 0; real<lower=0> b2_sd = 1;
  real s = 0; real<lower=0> s_sd = 0.5;
  alpha ~ Normal(a, a_sd);
  beta ~ Normal({b1, b2}, {b1_sd, b2_sd});
  sigma ~ LogNormal(s, s_sd);
}
)",
            [](auto const& p) {
              Eigen::VectorXd theta(8);
              for (Eigen::Index k = 0; k < 4; ++k) {
                theta[2 * k] = p[static_cast<std::size_t>(2 * k)][0];
                theta[2 * k + 1] = std::log(p[static_cast<std::size_t>(2 * k + 1)][0]);
              }
              return theta;
            });
}
