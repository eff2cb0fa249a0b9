// The correlated-regression suite with default options: Gaussian linear
// regressions with K = 2, 5, 25 coefficients whose exact posterior reaches a
// largest |correlation| of 0.9, 0.99, 0.999 and 0.99999, at N = 50 and
// 100,000 rows, with the noise known and with its precision a latent; and
// logistic regressions on an uncentred covariate with K = 2 and 5, whose
// Laplace approximation reaches 0.99 and 0.9999, at N = 50, 10,000 and
// 100,000. Each is fitted in process (bbvi::fit, one thread) on seeds 1–5
// of the fit, on data from tests/support/gaussian_regression_reference.cpp and
// logistic_regression_reference.cpp (data seed 1).
//
// Per fit: iterations, whether the fit said "converged", seconds, the ELBO
// gap to the mean-field optimum at the result (closed form for the Gaussian
// ones, the reference's quadrature for the logistic ones, in nats), the
// worst relative error of a coefficient's sd against the optimum's, and the
// first iteration whose result (the natural gradient's running tail mean in
// its averaging phase, else the iterate) was within 0.01 nats. A fit that
// says "converged" with a gap above 0.01 is counted as a false convergence.
// The seconds are the fit's own: the time spent measuring the gap after
// each iteration is left out.
//
// A fit runs to its own stop or the 10,000-iteration cap, unless it exceeds
// the time budget of its case (--budget seconds, asked after each iteration),
// where it is ended and reported as "budget"; the gap there is the result's
// at its last iteration.
//
//   bench_correlated [--per-factor] [--automatic] [--family gaussian|known|unknown|logistic] [--rows N] [--coefficients K]
//                    [--correlation C] [--seeds S] [--budget SECONDS] [--draws S]
//                    (default: every case, 5 seeds, 60 s, the fit's default draws)
// (--per-factor: the natural gradient without its coupled step, for comparison;
//  --automatic: each model without its guide block, fitted with the automatic
//  guide from its searched start, the search's seconds counted in the fit's;
//  the known-noise and logistic families only, whose automatic guide is the
//  written one's family)
//   bench_correlated --write K N CORRELATION known|unknown|logistic DIR   (model.model, data.csv)
#include "grammar/automatic_guide.hpp"
#include "grammar/check.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/compile.hpp"
#include "runtime/registry.hpp"
#include "runtime/start_search.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/gaussian_regression_reference.hpp"
#include "tests/support/logistic_regression_reference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace bbvi;
using namespace bbvi::reference;

namespace {

constexpr double within = 0.01;  // nats: the gap the suite asks every fit to reach

enum class Family { known_noise, unknown_noise, logistic };

struct Case {
  int coefficients;
  std::size_t rows;
  double correlation;
  Family family;
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
using Measure = std::function<std::pair<double, double>(Program const& program, Eigen::VectorXd const& u)>;

MeanFieldNormal coefficient_guide(Program const& program, Eigen::VectorXd const& u, Eigen::Index k) {
  auto const p = constrained_parameters(program, u);  // b_mean, b_sd[, tau_alpha, tau_beta]
  return {Eigen::Map<Eigen::VectorXd const>(p[0].data(), k), Eigen::Map<Eigen::VectorXd const>(p[1].data(), k)};
}

double worst_sd_error(MeanFieldNormal const& q, MeanFieldNormal const& best) {
  return (q.sd.array() / best.sd.array() - 1).abs().maxCoeff();
}

// A case's data and model text, with what it takes to measure a guide
// against its optimum.
struct Prepared {
  std::string model, csv;
  Measure measure;
  double correlation_reached = 0;
};

Prepared prepare_gaussian(Case const& c) {
  auto const data =
      std::make_shared<GaussianRegression const>(correlated_regression(c.coefficients, c.rows, c.correlation, 1));
  bool const known = c.family == Family::known_noise;
  GaussianPosterior const posterior = exact_posterior(*data);
  MeanFieldNormal const known_optimum = mean_field_optimum(posterior);
  NormalGammaRegressionGuide const unknown_optimum = known ? NormalGammaRegressionGuide{} : cavi_optimum(*data);
  Measure measure = [=](Program const& program, Eigen::VectorXd const& u) -> std::pair<double, double> {
    MeanFieldNormal const q = coefficient_guide(program, u, data->x.cols());
    double const sd_error = worst_sd_error(q, known ? known_optimum : unknown_optimum.coefficients);
    if (known) return {elbo_gap(posterior, q), sd_error};
    auto const parameters = constrained_parameters(program, u);
    NormalGammaRegressionGuide const guide{q, parameters[2][0], parameters[3][0]};
    return {elbo_gap(*data, unknown_optimum, guide), sd_error};
  };
  return {known ? known_noise_model(*data) : unknown_noise_model(*data), regression_csv(*data), std::move(measure),
          max_abs_correlation(posterior.precision)};
}

Prepared prepare_logistic(Case const& c) {
  auto const data = std::make_shared<LogisticRegression const>(
      correlated_logistic_regression(c.coefficients, c.rows, c.correlation, 1));
  MeanFieldNormal const optimum = mean_field_optimum(*data);
  double const best = elbo(*data, optimum);
  Measure measure = [=](Program const& program, Eigen::VectorXd const& u) -> std::pair<double, double> {
    MeanFieldNormal const q = coefficient_guide(program, u, data->x.cols());
    return {best - elbo(*data, q), worst_relative_sd_error(optimum, q)};
  };
  return {logistic_model(*data), logistic_csv(*data), std::move(measure),
          max_abs_correlation(laplace_approximation(*data).precision)};
}

bool per_factor = false;
bool automatic = false;

// The model as the command line would take it without its guide block: the
// automatic guide, its start searched; the search's seconds.
std::pair<Program, double> automatic_program(std::string source, data::CsvTable const& table) {
  auto const start = std::chrono::steady_clock::now();
  source = source.substr(0, source.find("guide {"));
  std::vector<Diagnostic> notes;
  ast::Program const syntax = parse_with_guide(source, "test.model", notes);
  std::vector<Diagnostic> problems = check_program(syntax, distributions().catalog());
  if (!problems.empty()) throw DiagnosticError(std::move(problems));
  Program program = compile(syntax, &table, {});
  search_start(program);
  return {std::move(program),
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}
int draws = 0;  // 0: the default

Outcome run(Program const& program, Measure const& measure, std::uint64_t seed, double budget) {
  using clock = std::chrono::steady_clock;
  auto const since = [](clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); };
  auto const start = clock::now();
  double measuring = 0;  // seconds spent measuring gaps: not the fit's
  auto const elapsed = [&] { return since(start) - measuring; };
  auto const timed_measure = [&](Eigen::VectorXd const& u) {
    auto const t = clock::now();
    std::pair<double, double> const m = measure(program, u);
    measuring += since(t);
    return m;
  };
  Outcome o;
  FitOptions options;
  options.seed = seed;
  options.threads = 1;
  options.per_factor = per_factor;
  options.samples = draws;
  Eigen::VectorXd last;
  options.on_iteration = [&](IterationRecord const& r) {
    o.iterations = r.iteration;
    if (o.first_within == 0 && timed_measure(r.u).first < within) o.first_within = r.iteration;
    last = r.u;
  };
  options.stop_requested = [&] { return elapsed() > budget; };
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

char const* family_name(Family f) {
  switch (f) {
    case Family::known_noise: return "known";
    case Family::unknown_noise: return "unknown";
    case Family::logistic: return "logistic";
  }
  return "";
}

std::string case_name(Case const& c) {
  return fmt::format("K={:<2} N={:<6} corr={:<7} {:<8}", c.coefficients, c.rows, c.correlation, family_name(c.family));
}

void print(std::string const& s) {
  std::fputs(s.c_str(), stdout);
  std::fflush(stdout);
}

Prepared prepare(Case const& c) { return c.family == Family::logistic ? prepare_logistic(c) : prepare_gaussian(c); }

void measure_case(Case const& c, int seeds, double budget, int& false_convergences) {
  Prepared const prepared = prepare(c);
  data::CsvTable const table = data::CsvTable::from_text(prepared.csv, "data.csv");
  auto const [program, search_seconds] = automatic ? automatic_program(prepared.model, table)
                                                   : std::pair{testing::compile_model(prepared.model, &table), 0.0};
  int converged = 0, falsely = 0, within_at_end = 0;
  double worst_gap = 0, worst_sd = 0;
  std::vector<int> firsts, iterations;
  std::vector<double> seconds;
  for (int seed = 1; seed <= seeds; ++seed) {
    Outcome o = run(program, prepared.measure, static_cast<std::uint64_t>(seed), budget);
    o.seconds += search_seconds;
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
      "| {} | {} | {} | {:.6g} | {:.7g} | {}/{} | {}–{} | {:.2f}–{:.2f} | {:.3g} | {:.3g} | {} | {}/{} | {} |\n",
      c.coefficients, c.rows, family_name(c.family), c.correlation, prepared.correlation_reached, converged, seeds,
      iterations.front(), iterations.back(), seconds.front(), seconds.back(), worst_gap, worst_sd,
      never > 0 ? fmt::format("never on {}", never) : fmt::format("≤ {}", slowest_first), within_at_end, seeds,
      falsely));
}

int write_case(char** argv) {
  std::string const family = argv[5];
  if (family != "known" && family != "unknown" && family != "logistic") {
    std::fprintf(stderr, "bench_correlated --write: the family is known, unknown or logistic, not %s\n", argv[5]);
    return 2;
  }
  Case const c{std::atoi(argv[2]), static_cast<std::size_t>(std::atol(argv[3])), std::atof(argv[4]),
               family == "known" ? Family::known_noise : family == "unknown" ? Family::unknown_noise : Family::logistic};
  Prepared const prepared = prepare(c);
  std::string const dir = argv[6];
  std::ofstream(dir + "/model.model") << prepared.model;
  std::ofstream(dir + "/data.csv") << prepared.csv;
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
  std::string only_family;
  int first = 1;
  for (; first < argc && (std::string(argv[first]) == "--per-factor" || std::string(argv[first]) == "--automatic");
       ++first)
    (std::string(argv[first]) == "--per-factor" ? per_factor : automatic) = true;
  for (int i = first; i + 1 < argc; i += 2) {
    std::string const flag = argv[i];
    if (flag == "--seeds") seeds = std::atoi(argv[i + 1]);
    else if (flag == "--budget") budget = std::atof(argv[i + 1]);
    else if (flag == "--rows") only_rows = std::atol(argv[i + 1]);
    else if (flag == "--coefficients") only_coefficients = std::atoi(argv[i + 1]);
    else if (flag == "--correlation") only_correlation = std::atof(argv[i + 1]);
    else if (flag == "--family") only_family = argv[i + 1];
    else if (flag == "--draws") draws = std::atoi(argv[i + 1]);
  }
  print(fmt::format("Correlated regressions, default options, one thread, seeds 1–{}, {} s budget a fit\n", seeds,
                    budget));
  print("| K | N | model | corr asked | corr reached | said converged | iterations | seconds | worst gap | worst sd err "
        "| first gap < 0.01 | gap < 0.01 and sd within 5% | false convergence |\n");
  int false_convergences = 0;
  std::vector<Case> cases;
  for (Family family : {Family::known_noise, Family::unknown_noise})
    for (std::size_t n : {std::size_t{50}, std::size_t{100000}})
      for (int k : {2, 5, 25})
        for (double rho : {0.9, 0.99, 0.999, 0.99999}) cases.push_back({k, n, rho, family});
  for (std::size_t n : {std::size_t{50}, std::size_t{10000}, std::size_t{100000}})
    for (int k : {2, 5})
      for (double rho : {0.99, 0.9999}) cases.push_back({k, n, rho, Family::logistic});
  for (Case const& c : cases) {
    bool const logistic = c.family == Family::logistic;
    if ((only_rows != 0 && static_cast<long>(c.rows) != only_rows) ||
        (only_coefficients != 0 && c.coefficients != only_coefficients) ||
        (only_correlation != 0 && c.correlation != only_correlation) ||
        (only_family == "logistic" && !logistic) || (only_family == "gaussian" && logistic) ||
        (only_family == "known" && c.family != Family::known_noise) ||
        (only_family == "unknown" && c.family != Family::unknown_noise) ||
        (automatic && c.family == Family::unknown_noise))
      continue;
    measure_case(c, seeds, budget, false_convergences);
  }
  print(fmt::format("false convergences (said converged, gap above {}): {}\n", within, false_convergences));
}
