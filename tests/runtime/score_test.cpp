// The automatic scores of the canonical guide against the closed forms of
// docs/method.md, 'Its log-joint and scores'.
#include "runtime/bbvi/blankets.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;

TEST_CASE("canonical guide: automatic scores equal the closed forms") {
  data::CsvTable const table = testing::column_table("x", {0.3, -1.2, 2.5});
  Program const program = testing::compile_model(testing::read_source_file("models/normal_gamma.model"), &table);
  REQUIRE(program.parameter_dimension == 4);
  boost::random::mt19937 rng(42);
  boost::random::uniform_real_distribution<double> uniform(-2.0, 2.0);
  for (int trial = 0; trial < 50; ++trial) {
    Eigen::VectorXd u(4);
    for (int k = 0; k < 4; ++k) u[k] = uniform(rng);
    double const mu_N = u[0], lambda_N = std::exp(u[1]), alpha_N = std::exp(u[2]), beta_N = std::exp(u[3]);
    double const mu = 3 * uniform(rng), tau = std::exp(uniform(rng));
    Eigen::VectorXd score(4);
    log_guide_with_score(program, u, {mu, tau}, score);
    // docs/method.md gives ∂/∂λ; the parameters live on u = (mu_N, log λ_N, log α_N,
    // log β_N), so each positive one picks up dλ/du = λ.
    double const expected[4] = {
        lambda_N * (mu - mu_N),
        lambda_N * (1 / (2 * lambda_N) - (mu - mu_N) * (mu - mu_N) / 2),
        alpha_N * (std::log(beta_N) + std::log(tau) - boost::math::digamma(alpha_N)),
        beta_N * (alpha_N / beta_N - tau),
    };
    for (int k = 0; k < 4; ++k) {
      INFO("trial " << trial << ", coordinate " << k);
      CHECK(score[k] == Approx(expected[k]).epsilon(1e-9).margin(1e-12));
    }
  }
}

TEST_CASE("canonical model: log p and log q equal the closed forms") {
  std::vector<double> const x{0.3, -1.2, 2.5};
  data::CsvTable const table = testing::column_table("x", x);
  CompileOptions options;
  options.overrides = {{"mu0", 0.5}, {"lambda0", 2.0}, {"alpha0", 3.0}, {"beta0", 1.5}};
  Program const program =
      testing::compile_model(testing::read_source_file("models/normal_gamma.model"), &table, options);
  double const mu = 0.7, tau = 1.3, log2pi = std::log(2 * M_PI);
  double expected = 0;
  for (double xn : x) expected += 0.5 * std::log(tau) - 0.5 * log2pi - 0.5 * tau * (xn - mu) * (xn - mu);
  expected += 0.5 * std::log(2.0 * tau) - 0.5 * log2pi - 0.5 * 2.0 * tau * (mu - 0.5) * (mu - 0.5);
  expected += 3.0 * std::log(1.5) - std::lgamma(3.0) + 2.0 * std::log(tau) - 1.5 * tau;
  CHECK(log_joint(program, {mu, tau}) == Approx(expected).epsilon(1e-12));

  Eigen::VectorXd u(4);
  u << 0.2, std::log(4.0), std::log(2.0), std::log(3.0);
  double const lq = 0.5 * std::log(4.0) - 0.5 * log2pi - 0.5 * 4.0 * (mu - 0.2) * (mu - 0.2) + 2.0 * std::log(3.0) -
                    std::lgamma(2.0) + std::log(tau) - 3.0 * tau;
  CHECK(log_guide(program, u, {mu, tau}) == Approx(lq).epsilon(1e-12));
}

TEST_CASE("score by group: the same score and terms as the dense duals, to the last bit") {
  // A guide with locals, a vector latent sharing a parameter across its
  // elements, and a per-element one: every way a group forms.
  std::string const source = R"(
data { real x[N]; int K = 3; }
latent { real mu; real<lower=0> tau; real eta[K]; real b[K]; }
model {
  mu ~ Normal(0, 5); tau ~ HalfNormal(5); eta ~ Normal(0, 1); b ~ Normal(0, 2);
  x ~ Normal(mu + tau * eta[1] + b[2], 1);
}
guide {
  real m = 0.3; real<lower=0> s = 1.5; real lt = -0.2; real<lower=0> lts = 0.7;
  real em[K] = 0.1; real<lower=0> es[K] = 0.9; real bm[K] = 0; real<lower=0> bs = 1.2;
  real wide = 2 * s;
  mu ~ Normal(m, wide); tau ~ LogNormal(lt, lts); eta ~ Normal(em, es); b ~ Normal(bm, bs);
}
)";
  data::CsvTable const table = testing::column_table("x", {0.3, -1.2, 2.5});
  Program const program = testing::compile_model(source, &table);
  Blankets const blankets = find_blankets(program);
  boost::random::mt19937 rng(7);
  boost::random::uniform_real_distribution<double> uniform(-1.0, 1.0);
  Eigen::Index const P = static_cast<Eigen::Index>(program.parameter_dimension);
  for (int trial = 0; trial < 20; ++trial) {
    Eigen::VectorXd u(P);
    for (Eigen::Index k = 0; k < P; ++k) u[k] = uniform(rng);
    std::vector<double> z(program.latent_dimension);
    for (double& e : z) e = 2 * uniform(rng);
    z[1] = std::exp(z[1]);  // tau > 0
    Eigen::VectorXd dense(P), grouped(P);
    std::vector<double> dense_terms, grouped_terms;
    double const a = log_guide_with_score(program, u, z, dense, &dense_terms);
    double const b = log_guide_with_score(program, u, z, grouped, &grouped_terms, &blankets.score_groups);
    INFO("trial " << trial);
    CHECK(a == b);
    CHECK(dense == grouped);
    CHECK(dense_terms == grouped_terms);
  }
}

// A Categorical guide over simplex[4] p = softmax(u1, u2, u3, 0)
// (docs/method.md, 'The unconstrained coordinates'): log q(z) = log p_z, whose
// score in u_i is 1{z = i} − p_i, for i = 1..3; the grouped score (one
// group: every element of p reads all three coordinates) is the same.
TEST_CASE("simplex guide: the Categorical factor's score is 1{z = i} - p_i, and its draws follow p") {
  Program const program = testing::compile_model(R"(
latent { int<lower=1, upper=4> z; }
model { z ~ Categorical({0.1, 0.2, 0.3, 0.4}); }
guide { simplex[4] p = {0.4, 0.3, 0.2, 0.1}; z ~ Categorical(p); }
)",
                                                 nullptr);
  REQUIRE(program.parameter_dimension == 3);
  Eigen::VectorXd u(3);
  u << 0.3, -1.1, 2.0;
  double const norm = std::exp(0.3) + std::exp(-1.1) + std::exp(2.0) + 1;
  double const p[4] = {std::exp(0.3) / norm, std::exp(-1.1) / norm, std::exp(2.0) / norm, 1 / norm};
  std::vector<std::vector<double>> const lambda = constrained_parameters(program, u);
  for (int k = 0; k < 4; ++k) CHECK(lambda[0][static_cast<std::size_t>(k)] == Approx(p[k]).epsilon(1e-14));
  Blankets const b = find_blankets(program);
  REQUIRE(b.groups.size() == 1);
  CHECK(b.groups[0].coordinates.size() == 3);
  for (int z = 1; z <= 4; ++z) {
    Eigen::VectorXd score(3), grouped(3);
    double const lq = log_guide_with_score(program, u, {static_cast<double>(z)}, score);
    log_guide_with_score(program, u, {static_cast<double>(z)}, grouped, nullptr, &b.score_groups);
    CHECK(lq == Approx(std::log(p[z - 1])).epsilon(1e-14));
    for (int i = 0; i < 3; ++i) {
      INFO("z = " << z << ", coordinate " << i + 1);
      CHECK(score[i] == Approx((z == i + 1 ? 1.0 : 0.0) - p[i]).epsilon(1e-12).margin(1e-14));
      CHECK(grouped[i] == Approx(score[i]).epsilon(1e-12).margin(1e-14));
    }
  }
  // The initial values are the given ones: u = log(p_i / p_4).
  Eigen::VectorXd const start = initial_parameters(program);
  CHECK(start[0] == Approx(std::log(4.0)).epsilon(1e-12));
  CHECK(start[2] == Approx(std::log(2.0)).epsilon(1e-12));
  // 40,000 draws there: each count within 5 binomial sds of 40,000 p_k (a
  // false alarm is a 6e-7 event per category; the streams are fixed).
  double const given[4] = {0.4, 0.3, 0.2, 0.1};
  std::vector<double> counts(4, 0.0);
  std::size_t const n = 40000;
  for (std::size_t s = 0; s < n; ++s) {
    RandomStream rng(7, 0, s);
    counts[static_cast<std::size_t>(sample_guide(program, start, rng)[0]) - 1] += 1;
  }
  for (std::size_t k = 0; k < 4; ++k) {
    double const mean = static_cast<double>(n) * given[k], sd = std::sqrt(mean * (1 - given[k]));
    CAPTURE(k, counts[k], mean);
    CHECK(std::fabs(counts[k] - mean) < 5 * sd);
  }
}
