#include "tools/normal_gamma_data.hpp"

#include <boost/random/gamma_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/seed_seq.hpp>
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace bbvi::tools {

namespace {

void check_positive(char const* name, double value) {
  if (!(value > 0) || !std::isfinite(value))
    throw std::invalid_argument(
        fmt::format("{} is {}, but must be positive and finite", name, value));
}

}  // namespace

std::vector<double> generate_normal_gamma(std::size_t n, NormalGammaPrior const& prior,
                                          std::uint64_t seed, double* true_mu, double* true_tau) {
  if (!std::isfinite(prior.mu0))
    throw std::invalid_argument(fmt::format("mu0 is {}, but must be finite", prior.mu0));
  check_positive("lambda0", prior.lambda0);
  check_positive("alpha0", prior.alpha0);
  check_positive("beta0", prior.beta0);

  // mt19937's own seed() takes 32 bits; seed_seq keeps all 64 of ours.
  boost::random::seed_seq seq{static_cast<std::uint32_t>(seed),
                              static_cast<std::uint32_t>(seed >> 32)};
  boost::random::mt19937 rng(seq);

  // Boost.Random's gamma takes a scale: convert the rate (inverse scale).
  double const tau = boost::random::gamma_distribution<double>(prior.alpha0, 1 / prior.beta0)(rng);
  double const mu_sd = 1 / std::sqrt(prior.lambda0 * tau);
  // A tiny shape can underflow tau to 0, and a standard deviation of 1/0 is no draw.
  if (!(tau > 0) || !std::isfinite(mu_sd))
    throw std::runtime_error(fmt::format("the prior drew tau = {}, too small to draw from; "
                                         "choose another seed or a larger alpha0",
                                         tau));
  double const mu = boost::random::normal_distribution<double>(prior.mu0, mu_sd)(rng);
  boost::random::normal_distribution<double> likelihood(mu, 1 / std::sqrt(tau));
  std::vector<double> x(n);
  for (double& xi : x) xi = likelihood(rng);

  if (true_mu) *true_mu = mu;
  if (true_tau) *true_tau = tau;
  return x;
}

}  // namespace bbvi::tools
