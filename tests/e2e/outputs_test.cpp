// What a fit writes besides its report: the JSON (to a file or standard
// output) against its documented schema, the --trace and --draws-output CSV
// files, and the progress line, which only a terminal gets.
#include "runtime/data/csv.hpp"
#include "tests/support/normal_gamma_reference.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace bbvi;
using testing::Run;

namespace {

std::string source(std::string const& relative) { return std::string(BBVI_SOURCE_DIR) + "/" + relative; }
std::string scratch(std::string const& name) { return (testing::scratch_dir() / name).string(); }

std::string const eight_schools = source("models/eight_schools.model") + " " + source("models/eight_schools.csv");

// Every number in `j`, however deep, is finite; nlohmann writes a non-finite
// double as null, so a null anywhere fails too.
bool all_numbers_finite(nlohmann::json const& j) {
  if (j.is_null()) return false;
  if (j.is_number_float()) return std::isfinite(j.get<double>());
  if (j.is_structured())
    for (auto const& item : j) if (!all_numbers_finite(item)) return false;
  return true;
}

// The names in the first column of docs/output.md's table under `heading`:
// the documented keys.
std::set<std::string> documented_keys(std::string const& heading) {
  std::string const doc = testing::slurp(source("docs/output.md"));
  std::size_t const start = doc.find(heading);
  REQUIRE(start != std::string::npos);
  std::size_t const end = doc.find("\n## ", start + heading.size());
  std::string const section = doc.substr(start, end - start);
  std::set<std::string> keys;
  std::string const row_start = "\n| `";
  for (std::size_t at = section.find(row_start); at != std::string::npos; at = section.find(row_start, at + 1)) {
    std::size_t const name = at + row_start.size();
    keys.insert(section.substr(name, section.find('`', name) - name));
  }
  return keys;
}

}  // namespace

TEST_CASE("outputs: the JSON has every documented field, all finite, and --output - puts it on standard output") {
  std::string const file = scratch("schools.json");
  Run const to_file = testing::run_binary(eight_schools + " --output " + file);
  REQUIRE(to_file.status == 0);
  nlohmann::json const j = nlohmann::json::parse(testing::slurp(file));
  std::set<std::string> keys;
  for (auto const& [key, value] : j.items()) keys.insert(key);
  std::set<std::string> const documented = documented_keys("## JSON");
  for (std::string const& key : keys) {
    INFO(key);
    CHECK(documented.count(key) == 1);
  }
  // What every run writes (the rest, such as `chains`, only with the option
  // that asks for it).
  for (char const* key : {"version", "params", "elbo", "elbo_se", "iterations", "converged", "seconds", "summary",
                          "pareto_k", "log_evidence", "log_evidence_se", "gradient", "seed", "settings"}) {
    INFO(key);
    CHECK(keys.count(key) == 1);
  }
  CHECK(all_numbers_finite(j));
  CHECK(j["version"].is_string());
  CHECK(j["params"]["eta_mean"].size() == 8);        // arrays for vector parameters
  CHECK(j["summary"]["eta"]["q95"].size() == 8);     // and for vector latents
  CHECK(j["summary"]["mu"]["mean"].is_number());
  std::set<std::string> settings;
  for (auto const& [key, value] : j["settings"].items()) settings.insert(key);
  // `batch` only in a subsampled fit (cli_test.cpp's --batch case checks it).
  std::set<std::string> every_fit = documented_keys("## JSON: settings");
  CHECK(every_fit.erase("batch") == 1);
  CHECK(settings == every_fit);
  CHECK(j["pareto_k"].is_number());

  Run const to_stdout = testing::run_binary(eight_schools + " --output -");
  REQUIRE(to_stdout.status == 0);
  nlohmann::json piped = nlohmann::json::parse(to_stdout.out);  // standard output is the JSON alone
  nlohmann::json written = j;
  piped.erase("seconds");
  written.erase("seconds");
  CHECK(piped == written);
  CHECK(to_stdout.err.find("log evidence") != std::string::npos);  // the report went to standard error
}

TEST_CASE("outputs: --trace has a row per iteration and a column per variational parameter") {
  std::string const trace = scratch("trace.csv"), json = scratch("trace.json");
  REQUIRE(testing::run_binary(eight_schools + " --trace " + trace + " --output " + json).status == 0);
  data::CsvTable const t = data::CsvTable::from_file(trace);
  std::vector<std::string> expected{"iteration", "elbo", "elbo_se", "step_size", "mu_mean", "mu_sd", "log_tau_mean",
                                    "log_tau_sd"};
  for (char const* p : {"eta_mean", "eta_sd"})
    for (int k = 1; k <= 8; ++k) expected.push_back(std::string(p) + "." + std::to_string(k));
  CHECK(t.header() == expected);
  int const iterations = nlohmann::json::parse(testing::slurp(json))["iterations"].get<int>();
  REQUIRE(t.rows() == static_cast<std::size_t>(iterations));
  std::vector<std::int64_t> const numbers = t.int_column("iteration");
  CHECK(numbers.front() == 1);
  CHECK(numbers.back() == iterations);
  for (double sd : t.real_column("mu_sd")) CHECK(sd > 0);  // the constrained scale
}

TEST_CASE("outputs: --draws K --draws-output has K rows named as CmdStan names them") {
  std::string const draws = scratch("draws.csv");
  REQUIRE(testing::run_binary(eight_schools + " --draws 300 --draws-output " + draws).status == 0);
  data::CsvTable const t = data::CsvTable::from_file(draws);
  std::vector<std::string> expected{"mu", "tau"};
  for (int k = 1; k <= 8; ++k) expected.push_back("eta." + std::to_string(k));
  expected.insert(expected.end(), {"log_p__", "log_g__"});
  CHECK(t.header() == expected);
  CHECK(t.rows() == 300);
  for (double tau : t.real_column("tau")) CHECK(tau > 0);
  std::vector<double> const log_p = t.real_column("log_p__"), log_g = t.real_column("log_g__");
  CHECK(log_p.size() == 300);
  CHECK(log_g.size() == 300);
}

TEST_CASE("outputs: the progress line is shown on a terminal only, and never with --quiet") {
  std::string const canonical = source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv");
  std::string const erase = "\r\033[K";
  Run const terminal = testing::run_in_terminal(canonical);
  REQUIRE(terminal.status == 0);
  CHECK(terminal.out.find(erase + "iteration") != std::string::npos);
  CHECK(terminal.out.find("ELBO") != std::string::npos);
  Run const quiet = testing::run_in_terminal(canonical + " --quiet");
  REQUIRE(quiet.status == 0);
  CHECK(quiet.out.find(erase) == std::string::npos);
  CHECK(quiet.out.find("log evidence") != std::string::npos);  // the report itself is still there
  Run const piped = testing::run_binary(canonical);
  REQUIRE(piped.status == 0);
  CHECK(piped.err.find(erase) == std::string::npos);
  CHECK(piped.out.find(erase) == std::string::npos);
}

TEST_CASE("outputs: --version, and --help lists every option with its default") {
  Run const version = testing::run_binary("--version");
  CHECK(version.status == 0);
  CHECK(version.out.rfind("bbvi-ppl ", 0) == 0);
  CHECK(version.out.find_first_not_of("0123456789.\n", 9) == std::string::npos);
  CHECK(std::count(version.out.begin(), version.out.end(), '.') == 2);
  Run const help = testing::run_binary("--help");
  CHECK(help.status == 0);
  for (char const* option : {"--seed", "--samples", "--method", "--estimator", "--iters", "--step-size", "--threads",
                             "--tolerance", "--set", "--output", "--trace", "--draws", "--draws-output", "--plot",
                             "--chains", "--quiet", "--version", "--help"})
    CHECK(help.out.find(option) != std::string::npos);
  // Each option's entry (up to the next option) gives its default, as
  // "=VALUE" or in words; the flags (help, version, quiet) have none.
  std::string const options = help.out.substr(help.out.find("Options:"), help.out.find("Subcommands:") -
                                                                           help.out.find("Options:"));
  for (std::size_t at = options.find("\n  --"); at != std::string::npos;) {
    std::size_t const next = options.find("\n  --", at + 1);
    std::string const entry = options.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    std::string const name = entry.substr(2, entry.find_first_of(" \n", 2) - 2);
    INFO(entry);
    if (name != "--quiet" && name != "--version")
      CHECK((entry.find("default") != std::string::npos || entry.find('=') != std::string::npos));
    at = next;
  }
}

TEST_CASE("outputs: on the canonical model the importance-weighted log evidence matches the exact one") {
  // The exact log p(x) of the Normal-Gamma model in closed form
  // (tests/support/normal_gamma_reference.hpp). The estimate's own standard
  // error is the yardstick: 4 of them, with 8,000 draws (at N = 100 the
  // delta-method error is calibrated: its z-scores had sd 0.99 over 200
  // seeds at N = 50). By Jensen's inequality the estimate is above the ELBO
  // in expectation, so it may sit below it by noise only.
  std::string const json = scratch("evidence.json");
  REQUIRE(testing::run_binary(source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv") +
                              " --draws 8000 --output " + json)
              .status == 0);
  nlohmann::json const j = nlohmann::json::parse(testing::slurp(json));
  std::vector<double> const x = data::CsvTable::from_file(source("models/normal_gamma.csv")).real_column("x");
  double const exact = reference::log_evidence(x, {});
  double const estimate = j["log_evidence"].get<double>(), se = j["log_evidence_se"].get<double>();
  INFO("exact " << exact << ", estimate " << estimate << " ± " << se << ", ELBO " << j["elbo"].get<double>()
                << " ± " << j["elbo_se"].get<double>() << ", k̂ " << j["pareto_k"].get<double>());
  CHECK(se > 0);
  CHECK(std::fabs(estimate - exact) <= 4 * se);
  double const elbo = j["elbo"].get<double>(), elbo_se = j["elbo_se"].get<double>();
  CHECK(estimate >= elbo - 4 * std::hypot(se, elbo_se));
  CHECK(exact >= elbo - 4 * elbo_se);  // the ELBO is a lower bound
  CHECK(j["pareto_k"].get<double>() < 0.7);
}

TEST_CASE("outputs: --chains K runs K fits from consecutive seeds; the first is the plain fit") {
  std::string const canonical = source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv");
  std::string const one = scratch("chain1.json"), three = scratch("chains3.json");
  REQUIRE(testing::run_binary(canonical + " --seed 5 --output " + one).status == 0);
  Run const r = testing::run_binary(canonical + " --seed 5 --chains 3 --output " + three);
  REQUIRE(r.status == 0);
  nlohmann::json const plain = nlohmann::json::parse(testing::slurp(one));
  nlohmann::json const j = nlohmann::json::parse(testing::slurp(three));
  CHECK(j["params"] == plain["params"]);
  nlohmann::json const& chains = j["chains"];
  CHECK(chains["count"] == 3);
  CHECK(chains["seeds"] == nlohmann::json::array({5, 6, 7}));
  CHECK(chains["mean"]["mu"].size() == 3);
  CHECK(chains["agree"] == true);
  CHECK(chains["largest_kl"].get<double>() <= 10 * chains["noise_kl"].get<double>());
  CHECK(r.out.find("chains ±") != std::string::npos);
  CHECK(r.err.find("disagree") == std::string::npos);
}

TEST_CASE("outputs: chains that find different modes are reported as disagreeing") {
  // Only |mu| is identified, so the posterior has modes near +5 and -5 and
  // a guide started at 0 goes to one or the other by its draws' luck: with
  // seeds 1 to 4, two chains each way (the means are ±4.81).
  std::string const model = scratch("bimodal.model"), data = scratch("bimodal.csv"), json = scratch("bimodal.json");
  std::ofstream(model) << "data { real x[N]; }\nlatent { real mu; }\n"
                          "model { mu ~ Normal(0, 10); x ~ Normal(abs(mu), 1); }\n"
                          "guide { real m = 0; real<lower=0> s = 1; mu ~ Normal(m, s); }\n";
  std::ofstream(data) << "x\n5.2\n4.1\n5.9\n4.8\n5.3\n4.6\n";
  Run const r = testing::run_binary(model + " " + data + " --chains 4 --output " + json);
  REQUIRE(r.status == 0);
  nlohmann::json const j = nlohmann::json::parse(testing::slurp(json));
  std::vector<double> const means = j["chains"]["mean"]["mu"].get<std::vector<double>>();
  INFO(j["chains"].dump());
  CHECK(*std::min_element(means.begin(), means.end()) < -3);
  CHECK(*std::max_element(means.begin(), means.end()) > 3);
  CHECK(j["chains"]["agree"] == false);
  CHECK(r.err.find("warning: the 4 chains disagree") != std::string::npos);
}

TEST_CASE("outputs: --plot writes an SVG document with the trace and a panel per latent element") {
  std::string const svg = scratch("schools.svg");
  REQUIRE(testing::run_binary(eight_schools + " --plot " + svg).status == 0);
  pugi::xml_document doc;
  pugi::xml_parse_result const parsed = doc.load_file(svg.c_str());
  INFO(parsed.description());
  REQUIRE(parsed);
  pugi::xml_node const root = doc.child("svg");
  CHECK(std::string(root.attribute("xmlns").value()) == "http://www.w3.org/2000/svg");
  CHECK(doc.select_nodes("//*[@class='elbo-trace']").size() == 1);
  CHECK(doc.select_nodes("//*[@class='marginal']").size() == 10);  // mu, tau, eta[1..8]
  CHECK(doc.select_nodes("//*[@class='density']").size() == 10);
}

TEST_CASE("outputs: a fit whose ELBO fell far below its start is said to have diverged") {
  // The plain score-function gradient under the natural gradient's steps on
  // the logistic example: the ELBO goes from about -53 to about -8e54.
  std::string const logistic =
      source("models/logistic_regression.model") + " " + source("models/logistic_regression.csv");
  Run const diverged =
      testing::run_binary(logistic + " --method natural-gradient --estimator basic --iters 100 --draws 100 --quiet");
  INFO(diverged.err);
  REQUIRE(diverged.status == 0);
  CHECK(diverged.err.find("warning: the ELBO fell from -52.7431 at the first iteration to") != std::string::npos);
  CHECK(diverged.err.find("the fit diverged") != std::string::npos);
  // The default fit of the same model improves on its start.
  Run const fitted = testing::run_binary(logistic + " --quiet");
  REQUIRE(fitted.status == 0);
  CHECK(fitted.err.find("diverged") == std::string::npos);
}

TEST_CASE("outputs: under a flat prior the log evidence is not reported, the JSON names the latents, explain keeps "
          "the latent's quadrature") {
  std::string model = testing::slurp(source("models/eight_schools.model"));
  std::string const prior = "  mu ~ Normal(0, 5);\n";
  REQUIRE(model.find(prior) != std::string::npos);
  model.erase(model.find(prior), prior.size());
  std::string const file = scratch("flat_mu.model");
  std::ofstream(file) << model;
  std::string const json = scratch("flat_mu.json");
  Run const r = testing::run_binary(file + " " + source("models/eight_schools.csv") + " --output " + json);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("note: latent 'mu' has no '~' in the model block: its prior is flat on real") != std::string::npos);
  CHECK(r.out.find("log evidence  not defined: mu has a flat prior (no '~' in the model)") != std::string::npos);
  CHECK(r.out.find("Pareto k̂      0.") != std::string::npos);  // k̂ is still estimated
  nlohmann::json const j = nlohmann::json::parse(testing::slurp(json));
  CHECK(j["flat_priors"] == nlohmann::json::array({"mu"}));
  CHECK_FALSE(j.contains("log_evidence"));
  CHECK(j.contains("pareto_k"));
  CHECK(documented_keys("## JSON").count("flat_priors") == 1);
  // A flat prior is no term of mu's blanket: mu keeps its quadrature, where
  // a wide Uniform prior would be a term that is not Gaussian in it.
  Run const explained = testing::run_binary("explain " + file + " " + source("models/eight_schools.csv"));
  REQUIRE(explained.status == 0);
  CHECK(explained.out.find("mu (mu_mean, mu_sd): local expectation") != std::string::npos);
}
