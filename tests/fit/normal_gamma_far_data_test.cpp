// The default fit of models/normal_gamma.model, from the model's own initial
// values (mu_N = 0, lambda_N = 1), on data far from the prior's mean 0 or with
// a spread tiny beside it. With mu0 = 0 and lambda0 = 1, data near c pull tau's
// posterior down to about 1/c², so q(mu) must widen from sd 1 to about c/10
// and travel c: at c = 1e9 its Fisher in mu_N falls to 1e-14 while that in
// log lambda_N stays 1/2, the case a ridge sized by the largest of them broke.
//
// The bounds, as in normal_gamma_fit_test.cpp: the fit stops only once the
// Monte-Carlo noise left in the averaged iterate is below the tolerance of
// 3e-4 nats of KL, so a KL under 0.01 is a product promise, not a widened
// bound. The mean's share of that noise is at most 3e-4 nats in expectation
// and ½ lambda_N Δ² is that share times a χ²₁ variable: Δ above 0.1 posterior
// sd needs χ²₁ > 16.7, probability 4e-5.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace bbvi;

namespace {

// n values centre + spread × a standard normal, the same on every platform.
std::vector<double> data_near(double centre, double spread, std::size_t n, unsigned seed) {
  boost::random::mt19937 rng(seed);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> x(n);
  for (double& v : x) v = centre + spread * normal(rng);
  return x;
}

struct Case {
  double centre;
  double spread;
};

}  // namespace

TEST_CASE("natural gradient: the canonical model reaches the CAVI optimum on data far from the prior mean") {
  Case const cases[] = {
      {1e9, 1.0}, {1e9, 1e4}, {1e12, 1.0}, {-1e9, 1.0},  // far from mu0 = 0, on either side
      {1e9, 1e-3}, {3.0, 1e-6},                           // a spread tiny beside the mean
  };
  std::string const source = testing::read_source_file("models/normal_gamma.model");
  reference::NormalGammaPrior const prior{};  // the model file's constants
  unsigned seed = 11;
  for (Case const& c : cases) {
    std::vector<double> const x = data_near(c.centre, c.spread, 100, seed++);
    data::CsvTable const table = testing::column_table("x", x);
    Program const program = testing::compile_model(source, &table);
    FitResult const r = fit(program, FitOptions{});
    auto const p = constrained_parameters(program, r.u);
    reference::NormalGammaGuide const fitted{p[0][0], p[1][0], p[2][0], p[3][0]};
    reference::NormalGammaGuide const optimum = reference::cavi_optimum(x, prior);
    double const kl = reference::kl_to(fitted, optimum);
    double const mean_error_in_sd = std::fabs(fitted.mu_N - optimum.mu_N) * std::sqrt(optimum.lambda_N);
    INFO("data " << c.centre << " ± " << c.spread << ": mu_N " << fitted.mu_N << " (optimum " << optimum.mu_N
                 << "), KL " << kl << ", mean off by " << mean_error_in_sd << " sd, after " << r.iterations
                 << " iterations");
    CHECK(r.converged);
    CHECK(kl < 0.01);
    CHECK(mean_error_in_sd < 0.1);
    // The reported ELBO estimates the fitted guide's: within 5 of its standard
    // errors, plus rounding of terms as large as the ELBO.
    double const exact_elbo = reference::elbo(fitted, x, prior);
    CHECK(std::fabs(r.elbo - exact_elbo) < 5 * r.elbo_se + 1e-9 * std::fabs(exact_elbo));
  }
}
