#pragma once
// The importance-sampling check of the fitted guide: Pareto k̂ and the
// importance-weighted log evidence from draws of the guide (runtime/psis.hpp
// does the smoothing; docs/output.md, "The report", how to read them).
#include "runtime/guide_draws.hpp"
#include "runtime/psis.hpp"

#include <optional>

namespace bbvi {

struct ImportanceCheck {
  int draws = 0;     // 0: not made (no draws asked for)
  int rejected = 0;  // draws the model could not evaluate (weight 0)
  // Empty where they cannot be estimated: k̂ when the largest weights tie
  // (a discrete latent) or too few draws carry weight; the evidence when
  // the model rejected every draw.
  std::optional<double> k_hat;
  std::optional<LogEvidence> evidence;
};

// k̂ and the evidence from the draws' log p − log q.
ImportanceCheck importance_check(GuideDraws const& draws);

}  // namespace bbvi
