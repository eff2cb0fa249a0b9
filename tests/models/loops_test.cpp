// Loops and element assignments (docs/language.md, 'Loops'): a recursion
// such as GARCH(1,1)'s volatility, h[t] from h[t - 1], in the log joint
// against the same sums written here as a plain loop; nested loops and a
// reassigned element likewise; a loop over rows against its vector form.
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

constexpr double half_log_2pi = 0.91893853320467274178;

double normal_log_density(double x, double mean, double sd) {
  double const z = (x - mean) / sd;
  return -0.5 * z * z - std::log(sd) - half_log_2pi;
}

std::vector<double> const returns{0.3, -1.2, 0.8, 2.1, -0.4, 0.05, -1.7, 0.9};

}  // namespace

TEST_CASE("loops: a GARCH(1,1) volatility recursion in the log joint") {
  data::CsvTable const table = testing::column_table("y", returns);
  Program const program = testing::compile_model(R"(
data { real y[N]; real sigma1 = 1; }
latent { real mu; real<lower=0> alpha0; real<lower=0, upper=1> alpha1; real<lower=0, upper=1> beta1; }
model {
  real sigma[N];
  sigma[1] = sigma1;
  for (t in 2:N)
    sigma[t] = sqrt(alpha0 + alpha1 * square(y[t - 1] - mu) + beta1 * square(sigma[t - 1]));
  mu ~ Normal(0, 10);
  alpha0 ~ HalfNormal(1);
  alpha1 ~ Uniform(0, 1);
  beta1 ~ Uniform(0, 1);
  y ~ Normal(mu, sigma);
}
guide {
  real m = 0; real<lower=0> ms = 1;
  mu ~ Normal(m, ms);
  alpha0 ~ LogNormal(-1, 0.5);
  alpha1 ~ Beta(2, 5);
  beta1 ~ Beta(5, 2);
}
)",
                                                 &table);
  for (std::vector<double> const& z : {std::vector<double>{0.1, 0.2, 0.3, 0.5}, std::vector<double>{-0.5, 1.5, 0.05, 0.9}}) {
    double const mu = z[0], alpha0 = z[1], alpha1 = z[2], beta1 = z[3];
    double expected = normal_log_density(mu, 0, 10) + std::log(2.0) + normal_log_density(alpha0, 0, 1);
    double sigma = 1;
    for (std::size_t t = 0; t < returns.size(); ++t) {
      if (t > 0) sigma = std::sqrt(alpha0 + alpha1 * std::pow(returns[t - 1] - mu, 2) + beta1 * sigma * sigma);
      expected += normal_log_density(returns[t], mu, sigma);
    }
    CHECK(log_joint(program, z) == Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("loops: nested loops, a loop's variable reused, and an element assigned twice") {
  data::CsvTable const table = testing::column_table("y", returns);
  Program const program = testing::compile_model(R"(
data { real y[N]; }
latent { real mu; }
model {
  real h[4];
  h[1] = 0;
  for (i in 2:4) h[i] = h[i - 1] + mu;
  h[2] = 10 * mu;
  mu ~ Normal(0, 1);
  for (i in 1:2)
    for (j in 1:2)
      target += h[2 * (i - 1) + j] * j;
  for (t in 1:N) y[t] ~ Normal(h[4], 1);
}
guide { real m = 0; mu ~ Normal(m, 1); }
)",
                                                 &table);
  double const mu = 0.7;
  // h = (0, 10 mu, 2 mu, 3 mu): h[3] and h[4] read h[2] before it was reassigned.
  double expected = normal_log_density(mu, 0, 1) + (0 * 1 + 10 * mu * 2 + 2 * mu * 1 + 3 * mu * 2);
  for (double y : returns) expected += normal_log_density(y, 3 * mu, 1);
  CHECK(log_joint(program, {mu}) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("loops: a loop whose last value is below its first runs no iteration") {
  data::CsvTable const table = testing::column_table("y", returns);
  Program const program = testing::compile_model(R"(
data { real y[N]; }
latent { real mu; }
model { mu ~ Normal(0, 1); for (t in 3:2) target += 100 * mu; y ~ Normal(mu, 1); }
guide { real m = 0; mu ~ Normal(m, 1); }
)",
                                                 &table);
  double expected = normal_log_density(0.4, 0, 1);
  for (double y : returns) expected += normal_log_density(y, 0.4, 1);
  CHECK(log_joint(program, {0.4}) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("loops: a random walk over a latent's elements, written over its rows, is its sliced form") {
  data::CsvTable const table = testing::column_table("y", returns);
  std::string const model = R"(
data { real y[N]; }
latent { real x[N]; real<lower=0> s; }
model {
  s ~ HalfNormal(1);
  x[1] ~ Normal(0, 10);
  TERMS
  y ~ Normal(x, 0.5);
}
guide { real m[N] = 0; real<lower=0> sd[N] = 1; x ~ Normal(m, sd); s ~ LogNormal(0, 0.5); }
)";
  auto const with = [&](std::string const& terms) {
    std::string source = model;
    return testing::compile_model(source.replace(source.find("TERMS"), 5, terms), &table);
  };
  Program const looped = with("for (t in 2:N) { x[t] ~ Normal(x[t - 1], s); target += -0.1 * square(x[t] - x[t - 1]); }");
  Program const sliced =
      with("x[2:N] ~ Normal(x[1:(N - 1)], s); target += -0.1 * square(x[2:N] - x[1:(N - 1)]);");
  CHECK(looped.model.size() == sliced.model.size());
  std::vector<double> z;
  for (std::size_t k = 0; k < returns.size(); ++k) z.push_back(0.3 * static_cast<double>(k) - 1);
  z.push_back(0.8);
  CHECK(log_joint(looped, z) == Approx(log_joint(sliced, z)).epsilon(1e-12));
}

TEST_CASE("loops: an effect indexed by a column's element, a[g[n]], over rows or unrolled, is a[g]") {
  data::CsvTable const table = data::CsvTable::from_text("g,y\n1,0.5\n2,1.5\n3,-0.2\n1,0.7\n2,1.1\n", "groups.csv");
  std::string const model = R"(
data { int<lower=1, upper=3> g[N]; real y[N]; }
latent { real a[3]; }
model { a ~ Normal(0, 10); TERMS }
guide { real m[3] = 0; a ~ Normal(m, 1); }
)";
  auto const with = [&](std::string const& terms) {
    std::string source = model;
    return testing::compile_model(source.replace(source.find("TERMS"), 5, terms), &table);
  };
  Program const vector_form = with("y ~ Normal(a[g], 1);");
  Program const over_rows = with("for (n in 1:N) y[n] ~ Normal(a[g[n]], 1);");
  Program const unrolled = with("real h[N]; for (n in 1:N) { h[n] = a[g[n]]; y[n] ~ Normal(h[n], 1); }");
  CHECK(over_rows.model.size() == vector_form.model.size());
  std::vector<double> const z{0.4, -1.3, 2.2};
  CHECK(log_joint(over_rows, z) == Approx(log_joint(vector_form, z)).epsilon(1e-12));
  CHECK(log_joint(unrolled, z) == Approx(log_joint(vector_form, z)).epsilon(1e-12));
}
