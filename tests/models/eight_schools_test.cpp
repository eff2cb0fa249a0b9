// models/eight_schools.model against its mean-field optimum, computed here in
// closed form and maximised by Newton steps (tests/support/eight_schools_reference).
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"
#include "tests/support/eight_schools_reference.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <string>
#include <utility>

using namespace bbvi;

namespace {

reference::EightSchools shipped_data(data::CsvTable const& table) {
  reference::EightSchools d;
  for (std::int64_t s : table.int_column("school")) d.school.push_back(static_cast<int>(s));
  d.y = table.real_column("y");
  d.sigma = table.real_column("sigma");
  return d;
}

reference::EightSchoolsGuide fitted_guide(Program const& program, Eigen::VectorXd const& u) {
  auto const p = constrained_parameters(program, u);  // in the guide block's order
  return {p[0][0], p[1][0], p[2][0], p[3][0], p[4], p[5]};
}

}  // namespace

TEST_CASE("eight_schools: the closed-form ELBO of the reference agrees with the engine's log p − log q") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/eight_schools.csv");
  reference::EightSchools const d = shipped_data(table);
  Program const program = testing::compile_model(testing::read_source_file("models/eight_schools.model"), &table);
  // Away from the optimum, so that every term of the closed form matters.
  Eigen::VectorXd u = initial_parameters(program);
  for (Eigen::Index i = 0; i < u.size(); ++i) u[i] += 0.1 * std::sin(1.0 + static_cast<double>(i));
  int const draws = 200000;
  double sum = 0, square = 0;
  for (int s = 0; s < draws; ++s) {
    RandomStream rng(7, 0, static_cast<std::uint64_t>(s));
    std::vector<double> const z = sample_guide(program, u, rng);
    double const f = log_joint(program, z) - log_guide(program, u, z);
    sum += f;
    square += f * f;
  }
  double const mean = sum / draws, se = std::sqrt((square / draws - mean * mean) / draws);
  double const closed_form = reference::eight_schools_elbo(d, fitted_guide(program, u));
  INFO("Monte Carlo " << mean << " ± " << se << ", closed form " << closed_form);
  // The mean of 200,000 draws is Normal to within rounding: 4 standard errors
  // would be exceeded by chance once in 16,000 seeds; a wrong term would move it by far more.
  CHECK(std::abs(mean - closed_form) < 4 * se);
}

TEST_CASE("eight_schools: default fit, and the joint regression, within KL 0.01 of the mean-field optimum") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/eight_schools.csv");
  reference::EightSchoolsGuide const optimum = reference::eight_schools_optimum(shipped_data(table));
  Program const program = testing::compile_model(testing::read_source_file("models/eight_schools.model"), &table);
  // The default (local expectations: exact over each element given the rest),
  // and the joint regression.
  for (char const* estimator : {"", "regression"}) {
    FitOptions options;
    options.estimator = estimator;
    FitResult const r = fit(program, options);
    double const kl = reference::kl(fitted_guide(program, r.u), optimum);
    INFO(r.settings.estimator << ": KL " << kl << " after " << r.iterations << " iterations");
    CHECK(r.converged);
    CHECK(kl < testing::promised_kl);
  }
}

TEST_CASE("eight_schools: from a poor start (mu at 300 and every school at 50, sds of 0.001), default options") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/eight_schools.csv");
  reference::EightSchoolsGuide const optimum = reference::eight_schools_optimum(shipped_data(table));
  std::string source = testing::read_source_file("models/eight_schools.model");
  for (auto const& [from, to] : {std::pair<std::string, std::string>{"real mu_mean = 0;", "real mu_mean = 300;"},
                                 {"mu_sd = 1;", "mu_sd = 0.001;"},
                                 {"real eta_mean[J] = 0;", "real eta_mean[J] = 50;"},
                                 {"eta_sd[J] = 1;", "eta_sd[J] = 0.001;"}}) {
    REQUIRE(source.find(from) != std::string::npos);
    source.replace(source.find(from), from.size(), to);
  }
  Program const program = testing::compile_model(source, &table);
  FitResult const r = fit(program, FitOptions{});
  double const kl = reference::kl(fitted_guide(program, r.u), optimum);
  INFO("KL " << kl << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}

TEST_CASE("eight_schools rewritten: five groups, several rows each, other names and priors, the effect inline") {
  std::string const source = R"(
data {
  int K = 5;
  real<lower=0> se[N];
  real score[N];
  int group[N];
}
latent {
  real z[K];
  real<lower=0> spread;
  real centre;
}
model {
  score ~ Normal(centre + spread * z[group], se);
  z ~ Normal(0, 1);
  spread ~ HalfNormal(3);
  centre ~ Normal(0, 10);
}
guide {
  real z_m[K] = 0;
  real<lower=0> z_s[K] = 1;
  real<lower=0> spread_s = 1;
  real spread_m = 0;
  real<lower=0> centre_s = 1;
  real centre_m = 0;
  spread ~ LogNormal(spread_m, spread_s);
  z ~ Normal(z_m, z_s);
  centre ~ Normal(centre_m, centre_s);
}
)";
  data::CsvTable const table = data::CsvTable::from_text(
      "se,score,group\n4,12,1\n6,9,1\n5,-2,2\n3,1,3\n8,15,4\n4,7,4\n5,3,5\n7,-6,2\n", "groups.csv");
  reference::EightSchools d;
  for (std::int64_t g : table.int_column("group")) d.school.push_back(static_cast<int>(g));
  d.y = table.real_column("score");
  d.sigma = table.real_column("se");
  d.J = 5;
  d.mu_prior_sd = 10;
  d.tau_prior_sd = 3;
  reference::EightSchoolsGuide const optimum = reference::eight_schools_optimum(d);

  Program const program = testing::compile_model(source, &table);
  FitResult const r = fit(program, FitOptions{});
  auto const p = constrained_parameters(program, r.u);  // z_m, z_s, spread_s, spread_m, centre_s, centre_m
  reference::EightSchoolsGuide const fitted{p[5][0], p[4][0], p[3][0], p[2][0], p[0], p[1]};
  double const kl = reference::kl(fitted, optimum);
  INFO("KL " << kl << " after " << r.iterations << " iterations");
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}
