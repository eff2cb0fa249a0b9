#pragma once
// Several chains: K independent fits of the same model from the streams of
// seeds seed, seed + 1, …, run side by side where cores allow, whether they
// agree within their own Monte-Carlo noise, and which of them to report.
#include "runtime/bbvi/fit.hpp"
#include "runtime/program.hpp"

#include <cstdint>
#include <vector>

namespace bbvi {

// Chain c is the fit with seed options.seed + c. Only the first
// chain reports its iterations to options.on_iteration. The exception of
// the lowest chain that failed is rethrown.
std::vector<FitResult> fit_chains(Program const& program, FitOptions const& options, int chains);

struct ChainAgreement {
  // Natural gradient only: the largest KL-distance ½ Δᵀ F Δ between the
  // reference chain's guide and another's (F: the reference's Fisher), and
  // the two chains' own noise as KL added, which is what that distance would
  // be on average if they differed by noise alone.
  bool measured = false;
  double largest_kl = 0;
  double noise_kl = 0;
  bool agree = true;
};

// A distance over ten times the noise (and over 1e-6 nats, below which
// rounding decides) is disagreement: were the chains' results independent
// noisy estimates of one optimum, ½ ΔᵀFΔ / noise would be about a χ²
// variable with mean 1 per dimension, which exceeds 10 with probability
// under 0.2% even in one dimension.
ChainAgreement chain_agreement(std::vector<FitResult> const& chains, std::size_t reference = 0);

// The chain a report is made of. When the chains are measured to agree, the
// first: it is the fit the seed alone makes. Otherwise (they disagree, or their
// agreement cannot be measured) the one with the highest ELBO, which is
// log p(x) minus the guide's KL-divergence from the posterior, so of the
// optima found it is the guide closest to the posterior. Chains whose ELBOs
// tie with the highest within twice their combined standard error (or
// rounding) found the same optimum as far as the ELBO can tell: the first of
// them is reported, so that which one is does not turn on noise.
std::size_t reported_chain(std::vector<FitResult> const& chains, ChainAgreement const& agreement);

// The chain to report, and the chains' agreement measured from it.
struct ChainChoice {
  std::size_t reported = 0;
  ChainAgreement agreement;
};
ChainChoice choose_chain(std::vector<FitResult> const& chains);

}  // namespace bbvi
