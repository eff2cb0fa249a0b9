// A model without a guide block fits with the automatic guide
// (docs/language.md, 'Automatic guides'): to the exact posterior where the
// family holds it, under the names of its latents, as the guide `explain`
// prints does when pasted, and as the example models' written mean-field
// guides do.
#include "tests/support/run_binary.hpp"
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using bbvi::testing::Run;
using bbvi::testing::run_binary;
using bbvi::testing::slurp;

namespace {

std::string scratch(std::string const& name) { return (bbvi::testing::scratch_dir() / name).string(); }

std::string source(std::string const& relative) { return std::string(BBVI_SOURCE_DIR) + "/" + relative; }

// A Normal mean with known noise and a Normal prior: the posterior is
// Normal, so the automatic Normal factor holds it exactly.
std::string const normal_mean = "data { real y[N]; }\nlatent { real mu; }\n"
                                "model { mu ~ Normal(0, 10); y ~ Normal(mu, 1); }\n";
std::string const normal_mean_data = "y\n1\n2\n";

nlohmann::json fit(std::string const& model, std::string const& data, std::string const& options = "") {
  std::string const json = scratch("fit.json");
  Run const r = run_binary(model + " " + data + " --draws 0 --output " + json + " " + options);
  INFO(r.err);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(slurp(json));
}

// The file's text without its guide block (every example model ends with it).
std::string without_guide(std::string const& text) { return text.substr(0, text.find("\nguide {") + 1); }

// `check` of the model with `guide` written after it, as scratch file `name`.
Run check_with_guide(std::string const& model, std::string const& data, std::string const& name,
                     std::string const& guide) {
  std::string const written = scratch(name);
  std::ofstream(written) << slurp(model) << guide;
  return run_binary("check " + written + " " + data);
}

std::vector<double> as_vector(nlohmann::json const& v) {
  return v.is_array() ? v.get<std::vector<double>>() : std::vector<double>{v.get<double>()};
}

}  // namespace

TEST_CASE("automatic guide: a Normal mean's posterior exactly, named after the latent") {
  std::string const model = scratch("mean.model"), data = scratch("mean.csv");
  std::ofstream(model) << normal_mean;
  std::ofstream(data) << normal_mean_data;
  nlohmann::json const j = fit(model, data);
  // Precision 1/100 + 2, mean (1 + 2)/precision.
  double const precision = 0.01 + 2;
  CHECK(j["params"]["mu.mean"].get<double>() == Approx(3 / precision).epsilon(1e-8));
  CHECK(j["params"]["mu.sd"].get<double>() == Approx(1 / std::sqrt(precision)).epsilon(1e-8));
  CHECK(j["converged"] == true);
  // `guide auto;` asks for the same guide in words: the same fit.
  std::string const spelled = scratch("mean_auto.model");
  std::ofstream(spelled) << normal_mean << "guide auto;\n";
  nlohmann::json const same = fit(spelled, data);
  CHECK(same["params"] == j["params"]);
  CHECK(same["iterations"] == j["iterations"]);
}

TEST_CASE("automatic guide: a simplex latent's Dirichlet posterior exactly; a written guide's missing factor added") {
  // Dirichlet(1, 1, 1) prior and counts 2, 2, 4: the posterior is
  // Dirichlet(3, 3, 5), which the automatic Dirichlet factor holds.
  std::string const model = scratch("shares.model"), data = scratch("shares.csv");
  std::ofstream(model) << "data { int c[N]; real prior[3] = 1; }\nlatent { simplex[3] w; real mu; }\n"
                          "model { w ~ Dirichlet(prior); c ~ Categorical(w); mu ~ Normal(0, 1); }\n"
                          "guide { real m = 0; mu ~ Normal(m, 1); }\n";
  std::ofstream(data) << "c\n1\n2\n2\n3\n3\n3\n1\n3\n";
  Run const r = run_binary(model + " " + data + " --draws 0 --output " + scratch("shares.json"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("note: latent 'w' has no factor in the guide block, so the fit gives it the automatic one, "
                   "w ~ Dirichlet(w_alpha)") != std::string::npos);
  nlohmann::json const j = nlohmann::json::parse(slurp(scratch("shares.json")));
  std::vector<double> const alpha = j["params"]["w.alpha"].get<std::vector<double>>();
  REQUIRE(alpha.size() == 3);
  CHECK(alpha[0] == Approx(3).epsilon(1e-5));
  CHECK(alpha[1] == Approx(3).epsilon(1e-5));
  CHECK(alpha[2] == Approx(5).epsilon(1e-5));
  CHECK(j["params"]["m"].get<double>() == Approx(0).margin(1e-6));
}

TEST_CASE("automatic guide: the guide explain prints, pasted into the file, fits exactly as the automatic one") {
  std::string const model = scratch("vector.model"), data = scratch("vector.csv");
  std::ofstream(model) << "data { int g[N]; real y[N]; }\nlatent { real theta[2]; real<lower=0> sigma; }\n"
                          "model { theta ~ Normal(0, 5); sigma ~ HalfNormal(2); y ~ Normal(theta[g], sigma); }\n";
  std::ofstream(data) << "g,y\n1,0.3\n1,1.1\n2,2.4\n2,1.9\n1,0.6\n2,2.8\n";
  Run const explained = run_binary("explain " + model + " " + data);
  REQUIRE(explained.status == 0);
  std::size_t const from = explained.out.find("guide {"), to = explained.out.find("\n}\n", from);
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  std::string const guide = explained.out.substr(from, to + 3 - from);
  // The start (docs/language.md, 'Where the automatic guide starts'): the
  // joint mode of log p + log sigma, computed independently by gradient
  // ascent, is theta = (0.66537, 2.36208), log sigma = −0.96338; at the
  // rounded point, log p's curvature in log sigma is −1/0.31394², and the
  // sd starts at twice that.
  CHECK(guide ==
        "guide {\n"
        "  real theta_mean[2] = {0.6654, 2.362};\n"
        "  real<lower=0> theta_sd[2] = 0.4402;\n"
        "  real sigma_log_mean = -0.9634;\n"
        "  real<lower=0> sigma_log_sd = 0.6279;\n"
        "  theta ~ Normal(theta_mean, theta_sd);\n"
        "  sigma ~ LogNormal(sigma_log_mean, sigma_log_sd);\n"
        "}\n");
  std::string const pasted = scratch("pasted.model");
  std::ofstream(pasted) << slurp(model) << guide;
  nlohmann::json const automatic = fit(model, data), written = fit(pasted, data);
  CHECK(automatic["params"]["theta.mean"] == written["params"]["theta_mean"]);
  CHECK(automatic["params"]["theta.sd"] == written["params"]["theta_sd"]);
  CHECK(automatic["params"]["sigma.log_mean"] == written["params"]["sigma_log_mean"]);
  CHECK(automatic["params"]["sigma.log_sd"] == written["params"]["sigma_log_sd"]);
  CHECK(automatic["iterations"] == written["iterations"]);
  // The report names an element after its latent.
  Run const report = run_binary(model + " " + data + " --draws 0");
  CHECK(report.out.find("theta[2].mean") != std::string::npos);
  CHECK(report.out.find("sigma.log_sd") != std::string::npos);
}

TEST_CASE("automatic guide: bounded latents get the bounds' families, and hold a posterior in the family exactly") {
  // Without data the posterior is the prior, each of the automatic family
  // of its latent's bounds. The start search finds b's and c's locations
  // (a Normal's mode on their scale) and starts their sds at twice the
  // optimum; a's factor is written, starting at 0 and 1.
  std::string const model = scratch("bounded.model");
  std::ofstream(model) << "latent { real<lower=2> a; real<upper=-1> b; real<lower=1, upper=3> c; }\n"
                          "model { a ~ ShiftedLogNormal(2, 0.5, 0.3); b ~ ReflectedLogNormal(-1, 0.1, 0.4);\n"
                          "        c ~ LogitNormal(1, 3, 0.2, 0.7); }\n"
                          "guide { real a_log_mean = 0; real<lower=0> a_log_sd = 1;\n"
                          "        a ~ ShiftedLogNormal(2, a_log_mean, a_log_sd); }\n";
  Run const r = run_binary(model + " --draws 0 --output " + scratch("bounded.json"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  nlohmann::json const p = nlohmann::json::parse(slurp(scratch("bounded.json")))["params"];
  CHECK(p["a_log_mean"].get<double>() == Approx(0.5).margin(1e-6));
  CHECK(p["a_log_sd"].get<double>() == Approx(0.3).epsilon(1e-6));
  CHECK(p["b.log_mean"].get<double>() == Approx(0.1).margin(1e-6));
  CHECK(p["b.log_sd"].get<double>() == Approx(0.4).epsilon(1e-6));
  CHECK(p["c.logit_mean"].get<double>() == Approx(0.2).margin(1e-6));
  CHECK(p["c.logit_sd"].get<double>() == Approx(0.7).epsilon(1e-6));
}

TEST_CASE("automatic guide: the start is the mode of log p and its curvature, where the prior median is invalid") {
  // rate ~ Normal(0, 5): its median 0 makes every nonzero count impossible.
  // log p(rate) = −rate²/50 + S log rate − n rate + const, n = 6, S = 23:
  // its maximum solves rate²/25 + n rate − S = 0, rate = 3.7401, and
  // 1/sqrt(1/25 + S/rate²) = 0.77054 is the sd of a Gaussian of its
  // curvature; the sd starts at twice that.
  std::string const model = scratch("rate.model"), data = scratch("counts.csv");
  std::ofstream(model) << "data { int y[N]; }\nlatent { real rate; }\n"
                          "model { rate ~ Normal(0, 5); y ~ Poisson(rate); }\n";
  std::ofstream(data) << "y\n3\n5\n2\n4\n6\n3\n";
  Run const explained = run_binary("explain " + model + " " + data);
  REQUIRE(explained.status == 0);
  CHECK(explained.out.find("  real rate_mean = 3.74;\n  real<lower=0> rate_sd = 1.541;\n") != std::string::npos);
  nlohmann::json const j = fit(model, data);
  CHECK(j["converged"] == true);
  // The same guide written with a start at 0: the fit cannot start.
  Run const refused = check_with_guide(model, data, "rate_written.model",
                                       "guide { real m = 0; real<lower=0> s = 1; rate ~ Normal(m, s); }\n");
  CHECK(refused.status == 2);
  CHECK(refused.err.find("error: the log density of 'y' is -inf (at the guide's initial values, where the fit would "
                         "start: rate = 0)") != std::string::npos);
}

TEST_CASE("automatic guide: the terms' scale is checked at the searched start, not at the table's values") {
  // a's likelihood scales it by 10⁸⁰: at the table's start (sd 1) the term
  // is near −10¹⁶⁰, beyond what the fit can square; at the searched start
  // (a near 10⁻⁸⁰) it is a few nats. The same guide written with the table's
  // start is refused, at the statement, before any fitting.
  std::string const model = scratch("scaled.model"), data = scratch("scaled.csv");
  std::ofstream(model) << "data { real y[N]; }\nlatent { real a; }\n"
                          "model { a ~ Normal(0, 1e-79); y ~ Normal(a * 1e80, 1); }\n";
  std::ofstream(data) << "y\n1\n2\n";
  Run const checked = run_binary("check " + model + " " + data);
  INFO(checked.err);
  CHECK(checked.status == 0);
  CHECK(fit(model, data)["converged"] == true);
  Run const refused = check_with_guide(model, data, "scaled_written.model",
                                       "guide { real m = 0; real<lower=0> s = 1; a ~ Normal(m, s); }\n");
  CHECK(refused.status == 2);
  CHECK(refused.err.find("at the guide's initial values, too far from the data") != std::string::npos);
}

TEST_CASE("automatic guide: the centred eight schools, whose joint mode is at tau = 0, starts tau at its prior") {
  // theta ~ Normal(mu, tau): with every theta at mu, log p grows without
  // bound as tau goes to 0, and a search of tau went there (tau = e^−743,
  // after which every draw failed). tau keeps its prior's median instead:
  // HalfNormal(5)'s is 3.372, log 1.216, from 1,001 draws here.
  std::string const model = scratch("centred.model"), data = scratch("schools.csv");
  std::string const centred = "data { int J = 8; int school[N]; real y[N]; real<lower=0> sigma[N]; }\n"
                              "latent { real mu; real<lower=0> tau; real theta[J]; }\n"
                              "model { mu ~ Normal(0, 5); tau ~ HalfNormal(5); theta ~ Normal(mu, tau);\n"
                              "        y ~ Normal(theta[school], sigma); }\n";
  std::ofstream(model) << centred;
  std::ofstream(data) << slurp(source("models/eight_schools.csv"));
  Run const explained = run_binary("explain " + model + " " + data);
  REQUIRE(explained.status == 0);
  std::size_t const at = explained.out.find("real tau_log_mean = ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(explained.out.substr(at + 20)) == Approx(1.2156).margin(0.03));
  // The same fit as the guide written with the table's start, to within
  // the ELBO's noise (its standard error about 0.15 each; measured 0.07).
  std::string const written = scratch("centred_written.model");
  std::ofstream(written) << centred
                         << "guide { real m = 0; real<lower=0> s = 1; real lm = 0; real<lower=0> ls = 1;\n"
                            "  real tm[J] = 0; real<lower=0> ts[J] = 1;\n"
                            "  mu ~ Normal(m, s); tau ~ LogNormal(lm, ls); theta ~ Normal(tm, ts); }\n";
  nlohmann::json const automatic = fit(model, data), by_hand = fit(written, data);
  CHECK(automatic["converged"] == true);
  CHECK(std::abs(automatic["elbo"].get<double>() - by_hand["elbo"].get<double>()) < 0.5);
}

TEST_CASE("automatic guide: a zero-inflated Poisson with a structural-zero indicator per row, with no floor") {
  // 200 counts, 30% structural zeros and the rest Poisson(4) (generated
  // once). Where y > 0, zero[n] = 1 makes log p −inf: the start gives those
  // indicators probability 1e-12, and the fit reaches the posterior of the
  // same model with the indicators summed out (log_mix), whose fit is the
  // reference. Each marginal is from 10,000 guide draws (a mean good to
  // 0.01 sd); measured on seeds 1-3: the means within 0.02 sd, the sds
  // within 5% (mean field over the indicators narrows lambda's by 4%).
  std::string const counts =
    "5 5 1 0 0 3 1 4 7 2 1 4 3 1 2 0 0 5 5 3 4 0 0 2 5 2 6 3 7 0 5 0 8 0 6 6 10 7 5 0 4 1 0 2 5 2 1 2 6 6 0 4 6 "
    "0 5 3 1 4 0 6 3 4 0 3 7 3 5 3 2 2 5 5 3 0 1 4 3 5 0 3 0 4 1 5 1 2 4 0 3 8 0 0 0 0 2 4 0 0 3 0 0 0 0 2 5 0 3 "
    "0 0 4 4 2 0 2 2 0 3 0 1 1 0 4 5 0 6 3 0 3 0 0 2 1 0 2 10 0 2 0 0 1 1 0 0 5 0 4 4 8 3 4 0 4 6 0 0 0 6 1 3 0 "
    "8 5 0 0 6 0 8 4 6 5 0 4 0 7 0 2 0 3 3 8 0 0 0 0 0 8 1 0 0 4 3 5 0 0 5 6 2 0 0 4";
  std::string const data = scratch("zip.csv");
  {
    std::ofstream out(data);
    out << "y\n";
    std::istringstream in(counts);
    for (int y; in >> y;) out << y << "\n";
  }
  std::string const header = "data { int y[N]; }\nlatent { real<lower=0, upper=1> pi; real<lower=0> lambda; ";
  std::string const indicators = scratch("zip_indicators.model"), summed = scratch("zip_summed.model");
  std::ofstream(indicators) << header << "int<lower=0, upper=1> zero[N]; }\n"
                            << "model { pi ~ Beta(1, 1); lambda ~ Gamma(2, 0.5); zero ~ Bernoulli(pi);\n"
                               "        y ~ Poisson(lambda * (1 - zero)); }\n";
  std::ofstream(summed) << header << "}\n"
                        << "model { pi ~ Beta(1, 1); lambda ~ Gamma(2, 0.5);\n"
                           "        target += log_mix(pi, Poisson_lpmf(y | 0), Poisson_lpmf(y | lambda)); }\n";
  nlohmann::json const fitted = fit(indicators, data), reference = fit(summed, data);
  CHECK(fitted["converged"] == true);
  for (std::string const latent : {"pi", "lambda"}) {
    INFO(latent);
    double const sd = reference["summary"][latent]["sd"].get<double>();
    CHECK(std::abs(fitted["summary"][latent]["mean"].get<double>() -
                   reference["summary"][latent]["mean"].get<double>()) < 0.1 * sd);
    CHECK(fitted["summary"][latent]["sd"].get<double>() == Approx(sd).epsilon(0.1));
  }
}

TEST_CASE("automatic guide: the example models without their guide reach the fit of their written mean-field guide",
          "[long]") {
  // Every example model whose written guide is mean field (gp's and garch's
  // are full rank: a mean-field guide cannot reach their optimum). Where the
  // families differ (changepoint's and gamma_poisson's Gamma factors, a
  // LogNormal here), the optima differ by little. The marginals are each
  // from 10,000 guide draws: a mean is good to 0.01 sd and an sd to 0.7%,
  // so a difference of two to 0.014 sd and 1%; the tolerances are 3.5 and
  // 3 times those. Measured: 0.017 sd and 1.3% at most, on changepoint.
  // Between the two fits, the KL of the marginals moment-matched by
  // Normals, summed over every latent element, is below the 0.01 nats the
  // issue asks (measured: 0.0012 at most, gamma_poisson).
  for (std::string const name : {"ar1", "beta_bernoulli", "changepoint", "eight_schools", "gamma_poisson",
                                 "linear_regression", "logistic_regression", "matrix_regression", "mixture",
                                 "normal_gamma", "two_sources"}) {
    std::string const automatic_model = scratch(name + ".model");
    std::ofstream(automatic_model) << without_guide(slurp(source("models/" + name + ".model")));
    std::string const data = source("models/" + name + ".csv");
    for (int seed = 1; seed <= 3; ++seed) {
      INFO(name << ", seed " << seed);
      std::string const options = "--seed " + std::to_string(seed);
      nlohmann::json const written = fit(source("models/" + name + ".model"), data, options)["summary"];
      nlohmann::json const automatic = fit(automatic_model, data, options)["summary"];
      double kl = 0;
      for (auto const& [latent, marginal] : written.items()) {
        INFO(latent);
        std::vector<double> const mean = as_vector(marginal["mean"]), sd = as_vector(marginal["sd"]);
        std::vector<double> const auto_mean = as_vector(automatic[latent]["mean"]),
                                  auto_sd = as_vector(automatic[latent]["sd"]);
        REQUIRE(auto_mean.size() == mean.size());
        for (std::size_t i = 0; i < mean.size(); ++i) {
          CHECK(std::abs(auto_mean[i] - mean[i]) < 0.05 * sd[i]);
          CHECK(std::abs(auto_sd[i] / sd[i] - 1) < 0.03);
          double const d = auto_mean[i] - mean[i];
          kl += std::log(sd[i] / auto_sd[i]) + (auto_sd[i] * auto_sd[i] + d * d) / (2 * sd[i] * sd[i]) - 0.5;
        }
      }
      CHECK(kl < 0.01);
    }
  }
  // gp's written guide is full rank, so the automatic one cannot reach its
  // fit (KL 0.19 between them): it reaches the fit of the same mean-field
  // guide written with the table's start instead.
  std::string const automatic_gp = scratch("gp.model"), mean_field_gp = scratch("gp_mean_field.model");
  std::string const gp = without_guide(slurp(source("models/gp.model")));
  std::ofstream(automatic_gp) << gp;
  std::ofstream(mean_field_gp) << gp << "guide { real m[N] = 0; real<lower=0> s[N] = 1; f ~ Normal(m, s); }\n";
  for (int seed = 1; seed <= 3; ++seed) {
    INFO("gp, seed " << seed);
    std::string const options = "--seed " + std::to_string(seed);
    nlohmann::json const written = fit(mean_field_gp, source("models/gp.csv"), options)["summary"]["f"];
    nlohmann::json const automatic = fit(automatic_gp, source("models/gp.csv"), options)["summary"]["f"];
    std::vector<double> const mean = as_vector(written["mean"]), sd = as_vector(written["sd"]);
    std::vector<double> const auto_mean = as_vector(automatic["mean"]), auto_sd = as_vector(automatic["sd"]);
    double kl = 0;
    for (std::size_t i = 0; i < mean.size(); ++i) {
      double const d = auto_mean[i] - mean[i];
      kl += std::log(sd[i] / auto_sd[i]) + (auto_sd[i] * auto_sd[i] + d * d) / (2 * sd[i] * sd[i]) - 0.5;
    }
    CHECK(kl < 0.01);
  }
}
