#pragma once
// One fit's plan, resolved once from the options and the program before the
// first iteration: the settings with every default filled in, the Markov
// blankets, and the estimator built on them. The fit runs it; `explain`
// prints it; the report prints its settings (FitResult::settings). A plan is
// run once: its estimator may keep what it learns over the fit.
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/estimators/estimator.hpp"
#include "runtime/bbvi/options.hpp"
#include "runtime/program.hpp"

#include <cstddef>
#include <memory>

namespace bbvi {

struct FitPlan {
  FitSettings settings;
  // Held by pointer: the estimator refers to them, and a plan may move.
  std::unique_ptr<Blankets const> blankets;
  std::unique_ptr<GradientEstimator> estimator;
  // The estimator's largest block of coordinates estimated together, which
  // sets the default and the least number of draws.
  std::size_t largest_block = 0;
};

// Throws DiagnosticError (an option error, no file) for an unknown estimator
// or too few samples. A subsampled fit's plan (FitOptions::batches) has no
// estimator: each iteration makes its own, on its batch.
FitPlan plan_fit(Program const& program, FitOptions const& options);

}  // namespace bbvi
