#pragma once
// Which model statements an evaluation must run. A local definition that no
// evaluated factor reads is dead work: `real mean_y[N] = a + b * x;` feeds a
// likelihood reduced to a regression's statistics (Factor::affine), which
// reads the latents directly, yet computing it cost N operations at every
// evaluation (docs/method.md, 'Cost follows the graph').
#include "runtime/program.hpp"

#include <vector>

namespace bbvi {

// The factors marked in `factors`, the local definitions they read (directly
// or through other definitions), and every definition with bounds, whose
// check is an assertion of the model's author made at every evaluation. A
// factor reduced to a regression's statistics reads only its sd.
std::vector<bool> statements_to_run(Program const& program, std::vector<bool> const& factors);

// The same for an evaluation of every factor.
std::vector<bool> statements_to_run(Program const& program);

}  // namespace bbvi
