// uniform.hpp: the one distribution whose support moves with its arguments.
#include "runtime/distributions/uniform.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace bbvi;

TEST_CASE("Uniform: the bounds belong to the support") {
  CHECK(Uniform::log_density(-1.0, -1.0, 3.0) == Approx(-std::log(4.0)));
  CHECK(Uniform::log_density(3.0, -1.0, 3.0) == Approx(-std::log(4.0)));
  CHECK(Uniform::log_density(3.5, -1.0, 3.0) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("Uniform: the score is ±1/(hi - lo), and has no mean zero") {
  // E[score] = ∂/∂θ ∫ p only when the support stays put; here moving lo or hi
  // moves it, which is why the property test leaves Uniform's score mean out.
  Dual const lo(-1.0, 2, 0), hi(3.0, 2, 1);
  Dual const lp = Uniform::log_density(0.0, lo, hi);
  CHECK(lp.derivatives()(0) == Approx(0.25));
  CHECK(lp.derivatives()(1) == Approx(-0.25));
}

TEST_CASE("Uniform: names the argument it rejects") {
  CHECK_THROWS_WITH(Uniform::log_density(0.0, 1.0, 1.0), "Uniform: hi is 1, but must be greater than lo = 1");
  CHECK_THROWS_WITH(Uniform::log_density(0.0, -std::numeric_limits<double>::infinity(), 1.0),
                    "Uniform: lo is -inf, but must be finite");
}
