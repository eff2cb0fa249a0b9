#pragma once
// Each latent's marginal under the fitted guide: mean, sd and quantiles,
// from draws of the guide (any family, so no per-family formulas).
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace bbvi {

struct MarginalSummary {
  std::string name;  // "mu", or "theta[3]" for an element of a vector
  double mean = 0, sd = 0, q5 = 0, q50 = 0, q95 = 0;
};

// One row per latent element, from `draws` draws of q(·|u) on streams that
// are distinct from the fit's (so the report does not reuse its noise).
std::vector<MarginalSummary> summarise_guide(Program const& program, Eigen::VectorXd const& u, int draws,
                                             std::uint64_t seed);

}  // namespace bbvi
