#pragma once
// A warning for a prior far wider than the data it meets: legal, and often
// meant as "uninformative", but a scale a thousand times the data's is close
// to flat, the posterior it gives may be improper-looking, and a typo (1e6
// for 1e0.6) reads the same. Checked where both are known: a location-scale
// prior on a real latent with a number as its scale, against the largest
// absolute value of the real columns the model observes.
#include "core/diagnostic.hpp"
#include "runtime/program.hpp"

#include <vector>

namespace bbvi {

inline constexpr double wide_prior_ratio = 1000;

std::vector<Diagnostic> wide_priors(Program const& program);

}  // namespace bbvi
