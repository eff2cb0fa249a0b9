// The Markov blankets found from the program's graph.
#include "runtime/bbvi/blankets.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>
#include <vector>

using namespace bbvi;

TEST_CASE("blankets: the canonical model has one group per latent, each term shared by both") {
  data::CsvTable const table = testing::column_table("x", {0.5, 1.5, -0.3});
  Program const program = testing::compile_model(testing::read_source_file("models/normal_gamma.model"), &table);
  Blankets const b = find_blankets(program);
  REQUIRE(b.groups.size() == 2);
  CHECK(b.groups[0].latent_elements == std::vector<std::size_t>{0});            // mu
  CHECK(b.groups[0].coordinates == std::vector<Eigen::Index>{0, 1});             // mu_N, lambda_N
  CHECK(b.groups[1].coordinates == std::vector<Eigen::Index>{2, 3});             // alpha_N, beta_N
  CHECK(b.terms[0].groups == std::vector<int>{1});                               // tau ~ Gamma
  CHECK(b.terms[1].groups == std::vector<int>{0, 1});                            // mu ~ Normal(.., tau)
  REQUIRE(b.terms[2].uniform);                                                   // x ~ Normal(mu, tau)
  CHECK(b.terms[2].groups == std::vector<int>{0, 1});
}

TEST_CASE("blankets: a vector latent with vector parameters gets one group per element") {
  std::string const eight_schools = R"(
data { real y[N]; real<lower=0> sigma[N]; }
latent { real mu; real<lower=0> tau; real theta[N]; }
model {
  mu ~ Normal(0, 5);
  tau ~ Gamma(2, 0.5);
  theta ~ Normal(mu, tau);
  y ~ Normal(theta, sigma);
}
guide {
  real m_mu; real<lower=0> s_mu; real<lower=0> a; real<lower=0> b;
  real m[N]; real<lower=0> s[N];
  mu ~ Normal(m_mu, s_mu);
  tau ~ Gamma(a, b);
  theta ~ Normal(m, s);
}
)";
  data::CsvTable const table = data::CsvTable::from_text("y,sigma\n28,15\n8,10\n-3,16\n", "schools.csv");
  Program const program = testing::compile_model(eight_schools, &table);
  Blankets const b = find_blankets(program);
  REQUIRE(b.groups.size() == 5);  // mu, tau, theta[1], theta[2], theta[3]
  // theta[2] is latent element 3 (after mu, tau); its parameters m[2] and s[2].
  CHECK(b.groups[3].latent_elements == std::vector<std::size_t>{3});
  CHECK(b.groups[3].coordinates == std::vector<Eigen::Index>{5, 8});
  REQUIRE_FALSE(b.terms[2].uniform);  // theta ~ Normal(mu, tau): element k touches mu, tau, theta[k]
  CHECK(b.terms[2].of(1) == std::vector<int>{0, 1, 3});
  REQUIRE_FALSE(b.terms[3].uniform);  // y ~ Normal(theta, sigma): element k touches theta[k] only
  CHECK(b.terms[3].of(2) == std::vector<int>{4});
}

TEST_CASE("blankets: parameters shared by all elements make the vector one group; gathers follow the index") {
  std::string const source = R"(
data { int g[N]; real y[N]; }
latent { real theta[2]; }
model { theta ~ Normal(0, 1); y ~ Normal(theta[g], 1); }
guide { real m; real<lower=0> s; theta ~ Normal(m, s); }
)";
  data::CsvTable const table = data::CsvTable::from_text("g,y\n2,0.5\n1,1.0\n", "groups.csv");
  Program const program = testing::compile_model(source, &table);
  Blankets const b = find_blankets(program);
  REQUIRE(b.groups.size() == 1);
  CHECK(b.groups[0].latent_elements == std::vector<std::size_t>{0, 1});
  CHECK(b.terms[1].of(0) == std::vector<int>{0});
}

TEST_CASE("blankets: a uniform term kept as its sum gives every group the same f as its rows") {
  // Linear regression: the likelihood's rows all touch a and b, so the
  // draws keep only its sum; the blankets' f must not change (to rounding).
  std::string csv = "x,y\n";
  for (int i = 0; i < 200; ++i) csv += fmt::format("{},{}\n", 0.01 * i - 1, 1 + 0.02 * i);
  data::CsvTable const table = data::CsvTable::from_text(csv, "regression.csv");
  // Row by row: reduced to its statistics, the likelihood is one term either way.
  CompileOptions row_by_row;
  row_by_row.sufficient_statistics = false;
  Program const program =
      testing::compile_model(testing::read_source_file("models/linear_regression.model"), &table, row_by_row);
  Blankets const b = find_blankets(program);
  REQUIRE(b.summed_terms == std::vector<bool>{true, true, true, true});  // a, b, the local mean_y, y
  std::vector<double> const z{0.7, 1.9};
  std::vector<double> const log_q{-1.25, -0.5};
  std::vector<std::vector<double>> rows, sums;
  double const by_rows = log_joint_terms(program, z, rows);
  double const by_sums = log_joint_terms(program, z, sums, &b.summed_terms);
  CHECK(by_rows == by_sums);
  CHECK(rows[3].size() == 200);
  CHECK(sums[3].size() == 1);
  Eigen::RowVectorXd const f_rows = blanket_sums(b, rows, log_q), f_sums = blanket_sums(b, sums, log_q);
  CHECK((f_rows - f_sums).cwiseAbs().maxCoeff() <= 1e-12 * f_rows.cwiseAbs().maxCoeff());
}
