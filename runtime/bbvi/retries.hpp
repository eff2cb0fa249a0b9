#pragma once
// The retry rule every step shares (docs/method.md, 'The retry rule'): when
// the last step went where the model or the guide cannot be evaluated, or
// where the estimate the step moves along is not finite, take back all but a
// tenth of it and draw afresh from there, up to five times.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/estimators/estimator.hpp"
#include "runtime/bbvi/options.hpp"
#include "runtime/bbvi/steps/step.hpp"
#include "core/parallel.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

namespace bbvi {

// Where the fit is: the iterate, and the step that led to it.
struct Iterate {
  Eigen::VectorXd u;
  Eigen::VectorXd last_step;
  long log_joint_evaluations = 0;  // so far, failed draws included
};

struct Attempt {
  Draws draws;
  GradientEstimate estimate;
};

// Iteration t's draws at `at.u` and the estimator's estimate from them,
// retried from a point nearer the last iterate (which `step` is told of)
// while they fail. Throws NumericalError, the last failure's, when the retries
// run out or there is no step to take back (the first iteration).
Attempt draw_with_retries(Program const& program, FitSettings const& settings, WorkerPool& pool,
                          GradientEstimator& estimator, Step& step, int t, Iterate& at);

}  // namespace bbvi
