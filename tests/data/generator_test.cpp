// tests/data/generator_test.cpp tests tools/normal_gamma_data.hpp
#include "tools/normal_gamma_data.hpp"

#include "runtime/data/csv.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <cmath>
#include <vector>

using bbvi::tools::generate_normal_gamma;
using bbvi::tools::NormalGammaPrior;

// Every tolerance below is 5 standard errors of an average of many independent
// draws, which the central limit theorem makes close to normal: a correct
// generator lands outside with probability 6e-7 whatever the seed, while a
// slip such as passing the Gamma's rate as its scale is off by hundreds.

TEST_CASE("generate_normal_gamma: a seed gives the same data every time") {
  NormalGammaPrior const prior;
  double mu1 = 0, tau1 = 0, mu2 = 0, tau2 = 0;
  std::vector<double> const a = generate_normal_gamma(10, prior, 42, &mu1, &tau1);
  std::vector<double> const b = generate_normal_gamma(10, prior, 42, &mu2, &tau2);
  CHECK(a == b);
  CHECK(mu1 == mu2);
  CHECK(tau1 == tau2);
  CHECK(generate_normal_gamma(10, prior, 43) != a);
  // Seeds differing only in their upper 32 bits differ too.
  CHECK(generate_normal_gamma(10, prior, 42 + (std::uint64_t{1} << 32)) != a);
  // The first rows do not depend on how many follow.
  std::vector<double> const longer = generate_normal_gamma(1000, prior, 42);
  CHECK(std::vector<double>(longer.begin(), longer.begin() + 10) == a);
}

TEST_CASE("generate_normal_gamma: the shipped data set is the generator's") {
  // Boost.Random's algorithms are the same everywhere; only libm's last bits
  // could differ, hence Approx and not ==.
  double mu = 0, tau = 0;
  std::vector<double> const x = generate_normal_gamma(100, NormalGammaPrior{}, 20261124, &mu, &tau);
  CHECK(tau == Approx(0.6440339397335092).epsilon(1e-12));
  CHECK(mu == Approx(1.2481952678553383).epsilon(1e-12));
  CHECK(x[0] == Approx(2.5967801602399341).epsilon(1e-12));
  CHECK(x[1] == Approx(1.803172592825665).epsilon(1e-12));
  auto const shipped = bbvi::data::CsvTable::from_file(BBVI_SOURCE_DIR "/models/normal_gamma.csv");
  std::vector<double> const column = shipped.real_column("x");
  REQUIRE(column.size() == x.size());
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(column[i] == Approx(x[i]).epsilon(1e-12));
}

TEST_CASE("generate_normal_gamma: the data follow Normal(mu, 1/sqrt(tau))") {
  double mu = 0, tau = 0;
  std::size_t const n = 100000;
  std::vector<double> const x = generate_normal_gamma(n, NormalGammaPrior{-3, 0.5, 4, 2}, 7, &mu, &tau);
  double mean = 0;
  for (double xi : x) mean += xi;
  mean /= n;
  double variance = 0;
  for (double xi : x) variance += (xi - mean) * (xi - mean);
  variance /= n - 1;
  double const sigma2 = 1 / tau;
  CHECK(std::fabs(mean - mu) < 5 * std::sqrt(sigma2 / n));
  // For normal data Var(s²) = 2 σ⁴ / (n − 1).
  CHECK(std::fabs(variance - sigma2) < 5 * sigma2 * std::sqrt(2.0 / (n - 1)));
}

TEST_CASE("generate_normal_gamma: mu and tau follow the prior") {
  // α0 = 3, β0 = 4: E τ = α0/β0 = 0.75 and sd τ = √α0/β0. With λ0 = 2,
  // Var μ = E[1/(λ0 τ)] = β0 / (λ0 (α0 − 1)) = 1. A rate passed as a scale
  // would give E τ = 12.
  NormalGammaPrior const prior{0.5, 2, 3, 4};
  int const seeds = 20000;
  double sum_tau = 0, sum_mu = 0;
  for (int s = 0; s < seeds; ++s) {
    double mu = 0, tau = 0;
    generate_normal_gamma(0, prior, static_cast<std::uint64_t>(s), &mu, &tau);
    sum_tau += tau;
    sum_mu += mu;
  }
  CHECK(std::fabs(sum_tau / seeds - 0.75) < 5 * (std::sqrt(3.0) / 4) / std::sqrt(seeds));
  CHECK(std::fabs(sum_mu / seeds - 0.5) < 5 * 1 / std::sqrt(seeds));
}

TEST_CASE("generate_normal_gamma: names the prior constant it rejects") {
  CHECK_THROWS_WITH(generate_normal_gamma(1, NormalGammaPrior{0, -1, 1, 1}, 1),
                    "lambda0 is -1, but must be positive and finite");
  CHECK_THROWS_WITH(generate_normal_gamma(1, NormalGammaPrior{0, 1, 0, 1}, 1),
                    "alpha0 is 0, but must be positive and finite");
  CHECK_THROWS_WITH(generate_normal_gamma(1, NormalGammaPrior{0, 1, 1, INFINITY}, 1),
                    "beta0 is inf, but must be positive and finite");
  CHECK_THROWS_WITH(generate_normal_gamma(1, NormalGammaPrior{NAN, 1, 1, 1}, 1),
                    "mu0 is nan, but must be finite");
}
