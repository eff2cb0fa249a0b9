// A simplex latent with a Dirichlet prior and a Dirichlet guide factor
// (docs/language.md, 'Distributions'): category counts under
// Categorical(theta), theta ~ Dirichlet(alpha0). The posterior is exactly
// Dirichlet(alpha0 + counts), so the mean-field optimum in the guide's family
// is that Dirichlet itself: the fitted a must reach alpha0 + counts. The log
// joint and log q are first held to the densities written out here.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"
#include "tests/support/fit_helpers.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

constexpr double alpha0[3] = {1.0, 2.0, 0.5};
constexpr int counts[3] = {27, 18, 5};

std::string const model_source = R"(
data { int<lower=1, upper=3> c[N]; }
latent { simplex[3] theta; }
model {
  theta ~ Dirichlet({1, 2, 0.5});
  c ~ Categorical(theta);
}
guide {
  real<lower=0> a[3] = 1;
  theta ~ Dirichlet(a);
}
)";

data::CsvTable category_table() {
  std::vector<double> c;
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < counts[k]; ++i) c.push_back(k + 1);
  return testing::column_table("c", c);
}

double log_dirichlet(std::vector<double> const& x, std::vector<double> const& alpha) {
  double sum = 0, total = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    sum += alpha[k];
    total += (alpha[k] - 1) * std::log(x[k]) - std::lgamma(alpha[k]);
  }
  return total + std::lgamma(sum);
}

// KL(Dirichlet(a) || Dirichlet(b)).
double kl_dirichlet(std::vector<double> const& a, std::vector<double> const& b) {
  using boost::math::digamma;
  double a0 = 0, b0 = 0;
  for (std::size_t k = 0; k < a.size(); ++k) a0 += a[k], b0 += b[k];
  double kl = std::lgamma(a0) - std::lgamma(b0);
  for (std::size_t k = 0; k < a.size(); ++k)
    kl += std::lgamma(b[k]) - std::lgamma(a[k]) + (a[k] - b[k]) * (digamma(a[k]) - digamma(a0));
  return kl;
}

}  // namespace

TEST_CASE("dirichlet: the log joint and log q of a simplex latent, by hand") {
  data::CsvTable const table = category_table();
  Program const program = testing::compile_model(model_source, &table);
  REQUIRE(program.latent_dimension == 3);
  std::vector<double> const theta{0.5, 0.3, 0.2};
  double expected = log_dirichlet(theta, {alpha0[0], alpha0[1], alpha0[2]});
  for (int k = 0; k < 3; ++k) expected += counts[k] * std::log(theta[static_cast<std::size_t>(k)]);
  CHECK(log_joint(program, theta) == Approx(expected).epsilon(1e-13));

  // log q at a = (1.5, 0.8, 3), u = log a; its score ∂/∂u_k = a_k ∂/∂a_k.
  std::vector<double> const a{1.5, 0.8, 3.0};
  Eigen::VectorXd u(3);
  for (Eigen::Index k = 0; k < 3; ++k) u[k] = std::log(a[static_cast<std::size_t>(k)]);
  CHECK(log_guide(program, u, theta) == Approx(log_dirichlet(theta, a)).epsilon(1e-13));
  // Off the simplex the Dirichlet has no density.
  CHECK(log_guide(program, u, {0.5, 0.3, 0.3}) == -std::numeric_limits<double>::infinity());
  Eigen::VectorXd score(3);
  log_guide_with_score(program, u, theta, score);
  double const a_sum = a[0] + a[1] + a[2];
  for (std::size_t k = 0; k < 3; ++k) {
    double const d = std::log(theta[k]) - boost::math::digamma(a[k]) + boost::math::digamma(a_sum);
    CHECK(score[static_cast<Eigen::Index>(k)] == Approx(a[k] * d).epsilon(1e-12));
  }
  // The guide's per-element terms: the whole density at the first element.
  std::vector<double> const elements = log_guide_elements(program, u, theta);
  CHECK(elements[0] == Approx(log_dirichlet(theta, a)).epsilon(1e-13));
  CHECK(elements[1] == 0.0);
  CHECK(elements[2] == 0.0);

  // Draws from the guide lie on the simplex, with the Dirichlet's mean a / Σa
  // and variance a_k (Σa − a_k) / ((Σa)² (Σa + 1)).
  constexpr int draws = 40000;
  std::vector<double> mean(3, 0.0), square(3, 0.0);
  for (int s = 0; s < draws; ++s) {
    RandomStream rng(7, 1, static_cast<std::uint64_t>(s));
    std::vector<double> const z = sample_guide(program, u, rng);
    CHECK(std::fabs(z[0] + z[1] + z[2] - 1) < 1e-12);
    for (std::size_t k = 0; k < 3; ++k) mean[k] += z[k] / draws, square[k] += z[k] * z[k] / draws;
  }
  for (std::size_t k = 0; k < 3; ++k) {
    double const m = a[k] / a_sum, v = a[k] * (a_sum - a[k]) / (a_sum * a_sum * (a_sum + 1));
    INFO(fmt::format("element {}: mean {:.4f} (exact {:.4f}), variance {:.5f} (exact {:.5f})", k + 1, mean[k], m,
                     square[k] - mean[k] * mean[k], v));
    // Five standard errors of a mean of 40,000 draws.
    CHECK(std::fabs(mean[k] - m) < 5 * std::sqrt(v / draws));
    CHECK(std::fabs(square[k] - mean[k] * mean[k] - v) < 0.05 * v);
  }
}

TEST_CASE("dirichlet: a Dirichlet guide reaches the exact posterior Dirichlet(alpha0 + counts)") {
  data::CsvTable const table = category_table();
  Program const program = testing::compile_model(model_source, &table);
  std::vector<double> exact;
  for (int k = 0; k < 3; ++k) exact.push_back(alpha0[k] + counts[k]);
  for (std::uint64_t seed : {1, 2, 3}) {
    FitResult const r = testing::fit_on_seed(program, seed);
    std::vector<double> const a = constrained_parameters(program, r.u)[0];
    double const kl = kl_dirichlet(a, exact);
    INFO(fmt::format("seed {}: iterations {}, converged {}; a = ({:.3f}, {:.3f}, {:.3f}), exact ({}, {}, {}); "
                     "KL {:.2g}",
                     seed, r.iterations, r.converged, a[0], a[1], a[2], exact[0], exact[1], exact[2], kl));
    CHECK(r.converged);
    CHECK(kl < 1e-6);
    for (std::size_t k = 0; k < 3; ++k) CHECK(a[k] == Approx(exact[k]).epsilon(1e-3));
  }
}
