#pragma once
// What a fit is asked to do (FitOptions, from the command line or a test) and
// what that resolves to once the program is known (FitSettings, plan.hpp).
#include "core/ranks.hpp"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace bbvi {

class RowBatches;

// The steps (steps/); their names and defaults are in table.cpp.
enum class Method {
  natural_gradient,  // the default (docs/method.md, 'The natural-gradient step')
  adagrad,           // AdaGrad as in the BBVI paper
  adam,              // Adam (Kingma & Ba 2015) with a constant step size
};

struct IterationRecord {
  int iteration = 0;
  double elbo = 0;     // this iteration's estimate
  double elbo_se = 0;  // and its standard error
  double step = 0;     // the step size used (ρ_t, or η for AdaGrad)
  // The result if the fit stopped here (in the natural gradient's averaging
  // phase, the mean of the tail so far), unconstrained.
  Eigen::VectorXd u;
};

struct FitOptions {
  Method method = Method::natural_gradient;
  // Keep each iteration's parameters in FitResult::trace (IterationRecord::u,
  // for --trace): P numbers an iteration. Without it they are left empty.
  bool trace_parameters = true;
  // The gradient estimator by its name in the table (table.hpp); empty: the
  // method's default.
  std::string estimator;
  int samples = 0;          // S per iteration; 0: the default for the method and estimator
  int max_iterations = 0;   // the cap; 0: the method's default
  double step_size = 0;     // η; 0: the method's default
  std::uint64_t seed = 1;
  int threads = 0;  // threads the draws are split over; 0: all cores. Never changes the result.
  // natural gradient: stop once the averaged result's Monte-Carlo noise is below
  // this many nats of KL (and the gradient is indistinguishable from noise).
  double tolerance = 3e-4;
  double trust_region = 1.0;  // κ: a step may change q by at most this many nats
  // natural gradient: step each factor on its own, without the coupled
  // Newton step on the locations (docs/method.md, 'The coupled step').
  bool per_factor = false;
  // Called after every iteration with its record (the command line's
  // progress line); must not throw.
  std::function<void(IterationRecord const&)> on_iteration;
  // Asked after every iteration (after on_iteration): true ends the fit
  // there with FitStopped. The command line stops on SIGINT and SIGTERM
  // this way; it is called from the thread of the fit that asks.
  std::function<bool()> stop_requested;
  // A subsampled fit: each iteration reads a batch of the rows, which these
  // draw and lower (row_batches.hpp); they outlive the fit. Null: every row.
  RowBatches const* batches = nullptr;
  // The ranks the draws are shared with (core/ranks.hpp); null for one
  // process. Every rank runs the same fit, and its chains one after another.
  Ranks* ranks = nullptr;
};

// The options with every default resolved: what the fit ran with, which the
// report and `explain` print.
struct FitSettings {
  Method method = Method::natural_gradient;
  std::string estimator;           // its name in the table
  bool estimator_is_default = true;
  int samples = 0;
  int max_iterations = 0;
  double step_size = 0;
  double tolerance = 0;
  double trust_region = 0;
  bool per_factor = false;
  std::uint64_t seed = 1;
  int threads = 1;
  // A subsampled fit's rows an iteration, and of the data; 0 for a fit on every row.
  std::size_t batch = 0;
  std::size_t rows = 0;
};

// What fit() throws when stop_requested said so.
struct FitStopped : std::runtime_error {
  FitStopped() : std::runtime_error("the fit was asked to stop") {}
};

}  // namespace bbvi
