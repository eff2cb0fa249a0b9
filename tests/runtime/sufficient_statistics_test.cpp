// The log-joint of a model whose likelihood is reduced to sufficient
// statistics equals the row-by-row one to rounding, at draws far from and
// near the data, including data whose spread is tiny beside its mean.
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;

namespace {

std::vector<double> column(std::size_t n, double offset, double scale) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = offset + scale * std::sin(1.0 + static_cast<double>(i));
  return x;
}

// The two lowerings of `source` on `table` agree at each z, to the rounding
// of summing `rows` terms (a relative 1e-12 of the total's terms is
// thousands of ε for these sizes, and a wrong statistic is off by O(1)).
void agree(std::string const& source, data::CsvTable const& table, std::vector<std::vector<double>> const& zs) {
  CompileOptions row_by_row;
  row_by_row.sufficient_statistics = false;
  Program const reduced = testing::compile_model(source, &table);
  Program const plain = testing::compile_model(source, &table, row_by_row);
  bool some_reduced = false;
  for (Statement const& st : reduced.model)
    if (auto const* f = std::get_if<Factor>(&st)) some_reduced = some_reduced || !f->statistics.empty();
  REQUIRE(some_reduced);
  for (std::vector<double> const& z : zs) {
    std::vector<std::vector<double>> terms;
    double const expected = log_joint_terms(plain, z, terms);
    double magnitude = 0;
    for (auto const& statement : terms)
      for (double t : statement) magnitude += std::fabs(t);
    CAPTURE(z);
    CHECK(log_joint(reduced, z) == Approx(expected).epsilon(0).margin(1e-12 * magnitude));
  }
}

}  // namespace

TEST_CASE("sufficient statistics: the canonical model's log-joint equals the row-by-row sum") {
  std::string const canonical = testing::read_source_file("models/normal_gamma.model");
  data::CsvTable const table = testing::column_table("x", column(10000, 3.0, 2.0));
  agree(canonical, table, {{3.0, 0.25}, {-40.0, 1e-4}, {3.01, 300.0}});
}

TEST_CASE("sufficient statistics: data with a spread of 1e-3 about 1e6 lose nothing to cancellation") {
  std::string const canonical = testing::read_source_file("models/normal_gamma.model");
  data::CsvTable const table = testing::column_table("x", column(1000, 1e6, 1e-3));
  agree(canonical, table, {{1e6, 1e5}, {1e6 + 1e-3, 1e6}, {999999.0, 2.0}});
}

TEST_CASE("sufficient statistics: a Poisson likelihood, and a factor whose arguments vary by row stays row by row") {
  std::string const source = R"(
data { int y[N]; real x[N]; }
latent { real<lower=0> rate; real b; }
model {
  rate ~ Gamma(2, 1);
  b ~ Normal(0, 1);
  y ~ Poisson(rate);
  x ~ Normal(b * y, 1);
}
guide {
  real<lower=0> a = 2; real<lower=0> r = 1; real m = 0;
  rate ~ Gamma(a, r);
  b ~ Normal(m, 1);
}
)";
  data::CsvTable const table = data::CsvTable::from_text("y,x\n3,1.5\n0,-0.2\n7,6.1\n2,2.5\n", "counts.csv");
  Program const reduced = testing::compile_model(source, &table);
  std::vector<bool> reduced_by_statement;
  for (Statement const& st : reduced.model)
    if (auto const* f = std::get_if<Factor>(&st)) reduced_by_statement.push_back(!f->statistics.empty());
  CHECK(reduced_by_statement == std::vector<bool>{false, false, true, false});
  agree(source, table, {{3.0, 0.5}, {0.01, -2.0}});
}
