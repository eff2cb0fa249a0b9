#pragma once
// Synthetic data for the canonical model (docs/method.md, 'The canonical
// model'): draws from its prior, then the data from its likelihood.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bbvi::tools {

// The canonical model's constants, with the model file's defaults.
// lambda0 is a precision multiplier: mu ~ Normal(mu0, 1 / sqrt(lambda0 * tau)).
struct NormalGammaPrior {
  double mu0 = 0;
  double lambda0 = 1;
  double alpha0 = 1;  // Gamma shape
  double beta0 = 1;   // Gamma rate
};

// Draws tau ~ Gamma(alpha0, rate beta0), mu ~ Normal(mu0, 1 / sqrt(lambda0 * tau)),
// then n values x_i ~ Normal(mu, 1 / sqrt(tau)), in that order, from one
// boost::random::mt19937 seeded with both 32-bit halves of `seed` (through
// boost::random::seed_seq). Boost.Random's own distributions give the same
// draws with every standard library. The drawn mu and tau are stored through
// `true_mu` and `true_tau` when given. Throws std::invalid_argument for a
// non-finite mu0 or a lambda0, alpha0 or beta0 that is not positive and finite,
// and std::runtime_error if tau underflows to 0 (possible only for a tiny alpha0).
std::vector<double> generate_normal_gamma(std::size_t n, NormalGammaPrior const& prior,
                                          std::uint64_t seed, double* true_mu = nullptr,
                                          double* true_tau = nullptr);

}  // namespace bbvi::tools
