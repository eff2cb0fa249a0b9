// NegBinomial2 (Stan's neg_binomial_2(mu, phi)) in a fit: overdispersed
// counts with a latent mean mu and a latent dispersion phi, LogNormal guides
// on both, against the mean-field optimum in that family computed here
// without the engine. Its ELBO needs expectations over the two Normals of
// log mu and log phi: a trapezoid rule in each standard score (step ½ over
// ±8; for an integrand analytic in a wide strip, as these are, its error is
// of order exp(−2π²/h²) = 10⁻³⁴, and the tails beyond 8 hold 10⁻¹⁵), maximised
// by Newton steps (tests/support/newton.hpp).
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/engine_elbo.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/newton.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <boost/random/gamma_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

constexpr double half_log_2pi = 0.91893853320467274178;

std::string const model = R"(
data { int<lower=0> count[N]; }
latent { real<lower=0> mu; real<lower=0> phi; }
model {
  mu ~ Gamma(2, 0.25);
  phi ~ Gamma(2, 0.5);
  count ~ NegBinomial2(mu, phi);
}
guide {
  real log_mu_mean = 0; real<lower=0> log_mu_sd = 0.5;
  real log_phi_mean = 0; real<lower=0> log_phi_sd = 0.5;
  mu ~ LogNormal(log_mu_mean, log_mu_sd);
  phi ~ LogNormal(log_phi_mean, log_phi_sd);
}
)";

// 200 counts with mean 4 and phi 2.5 (variance 10.4): a Poisson whose rate
// is Gamma(phi, scale mu / phi), from Boost.Random, which draws the same
// numbers with every standard library.
std::vector<double> counts() {
  boost::random::mt19937 rng(20261205);
  std::vector<double> c;
  for (int n = 0; n < 200; ++n) {
    double const rate = boost::random::gamma_distribution<double>(2.5, 4 / 2.5)(rng);
    c.push_back(boost::random::poisson_distribution<int, double>(rate)(rng));
  }
  return c;
}

// The ELBO, with every constant, of LogNormal(θ₀, e^θ₁) on mu and
// LogNormal(θ₂, e^θ₃) on phi. In x = log mu and v = log phi the rows sum to
//   Σₙ [lgamma(yₙ + phi) − lgamma(phi) − lgamma(yₙ + 1)] + S x + N phi v − (S + N phi) log(mu + phi),
// with S = Σ yₙ, so the data enter only through S, N and the counts of each value.
struct Elbo {
  std::map<double, int> values;  // each count and how many rows have it
  double total = 0, rows = 0, log_factorials = 0;
  std::vector<double> z, weight;  // the trapezoid rule in a standard score

  explicit Elbo(std::vector<double> const& y) {
    for (double v : y) {
      ++values[v];
      total += v;
      log_factorials += std::lgamma(v + 1);
    }
    rows = static_cast<double>(y.size());
    for (int k = -16; k <= 16; ++k) {
      z.push_back(0.5 * k);
      weight.push_back(0.5 * std::exp(-0.125 * k * k - half_log_2pi));
    }
  }

  // log Gamma(x | shape, rate) at x = e^log_x.
  static double log_gamma_density(double log_x, double shape, double rate) {
    return shape * std::log(rate) - std::lgamma(shape) + (shape - 1) * log_x - rate * std::exp(log_x);
  }

  double operator()(Eigen::VectorXd const& theta) const {
    double const m_mu = theta[0], s_mu = std::exp(theta[1]), m_phi = theta[2], s_phi = std::exp(theta[3]);
    double expected = 0;
    for (std::size_t j = 0; j < z.size(); ++j) {
      double const v = m_phi + s_phi * z[j], phi = std::exp(v);
      double by_phi = -rows * std::lgamma(phi) - log_factorials + rows * phi * v + log_gamma_density(v, 2, 0.5);
      for (auto const& [value, how_many] : values) by_phi += how_many * std::lgamma(value + phi);
      double inner = 0;
      for (std::size_t i = 0; i < z.size(); ++i) {
        double const x = m_mu + s_mu * z[i];
        inner += weight[i] * (total * x - (total + rows * phi) * std::log(std::exp(x) + phi) +
                              log_gamma_density(x, 2, 0.25));
      }
      expected += weight[j] * (by_phi + inner);
    }
    // Each LogNormal's entropy: its log's Normal's, plus that Normal's mean.
    return expected + (m_mu + half_log_2pi + 0.5 + std::log(s_mu)) + (m_phi + half_log_2pi + 0.5 + std::log(s_phi));
  }
};

Eigen::VectorXd reference_coordinates(Program const& program, Eigen::VectorXd const& u) {
  auto const p = constrained_parameters(program, u);  // log_mu_mean, log_mu_sd, log_phi_mean, log_phi_sd
  return Eigen::Vector4d(p[0][0], std::log(p[1][0]), p[2][0], std::log(p[3][0]));
}

data::CsvTable count_table(std::vector<double> const& y) {
  std::string csv = "count\n";
  for (double v : y) csv += fmt::format("{}\n", v);
  return data::CsvTable::from_text(std::move(csv), "counts.csv");
}

// The mean-field optimum, θ as Elbo takes it.
Eigen::VectorXd optimum_of(std::vector<double> const& y) {
  return testing::newton_maximise(Elbo(y), Eigen::Vector4d(1, -2, 1, -2));
}

}  // namespace

TEST_CASE("NegBinomial2 in a fit: the quadrature ELBO agrees with the engine's log p − log q") {
  std::vector<double> const y = counts();
  data::CsvTable const table = count_table(y);
  Program const program = testing::compile_model(model, &table);
  // Off the optimum (tests/support/engine_elbo.hpp); the engine's coordinates
  // are θ's, a <lower=0> parameter's being its log.
  Eigen::VectorXd const theta = testing::off_optimum(optimum_of(y));
  REQUIRE((reference_coordinates(program, theta) - theta).norm() < 1e-12);
  testing::ElboEstimate const engine = testing::engine_elbo(program, theta, 10000);
  double const reference = Elbo(y)(theta);
  INFO("Monte Carlo " << engine.mean << " ± " << engine.se << ", quadrature " << reference);
  // 4 standard errors of a mean of 10,000 draws: exceeded by chance once in
  // 16,000 seeds; a wrong term or constant would move it by far more.
  CHECK(std::abs(engine.mean - reference) < 4 * engine.se);
}

TEST_CASE("NegBinomial2 in a fit: a latent mean and dispersion, default fit within KL 0.01 of the mean-field optimum") {
  std::vector<double> const y = counts();
  data::CsvTable const table = count_table(y);
  Eigen::VectorXd const optimum = optimum_of(y);
  Program const program = testing::compile_model(model, &table);
  FitResult const r = fit(program, FitOptions{});
  Eigen::VectorXd const fitted = reference_coordinates(program, r.u);
  double const kl = reference::kl_normal(fitted[0], std::exp(-2 * fitted[1]), optimum[0], std::exp(-2 * optimum[1])) +
                    reference::kl_normal(fitted[2], std::exp(-2 * fitted[3]), optimum[2], std::exp(-2 * optimum[3]));
  INFO("KL " << kl << " after " << r.iterations << " iterations, " << r.seconds << " s; log mu " << fitted[0]
             << " ± " << std::exp(fitted[1]) << " (optimum " << optimum[0] << " ± " << std::exp(optimum[1])
             << "), log phi " << fitted[2] << " ± " << std::exp(fitted[3]) << " (" << optimum[2] << " ± "
             << std::exp(optimum[3]) << ")");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}
