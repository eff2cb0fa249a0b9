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
#include <fmt/format.h>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/normal_distribution.hpp>

#include <cmath>
#include <string>

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

// The engine's draws of `program` at `u`, on state.range(0) threads.
void time_engine(benchmark::State& state, Program const& program, Eigen::VectorXd const& u) {
  WorkerPool pool(static_cast<int>(state.range(0)));
  std::uint64_t t = 0;
  for (auto _ : state) {
    Draws const d = draw(program, u, draws_per_iteration, 1, ++t, pool);
    benchmark::DoNotOptimize(d.log_p.data());
  }
  state.SetItemsProcessed(state.iterations() * draws_per_iteration * static_cast<long>(rows));
}

void engine(benchmark::State& state) { time_engine(state, row_by_row_program(), guide_parameters); }

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

// A hand-written draw, one_draw(t, s) for iteration t and draw s, split
// over state.range(0) threads as the engine splits its draws.
template <typename OneDraw>
void time_plain(benchmark::State& state, OneDraw const& one_draw) {
  WorkerPool pool(static_cast<int>(state.range(0)));
  std::vector<PlainDraw> out(draws_per_iteration);
  std::uint64_t t = 0;
  for (auto _ : state) {
    ++t;
    pool.run(draws_per_iteration, [&](std::size_t s) { out[s] = one_draw(t, s); });
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * draws_per_iteration * static_cast<long>(rows));
}

void plain_loop(benchmark::State& state) {
  std::vector<double> const& x = data();
  Eigen::VectorXd const& u = guide_parameters;
  time_plain(state, [&](std::uint64_t t, std::uint64_t s) {
    return plain_draw(x, u[0], std::exp(u[1]), std::exp(u[2]), std::exp(u[3]), t, s);
  });
}

// A likelihood whose mean varies by row: models/linear_regression.model,
// y ~ Normal(a + b x, sigma) over the same number of rows, against its plain
// loop. Here the engine evaluates a + b * x column by column and the Normal
// over rows with only the mean varying, so what does not vary (the log of
// sigma, the checks) must be computed once per draw, not once per row.
constexpr double regression_sigma = 1.5, regression_prior_sd = 10;

std::vector<double> const& regression_y() {
  static std::vector<double> const y = [] {
    std::vector<double> out;
    for (double xi : data()) out.push_back(1 + 2 * xi);
    return out;
  }();
  return y;
}

Program const& regression_program() {
  static Program const program = [] {
    std::vector<double> const &x = data(), &y = regression_y();
    std::string csv = "x,y\n";
    for (std::size_t i = 0; i < rows; ++i) csv += fmt::format("{:.17g},{:.17g}\n", x[i], y[i]);
    data::CsvTable const table = data::CsvTable::from_text(std::move(csv), "memory.csv");
    return testing::compile_model(testing::read_source_file("models/linear_regression.model"), &table);
  }();
  return program;
}

// a_mean, log a_sd, b_mean, log b_sd
Eigen::VectorXd const regression_guide = (Eigen::VectorXd(4) << 1.0, std::log(0.01), 2.0, std::log(0.01)).finished();

void regression_engine(benchmark::State& state) { time_engine(state, regression_program(), regression_guide); }

PlainDraw regression_plain_draw(std::vector<double> const& x, std::vector<double> const& y, Eigen::VectorXd const& u,
                                std::uint64_t t, std::uint64_t s) {
  constexpr double half_log_two_pi = 0.918938533204672742;
  RandomStream rng(1, t, s);
  double const a_sd = std::exp(u[1]), b_sd = std::exp(u[3]);
  double const a = boost::random::normal_distribution<double>(u[0], a_sd)(rng);
  double const b = boost::random::normal_distribution<double>(u[2], b_sd)(rng);
  auto const normal = [](double v, double mean, double sd) {
    double const z = (v - mean) / sd;
    return -0.5 * z * z - std::log(sd) - half_log_two_pi;
  };
  PlainDraw d{};
  d.log_p = normal(a, 0, regression_prior_sd) + normal(b, 0, regression_prior_sd);
  double const log_sigma = std::log(regression_sigma);
  double rows_sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    double const z = (y[i] - (a + b * x[i])) / regression_sigma;
    rows_sum += -0.5 * z * z - log_sigma - half_log_two_pi;
  }
  d.log_p += rows_sum;
  double const za = (a - u[0]) / a_sd, zb = (b - u[2]) / b_sd;
  d.log_q = normal(a, u[0], a_sd) + normal(b, u[2], b_sd);
  d.score[0] = za / a_sd;
  d.score[1] = za * za - 1;
  d.score[2] = zb / b_sd;
  d.score[3] = zb * zb - 1;
  return d;
}

void regression_plain_loop(benchmark::State& state) {
  time_plain(state, [](std::uint64_t t, std::uint64_t s) {
    return regression_plain_draw(data(), regression_y(), regression_guide, t, s);
  });
}

int const all_cores = WorkerPool::available_cores();

}  // namespace

BENCHMARK(engine)->Arg(1)->Arg(all_cores)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(plain_loop)->Arg(1)->Arg(all_cores)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(regression_engine)->Arg(1)->Arg(all_cores)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(regression_plain_loop)->Arg(1)->Arg(all_cores)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
