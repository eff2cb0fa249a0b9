// One iteration's draws (runtime/bbvi/draws.hpp) on the canonical model,
// against direct computation: the draws come from q and from the stream
// (seed, iteration, draw); log p, log q and the scores are the closed forms
// of docs/method.md, 'Its log-joint and scores'; the blankets' f and the
// local expectation gradient are their definitions evaluated by hand; and
// the result does not depend on the threads.
#include "runtime/bbvi/draws.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"
#include "tests/support/fit_helpers.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace bbvi;

namespace {

double const log_2pi = std::log(2 * M_PI);

// A prior other than the file's defaults, so that a swapped constant shows.
struct Prior {
  double mu0 = 0.5, lambda0 = 2, alpha0 = 3, beta0 = 1.5;
};
// The guide at u = (mu_N, log lambda_N, log alpha_N, log beta_N).
struct Guide {
  double mu_N = 0.2, lambda_N = 4, alpha_N = 2, beta_N = 3;
  Eigen::VectorXd u() const {
    Eigen::VectorXd out(4);
    out << mu_N, std::log(lambda_N), std::log(alpha_N), std::log(beta_N);
    return out;
  }
};

std::vector<double> const x{0.3, -1.2, 2.5};
Prior const prior;
Guide const guide;

Program canonical() {
  static data::CsvTable const table = testing::column_table("x", x);
  CompileOptions options;
  options.overrides = {{"mu0", prior.mu0}, {"lambda0", prior.lambda0}, {"alpha0", prior.alpha0}, {"beta0", prior.beta0}};
  return testing::compile_model(testing::read_source_file("models/normal_gamma.model"), &table, options);
}

double log_normal_precision(double z, double mean, double precision) {
  return 0.5 * std::log(precision) - 0.5 * log_2pi - 0.5 * precision * (z - mean) * (z - mean);
}
double log_gamma_rate(double z, double shape, double rate) {
  return shape * std::log(rate) - std::lgamma(shape) + (shape - 1) * std::log(z) - rate * z;
}

double log_likelihood(double mu, double tau) {
  double out = 0;
  for (double xn : x) out += log_normal_precision(xn, mu, tau);
  return out;
}
double log_prior_mu(double mu, double tau) { return log_normal_precision(mu, prior.mu0, prior.lambda0 * tau); }
double log_prior_tau(double tau) { return log_gamma_rate(tau, prior.alpha0, prior.beta0); }
double log_q_mu(double mu) { return log_normal_precision(mu, guide.mu_N, guide.lambda_N); }
double log_q_tau(double tau) { return log_gamma_rate(tau, guide.alpha_N, guide.beta_N); }

// The score in u: each positive parameter's picks up dλ/du = λ.
Eigen::RowVectorXd score(double mu, double tau) {
  double const d = mu - guide.mu_N;
  Eigen::RowVectorXd s(4);
  s << guide.lambda_N * d, 0.5 - 0.5 * guide.lambda_N * d * d,
      guide.alpha_N * (std::log(guide.beta_N) + std::log(tau) - boost::math::digamma(guide.alpha_N)),
      guide.alpha_N - guide.beta_N * tau;
  return s;
}

// The draw's latents, read back from its score: s_1 = λ_N (μ − μ_N) and
// s_4 = α_N − β_N τ.
std::vector<double> latents_of(Eigen::RowVectorXd const& s) {
  return {guide.mu_N + s[0] / guide.lambda_N, (guide.alpha_N - s[3]) / guide.beta_N};
}

}  // namespace

TEST_CASE("draws: log p, log q and the scores of each draw are the canonical model's closed forms") {
  Program const program = canonical();
  WorkerPool pool(1);
  Draws const d = draw(program, guide.u(), 50, 7, 3, pool);
  REQUIRE(d.scores.rows() == 50);
  REQUIRE(d.scores.cols() == 4);
  CHECK(d.evaluations == 50);
  CHECK(d.group_f.size() == 0);
  CHECK(d.local.failed.empty());
  for (Eigen::Index s = 0; s < 50; ++s) {
    INFO("draw " << s);
    // The draw of stream (seed, iteration, s), as the header promises.
    RandomStream rng(7, 3, static_cast<std::uint64_t>(s));
    std::vector<double> const z = sample_guide(program, guide.u(), rng);
    std::vector<double> const read_back = latents_of(d.scores.row(s));
    CHECK(read_back[0] == Approx(z[0]).epsilon(1e-12).margin(1e-12));
    CHECK(read_back[1] == Approx(z[1]).epsilon(1e-12));
    double const mu = read_back[0], tau = read_back[1];
    CHECK(d.log_p[s] == Approx(log_likelihood(mu, tau) + log_prior_mu(mu, tau) + log_prior_tau(tau)).epsilon(1e-12));
    CHECK(d.log_q[s] == Approx(log_q_mu(mu) + log_q_tau(tau)).epsilon(1e-12));
    CHECK(d.elbo_terms()[s] == d.log_p[s] - d.log_q[s]);
    Eigen::RowVectorXd const expected = score(mu, tau);
    for (Eigen::Index k = 0; k < 4; ++k) CHECK(d.scores(s, k) == Approx(expected[k]).epsilon(1e-10).margin(1e-12));
  }
}

TEST_CASE("draws: they follow the guide, and each (seed, iteration) names its own draws") {
  Program const program = canonical();
  WorkerPool pool(1);
  int const S = 4000;
  Draws const d = draw(program, guide.u(), S, 11, 1, pool);
  Eigen::VectorXd mu(S), tau(S);
  for (Eigen::Index s = 0; s < S; ++s) {
    std::vector<double> const z = latents_of(d.scores.row(s));
    mu[s] = z[0];
    tau[s] = z[1];
  }
  // Four standard errors of the mean and of the variance (for a Normal,
  // sd(sample variance) ≈ σ² √(2/S)).
  double const n = static_cast<double>(S);
  double const var_mu = 1 / guide.lambda_N, mean_tau = guide.alpha_N / guide.beta_N,
               var_tau = guide.alpha_N / (guide.beta_N * guide.beta_N);
  CHECK(std::abs(mu.mean() - guide.mu_N) < 4 * std::sqrt(var_mu / n));
  CHECK(std::abs((mu.array() - mu.mean()).square().sum() / (n - 1) - var_mu) < 4 * var_mu * std::sqrt(2 / n));
  CHECK(std::abs(tau.mean() - mean_tau) < 4 * std::sqrt(var_tau / n));
  CHECK((tau.array() > 0).all());

  Draws const same = draw(program, guide.u(), S, 11, 1, pool);
  Draws const next_iteration = draw(program, guide.u(), S, 11, 2, pool);
  Draws const other_seed = draw(program, guide.u(), S, 12, 1, pool);
  CHECK(same.log_p == d.log_p);
  CHECK((next_iteration.log_p.array() != d.log_p.array()).all());
  CHECK((other_seed.log_p.array() != d.log_p.array()).all());
}

TEST_CASE("draws: each group's f is its Markov blanket's terms less its own guide term") {
  Program const program = canonical();
  Blankets const blankets = find_blankets(program);
  REQUIRE(blankets.groups.size() == 2);
  Eigen::Index const mu_group = blankets.group_of_element[0], tau_group = blankets.group_of_element[1];
  WorkerPool pool(1);
  Draws const d = draw(program, guide.u(), 20, 5, 1, pool, {&blankets});
  REQUIRE(d.group_f.rows() == 20);
  REQUIRE(d.group_f.cols() == 2);
  for (Eigen::Index s = 0; s < 20; ++s) {
    INFO("draw " << s);
    std::vector<double> const z = latents_of(d.scores.row(s));
    double const mu = z[0], tau = z[1];
    // mu appears in its prior and the likelihood; tau in every term.
    CHECK(d.group_f(s, mu_group) == Approx(log_likelihood(mu, tau) + log_prior_mu(mu, tau) - log_q_mu(mu)).epsilon(1e-10));
    CHECK(d.group_f(s, tau_group) ==
          Approx(log_likelihood(mu, tau) + log_prior_mu(mu, tau) + log_prior_tau(tau) - log_q_tau(tau)).epsilon(1e-10));
  }
}

TEST_CASE("draws: mu's local expectation gradient is the 3-point Gauss-Hermite sum over its blanket") {
  Program const program = canonical();
  Blankets const blankets = find_blankets(program);
  LocalPlan const plan = plan_local(program, blankets);
  std::size_t const mu_group = static_cast<std::size_t>(blankets.group_of_element[0]);
  REQUIRE(plan.groups == std::vector<int>{static_cast<int>(mu_group)});
  REQUIRE(plan.points[0] == 3);
  WorkerPool pool(1);
  int const S = 12;
  Draws const d = draw(program, guide.u(), S, 9, 4, pool, {&blankets, &plan});
  // Its colour is taken from the rows (the likelihood's statistics): the
  // draw, its rows' derivatives and one evaluation of the means, where its
  // points would be 3 (docs/method.md, 'Local expectations from the rows').
  CHECK(d.evaluations == S * (1 + 1 + 1));
  REQUIRE(d.local.failed.size() == 1);  // by local group: mu's alone
  CHECK_FALSE(d.local.failed[0]);

  // Gauss–Hermite for the standard normal with 3 points: 0 and ±√3, weights
  // 2/3 and 1/6; mu = mu_N + x / √lambda_N.
  double const nodes[3] = {-std::sqrt(3.0), 0, std::sqrt(3.0)}, weights[3] = {1.0 / 6, 2.0 / 3, 1.0 / 6};
  auto const& coordinates = blankets.groups[mu_group].coordinates;
  REQUIRE(coordinates == std::vector<Eigen::Index>{0, 1});
  // The exact Fisher of Normal(m, precision l) in (m, log l): diag(l, 1/2).
  REQUIRE(d.local.fisher.size() == 1);  // by local group: mu's, on its coordinates 0 and 1
  CHECK(d.local.fisher[0](0, 0) == Approx(guide.lambda_N).epsilon(1e-12));
  CHECK(d.local.fisher[0](1, 1) == Approx(0.5).epsilon(1e-12));
  CHECK(d.local.fisher[0](0, 1) == Approx(0).margin(1e-12));
  for (Eigen::Index s = 0; s < S; ++s) {
    INFO("draw " << s);
    double const tau = latents_of(d.scores.row(s))[1];
    Eigen::RowVectorXd expected = Eigen::RowVectorXd::Zero(2);
    for (int k = 0; k < 3; ++k) {
      double const mu = guide.mu_N + nodes[k] / std::sqrt(guide.lambda_N);
      double const f = log_likelihood(mu, tau) + log_prior_mu(mu, tau) - log_q_mu(mu);
      expected += weights[k] * f * score(mu, tau).head(2);
    }
    CHECK(d.local.gradients(s, 0) == Approx(expected[0]).epsilon(1e-10).margin(1e-10));
    CHECK(d.local.gradients(s, 1) == Approx(expected[1]).epsilon(1e-10).margin(1e-10));
    CHECK(d.local.gradients(s, 2) == 0);  // tau's coordinates are not local
    CHECK(d.local.gradients(s, 3) == 0);
  }
}

TEST_CASE("draws: the same for one thread or several") {
  Program const program = canonical();
  Blankets const blankets = find_blankets(program);
  LocalPlan const plan = plan_local(program, blankets);
  WorkerPool one(1), several(3);
  Draws const a = draw(program, guide.u(), 31, 2, 6, one, {&blankets, &plan});
  Draws const b = draw(program, guide.u(), 31, 2, 6, several, {&blankets, &plan});
  CHECK(a.scores == b.scores);
  CHECK(a.log_p == b.log_p);
  CHECK(a.log_q == b.log_q);
  CHECK(a.group_f == b.group_f);
  CHECK(a.local.gradients == b.local.gradients);
  CHECK(a.local.failed == b.local.failed);
  CHECK(a.evaluations == b.evaluations);
}
