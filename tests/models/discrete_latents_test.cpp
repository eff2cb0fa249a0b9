// Binomial and Poisson latents with guides of the same family, against their
// mean-field optimum found by enumeration: the ELBO is a finite sum (or a sum
// truncated where the terms are below rounding), maximised by Newton steps.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/newton.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

using namespace bbvi;

namespace {

std::vector<double> const readings = {3.1, 2.2, 4.0, 2.6};

double log_normal_readings(double k, double sd) {
  double total = 0;
  for (double x : readings) total += -0.5 * std::log(2 * M_PI * sd * sd) - (x - k) * (x - k) / (2 * sd * sd);
  return total;
}

double log_binomial(int k, int n, double p) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1) + k * std::log(p) + (n - k) * std::log1p(-p);
}

double log_poisson(int k, double r) { return k * std::log(r) - r - std::lgamma(k + 1); }

// A guide over 0..K given by its log mass; the ELBO and KL by summation.
using LogMass = std::function<double(int)>;

double elbo(LogMass const& log_q, LogMass const& log_joint, int K) {
  double total = 0;
  for (int k = 0; k <= K; ++k) total += std::exp(log_q(k)) * (log_joint(k) - log_q(k));
  return total;
}

double kl(LogMass const& log_q, LogMass const& log_optimum, int K) {
  double total = 0;
  for (int k = 0; k <= K; ++k) total += std::exp(log_q(k)) * (log_q(k) - log_optimum(k));
  return total;
}

}  // namespace

// Their steps are noisy (½ tr(F Cov δ) ≈ 4 nats with S = 10) but overshoot,
// so the iterates oscillate about the optimum: the stopping rule must
// certify them from the iterates' own autocorrelation (tail_average.hpp).
TEST_CASE("a Binomial latent with a Binomial guide reaches the optimum found by enumeration") {
  std::string const source = R"(
data { real x[N]; }
latent { int<lower=0, upper=10> k; }
model { k ~ Binomial(10, 0.3); x ~ Normal(k, 1); }
guide { real<lower=0, upper=1> p = 0.5; k ~ Binomial(10, p); }
)";
  auto const log_joint = [](int k) { return log_binomial(k, 10, 0.3) + log_normal_readings(k, 1); };
  auto const guide = [](double p) { return [p](int k) { return log_binomial(k, 10, p); }; };
  auto const objective = [&](Eigen::VectorXd const& logit) {
    return elbo(guide(1 / (1 + std::exp(-logit[0]))), log_joint, 10);
  };
  double const optimum = 1 / (1 + std::exp(-testing::newton_maximise(objective, Eigen::VectorXd::Zero(1))[0]));

  data::CsvTable const table = testing::column_table("x", readings);
  Program const program = testing::compile_model(source, &table);
  FitResult const r = fit(program, FitOptions{});
  double const p = constrained_parameters(program, r.u)[0][0];
  double const distance = kl(guide(p), guide(optimum), 10);
  INFO("p " << p << " against " << optimum << ": KL " << distance << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(distance < testing::promised_kl);
}

TEST_CASE("a Poisson latent with a Poisson guide reaches the optimum found by enumeration") {
  std::string const source = R"(
data { real x[N]; }
latent { int<lower=0> k; }
model { k ~ Poisson(5); x ~ Normal(k, 2); }
guide { real<lower=0> rate = 1; k ~ Poisson(rate); }
)";
  int const K = 200;  // the guide's mass beyond 200 is below 1e-100 for the rates reached here
  auto const log_joint = [](int k) { return log_poisson(k, 5) + log_normal_readings(k, 2); };
  auto const guide = [](double rate) { return [rate](int k) { return log_poisson(k, rate); }; };
  auto const objective = [&](Eigen::VectorXd const& log_rate) { return elbo(guide(std::exp(log_rate[0])), log_joint, K); };
  double const optimum = std::exp(testing::newton_maximise(objective, Eigen::VectorXd::Zero(1))[0]);

  data::CsvTable const table = testing::column_table("x", readings);
  Program const program = testing::compile_model(source, &table);
  FitResult const r = fit(program, FitOptions{});
  double const rate = constrained_parameters(program, r.u)[0][0];
  double const distance = kl(guide(rate), guide(optimum), K);
  INFO("rate " << rate << " against " << optimum << ": KL " << distance << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(distance < testing::promised_kl);
}
