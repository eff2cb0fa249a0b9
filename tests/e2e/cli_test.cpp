// The binary as a user runs it: exit statuses, the JSON it writes, and the
// errors it prints.
#include "runtime/data/csv.hpp"
#include "tests/support/normal_gamma_reference.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using namespace bbvi;

namespace {

using testing::Run;
using testing::slurp;

fs::path scratch(std::string const& name) { return testing::scratch_dir() / name; }

Run run(std::string const& arguments) { return testing::run_binary(arguments); }

std::string source(std::string const& relative) { return std::string(BBVI_SOURCE_DIR) + "/" + relative; }

fs::path write(std::string const& name, std::string const& text) {
  fs::path const p = scratch(name);
  std::ofstream(p) << text;
  return p;
}

}  // namespace

TEST_CASE("bbvi-ppl fits the canonical model and writes the JSON result") {
  fs::path const json_path = scratch("fit.json");
  fs::remove(json_path);
  Run const r = run(source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv") + " --seed 3 --output '" +
                    json_path.string() + "'");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("mu_N") != std::string::npos);
  CHECK(r.out.find("ELBO") != std::string::npos);
  nlohmann::json const j = nlohmann::json::parse(slurp(json_path));
  for (char const* key : {"params", "elbo", "iterations", "converged", "seconds", "summary"}) CHECK(j.contains(key));
  CHECK(j["converged"] == true);
  auto const& p = j["params"];
  reference::NormalGammaGuide const fitted{p["mu_N"], p["lambda_N"], p["alpha_N"], p["beta_N"]};
  std::vector<double> const x =
      bbvi::data::CsvTable::from_file(source("models/normal_gamma.csv")).real_column("x");
  double const kl = reference::kl_to(fitted, reference::cavi_optimum(x, {}));
  INFO("KL to the CAVI optimum: " << kl);
  CHECK(kl < 0.01);
  CHECK(j["summary"]["tau"]["q5"] < j["summary"]["tau"]["q50"]);
  // The estimator's gradient variance and signal-to-noise, per parameter; at
  // a converged fit the gradient is down to noise (SNR below 1) except where
  // the estimator is nearly exact (variance below 1e-6: mu_N's, by
  // quadrature), as docs/output.md says.
  auto const& g = j["gradient"];
  CHECK(g["iterations"] == 20);
  for (char const* name : {"mu_N", "lambda_N", "alpha_N", "beta_N"}) {
    CAPTURE(name);
    double const variance = g["variance"][name].get<double>(), snr = g["snr"][name].get<double>();
    CAPTURE(variance, snr);
    CHECK(variance > 0);
    CHECK((snr < 1 || variance < 1e-6));
  }
  CHECK(g["variance"]["alpha_N"].get<double>() > 1e-6);  // so the rule is tested where it needs SNR below 1
  CHECK(g["variance"]["beta_N"].get<double>() > 1e-6);
  CHECK(r.out.find("gradient var") != std::string::npos);
  CHECK(r.out.find("unless the variance is near 0 (below 1e-6), where\n the estimator is exact") != std::string::npos);
}

TEST_CASE("bbvi-ppl: a malformed model exits 2 with file:line:col, the line and a caret") {
  fs::path const model = write("broken.model", "latent {\n  real mu\n}\nmodel { mu ~ Normal(0, 1); }\n"
                                               "guide { real m; mu ~ Normal(m, 1); }\n");
  Run const r = run("'" + model.string() + "'");
  CHECK(r.status == 2);
  CHECK(r.err.find(model.string() + ":3:1: error: expected ';'") != std::string::npos);
  CHECK(r.err.find("\n  }\n  ^\n") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("bbvi-ppl: bad data and bad options exit 2 and write no result") {
  fs::path const json_path = scratch("never.json");
  fs::remove(json_path);
  fs::path const csv = write("text.csv", "x\n1.5\nabc\n");
  Run const text = run(source("models/normal_gamma.model") + " '" + csv.string() + "' --output '" +
                       json_path.string() + "'");
  CHECK(text.status == 2);
  CHECK(text.err.find(csv.string() + ":3:1: error: column 'x', row 2: expected a number, found 'abc'") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(json_path));

  fs::path const other = write("other.csv", "y\n1.5\n");
  Run const missing = run(source("models/normal_gamma.model") + " '" + other.string() + "'");
  CHECK(missing.status == 2);
  CHECK(missing.err.find("data column 'x' is not in") != std::string::npos);

  Run const set = run(source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv") + " --set mu=1");
  CHECK(set.status == 2);
  CHECK(set.err.find("'mu' is not a data constant") != std::string::npos);

  Run const option = run(source("models/normal_gamma.model") + " --samples nine");
  CHECK(option.status == 2);
}

TEST_CASE("bbvi-ppl --help lists the options and exits 0") {
  Run const r = run("--help");
  CHECK(r.status == 0);
  for (char const* option : {"--seed", "--samples", "--iters", "--step-size", "--set", "--output", "--method"})
    CHECK(r.out.find(option) != std::string::npos);
}

TEST_CASE("bbvi-ppl --set overrides a data constant, and hitting --iters warns") {
  fs::path const json_path = scratch("set.json");
  std::string const common = source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv");
  Run const r = run(common + " --set lambda0=1e6 --set mu0=5 --output '" + json_path.string() + "'");
  REQUIRE(r.status == 0);
  // A prior this tight on mu = 5 leaves the data no say in its mean.
  nlohmann::json const j = nlohmann::json::parse(slurp(json_path));
  CHECK(double(j["params"]["mu_N"]) == Approx(5.0).margin(0.01));

  Run const capped = run(common + " --iters 3");
  CHECK(capped.status == 0);
  CHECK(capped.err.find("warning: stopped at the iteration cap (--iters 3)") != std::string::npos);
}

// Not in the sanitizer build: AddressSanitizer ends the process itself when
// a throwing operator new cannot allocate, whatever its options, where the
// system's allocator throws std::bad_alloc.
#ifndef __SANITIZE_ADDRESS__
TEST_CASE("bbvi-ppl: a size no memory holds is an error, not a crash, in a fit and in check and explain") {
  // 10^15 schools: 8 PB for one latent, past a 64-bit machine's 128 TB of
  // address space, so that the allocation fails whatever the machine's
  // memory or its overcommit policy (10^11, 800 GB, could be granted lazily
  // and end in the OOM killer where overcommit is always allowed).
  std::string const common =
      source("models/eight_schools.model") + " " + source("models/eight_schools.csv") + " --set J=1000000000000000";
  for (std::string const command : {"", "check ", "explain "}) {
    Run const r = run(command + common);
    INFO(command << r.err);
    CHECK(r.status == 1);
    CHECK(r.err.find("bbvi-ppl: error: out of memory: the model's sizes (from the data and --set) and the data's "
                     "rows need more than this machine has") != std::string::npos);
  }
}
#endif

TEST_CASE("bbvi-ppl: too few --samples and an unwritable --output are option errors (exit 2)") {
  std::string const common = source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv");
  Run const few = run(common + " --samples 5");
  CHECK(few.status == 2);
  CHECK(few.err.find("bbvi-ppl: error: --samples 5: the local estimator with --method natural-gradient works "
                     "on up to 4 parameters at once and needs at least 6 draws per iteration") != std::string::npos);
  Run const one = run(common + " --method adagrad --samples 1");
  CHECK(one.status == 2);
  Run const unwritable = run(common + " --output /nonexistent-dir/fit.json");
  CHECK(unwritable.status == 2);
  CHECK(unwritable.err.find("cannot write '/nonexistent-dir/fit.json'") != std::string::npos);
}

TEST_CASE("bbvi-ppl: a distribution rejecting its arguments mid-fit exits 1, names the statement, writes nothing") {
  fs::path const model = source("tests/e2e/negative_sd.model");
  fs::path const json_path = scratch("numerical.json");
  fs::remove(json_path);
  Run const r = run("'" + model.string() + "' " + source("models/normal_gamma.csv") + " --output '" +
                    json_path.string() + "'");
  CHECK(r.status == 1);
  CHECK(r.err.find(model.string() + ":6:3: error: Normal: sd is -") != std::string::npos);
  CHECK(r.err.find("but must be positive and finite") != std::string::npos);
  CHECK_FALSE(fs::exists(json_path));
}

TEST_CASE("bbvi-ppl --threads 1 and --threads 2 write the same JSON, but for the time taken") {
  // logistic_regression: ~500 iterations of draws over 60 rows, so that a
  // draw landing in another thread's block would change the numbers.
  std::string const model = source("models/logistic_regression.model"), data = source("models/logistic_regression.csv");
  std::vector<nlohmann::json> results;
  for (int threads : {1, 2}) {
    fs::path const out = scratch("threads" + std::to_string(threads) + ".json");
    Run const r = run("'" + model + "' '" + data + "' --threads " + std::to_string(threads) + " --output '" +
                      out.string() + "'");
    REQUIRE(r.status == 0);
    nlohmann::json result = nlohmann::json::parse(slurp(out));
    REQUIRE(result.contains("seconds"));
    result.erase("seconds");
    results.push_back(result);
  }
  CHECK(results[0].dump() == results[1].dump());
}

TEST_CASE("bbvi-ppl explain plans as the fit does: too few --samples is the fit's error, and the default draws are the fit's") {
  std::string const schools = source("models/eight_schools.model") + " " + source("models/eight_schools.csv");
  Run const explained = run("explain " + schools + " --samples 3");
  Run const fitted = run(schools + " --samples 3");
  CHECK(explained.status == 2);
  CHECK(fitted.status == 2);
  CHECK(explained.err.find("--samples 3: the local estimator with --method natural-gradient works on up to 2 "
                           "parameters at once") != std::string::npos);
  CHECK(explained.err == fitted.err);
  // The draws explain promises are those the fit reports using.
  for (char const* options : {"", " --estimator regression", " --method adam", " --estimator regression-rb-joint"}) {
    INFO(options);
    Run const plan = run("explain " + schools + options);
    Run const fit = run(schools + options + " --iters 2 --draws 0 --output -");
    REQUIRE(plan.status == 0);
    REQUIRE(fit.status == 0);
    int const samples = nlohmann::json::parse(fit.out)["settings"]["samples"].get<int>();
    CHECK(plan.out.find(fmt::format(", {} draws per iteration\n", samples)) != std::string::npos);
  }
}

TEST_CASE("bbvi-ppl explain prints each group's Markov blanket, per element for a vector latent, and the estimator") {
  Run const schools = run("explain " + source("models/eight_schools.model") + " " + source("models/eight_schools.csv"));
  INFO(schools.err);
  REQUIRE(schools.status == 0);
  // eta[3]'s blanket: its own prior element and the one row of school 3.
  // Every group is one element under a Normal or LogNormal guide: all local,
  // and every blanket Gaussian in its element: taken from the rows.
  CHECK(schools.out.find("  eta[3] (eta_mean[3], eta_sd[3]): local expectation, by quadrature on its rows' "
                         "derivatives\n"
                         "      21  eta ~ Normal(0, 1);                          element 3 of 8\n"
                         "      23  y ~ Normal(theta[school], sigma);            row 3 of 8\n") != std::string::npos);
  CHECK(schools.out.find("  tau (log_tau_mean, log_tau_sd): local expectation, by quadrature on its rows' "
                         "derivatives\n"
                         "      20  tau ~ HalfNormal(5);                         whole\n"
                         "      23  y ~ Normal(theta[school], sigma);            rows 1–8 of 8\n") != std::string::npos);
  CHECK(schools.out.find("estimator  local (the default): the groups marked above as local expectations get the "
                         "exact expectation over their latent element by quadrature, given the rest of the draw; "
                         "any other group's slopes come from one least-squares regression of the whole "
                         "log p − log q on all 20 parameters' scores; the coupled step's curvature between the 9 "
                         "locations comes from their rows' second derivatives, exactly at each draw\n"
                         "method     natural-gradient, 10 draws per iteration\n"
                         "step       Newton's on the locations of 9 Normal factors, with the curvature the estimator "
                         "above measures; the natural gradient for the other parameters\n") != std::string::npos);

  Run const canonical = run("explain " + source("models/normal_gamma.model") + " " +
                            source("models/normal_gamma.csv") + " --estimator cv --method adam");
  REQUIRE(canonical.status == 0);
  CHECK(canonical.out.find("all 100 rows, as sufficient statistics") != std::string::npos);
  CHECK(canonical.out.find("estimator  cv: Algorithm 2") != std::string::npos);
  CHECK(canonical.out.find("method     adam, 10 draws per iteration") != std::string::npos);

  // The default on the canonical model: mu (Normal guide) by quadrature on
  // its likelihood's statistics' derivatives, tau (Gamma guide, no rule) by
  // the joint regression.
  Run const mixed = run("explain " + source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv"));
  REQUIRE(mixed.status == 0);
  CHECK(mixed.out.find("  mu (mu_N, lambda_N): local expectation, by quadrature on its rows' derivatives\n") !=
        std::string::npos);
  CHECK(mixed.out.find("  tau (alpha_N, beta_N)\n") != std::string::npos);

  // A logistic regression's coefficients share its linear predictor.
  Run const logistic =
      run("explain " + source("models/logistic_regression.model") + " " + source("models/logistic_regression.csv"));
  REQUIRE(logistic.status == 0);
  CHECK(logistic.out.find("the 2 Normal factors whose latents enter one linear predictor take the gradient and "
                          "curvature of their locations, and the gradient of their sds where the draws sample it, "
                          "from that predictor") != std::string::npos);

  // A dense regression's coefficients, in closed form from its statistics.
  Run const linear =
      run("explain " + source("models/linear_regression.model") + " " + source("models/linear_regression.csv"));
  REQUIRE(linear.status == 0);
  CHECK(linear.out.find("  a (a_mean, a_sd): in closed form, from the likelihood's statistics\n") != std::string::npos);
  CHECK(linear.out.find("method     natural-gradient, 10 draws per iteration\n") != std::string::npos);

  Run const no_data = run("explain " + source("models/eight_schools.model"));
  CHECK(no_data.status == 2);
  CHECK(no_data.err.find("'school' is a data column, but no data file was given") != std::string::npos);
}

TEST_CASE("bbvi-ppl --cache keeps the parsed columns for the next run, which gives the same result") {
  fs::path const dir = scratch("column_cache");
  fs::remove_all(dir);
  fs::path const csv = write("cached.csv", slurp(source("models/logistic_regression.csv")));
  std::string const fit = source("models/logistic_regression.model") + " '" + csv.string() + "' --cache '" +
                          dir.string() + "' --output - --quiet";
  Run const first = run(fit);
  REQUIRE(first.status == 0);
  std::size_t files = 0;
  for (fs::directory_entry const& e : fs::directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
  CHECK(files == 2);  // x and y
  Run const second = run(fit);
  REQUIRE(second.status == 0);
  nlohmann::json a = nlohmann::json::parse(first.out), b = nlohmann::json::parse(second.out);
  a.erase("seconds");
  b.erase("seconds");
  CHECK(a == b);
  CHECK(second.err.find("warning: --cache") == std::string::npos);
  // `check` and `explain` take it too.
  CHECK(run("check " + source("models/logistic_regression.model") + " '" + csv.string() + "' --cache '" +
            dir.string() + "'")
            .status == 0);
  // A path that is a file cannot be the directory: exit 2, naming it.
  Run const not_a_directory = run(source("models/logistic_regression.model") + " '" + csv.string() +
                                  "' --cache '" + csv.string() + "'");
  CHECK(not_a_directory.status == 2);
  CHECK(not_a_directory.err.find(csv.string() + ": error: cannot use it as the directory of the column cache") !=
        std::string::npos);
}

TEST_CASE("bbvi-ppl --batch fits on batches of the rows, says so, and refuses a batch it cannot use") {
  std::string const model = source("models/logistic_regression.model");
  std::string const data = source("models/logistic_regression.csv");
  Run const fitted = run(model + " " + data + " --batch 6 --output - --quiet");
  REQUIRE(fitted.status == 0);
  nlohmann::json const j = nlohmann::json::parse(fitted.out);
  CHECK(j["settings"]["batch"] == 6);
  CHECK(j["settings"]["draws"] == 0);  // the importance check reads every row: only when asked
  CHECK(j["converged"] == true);
  REQUIRE(j["all_rows_from"].is_number());
  CHECK(fitted.err.find(fmt::format("subsampled: 6 of the 60 rows an iteration at first, each standing for 10; every "
                                    "row from iteration {}",
                                    j["all_rows_from"].get<int>())) != std::string::npos);
  // The same for any number of threads: the batches come from streams of their own.
  Run const one_thread = run(model + " " + data + " --batch 6 --threads 1 --output - --quiet");
  Run const two_threads = run(model + " " + data + " --batch 6 --threads 2 --output - --quiet");
  nlohmann::json a = nlohmann::json::parse(one_thread.out), b = nlohmann::json::parse(two_threads.out);
  a.erase("seconds");
  b.erase("seconds");
  CHECK(a == b);
  // Cut short, it never reaches every row, and says so.
  Run const short_fit = run(model + " " + data + " --batch 6 --iters 3 --output - --quiet");
  CHECK(nlohmann::json::parse(short_fit.out)["all_rows_from"].is_null());
  CHECK(short_fit.err.find("never every row") != std::string::npos);
  // A fit on every row has no such key.
  Run const whole = run(model + " " + data + " --iters 5 --draws 0 --output - --quiet");
  CHECK(nlohmann::json::parse(whole.out)["settings"].count("batch") == 0);

  Run const too_large = run(model + " " + data + " --batch 60 --output - --quiet");
  CHECK(too_large.status == 2);
  CHECK(too_large.out.empty());
  CHECK(too_large.err.find("--batch 60: a batch is 4 to N − 1 rows, and the data has N = 60") != std::string::npos);
  // changepoint's prior on the period reads a value for every row.
  Run const per_row = run(source("models/changepoint.model") + " " + source("models/changepoint.csv") +
                          " --batch 20 --output - --quiet");
  CHECK(per_row.status == 2);
  CHECK(per_row.err.find("changepoint.model:") != std::string::npos);
  CHECK(per_row.err.find("--batch 20: ") != std::string::npos);
}
