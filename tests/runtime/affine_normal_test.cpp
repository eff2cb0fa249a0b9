// tests runtime/affine_normal.hpp: a dense regression's likelihood reduced to
// CᵀC, Cᵀr and rᵀr equals the row-by-row sum to rounding, with uncentred
// predictors and far from the data; the reduction applies where every row
// reads the same few latents affinely, and nowhere else.
#include "core/row_blocks.hpp"
#include "runtime/bbvi/blankets.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <fmt/format.h>

#include <cmath>

using namespace bbvi;

namespace {

// x near 2000 with a spread of 1 (a year), w of mean 1, y = 3 + 0.5 x − 2 w
// plus a wobble of sd about 0.3: the intercept and x's slope have a
// posterior correlation near −1, and y ≈ 1000 beside residuals of 0.3.
data::CsvTable regression_table(std::size_t rows) {
  std::string csv = "x,w,y\n";
  for (std::size_t i = 0; i < rows; ++i) {
    double const t = static_cast<double>(i);
    double const x = 2000 + std::sin(1.0 + t);
    double const w = 1 + std::cos(2.0 + 3 * t);
    double const y = 3 + 0.5 * x - 2 * w + 0.3 * std::sin(7.0 * t + 0.5);
    csv += fmt::format("{:.17g},{:.17g},{:.17g}\n", x, w, y);
  }
  return data::CsvTable::from_text(std::move(csv), "regression.csv");
}

// b[3] enters through a local and a division; the noise is a latent.
std::string const regression = R"(
data { real x[N]; real w[N]; real y[N]; }
latent { real b[3]; real<lower=0> tau; }
model {
  b ~ Normal(0, 1000);
  tau ~ Gamma(2, 2);
  real slope_w[N] = b[3] * w / 2;
  y ~ Normal(1.5 + b[1] + b[2] * x + 2 * slope_w, 1 / sqrt(tau));
}
guide {
  real m[3] = 0; real<lower=0> s[3] = 1; real<lower=0> a = 1; real<lower=0> r = 1;
  b ~ Normal(m, s);
  tau ~ Gamma(a, r);
}
)";

Program lowered(std::string const& source, data::CsvTable const& table, bool reduce) {
  CompileOptions options;
  options.sufficient_statistics = reduce;
  return testing::compile_model(source, &table, options);
}

std::vector<bool> reduced_statements(Program const& program) {
  std::vector<bool> out;
  for (Statement const& st : program.model)
    if (auto const* f = std::get_if<Factor>(&st)) out.push_back(f->affine.has_value());
  return out;
}

// The reduced log-joint against the rows' own sum, at the data, along its
// ridge, at the guide's start and far away.
void agrees_with_rows(std::size_t rows) {
  data::CsvTable const table = regression_table(rows);
  Program const reduced = lowered(regression, table, true);
  Program const plain = lowered(regression, table, false);
  REQUIRE(reduced_statements(reduced) == std::vector<bool>{false, false, true});
  REQUIRE(reduced_statements(plain) == std::vector<bool>{false, false, false});
  std::vector<std::vector<double>> const zs = {
      {1.5, 0.5, -2, 11},           // at the data: residuals of 0.3 beside y ≈ 1000
      {1.5 + 2e-3, 0.5 - 1e-6, -2, 11},  // along the ridge
      {1.5 + 40, 0.5 - 0.02, -2.001, 11},
      {0, 0, 0, 1},                 // the guide's start
      {-3e4, 12, 400, 1e-3},        // far from the data
      {1e6, -1e3, 1e5, 1e4},
  };
  for (std::vector<double> const& z : zs) {
    CAPTURE(z);
    double const expected = log_joint(plain, z);
    CHECK(log_joint(reduced, z) == Approx(expected).epsilon(1e-10));
  }
}

}  // namespace

TEST_CASE("affine normal: a regression with an uncentred predictor equals the row-by-row sum, near and far") {
  agrees_with_rows(5000);
}

TEST_CASE("affine normal: over 2.5 row blocks, its sums moved from the first block's means, it still equals the rows'") {
  agrees_with_rows(2 * row_block + row_block / 2);
}

TEST_CASE("affine normal: the expectation over Normal coefficients is the sum averaged by a rule exact for it") {
  // The sum is a quadratic in the coefficients: the product of two-point
  // Gauss–Hermite rules, m ± s in each, is exact for it, at the data and
  // far from it, with the predictor near 2000.
  data::CsvTable const table = regression_table(5000);
  Program const program = lowered(regression, table, true);
  AffineNormal const& affine = *std::get<Factor>(program.model.back()).affine;
  REQUIRE(affine.elements == std::vector<std::size_t>{0, 1, 2});
  struct Case {
    std::vector<double> means;
    Eigen::Vector3d sds;
    double sd;
  };
  for (Case const& c : {Case{{1.5, 0.5, -2, 0}, {1e-2, 5e-6, 1e-3}, 0.3}, Case{{0, 0, 0, 0}, {1, 1, 1}, 1},
                        Case{{-3e4, 12, 400, 0}, {30, 0.01, 2}, 50}}) {
    double average = 0;
    for (int corner = 0; corner < 8; ++corner) {
      std::vector<double> z = c.means;
      for (std::size_t j = 0; j < 3; ++j) z[j] += ((corner >> j) & 1 ? 1 : -1) * c.sds[static_cast<Eigen::Index>(j)];
      average += affine.log_density_sum(z, c.sd) / 8;
    }
    double const expected = affine.expected_log_density_sum(c.means, c.sds, c.sd);
    CAPTURE(c.means[0], expected, average);
    CHECK(expected == Approx(average).epsilon(1e-10));
    CHECK(expected < affine.log_density_sum(c.means, c.sd));
  }
}

TEST_CASE("affine normal: the gradient and the quadratic form are the rows' own, summed") {
  // E_n = 1.5 + b1 + b2 x_n + b3 w_n: the gradient is Σ_n C_n (y_n − E_n) / sd²
  // and A = Σ_n C_n C_nᵀ with C_n = (1, x_n, w_n), summed here row by row.
  data::CsvTable const table = regression_table(5000);
  Program const program = lowered(regression, table, true);
  AffineNormal const& affine = *std::get<Factor>(program.model.back()).affine;
  std::vector<double> const& x = program.data[0].elements;
  std::vector<double> const& w = program.data[1].elements;
  std::vector<double> const& y = program.data[2].elements;
  REQUIRE(program.slot_names[0] == "x");
  REQUIRE(program.slot_names[2] == "y");
  Eigen::Matrix3d rows_form = Eigen::Matrix3d::Zero();
  for (std::size_t n = 0; n < y.size(); ++n) {
    Eigen::Vector3d const c(1, x[n], w[n]);
    rows_form += c * c.transpose();
  }
  CHECK((affine.quadratic_form() - rows_form).norm() < 1e-12 * rows_form.norm());
  for (std::vector<double> const& z : {std::vector<double>{1.5, 0.5, -2, 0}, std::vector<double>{1.5 + 2e-3, 0.5 - 1e-6,
                                                                                                  -2, 0},
                                       std::vector<double>{-3e4, 12, 400, 0}}) {
    for (double const sd : {0.3, 50.0}) {
      Eigen::Vector3d expected = Eigen::Vector3d::Zero();
      for (std::size_t n = 0; n < y.size(); ++n) {
        Eigen::Vector3d const c(1, x[n], w[n]);
        expected += c * (y[n] - 1.5 - z[0] - z[1] * x[n] - z[2] * w[n]) / (sd * sd);
      }
      CAPTURE(z[0], sd);
      // The rows' sum cancels y ≈ 1000 against E: its rounding is a few
      // multiples of 1e-16 of Σ|C_n| |y_n| / sd² (measured: below 1e-14).
      double const scale = 5000.0 * 2000 * 1000 / (sd * sd);
      CHECK((affine.log_density_gradient(z, sd) - expected).norm() < 1e-13 * scale);
    }
  }
}

TEST_CASE("affine normal: the summed terms keep the statement whole, and the blankets see every coefficient") {
  data::CsvTable const table = regression_table(200);
  Program const reduced = lowered(regression, table, true);
  Program const plain = lowered(regression, table, false);
  Blankets const b = find_blankets(reduced);
  REQUIRE(b.terms[3].uniform);
  CHECK(b.terms[3].groups == find_blankets(plain).terms[3].groups);
  CHECK(b.terms[3].groups.size() == 4);  // b[1], b[2], b[3], tau
  std::vector<double> const z = {1.0, 0.4, -1.0, 2.0};
  std::vector<std::vector<double>> terms, rows;
  double const total = log_joint_terms(reduced, z, terms, &b.summed_terms);
  log_joint_terms(plain, z, rows);
  REQUIRE(terms[3].size() == 1);
  REQUIRE(rows[3].size() == 200);
  double row_sum = 0;
  for (double t : rows[3]) row_sum += t;
  CHECK(terms[3][0] == Approx(row_sum).epsilon(1e-10));
  CHECK(total == Approx(log_joint(plain, z)).epsilon(1e-10));
}

TEST_CASE("affine normal: a draw the rows reject is rejected as the rows reject it") {
  data::CsvTable const table = regression_table(50);
  Program const reduced = lowered(regression, table, true);
  Program const plain = lowered(regression, table, false);
  auto const message = [](Program const& program, std::vector<double> const& z) {
    try {
      log_joint(program, z);
    } catch (NumericalError const& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  for (std::vector<double> const& z : {std::vector<double>{1, 0.5, -2, -1}, std::vector<double>{NAN, 0.5, -2, 1},
                                       std::vector<double>{1, INFINITY, -2, 1}}) {
    CAPTURE(z);
    std::string const expected = message(plain, z);
    CHECK(expected != "no error");
    CHECK(message(reduced, z) == expected);
  }
}

TEST_CASE("affine normal: reduced only where every row reads the same few latents affinely") {
  data::CsvTable const table =
      data::CsvTable::from_text("y,x,g,s\n1.5,0.2,1,1\n0.3,-1.1,2,2\n2.2,0.7,1,1.5\n-0.4,1.9,2,1\n", "small.csv");
  auto const reductions = [&](std::string const& latents, std::string const& model) {
    std::string const source = fmt::format(R"(
data {{ real y[N]; real x[N]; int g[N]; real<lower=0> s[N]; }}
latent {{ {} }}
model {{ {} }}
guide {{ real m = 0; a ~ Normal(m, 1); b ~ Normal(m, 1); theta ~ Normal(m, 1); }}
)",
                                           latents, model);
    return reduced_statements(testing::compile_model(source, &table));
  };
  std::string const latents = "real a; real b; real theta[2];";
  std::string const priors = "a ~ Normal(0, 1); b ~ Normal(0, 1); theta ~ Normal(0, 1);";
  std::vector<bool> const only_last = {false, false, false, true};
  std::vector<bool> const none = {false, false, false, false};
  CHECK(reductions(latents, priors + "y ~ Normal(a + b * x, 2);") == only_last);
  CHECK(reductions(latents, priors + "y ~ Normal(a - (b * x) / 3 + theta[2] * x, exp(a));") == only_last);
  // A hierarchical mean: rows read different latents.
  CHECK(reductions(latents, priors + "y ~ Normal(a + theta[g], 1);") == none);
  // Not affine: a product of two latents, a function of one.
  CHECK(reductions(latents, priors + "y ~ Normal(a * b * x, 1);") == none);
  CHECK(reductions(latents, priors + "y ~ Normal(exp(a) + b * x, 1);") == none);
  CHECK(reductions(latents, priors + "y ~ Normal(x / a, 1);") == none);
  // An sd that varies by row.
  CHECK(reductions(latents, priors + "y ~ Normal(a + b * x, s);") == none);
}
