// Throughput of the engine's draws, in draw-rows per second, against a plain
// hand-written loop over the same arithmetic (the machine's limit), on one
// thread and on all cores. The model is the canonical one with its
// likelihood evaluated row by row (sufficient statistics off), so that every
// draw costs N rows: each draw samples (mu, tau) from the guide, evaluates
// log p(x, z) over the N rows, log q and its score.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/fit.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tools/normal_gamma_data.hpp"

#include <benchmark/benchmark.h>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/normal_distribution.hpp>

#include <cmath>

using namespace bbvi;

namespace {

constexpr std::size_t rows = 100000;
constexpr int draws_per_iteration = 10;

std::vector<double> const& data() {
  static std::vector<double> const x = tools::generate_normal_gamma(rows, {0.0, 1.0, 1.0, 1.0}, 7);
  return x;
}

Program const& row_by_row_program() {
  static Program const program = [] {
    data::CsvTable const table = testing::column_table("x", data());
    CompileOptions options;
    options.sufficient_statistics = false;
    return testing::compile_model(testing::read_source_file("models/normal_gamma.model"), &table, options);
  }();
  return program;
}

// The guide's parameters near the posterior, unconstrained: mu_N, log lambda_N, log alpha_N, log beta_N.
Eigen::VectorXd const guide_parameters = (Eigen::VectorXd(4) << 0.5, std::log(1e5), std::log(5e4), std::log(5e4)).finished();

void engine(benchmark::State& state) {
  Program const& program = row_by_row_program();
  WorkerPool pool(static_cast<int>(state.range(0)));
  std::uint64_t t = 0;
  for (auto _ : state) {
    Draws const d = draw(program, guide_parameters, draws_per_iteration, 1, ++t, pool);
    benchmark::DoNotOptimize(d.log_p.data());
  }
  state.SetItemsProcessed(state.iterations() * draws_per_iteration * static_cast<long>(rows));
}

// The same draw by hand: Normal(mu_N, 1/√λ) and Gamma(α, β) sampled with the
// same streams, the log-joint's priors and rows, log q and its four scores in
// closed form.
struct PlainDraw {
  double log_p, log_q, score[4];
};

PlainDraw plain_draw(std::vector<double> const& x, double mu_N, double lambda_N, double alpha_N, double beta_N,
                     std::uint64_t t, std::uint64_t s) {
  constexpr double half_log_two_pi = 0.918938533204672742;
  RandomStream rng(1, t, s);
  double const mu = boost::random::normal_distribution<double>(mu_N, 1 / std::sqrt(lambda_N))(rng);
  double const tau = boost::random::gamma_distribution<double>(alpha_N, 1 / beta_N)(rng);
  double const sd = 1 / std::sqrt(tau), log_sd = std::log(sd);
  PlainDraw d{};
  d.log_p = -tau;                                                    // tau ~ Gamma(1, 1)
  d.log_p += -0.5 * mu * mu * tau + 0.5 * std::log(tau) - half_log_two_pi;  // mu ~ Normal(0, 1/√τ)
  double rows_sum = 0;
  for (double xi : x) {
    double const z = (xi - mu) / sd;
    rows_sum += -0.5 * z * z - log_sd - half_log_two_pi;
  }
  d.log_p += rows_sum;
  double const dm = mu - mu_N;
  d.log_q = -0.5 * lambda_N * dm * dm + 0.5 * std::log(lambda_N) - half_log_two_pi + alpha_N * std::log(beta_N) -
            std::lgamma(alpha_N) + (alpha_N - 1) * std::log(tau) - beta_N * tau;
  d.score[0] = lambda_N * dm;
  d.score[1] = 0.5 - 0.5 * lambda_N * dm * dm;
  d.score[2] = alpha_N * (std::log(beta_N) + std::log(tau) - boost::math::digamma(alpha_N));
  d.score[3] = alpha_N - beta_N * tau;
  return d;
}

void plain_loop(benchmark::State& state) {
  std::vector<double> const& x = data();
  WorkerPool pool(static_cast<int>(state.range(0)));
  Eigen::VectorXd const& u = guide_parameters;
  std::vector<PlainDraw> out(draws_per_iteration);
  std::uint64_t t = 0;
  for (auto _ : state) {
    ++t;
    pool.run(draws_per_iteration, [&](std::size_t s) {
      out[s] = plain_draw(x, u[0], std::exp(u[1]), std::exp(u[2]), std::exp(u[3]), t, s);
    });
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * draws_per_iteration * static_cast<long>(rows));
}

int const all_cores = WorkerPool::available_cores();

}  // namespace

BENCHMARK(engine)->Arg(1)->Arg(all_cores)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(plain_loop)->Arg(1)->Arg(all_cores)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
