// Comparisons, logic and ?: in a model, each fit held to the conjugate
// posterior computed here: rows with x > 0 measure a, the others b, under
// Normal(0, 10) priors and unit noise.
#include "runtime/bbvi/fit.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using namespace bbvi;

namespace {

data::CsvTable const& rows() {
  static data::CsvTable const table = data::CsvTable::from_text(
      "x,y\n-2,0.4\n1.5,3.1\n0,0.9\n2.5,2.2\n-0.5,1.6\n3,2.8\n-1,-0.3\n0.5,2.4\n", "rows.csv");
  return table;
}

// The posterior mean and sd of a Normal(0, 10) mean measured with unit
// noise by the rows whose x satisfies `chosen`.
template <typename Chosen>
std::pair<double, double> posterior(Chosen chosen) {
  std::vector<double> const x = rows().real_column("x"), y = rows().real_column("y");
  double precision = 0.01, weighted = 0;
  for (std::size_t n = 0; n < x.size(); ++n)
    if (chosen(x[n])) {
      precision += 1;
      weighted += y[n];
    }
  return {weighted / precision, 1 / std::sqrt(precision)};
}

std::string const latent = "latent { real a; real b; }\n";
std::string const guide = R"(
guide {
  real am = 0; real<lower=0> as = 1; real bm = 0; real<lower=0> bs = 1;
  a ~ Normal(am, as); b ~ Normal(bm, bs);
}
)";

void check_fit(std::string const& data, std::string const& model) {
  Program const program = testing::compile_model(data + latent + model + guide, &rows());
  FitResult const r = testing::fit_on_seed(program, 1);
  auto const p = constrained_parameters(program, r.u);  // am, as, bm, bs
  auto const [a_mean, a_sd] = posterior([](double x) { return x > 0; });
  auto const [b_mean, b_sd] = posterior([](double x) { return !(x > 0); });
  CHECK(r.converged);
  // Every term is Gaussian in a and b: the fit is exact to rounding.
  CHECK(p[0][0] == Approx(a_mean).epsilon(1e-6));
  CHECK(p[1][0] == Approx(a_sd).epsilon(1e-6));
  CHECK(p[2][0] == Approx(b_mean).epsilon(1e-6));
  CHECK(p[3][0] == Approx(b_sd).epsilon(1e-6));
}

}  // namespace

TEST_CASE("comparisons: ?: picks a latent by row, and the branch not taken may be NaN") {
  // log(x) is NaN or -inf where x <= 0, in the rows that take b.
  check_fit("data { real x[N]; real y[N]; }\n", R"(
model {
  a ~ Normal(0, 10); b ~ Normal(0, 10);
  real m[N] = x > 0 ? a + 0 * log(x) : b;
  y ~ Normal(m, 1);
}
)");
}

TEST_CASE("comparisons: an indicator column derived with a comparison, and logic") {
  check_fit(R"(
data {
  real x[N]; real y[N];
  int positive[N] = x > 0;
  int other[N] = !(x > 0) && (x <= 0 || x != x);
}
)",
            R"(
model {
  a ~ Normal(0, 10); b ~ Normal(0, 10);
  y ~ Normal(positive * a + other * b, 1);
}
)");
}
