// The subtle points of the discrete distributions (bernoulli.hpp, binomial.hpp,
// poisson.hpp): values that are not counts, and probabilities or rates at the
// edge of their range, where log(0) must not leak a NaN into the score.
#include "runtime/distributions/bernoulli.hpp"
#include "runtime/distributions/binomial.hpp"
#include "runtime/distributions/poisson.hpp"
#include "runtime/random_stream.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace bbvi;

namespace {
double const minus_inf = -std::numeric_limits<double>::infinity();
bool finite_derivatives(Dual const& d) { return d.derivatives().allFinite(); }
}  // namespace

TEST_CASE("Bernoulli: x not in {0, 1} has log density -inf") {
  for (double x : {-1.0, 0.5, 2.0}) CHECK(Bernoulli::log_density(x, 0.3) == minus_inf);
}

TEST_CASE("Bernoulli: p = 0 and p = 1 give certain outcomes a finite score") {
  Dual const zero(0.0, 1, 0), one(1.0, 1, 0);
  CHECK(Bernoulli::log_density(0.0, zero).value() == 0);
  CHECK(Bernoulli::log_density(0.0, zero).derivatives()(0) == -1);  // d log(1 - p) / dp
  CHECK(Bernoulli::log_density(1.0, one).derivatives()(0) == 1);    // d log p / dp
  CHECK(Bernoulli::log_density(1.0, zero).value() == minus_inf);
  CHECK(finite_derivatives(Bernoulli::log_density(1.0, zero)));
  CHECK(Bernoulli::log_density(0.0, one).value() == minus_inf);
}

TEST_CASE("Bernoulli: names the argument it rejects") {
  CHECK_THROWS_WITH(Bernoulli::log_density(1.0, 1.5), "Bernoulli: p is 1.5, but must be in [0, 1]");
  CHECK_THROWS_WITH(Bernoulli::log_density(1.0, std::nan("")), "Bernoulli: p is nan, but must be in [0, 1]");
}

TEST_CASE("Binomial: p = 0 and p = 1 put all the mass on 0 and n") {
  CHECK(Binomial::log_density(0.0, 5.0, 0.0) == 0);
  CHECK(Binomial::log_density(5.0, 5.0, 1.0) == 0);
  CHECK(Binomial::log_density(1.0, 5.0, 0.0) == minus_inf);
  CHECK(Binomial::log_density(4.0, 5.0, 1.0) == minus_inf);
  Dual const n(5.0, 2, 0), p(0.0, 2, 1);
  Dual const lp = Binomial::log_density(0.0, n, p);
  CHECK(lp.derivatives()(0) == 0);   // n is a count: no derivative
  CHECK(lp.derivatives()(1) == -5);  // d (n log(1 - p)) / dp at p = 0
  RandomStream rng(1, 0, 0);
  CHECK(Binomial::sample(rng, 5.0, 0.0) == 0);
  CHECK(Binomial::sample(rng, 5.0, 1.0) == 5);
}

TEST_CASE("Binomial: x outside 0..n or not a count has log density -inf") {
  for (double x : {-1.0, 2.5, 6.0}) CHECK(Binomial::log_density(x, 5.0, 0.3) == minus_inf);
  CHECK(Binomial::log_density(0.0, 0.0, 0.3) == 0);  // n = 0: one outcome, certain
}

TEST_CASE("Binomial: names the argument it rejects") {
  CHECK_THROWS_WITH(Binomial::log_density(1.0, 2.5, 0.3), "Binomial: n is 2.5, but must be a nonnegative integer");
  CHECK_THROWS_WITH(Binomial::log_density(1.0, -1.0, 0.3), "Binomial: n is -1, but must be a nonnegative integer");
  CHECK_THROWS_WITH(Binomial::log_density(1.0, 3.0, -0.1), "Binomial: p is -0.1, but must be in [0, 1]");
}

TEST_CASE("Poisson: rate 0 puts all the mass on 0, as in Stan") {
  CHECK(Poisson::log_density(0.0, 0.0) == 0);
  CHECK(Poisson::log_density(1.0, 0.0) == minus_inf);
  CHECK(finite_derivatives(Poisson::log_density(1.0, Dual(0.0, 1, 0))));
  RandomStream rng(1, 0, 0);
  CHECK(Poisson::sample(rng, 0.0) == 0);
  CHECK_THROWS_WITH(Poisson::log_density(1.0, -1.0), "Poisson: rate is -1, but must be nonnegative and finite");
}

TEST_CASE("discrete edges: a count's log x! is lgamma(x + 1) to the bit, from the table and past it") {
  for (int k = 0; k < 300; ++k) {
    double const x = k;
    CAPTURE(k);
    CHECK(math::log_factorial(x) == math::lgamma(x + 1));
  }
  // Not a count: lgamma's value, the density's own checks reject it first.
  CHECK(math::log_factorial(2.5) == math::lgamma(3.5));
  CHECK(math::log_factorial(-0.5) == math::lgamma(0.5));
  // The Poisson's rows the same to the bit as from lgamma itself.
  for (double x : {0.0, 3.0, 17.0, 255.0, 256.0, 1000.0})
    CHECK(Poisson::log_density(x, 4.2) == x * std::log(4.2) - 4.2 - math::lgamma(x + 1));
}
