#pragma once
// Fitting λ: the loop that runs a plan's step with its estimator (fit.cpp),
// behind one entry point.
#include "runtime/bbvi/block_diagonal.hpp"
#include "runtime/bbvi/gradient_monitor.hpp"
#include "runtime/bbvi/options.hpp"
#include "runtime/bbvi/plan.hpp"
#include "runtime/bbvi/tail_average.hpp"
#include "runtime/bbvi/table.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <optional>
#include <vector>

namespace bbvi {

struct FitResult {
  Eigen::VectorXd u;  // the fitted parameters, unconstrained
  double elbo = 0;    // averaged over the last iterations
  double elbo_se = 0;
  int iterations = 0;
  bool converged = false;
  // Natural gradient: the curvature measured in the locations was not
  // positive definite in the last iterations, so no decrement could say how
  // far the optimum is (docs/method.md, 'The coupled step').
  bool cannot_certify = false;
  double seconds = 0;
  FitSettings settings;  // what the fit ran with
  // A subsampled fit's first iteration on every row, its batches having
  // grown to them; 0 if they never did.
  int all_rows_from = 0;
  long log_joint_evaluations = 0;
  std::vector<IterationRecord> trace;
  GradientSummary gradient;  // over the last iterations: what the estimator achieved
  // Natural gradient only (else 0 and empty): the averaged result's own
  // Monte-Carlo noise as the KL it accounts for, and the Fisher of q
  // averaged over the last phase, in which that KL was measured.
  double noise_kl = 0;
  BlockDiagonal fisher;
  // Where Newton's step moved the locations, M̄ on them: noise_kl measures
  // them in it, and so must a distance compared with it (metric_kl).
  std::optional<LocationMetric> locations;
};

// Plans the fit (plan_fit: throws DiagnosticError for bad options) and runs it.
FitResult fit(Program const& program, FitOptions const& options);

// Runs a plan; `options` gives only the callbacks.
FitResult fit(Program const& program, FitPlan& plan, FitOptions const& options);

Eigen::VectorXd initial_parameters(Program const& program);

}  // namespace bbvi
