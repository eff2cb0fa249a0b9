// Every density against Boost.Math's independent implementation, at a few
// points: the property test checks each sampler against its own density, so
// a parameterisation wrong in both (a rate read as a scale) shows up only here.
#include "runtime/distributions/bernoulli.hpp"
#include "runtime/distributions/beta.hpp"
#include "runtime/distributions/binomial.hpp"
#include "runtime/distributions/cauchy.hpp"
#include "runtime/distributions/exponential.hpp"
#include "runtime/distributions/half_normal.hpp"
#include "runtime/distributions/inv_gamma.hpp"
#include "runtime/distributions/laplace.hpp"
#include "runtime/distributions/lognormal.hpp"
#include "runtime/distributions/neg_binomial2.hpp"
#include "runtime/distributions/poisson.hpp"
#include "runtime/distributions/student_t.hpp"
#include "runtime/distributions/uniform.hpp"
#include "runtime/distributions/weibull.hpp"

#include <boost/math/distributions.hpp>  // every distribution, for the reference densities
#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;
namespace bm = boost::math;

namespace {
template <typename Reference>
double reference_log_pdf(Reference const& d, double x) { return std::log(bm::pdf(d, x)); }
}  // namespace

TEST_CASE("continuous densities equal Boost.Math's (Stan's parameterisations)") {
  for (double x : {0.05, 0.4, 0.9}) {
    CHECK(Beta::log_density(x, 2.0, 3.0) == Approx(reference_log_pdf(bm::beta_distribution<>(2, 3), x)));
    CHECK(Uniform::log_density(x, -1.0, 3.0) == Approx(reference_log_pdf(bm::uniform_distribution<>(-1, 3), x)));
  }
  for (double x : {0.1, 1.0, 4.5}) {
    CHECK(Exponential::log_density(x, 1.5) == Approx(reference_log_pdf(bm::exponential_distribution<>(1.5), x)));
    CHECK(LogNormal::log_density(x, 0.3, 0.8) == Approx(reference_log_pdf(bm::lognormal_distribution<>(0.3, 0.8), x)));
    CHECK(InvGamma::log_density(x, 3.0, 2.0) ==
          Approx(reference_log_pdf(bm::inverse_gamma_distribution<>(3, 2), x)));
    CHECK(Weibull::log_density(x, 1.5, 2.0) == Approx(reference_log_pdf(bm::weibull_distribution<>(1.5, 2), x)));
    // Boost's half-normal is the standard one's density times 2: check against that.
    CHECK(HalfNormal::log_density(x, 1.3) == Approx(std::log(2 * bm::pdf(bm::normal_distribution<>(0, 1.3), x))));
  }
  for (double x : {-4.0, 0.5, 3.0}) {
    // Boost's Student t is the standard one: shift and scale by hand (Jacobian 1/scale).
    CHECK(StudentT::log_density(x, 4.5, 1.0, 2.0) ==
          Approx(reference_log_pdf(bm::students_t_distribution<>(4.5), (x - 1) / 2) - std::log(2.0)));
    CHECK(Cauchy::log_density(x, -0.5, 1.5) == Approx(reference_log_pdf(bm::cauchy_distribution<>(-0.5, 1.5), x)));
    CHECK(Laplace::log_density(x, 0.5, 0.7) == Approx(reference_log_pdf(bm::laplace_distribution<>(0.5, 0.7), x)));
  }
}

TEST_CASE("discrete densities equal Boost.Math's (Stan's parameterisations)") {
  for (double x : {0.0, 1.0}) CHECK(Bernoulli::log_density(x, 0.3) == Approx(reference_log_pdf(bm::bernoulli_distribution<>(0.3), x)));
  for (double x : {0.0, 3.0, 12.0})
    CHECK(Binomial::log_density(x, 12.0, 0.3) == Approx(reference_log_pdf(bm::binomial_distribution<>(12, 0.3), x)));
  for (double x : {0.0, 3.0, 20.0})
    CHECK(Poisson::log_density(x, 3.5) == Approx(reference_log_pdf(bm::poisson_distribution<>(3.5), x)));
  // Boost's negative binomial counts failures before r successes of probability p: r = phi, p = phi/(mu + phi).
  for (double x : {0.0, 3.0, 40.0})
    CHECK(NegBinomial2::log_density(x, 3.5, 2.0) ==
          Approx(reference_log_pdf(bm::negative_binomial_distribution<>(2.0, 2.0 / 5.5), x)));
}
