// The correlated-regression suite with default options: Gaussian linear
// regressions with K = 2, 5, 25 coefficients whose exact posterior reaches a
// largest |correlation| of 0.9, 0.99, 0.999 and 0.99999, at N = 50 and
// 100,000 rows, with the noise known and with its precision a latent, each
// fitted in process (bbvi::fit, one thread) on seeds 1–5 of the fit, on data
// from tests/support/gaussian_regression_reference.cpp (data seed 1).
//
// Per fit: iterations, whether the fit said "converged", seconds, the ELBO
// gap to the mean-field optimum at the result (closed form, in nats), the
// worst relative error of a coefficient's sd against the optimum's, and the
// first iteration whose result (the natural gradient's running tail mean in
// its averaging phase, else the iterate) was within 0.01 nats. A fit that
// says "converged" with a gap above 0.01 is counted as a false convergence.
//
// A fit runs to its own stop or the 10,000-iteration cap, unless it exceeds
// the time budget of its case (--budget seconds, asked after each iteration),
// where it is ended and reported as "budget"; the gap there is the result's
// at its last iteration.
//
//   bench_correlated [--per-factor] [--noise known|unknown] [--rows N] [--coefficients K] [--correlation C]
//                    [--seeds S] [--budget SECONDS]
//                    (default: every case, 5 seeds, 60 s)
//   bench_correlated --write K N CORRELATION known|unknown DIR   (model.model, data.csv)
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/gaussian_regression_reference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace bbvi;
using namespace bbvi::reference;

namespace {

constexpr double within = 0.01;  // nats: the gap the suite asks every fit to reach

struct Case {
  int coefficients;
  std::size_t rows;
  double correlation;
  bool known_noise;
};

struct Outcome {
  int iterations = 0;
  std::string stop;  // "converged", "cap", "budget", or "fails: …"
  double seconds = 0;
  double gap = NAN;
  double sd_error = NAN;
  int first_within = 0;  // 0: never
};

// The gap, and the worst relative sd error, of the guide at u.
struct Measure {
  GaussianRegression const& data;
  GaussianPosterior posterior;
  MeanFieldNormal known_optimum;
  NormalGammaRegressionGuide unknown_optimum;
  bool known_noise;

  std::pair<double, double> operator()(Program const& program, Eigen::VectorXd const& u) const {
    auto const p = constrained_parameters(program, u);  // b_mean, b_sd[, tau_alpha, tau_beta]
    Eigen::Index const k = data.x.cols();
    MeanFieldNormal q{Eigen::Map<Eigen::VectorXd const>(p[0].data(), k),
                      Eigen::Map<Eigen::VectorXd const>(p[1].data(), k)};
    MeanFieldNormal const& best = known_noise ? known_optimum : unknown_optimum.coefficients;
    double const sd_error = (q.sd.array() / best.sd.array() - 1).abs().maxCoeff();
    if (known_noise) return {elbo_gap(posterior, q), sd_error};
    NormalGammaRegressionGuide const guide{q, p[2][0], p[3][0]};
    return {elbo_gap(data, unknown_optimum, guide), sd_error};
  }
};

// --per-factor: the natural gradient without the coupled step, for comparison.
bool per_factor = false;

Outcome run(Program const& program, Measure const& measure, std::uint64_t seed, double budget) {
  Outcome o;
  FitOptions options;
  options.per_factor = per_factor;
  options.seed = seed;
  options.threads = 1;
  options.on_iteration = [&](IterationRecord const& r) {
    o.iterations = r.iteration;
    if (o.first_within == 0 && measure(program, r.u).first < within) o.first_within = r.iteration;
  };
  auto const start = std::chrono::steady_clock::now();
  auto const elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  options.stop_requested = [&] { return elapsed() > budget; };
  Eigen::VectorXd last;
  options.on_iteration = [&, record = options.on_iteration](IterationRecord const& r) {
    record(r);
    last = r.u;
  };
  try {
    FitResult const r = fit(program, options);
    o.seconds = elapsed();
    o.iterations = r.iterations;
    o.stop = r.converged ? "converged" : "cap";
    std::tie(o.gap, o.sd_error) = measure(program, r.u);
  } catch (FitStopped const&) {
    o.seconds = elapsed();
    o.stop = "budget";
    if (last.size() > 0) std::tie(o.gap, o.sd_error) = measure(program, last);
  } catch (std::exception const& e) {
    o.seconds = elapsed();
    o.stop = fmt::format("fails: {}", e.what());
  }
  return o;
}

std::string case_name(Case const& c) {
  return fmt::format("K={:<2} N={:<6} corr={:<7} {}", c.coefficients, c.rows, c.correlation,
                     c.known_noise ? "known  " : "unknown");
}

void print(std::string const& s) {
  std::fputs(s.c_str(), stdout);
  std::fflush(stdout);
}

void measure_case(Case const& c, int seeds, double budget, int& false_convergences) {
  GaussianRegression const data = correlated_regression(c.coefficients, c.rows, c.correlation, 1);
  data::CsvTable const table = data::CsvTable::from_text(regression_csv(data), "regression.csv");
  Program const program =
      testing::compile_model(c.known_noise ? known_noise_model(data) : unknown_noise_model(data), &table);
  GaussianPosterior const posterior = exact_posterior(data);
  Measure const measure{data, posterior, mean_field_optimum(posterior),
                        c.known_noise ? NormalGammaRegressionGuide{} : cavi_optimum(data), c.known_noise};
  int converged = 0, falsely = 0, within_at_end = 0;
  double worst_gap = 0, worst_sd = 0;
  std::vector<int> firsts, iterations;
  std::vector<double> seconds;
  for (int seed = 1; seed <= seeds; ++seed) {
    Outcome const o = run(program, measure, static_cast<std::uint64_t>(seed), budget);
    bool const is_false = o.stop == "converged" && !(o.gap < within);
    converged += o.stop == "converged";
    falsely += is_false;
    within_at_end += o.gap < within && o.sd_error < 0.05;
    worst_gap = std::max(worst_gap, std::isnan(o.gap) ? INFINITY : o.gap);
    worst_sd = std::max(worst_sd, std::isnan(o.sd_error) ? INFINITY : o.sd_error);
    firsts.push_back(o.first_within);
    iterations.push_back(o.iterations);
    seconds.push_back(o.seconds);
    print(fmt::format("  {}  seed {}: {:>6} it  {:<9} {:>8.2f} s  gap {:>10.3g}  sd err {:>8.3g}  first<0.01 {:>6}{}\n",
                      case_name(c), seed, o.iterations, o.stop, o.seconds, o.gap, o.sd_error,
                      o.first_within > 0 ? fmt::format("{}", o.first_within) : "never",
                      is_false ? "  FALSE CONVERGENCE" : ""));
  }
  false_convergences += falsely;
  std::sort(iterations.begin(), iterations.end());
  std::sort(seconds.begin(), seconds.end());
  int const never = static_cast<int>(std::count(firsts.begin(), firsts.end(), 0));
  int const slowest_first = *std::max_element(firsts.begin(), firsts.end());
  print(fmt::format(
      "| {} | {} | {:.6g} | {:.7g} | {}/{} | {}–{} | {:.2f}–{:.2f} | {:.3g} | {:.3g} | {} | {}/{} | {} |\n",
      c.coefficients, c.rows, c.correlation, max_abs_correlation(posterior.precision),
      converged, seeds, iterations.front(), iterations.back(), seconds.front(), seconds.back(), worst_gap,
      worst_sd, never > 0 ? fmt::format("never on {}", never) : fmt::format("≤ {}", slowest_first), within_at_end,
      seeds, falsely));
}

int write_case(char** argv) {
  int const k = std::atoi(argv[2]);
  std::size_t const n = static_cast<std::size_t>(std::atol(argv[3]));
  GaussianRegression const data = correlated_regression(k, n, std::atof(argv[4]), 1);
  bool const known = std::string(argv[5]) == "known";
  std::string const dir = argv[6];
  std::ofstream(dir + "/model.model") << (known ? known_noise_model(data) : unknown_noise_model(data));
  std::ofstream(dir + "/data.csv") << regression_csv(data);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 7 && std::string(argv[1]) == "--write") return write_case(argv);
  int seeds = 5;
  double budget = 60;
  long only_rows = 0;
  int only_coefficients = 0;
  double only_correlation = 0;
  std::string only_noise;  // known or unknown; empty: both
  for (int i = 1; i < argc && std::string(argv[i]) == "--per-factor"; ++i) per_factor = true;
  for (int i = per_factor ? 2 : 1; i + 1 < argc; i += 2) {
    std::string const flag = argv[i];
    if (flag == "--seeds") seeds = std::atoi(argv[i + 1]);
    else if (flag == "--budget") budget = std::atof(argv[i + 1]);
    else if (flag == "--rows") only_rows = std::atol(argv[i + 1]);
    else if (flag == "--coefficients") only_coefficients = std::atoi(argv[i + 1]);
    else if (flag == "--correlation") only_correlation = std::atof(argv[i + 1]);
    else if (flag == "--noise") only_noise = argv[i + 1];
  }
  print(fmt::format("Correlated regressions, default options, one thread, seeds 1–{}, {} s budget a fit\n", seeds,
                    budget));
  print("| K | N | corr asked | corr reached | said converged | iterations | seconds | worst gap | worst sd err "
        "| first gap < 0.01 | gap < 0.01 and sd within 5% | false convergence |\n");
  int false_convergences = 0;
  for (bool known : {true, false})
    for (std::size_t n : {std::size_t{50}, std::size_t{100000}})
      for (int k : {2, 5, 25})
        for (double rho : {0.9, 0.99, 0.999, 0.99999}) {
          if ((!only_noise.empty() && only_noise != (known ? "known" : "unknown")) ||
              (only_rows != 0 && static_cast<long>(n) != only_rows) ||
              (only_coefficients != 0 && k != only_coefficients) || (only_correlation != 0 && rho != only_correlation))
            continue;
          measure_case({k, n, rho, known}, seeds, budget, false_convergences);
        }
  print(fmt::format("false convergences (said converged, gap above {}): {}\n", within, false_convergences));
}
