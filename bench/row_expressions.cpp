// The log joint of models whose rows are built by the language's
// expressions, against a plain hand-written loop over the same arithmetic,
// at N = 1,000,000 rows on one thread: a regression on a matrix,
// `y ~ Normal(alpha + X * beta, sigma)` with K = 10 columns, and a
// two-component mixture, `target += log_mix(w, Normal_lpdf(y | mu1, s),
// Normal_lpdf(y | mu2, s))`. Sufficient statistics are off, so that the
// engine reads every row as the loop does.
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"
#include "tests/support/fit_helpers.hpp"

#include <benchmark/benchmark.h>
#include <boost/random/normal_distribution.hpp>
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

constexpr std::size_t rows = 1000000, columns = 10;
constexpr double half_log_two_pi = 0.918938533204672742;

struct Rows {
  std::vector<std::vector<double>> x;  // by column
  std::vector<double> y;
};

// Values written with 3 decimals, so that the CSV the engine reads holds
// exactly the numbers the plain loop uses.
double rounded(double v) { return std::round(v * 1000) / 1000; }

Rows const& data() {
  static Rows const r = [] {
    RandomStream rng(5, 0, 0);
    boost::random::normal_distribution<double> normal;
    Rows out;
    out.x.assign(columns, std::vector<double>(rows));
    for (std::size_t n = 0; n < rows; ++n) {
      double y = 0;
      for (std::size_t k = 0; k < columns; ++k) {
        out.x[k][n] = rounded(normal(rng));
        y += out.x[k][n] * static_cast<double>(k);
      }
      out.y.push_back(rounded(y + normal(rng)));
    }
    return out;
  }();
  return r;
}

Program compiled(std::string const& source, bool with_matrix) {
  Rows const& r = data();
  std::string csv = "y";
  if (with_matrix)
    for (std::size_t k = 1; k <= columns; ++k) csv += fmt::format(",X.{}", k);
  csv += '\n';
  for (std::size_t n = 0; n < rows; ++n) {
    csv += fmt::format("{}", r.y[n]);
    if (with_matrix)
      for (std::size_t k = 0; k < columns; ++k) csv += fmt::format(",{}", r.x[k][n]);
    csv += '\n';
  }
  data::CsvTable const table = data::CsvTable::from_text(std::move(csv), "rows.csv");
  CompileOptions options;
  options.sufficient_statistics = false;
  return testing::compile_model(source, &table, options);
}

double normal_lpdf(double x, double mean, double sd) {
  double const z = (x - mean) / sd;
  return -0.5 * z * z - std::log(sd) - half_log_two_pi;
}

// --- X * beta ---------------------------------------------------------------

constexpr double sigma = 1.5;
std::vector<double> const matrix_z{0.5, 0.1, 0.9, 2.1, 2.9, 4.2, 5.0, 5.9, 7.1, 8.0, 9.2};  // alpha, beta[10]

void matrix_engine(benchmark::State& state) {
  static Program const program = compiled(R"(
data { int K = 10; matrix[N, K] X; real y[N]; }
latent { real alpha; real beta[K]; }
model { alpha ~ Normal(0, 10); beta ~ Normal(0, 10); y ~ Normal(alpha + X * beta, 1.5); }
guide { real b[K] = 0; alpha ~ Normal(0, 1); beta ~ Normal(b, 1); }
)",
                                          true);
  for (auto _ : state) benchmark::DoNotOptimize(log_joint(program, matrix_z));
  state.SetItemsProcessed(state.iterations() * static_cast<long>(rows));
}

void matrix_plain_loop(benchmark::State& state) {
  Rows const& r = data();
  for (auto _ : state) {
    double total = normal_lpdf(matrix_z[0], 0, 10);
    for (std::size_t k = 0; k < columns; ++k) total += normal_lpdf(matrix_z[k + 1], 0, 10);
    for (std::size_t n = 0; n < rows; ++n) {
      double mean = matrix_z[0];
      for (std::size_t k = 0; k < columns; ++k) mean += r.x[k][n] * matrix_z[k + 1];
      total += normal_lpdf(r.y[n], mean, sigma);
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long>(rows));
}

// --- log_mix ------------------------------------------------------------------

std::vector<double> const mixture_z{0.3, -1.0, 2.0, 1.2};  // w, mu1, mu2, s

void mixture_engine(benchmark::State& state) {
  static Program const program = compiled(R"(
data { real y[N]; }
latent { real<lower=0, upper=1> w; real mu1; real mu2; real<lower=0> s; }
model {
  w ~ Beta(2, 2); mu1 ~ Normal(0, 10); mu2 ~ Normal(0, 10); s ~ HalfNormal(5);
  target += log_mix(w, Normal_lpdf(y | mu1, s), Normal_lpdf(y | mu2, s));
}
guide { w ~ Beta(2, 2); mu1 ~ Normal(0, 1); mu2 ~ Normal(0, 1); s ~ HalfNormal(5); }
)",
                                          false);
  for (auto _ : state) benchmark::DoNotOptimize(log_joint(program, mixture_z));
  state.SetItemsProcessed(state.iterations() * static_cast<long>(rows));
}

void mixture_plain_loop(benchmark::State& state) {
  Rows const& r = data();
  double const w = mixture_z[0], mu1 = mixture_z[1], mu2 = mixture_z[2], s = mixture_z[3];
  for (auto _ : state) {
    double total = std::log(6 * w * (1 - w)) + normal_lpdf(mu1, 0, 10) + normal_lpdf(mu2, 0, 10) +
                   normal_lpdf(s, 0, 5) + std::log(2.0);
    for (double y : r.y) {
      double const a = std::log(w) + normal_lpdf(y, mu1, s), b = std::log1p(-w) + normal_lpdf(y, mu2, s);
      double const m = std::max(a, b);
      total += m + std::log(std::exp(a - m) + std::exp(b - m));
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long>(rows));
}

}  // namespace

BENCHMARK(matrix_engine)->Unit(benchmark::kMillisecond);
BENCHMARK(matrix_plain_loop)->Unit(benchmark::kMillisecond);
BENCHMARK(mixture_engine)->Unit(benchmark::kMillisecond);
BENCHMARK(mixture_plain_loop)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
