#pragma once
// `target += E;` lowered as a likelihood: a term whose log density, at a
// column of zeros of E's length, is E itself (docs/language.md, 'target
// +='). Every analysis of the model (Markov blankets row by row, degrees,
// the estimators' choice) then reads it as it reads a `~` over data.
#include "runtime/registry.hpp"

namespace bbvi {

// Not in distributions(): no `~` can name it.
DistributionEntry const& target_entry();

}  // namespace bbvi
