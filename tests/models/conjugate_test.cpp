// Examples whose guide family contains the exact posterior: the fit is held
// to the conjugate posterior itself.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <catch2/catch.hpp>

#include <numeric>
#include <optional>

using namespace bbvi;

namespace {

data::CsvTable shipped(std::string const& name) {
  return data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/" + name);
}

}  // namespace

TEST_CASE("beta_bernoulli: default fit within KL 0.01 of the exact Beta posterior") {
  data::CsvTable const table = shipped("beta_bernoulli.csv");
  std::vector<std::int64_t> const y = table.int_column("y");
  double const successes = static_cast<double>(std::accumulate(y.begin(), y.end(), std::int64_t{0}));
  double const a = 1 + successes, b = 1 + static_cast<double>(y.size()) - successes;  // a0 = b0 = 1

  Program const program = testing::compile_model(testing::read_source_file("models/beta_bernoulli.model"), &table);
  FitResult const r = fit(program, FitOptions{});
  auto const p = constrained_parameters(program, r.u);
  double const kl = testing::kl_beta(p[0][0], p[1][0], a, b);
  INFO("KL " << kl << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}

TEST_CASE("gamma_poisson: default fit within KL 0.01 of the exact Gamma posterior") {
  data::CsvTable const table = shipped("gamma_poisson.csv");
  std::vector<std::int64_t> const count = table.int_column("count");
  double const total = static_cast<double>(std::accumulate(count.begin(), count.end(), std::int64_t{0}));
  double const shape = 2 + total, rate = 1 + static_cast<double>(count.size());  // shape0 = 2, rate0 = 1

  Program const program = testing::compile_model(testing::read_source_file("models/gamma_poisson.model"), &table);
  FitResult const r = fit(program, FitOptions{});
  auto const p = constrained_parameters(program, r.u);
  double const kl = reference::kl_gamma(p[0][0], p[1][0], shape, rate);
  INFO("KL " << kl << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}

TEST_CASE("two_sources: a discrete latent fitted to its posterior computed by enumeration") {
  data::CsvTable const table = shipped("two_sources.csv");
  std::vector<double> const x = table.real_column("x");
  double const mu_a = 0, mu_b = 1.5, noise = 1, prior_b = 0.3;  // the model's constants
  double log_a = std::log(1 - prior_b), log_b = std::log(prior_b);
  for (double v : x) {
    log_a += -0.5 * std::pow((v - mu_a) / noise, 2);  // the shared constants cancel
    log_b += -0.5 * std::pow((v - mu_b) / noise, 2);
  }
  double const posterior_b = 1 / (1 + std::exp(log_a - log_b));

  Program const program = testing::compile_model(testing::read_source_file("models/two_sources.model"), &table);
  // The default (local expectations, which enumerate from_b's two values), and
  // the joint regression.
  for (char const* estimator : {"", "regression"}) {
    FitOptions options;
    options.estimator = estimator;
    FitResult const r = fit(program, options);
    double const q = constrained_parameters(program, r.u)[0][0];
    double const kl = q * std::log(q / posterior_b) + (1 - q) * std::log((1 - q) / (1 - posterior_b));
    INFO(r.settings.estimator << ": q " << q << " against " << posterior_b << ": KL " << kl << " after "
                              << r.iterations << " iterations");
    CHECK(r.converged);
    CHECK(kl < testing::promised_kl);
  }
}
