// bbvi-ppl MODEL [DATA] [options]: parse, check, bind the data, fit, report;
// bbvi-ppl check MODEL [DATA]: all of that but the fit and the report;
// bbvi-ppl explain MODEL [DATA]: the Markov blankets and the estimator.
// The only place that prints and picks the exit status:
// 0 fitted, 1 the fit failed numerically, 2 bad model, data or options,
// 128 + the signal when SIGINT or SIGTERM stopped it (130, 143).
#include "grammar/check.hpp"
#include "core/diagnostic.hpp"
#include "grammar/automatic_guide.hpp"
#include "grammar/parse.hpp"
#include "runtime/bbvi/chains.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/row_batches.hpp"
#include "runtime/compile.hpp"
#include "runtime/data/csv.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/guide_draws.hpp"
#include "runtime/importance_check.hpp"
#include "runtime/registry.hpp"
#include "runtime/start_check.hpp"
#include "runtime/start_search.hpp"
#include "runtime/summary.hpp"
#include "runtime/wide_priors.hpp"
#include "tools/bbvi-ppl/atomic_file.hpp"
#include "tools/bbvi-ppl/csv_output.hpp"
#include "tools/bbvi-ppl/explain.hpp"
#include "tools/bbvi-ppl/fit_plot.hpp"
#include "tools/bbvi-ppl/interrupt.hpp"
#include "tools/bbvi-ppl/model_file.hpp"
#include "tools/bbvi-ppl/mpi_ranks.hpp"
#include "tools/bbvi-ppl/option_wording.hpp"
#include "tools/bbvi-ppl/progress.hpp"
#include "tools/bbvi-ppl/report.hpp"
#include "tools/bbvi-ppl/settings.hpp"
#include "tools/bbvi-ppl/unknown_option.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <sstream>

namespace {

using namespace bbvi;

constexpr int exit_fitted = 0;
constexpr int exit_numerical = 1;
constexpr int exit_bad_input = 2;

// A failure that is not bad input we know how to point at, said on standard
// error with `consequence` after it: running out of memory (a size set in
// the data or with --set, a latent of 10¹¹ elements, or more rows than
// memory holds) as such, not as the allocator's exception. Exits 1, as a
// failed fit does.
int failed(std::exception const& e, char const* consequence) {
  std::string const what =
      dynamic_cast<std::bad_alloc const*>(&e)
          ? "out of memory: the model's sizes (from the data and --set) and the data's rows need more than this "
            "machine has"
          : e.what();
  std::fputs(fmt::format("bbvi-ppl: error: {}{}\n", what, consequence).c_str(), stderr);
  return exit_numerical;
}

// The summary's draws are held all at once (its quantiles select from them), so a
// model with many latent elements gets fewer, in thousands: at most 10⁷
// values (80 MB), at least 1,000 draws.
int summary_draws_for(std::size_t latent_elements) {
  constexpr double most_values = 1e7;
  double const fit = std::floor(most_values / static_cast<double>(std::max<std::size_t>(latent_elements, 1)) / 1000);
  return 1000 * static_cast<int>(std::clamp(fit, 1.0, 10.0));
}
constexpr int minimum_draws = 100;

struct Options {
  std::string model_file;
  std::string data_file;
  std::string output_file;  // "-": standard output
  std::string trace_file;
  std::string draws_file;
  std::string plot_file;
  int draws = 1000;  // from the fitted guide, for k̂ and the evidence
  int chains = 1;
  bool quiet = false;
  std::vector<std::string> settings;
  std::string cache_directory;  // --cache: where parsed data columns are kept between runs
  std::size_t batch = 0;        // --batch: rows an iteration reads; 0: all of them
  bool draws_given = false;     // --draws was on the command line
  std::string method{method_table().front().name};
  std::string estimator;
  FitOptions fit;
};

// The text of every file a diagnostic may point into, for its source line.
// The data file's is the table's own (a million-row file is not copied).
struct Sources {
  std::map<std::string, std::string> texts;
  std::optional<data::CsvTable> table;
  // The checked model and how it was lowered, for a subsampled fit's batches.
  std::optional<ast::Program> syntax;
  CompileOptions compile_options;

  void print(std::vector<Diagnostic> const& ds) const {
    auto const source_of = [this](std::string const& file) {
      if (table && table->file() == file) return table->text();
      auto const it = texts.find(file);
      return it == texts.end() ? std::string_view{} : std::string_view(it->second);
    };
    for (Diagnostic const& d : ds) std::fputs(render(cli::worded_as_options(d), source_of).c_str(), stderr);
  }
};

std::optional<std::string> read_file(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

std::string cap_warning(Method method, int iterations) {
  if (method != Method::natural_gradient)
    return fmt::format("bbvi-ppl: warning: {} has no stopping rule and ran to the cap (--iters {}); it is "
                       "typically still far from the optimum: the default method is {}\n",
                       name_of(method), iterations, method_table().front().name);
  return fmt::format("bbvi-ppl: warning: stopped at the iteration cap (--iters {}) before the gradient was "
                     "down to noise; the result may be far from the optimum\n",
                     iterations);
}

// A fit whose ELBO ended far below its first iteration's made the guide
// worse, not better: it diverged (the plain score-function gradient can,
// under the natural gradient's steps, on an uncentred logistic regression),
// and its numbers mean nothing. "Far": beyond ten of the first estimate's
// standard errors and a nat (the last one's is no yardstick: a diverged fit's
// is as huge as its ELBO).
std::string divergence_warning(FitResult const& r) {
  if (r.trace.empty()) return {};
  IterationRecord const& first = r.trace.front();
  double const margin = 10 * first.elbo_se + 1;
  if (!(std::isfinite(first.elbo) && r.elbo < first.elbo - margin)) return {};
  return fmt::format("bbvi-ppl: warning: the ELBO fell from {:.6g} at the first iteration to {:.6g}: the fit "
                     "diverged, and the result above means nothing; the default --method and --estimator are "
                     "the ones that converge on the example models, else try a smaller --step-size\n",
                     first.elbo, r.elbo);
}

// Everything before the fit: the model parsed and checked, the data read and
// bound, the constants set; warnings are printed as they are found. Throws
// DiagnosticError on any bad input.
Program prepare(Options const& o, Sources& sources) {
  sources.texts[o.model_file] = cli::read_model_file(o.model_file);
  std::vector<Diagnostic> automatic_factors;
  ast::Program const syntax = parse_with_guide(sources.texts[o.model_file], o.model_file, automatic_factors);
  sources.print(automatic_factors);
  std::vector<Diagnostic> problems = check_program(syntax, distributions().catalog());
  if (!problems.empty()) throw DiagnosticError(std::move(problems));
  sources.print(unused_declarations(syntax, distributions().catalog()));
  sources.print(flat_priors(syntax));
  if (!o.data_file.empty()) {
    try {
      sources.table = data::CsvTable::from_file(o.data_file);
    } catch (DiagnosticError const&) {
      // The table was never made: its errors still show their lines.
      if (auto const text = read_file(o.data_file)) sources.texts[o.data_file] = *text;
      throw;
    }
  }
  std::shared_ptr<data::ColumnCache const> cache;
  if (sources.table && !o.cache_directory.empty()) {
    cache = std::make_shared<data::ColumnCache const>(o.cache_directory);
    sources.table->use_cache(cache);
  }
  CompileOptions compile_options;
  compile_options.overrides = cli::parse_settings(o.settings);
  Program program = compile(syntax, sources.table ? &*sources.table : nullptr, compile_options);
  sources.syntax = syntax;
  sources.compile_options = compile_options;
  if (cache && !cache->problem().empty())
    std::fputs(fmt::format("bbvi-ppl: warning: --cache: {}; the columns were parsed, as they will be next time\n",
                           cache->problem())
                   .c_str(),
               stderr);
  search_start(program);
  check_start(program);
  sources.print(wide_priors(program));
  return program;
}

// --method and --estimator, from their names (CLI11 has checked them against the table).
void set_estimation(Options& o) {
  o.fit.method = method_named(o.method)->method;
  o.fit.estimator = o.estimator;
}

// The subcommands that stop before fitting: `report` prints what they
// have to say of the prepared program; bad input, or a NumericalError while
// preparing (an initial value the guide cannot use), exits 2; running out
// of memory, or any other failure, exits 1 as a failed fit does.
template <typename Report>
int before_fitting(Options const& o, Report const& report) {
  Sources sources;
  try {
    Program const program = prepare(o, sources);
    std::fputs(report(program, sources).c_str(), stdout);
    return exit_fitted;
  } catch (DiagnosticError const& e) {
    sources.print(e.diagnostics());
  } catch (NumericalError const& e) {
    sources.print({e.diagnostic()});
  } catch (std::exception const& e) {
    return failed(e, "");
  }
  return exit_bad_input;
}

// The output options given, each with its path ("-": standard output).
std::vector<std::pair<char const*, std::string>> output_paths(Options const& o) {
  std::vector<std::pair<char const*, std::string>> paths;
  for (auto const& [option, path] : {std::pair{"--output", &o.output_file}, std::pair{"--trace", &o.trace_file},
                                     std::pair{"--draws-output", &o.draws_file}, std::pair{"--plot", &o.plot_file}})
    if (!path->empty()) paths.emplace_back(option, *path);
  return paths;
}

// Every output path, checked before the fit so that a mistyped one costs
// no fit: it can be written (atomic_file.hpp, locate_output), and no two
// options name the same file, nor an output the model or the data file.
// Throws DiagnosticError naming the option.
void check_outputs(Options const& o) {
  auto const refuse = [](std::string message) {
    Diagnostic d;
    d.message = std::move(message);
    return DiagnosticError(d);
  };
  std::vector<std::pair<std::string, std::string>> taken;  // a file's identity, and what it is
  for (auto const& [input, what] : {std::pair{&o.model_file, "the model file"}, std::pair{&o.data_file, "the data file"}})
    if (std::string identity = cli::identity_of_file(*input); !input->empty() && !identity.empty())
      taken.emplace_back(std::move(identity), what);
  for (auto const& [option, path] : output_paths(o)) {
    std::string identity = "descriptor 1";  // "-"
    if (path != "-") {
      try {
        identity = cli::locate_output(path, true).identity;
      } catch (cli::OutputError const& e) {
        throw refuse(fmt::format("{}: {}", option, e.what()));
      }
    }
    if (identity.empty()) continue;  // a device, which may take two outputs
    for (auto const& [other, what] : taken)
      if (other == identity) throw refuse(fmt::format("{}: '{}' is {}", option, path, what));
    taken.emplace_back(identity, fmt::format("the file {} writes", option));
  }
}

// `bbvi-ppl check MODEL [DATA]`: every check a fit would make before its
// first iteration, and nothing else.
int check(Options const& o) {
  return before_fitting(o, [&](Program const&, Sources const&) {
    check_outputs(o);
    return fmt::format("{}: ok\n", o.data_file.empty() ? o.model_file : o.model_file + " with " + o.data_file);
  });
}

// `bbvi-ppl explain MODEL [DATA]`: the blankets and the estimator.
int explain(Options& o) {
  set_estimation(o);
  return before_fitting(o, [&](Program const& program, Sources const& sources) {
    return cli::explain(program, sources.texts.at(o.model_file), o.fit);
  });
}

struct OutputFile {
  std::string option, path, text;
};

// The output files, written as a set: all of them, or (when one cannot be
// written) none, and that one's option named.
bool write_outputs(std::vector<OutputFile> const& files) {
  std::vector<cli::OutputFile> set;
  for (OutputFile const& f : files) set.push_back({f.path, f.text});
  try {
    cli::write_output_set(set);
    return true;
  } catch (cli::OutputError const& e) {
    std::fputs(fmt::format("bbvi-ppl: error: {}: {}\n", files[e.file].option, e.what()).c_str(), stderr);
    return false;
  }
}

// SIGINT or SIGTERM stopped the run before its files were written.
int stopped_by(int signal) {
  std::fputs(fmt::format("bbvi-ppl: stopped by {}; no result was written\n", cli::signal_name(signal)).c_str(),
             stderr);
  return 128 + signal;
}

int run(Options& o) {
  Sources sources;
  try {
    if (o.draws > 0 && o.draws < minimum_draws) {
      Diagnostic bad;
      bad.message = fmt::format("--draws {}: expected 0 (no importance check) or at least {}, enough draws for "
                                "k̂'s fit to the largest weights",
                                o.draws, minimum_draws);
      throw DiagnosticError(bad);
    }
    Program const program = prepare(o, sources);
    std::optional<RowBatches> batches;
    if (o.batch > 0) {
      batches.emplace(*sources.syntax, program, sources.compile_options, o.batch);
      o.fit.batches = &*batches;
      // The importance check reads every row at each of its draws: a
      // subsampled fit makes it only when asked to.
      if (!o.draws_given) o.draws = 0;
    }
    // From here on a signal asks the run to stop (interrupt.hpp): the
    // output check's probe files and the fit are ended cleanly.
    cli::StopOnSignals const stop_on_signals;
    // Under ranks, rank 0 alone writes the files, and so checks them; the
    // others learn whether it may go on.
    Ranks* const ranks = o.fit.ranks;
    bool const writes = !ranks || ranks->rank() == 0;
    std::exception_ptr refused;
    if (writes) try {
        check_outputs(o);
      } catch (...) {
        refused = std::current_exception();
      }
    if (ranks && !ranks->from_first(!refused) && !writes) return exit_bad_input;
    if (refused) std::rethrow_exception(refused);
    set_estimation(o);
    // A signal reaches each rank at its own time: rank 0's decides for all.
    o.fit.stop_requested = [ranks] {
      bool const stop = cli::stop_signal() != 0;
      return ranks ? ranks->from_first(stop) : stop;
    };
    std::vector<FitResult> const chains = [&] {
      cli::ProgressLine progress(stderr, !o.quiet && cli::is_terminal(stderr));
      o.fit.on_iteration = [&progress](IterationRecord const& r) { progress.update(r); };
      o.fit.trace_parameters = !o.trace_file.empty();
      return fit_chains(program, o.fit, o.chains);
    }();
    ChainChoice const chosen = choose_chain(chains);
    FitResult const& result = chains[chosen.reported];
    GuideDraws const draws = [&] {
      // Its threads end here: while the files are written the main thread
      // is the only one, so a signal always reaches it (interrupt.hpp).
      WorkerPool pool(o.fit.threads > 0 ? o.fit.threads : WorkerPool::available_cores());
      pool.share_draws_with(ranks);
      return draw_from_guide(program, result.u, o.draws, o.fit.seed, pool);
    }();
    // The other ranks' part ends with the importance check's draws: rank 0
    // has the same result, and reports it.
    if (!writes) return exit_fitted;
    cli::FitReport report;
    report.model_file = o.model_file;
    report.data_file = o.data_file;
    report.program = &program;
    report.result = &result;
    report.options = &o.fit;
    report.parameters = constrained_parameters(program, result.u);
    int const summary_draws = summary_draws_for(program.latent_dimension);
    report.marginals = summarise_guide(program, result.u, summary_draws, o.fit.seed);
    report.summary_draws = summary_draws;
    report.overrides = cli::parse_settings(o.settings);
    report.chains = &chains;
    report.reported_chain = chosen.reported;
    if (chains.size() > 1)
      for (std::size_t c = 0; c < chains.size(); ++c)
        // The same draws for every chain, so that their spread is the fits', not the summaries'.
        report.chain_marginals.push_back(c == chosen.reported
                                             ? report.marginals
                                             : summarise_guide(program, chains[c].u, summary_draws, o.fit.seed));
    report.agreement = chosen.agreement;
    report.importance = importance_check(draws);
    // Under a flat prior p(x) is not a number: the weights' mean estimates nothing.
    if (!cli::flat_prior_names(program).empty()) report.importance.evidence.reset();
    // nlohmann writes a non-finite number as null: refuse to report one.
    if (!cli::all_finite(report)) {
      std::fputs("bbvi-ppl: error: the fit ended with a non-finite ELBO, parameter or diagnostic; no result was "
                 "written\n",
                 stderr);
      return exit_numerical;
    }
    cli::stop_if_asked();  // the draws and summaries since the fit may have taken a while
    // With --output -, standard output carries the JSON alone and the report
    // goes to standard error.
    bool const json_to_stdout = o.output_file == "-";
    std::string const json = cli::report_json(report).dump(2) + "\n";
    std::vector<OutputFile> files;
    if (!o.output_file.empty() && !json_to_stdout) files.push_back({"--output", o.output_file, json});
    if (!o.trace_file.empty()) files.push_back({"--trace", o.trace_file, cli::trace_csv(program, result)});
    if (!o.draws_file.empty()) files.push_back({"--draws-output", o.draws_file, cli::draws_csv(program, draws)});
    if (!o.plot_file.empty()) {
      std::string const title =
          fmt::format("{} on {}", o.model_file, o.data_file.empty() ? "no data" : o.data_file);
      files.push_back({"--plot", o.plot_file, cli::fit_plot(title, program, result, draws)});
    }
    if (!write_outputs(files)) return exit_bad_input;
    std::fputs(cli::format_report(report).c_str(), json_to_stdout ? stderr : stdout);
    if (json_to_stdout) std::fputs(json.c_str(), stdout);
    std::fflush(stdout);  // the warnings below come after the report, wherever both streams go
    if (!result.converged) std::fputs(cap_warning(o.fit.method, result.iterations).c_str(), stderr);
    std::fputs(divergence_warning(result).c_str(), stderr);
    std::fputs(cli::k_hat_warning(report).c_str(), stderr);
    std::fputs(cli::chains_warning(report).c_str(), stderr);
    return exit_fitted;
  } catch (FitStopped const&) {
    return stopped_by(cli::stop_signal());
  } catch (cli::Interrupted const& e) {
    return stopped_by(e.signal());
  } catch (DiagnosticError const& e) {
    sources.print(e.diagnostics());
    return exit_bad_input;
  } catch (NumericalError const& e) {
    sources.print({e.diagnostic()});
    std::fputs("bbvi-ppl: error: the fit failed numerically; no result was written\n", stderr);
    return exit_numerical;
  } catch (std::exception const& e) {
    return failed(e, "; no result was written");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::unique_ptr<Ranks> ranks;
  try {
    ranks = cli::join_ranks(argc, argv);
  } catch (DiagnosticError const& e) {
    std::fputs(fmt::format("bbvi-ppl: error: {}\n", e.what()).c_str(), stderr);
    return exit_bad_input;
  }
  // Every rank reads the same files and fits the same draws, so every rank
  // meets the same errors and results: rank 0 speaks for all of them.
  if (ranks && ranks->rank() != 0)
    for (std::FILE* stream : {stdout, stderr})
      if (!std::freopen("/dev/null", "w", stream)) std::fclose(stream);
  Options o;
  o.fit.ranks = ranks.get();
  CLI::App app{"bbvi-ppl: fit a .model file's guide to its posterior by black-box variational inference"};
  // Not required here, so that `bbvi-ppl check …` parses; checked below.
  app.add_option("MODEL", o.model_file, "the .model file");
  app.add_option("DATA", o.data_file, "the CSV file whose columns the data block names");
  app.add_option("--seed", o.fit.seed, "seed of every random stream")->default_val(1);
  // What decides the estimator and the draws: a fit's options, and `explain`'s.
  // The names, and each method's default estimator, from the table.
  std::vector<std::string> estimator_names, method_names, default_estimators, default_caps, default_steps;
  for (EstimatorEntry const& e : estimator_table()) estimator_names.emplace_back(e.name);
  for (MethodEntry const& m : method_table()) {
    method_names.emplace_back(m.name);
    default_estimators.push_back(fmt::format("{} for {}", m.estimator, m.name));
    default_caps.push_back(fmt::format("{} for {}", m.max_iterations, m.name));
    default_steps.push_back(fmt::format("{} for {}", m.step_size, m.name));
  }
  auto const add_estimation = [&](CLI::App& to) {
    to.add_option("--samples", o.fit.samples,
                  "draws per iteration (default: max(10, 2P + 2) for natural-gradient, P the parameters estimated "
                  "together; 10 for adagrad and adam)")
        ->check(CLI::NonNegativeNumber);
    to.add_option("--method", o.method,
                  fmt::format("the step: {} (default: {}; adagrad is the BBVI paper's)", fmt::join(method_names, ", "),
                              method_names.front()))
        ->check(CLI::IsMember(method_names));
    to.add_option("--estimator", o.estimator,
                  fmt::format("the gradient estimator: {} (default: {})", fmt::join(estimator_names, ", "),
                              fmt::join(default_estimators, "; ")))
        ->check(CLI::IsMember(estimator_names));
  };
  add_estimation(app);
  app.add_option("--iters", o.fit.max_iterations,
                 fmt::format("iteration cap (default: {})", fmt::join(default_caps, "; ")))
      ->check(CLI::NonNegativeNumber);
  app.add_option("--step-size", o.fit.step_size, fmt::format("step size η (default: {})", fmt::join(default_steps, "; ")))
      ->check(CLI::NonNegativeNumber);
  app.add_option("--threads", o.fit.threads,
                 "threads the draws of an iteration are split over (default: all cores); the result is the same "
                 "for any number")
      ->check(CLI::PositiveNumber);
  app.add_option("--tolerance", o.fit.tolerance, "natural-gradient: stop when the averaged result's noise is below this KL")
      ->default_val(o.fit.tolerance)
      ->check(CLI::PositiveNumber);
  app.add_flag("--per-factor", o.fit.per_factor,
               "natural-gradient: step each factor on its own, without the coupled Newton step on the Normal "
               "factors' locations (for comparison; the stopping rule still measures the coupled decrement; "
               "default: off)");
  // One NAME=VALUE per --set, so that `--set a=1 model.model` leaves the
  // model file alone.
  auto const add_settings = [&](CLI::App& to) {
    to.add_option("--set", o.settings, "NAME=VALUE: override a data constant (repeatable; default: none)")
        ->allow_extra_args(false);
    to.add_option("--cache", o.cache_directory,
                  "keep the data columns, once parsed, in this directory (made if need be), for the next run on "
                  "the same CSV file, checked against its size and modification time (default: none)");
  };
  add_settings(app);
  // The files a fit may write; none unless asked for. `check` checks them
  // as a fit would before its first iteration.
  auto const add_outputs = [&](CLI::App& to) {
    auto const add_output = [&](char const* name, std::string& path, char const* what) {
      to.add_option(name, path, std::string(what) + " (default: none)");
    };
    add_output("--output", o.output_file,
               "write the result as JSON to this file (docs/output.md); - writes it to standard output and the "
               "report to standard error");
    add_output("--trace", o.trace_file,
               "write one CSV row per iteration: ELBO estimate, its standard error, step size, every variational "
               "parameter");
    add_output("--draws-output", o.draws_file,
               "write the --draws draws as CSV, a column per latent element (theta.1, ...), then log_p__ and "
               "log_g__");
    add_output("--plot", o.plot_file,
               "draw the ELBO trace and each latent's fitted marginal over a histogram of the --draws draws, as SVG");
  };
  add_outputs(app);
  // Counts with a default of their own.
  auto const add_count = [&](char const* name, int& count, char const* what) {
    return app.add_option(name, count, what)->default_val(count);
  };
  CLI::Option* const draws_option =
      add_count("--draws", o.draws,
                "draws from the fitted guide for Pareto k-hat and the importance-weighted log evidence: 0 skips "
                "both, else at least 100 (default: 1000; 0 with --batch)")
          ->check(CLI::NonNegativeNumber);
  app.add_option("--batch", o.batch,
                 "fit on B rows drawn afresh at each iteration, each standing for N/B of the N rows, four times as "
                 "many each time the gradient is down to their noise, until every row "
                 "(docs/method.md, 'Subsampled fits'; default: every row)")
      ->check(CLI::PositiveNumber);
  add_count("--chains", o.chains,
            "independent fits from seeds SEED, SEED + 1, ..., run side by side; the report shows each latent's "
            "spread over them and warns when they disagree by more than their own noise")
      ->check(CLI::Range(1, 64));
  app.add_flag("--quiet", o.quiet, "no progress line on standard error (it is shown only on a terminal anyway)");
  app.set_version_flag("--version", std::string("bbvi-ppl ") + cli::version());

  CLI::App* const checking =
      app.add_subcommand("check", "check the model (and the data, if given) as a fit would, without fitting");
  checking->add_option("MODEL", o.model_file, "the .model file")->required();
  checking->add_option("DATA", o.data_file, "the CSV file whose columns the data block names");
  add_settings(*checking);
  add_outputs(*checking);
  CLI::App* const explaining = app.add_subcommand(
      "explain", "print each group of guide parameters with its Markov blanket, and the estimator a fit would use");
  explaining->add_option("MODEL", o.model_file, "the .model file")->required();
  explaining->add_option("DATA", o.data_file, "the CSV file whose columns the data block names");
  add_settings(*explaining);
  add_estimation(*explaining);
  try {
    app.parse(argc, argv);
    if (!checking->parsed() && !explaining->parsed() && o.model_file.empty()) throw CLI::RequiredError("MODEL");
  } catch (CLI::ParseError const& e) {
    if (std::string const unknown = cli::unknown_option_message(app, argc, argv); !unknown.empty()) {
      std::fprintf(stderr, "bbvi-ppl: error: %s\n", unknown.c_str());
      return exit_bad_input;
    }
    int const code = app.exit(e);
    return code == 0 ? exit_fitted : exit_bad_input;
  }
  o.draws_given = draws_option->count() > 0;
  if (checking->parsed()) return check(o);
  return explaining->parsed() ? explain(o) : run(o);
}
