// tests/runtime/importance_check_test.cpp tests runtime/importance_check.hpp:
// k̂ and the evidence from the guide's draws, left empty where they cannot be
// estimated.
#include "runtime/importance_check.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <cmath>
#include <limits>

using namespace bbvi;

namespace {

GuideDraws draws_with(std::vector<double> log_p, std::vector<double> log_q, int rejected = 0) {
  GuideDraws d;
  d.log_p = std::move(log_p);
  d.log_q = std::move(log_q);
  d.rejected = rejected;
  return d;
}

}  // namespace

TEST_CASE("importance_check: a guide equal to the posterior has k̂ 0 and the evidence exactly") {
  // log p − log q = log p(x) = -3.5 for every draw: the weights are all equal.
  std::vector<double> log_q(100), log_p(100);
  for (std::size_t s = 0; s < log_q.size(); ++s) {
    log_q[s] = -0.01 * static_cast<double>(s);
    log_p[s] = log_q[s] - 3.5;
  }
  ImportanceCheck const c = importance_check(draws_with(log_p, log_q, 2));
  CHECK(c.draws == 100);
  CHECK(c.rejected == 2);
  REQUIRE(c.k_hat);
  CHECK(*c.k_hat == 0);
  REQUIRE(c.evidence);
  CHECK(c.evidence->value == Approx(-3.5));
  CHECK(c.evidence->se == Approx(0).margin(1e-12));
}

TEST_CASE("importance_check: nothing is estimated without draws, too few draws or draws the model rejected") {
  ImportanceCheck const none = importance_check(draws_with({}, {}));
  CHECK(none.draws == 0);
  CHECK_FALSE(none.k_hat);
  CHECK_FALSE(none.evidence);
  double const rejected = -std::numeric_limits<double>::infinity();
  ImportanceCheck const all_rejected = importance_check(draws_with({rejected, rejected, rejected}, {0, 0, 0}, 3));
  CHECK(all_rejected.draws == 3);
  CHECK_FALSE(all_rejected.k_hat);     // fewer than 25 draws: no tail to judge
  CHECK_FALSE(all_rejected.evidence);  // every weight is 0
}

TEST_CASE("importance_check: a rejected draw weighs nothing even where the guide's density is 0 there") {
  // A guide fitted far off draws a point whose own log density underflows to
  // −inf: the model's −inf there is no weight, not an undefined ratio.
  double const minus_infinity = -std::numeric_limits<double>::infinity();
  std::vector<double> log_q(100), log_p(100);
  for (std::size_t s = 0; s < log_q.size(); ++s) {
    log_q[s] = -0.01 * static_cast<double>(s);
    log_p[s] = log_q[s] - 3.5;
  }
  log_p[7] = minus_infinity;
  log_q[7] = minus_infinity;
  ImportanceCheck const c = importance_check(draws_with(log_p, log_q, 1));
  REQUIRE(c.evidence);
  CHECK(c.evidence->value == Approx(-3.5 + std::log(0.99)));
}
