#pragma once
// Fitting λ: the methods (steps) and estimators of the command line, behind one entry point.
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/estimators.hpp"
#include "runtime/bbvi/gradient_monitor.hpp"
#include "runtime/parallel.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bbvi {

enum class Method {
  natural_gradient,  // the default (docs/method.md, 'The natural-gradient step')
  adagrad,           // AdaGrad as in the BBVI paper
  adam,              // Adam (Kingma & Ba 2015) with a constant step size
};

std::string_view name_of(Method m);

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
  // The gradient estimator (estimators.hpp); unset: the method's default
  // (default_estimator below).
  std::optional<Estimator> estimator;
  int samples = 0;          // S per iteration; 0: the default for the method and estimator
  int max_iterations = 0;   // the cap; 0: the method's default
  double step_size = 0;     // η; 0: the method's default
  std::uint64_t seed = 1;
  int threads = 0;  // threads the draws are split over; 0: all cores. Never changes the result.
  // natural gradient: stop once the averaged result's Monte-Carlo noise is below
  // this many nats of KL (and the gradient is indistinguishable from noise).
  double tolerance = 3e-4;
  double trust_region = 1.0;  // κ: a step may change q by at most this many nats
  // Called after every iteration with its record (the command line's
  // progress line); must not throw.
  std::function<void(IterationRecord const&)> on_iteration;
  // Asked after every iteration (after on_iteration): true ends the fit
  // there with FitStopped. The command line stops on SIGINT and SIGTERM
  // this way; it is called from the thread of the fit that asks.
  std::function<bool()> stop_requested;
};

// What fit() throws when stop_requested said so.
struct FitStopped : std::runtime_error {
  FitStopped() : std::runtime_error("the fit was asked to stop") {}
};

struct FitResult {
  Eigen::VectorXd u;  // the fitted parameters, unconstrained
  double elbo = 0;    // averaged over the last iterations
  double elbo_se = 0;
  int iterations = 0;
  bool converged = false;
  double seconds = 0;
  int samples = 0;
  Estimator estimator = Estimator::regression;
  long log_joint_evaluations = 0;
  std::vector<IterationRecord> trace;
  GradientSummary gradient;  // over the last iterations: what the estimator achieved
  // Natural gradient only (else 0 and empty): the averaged result's own
  // Monte-Carlo noise as the KL it accounts for, and the Fisher of q
  // averaged over the last phase, in which that KL was measured.
  double noise_kl = 0;
  Eigen::MatrixXd fisher;
};

// The estimator each method uses unless told otherwise: for adagrad, the
// paper's Algorithm 1 (basic); otherwise the one measured to need the fewest
// log-joint evaluations (README, "Estimators and steps").
Estimator default_estimator(Method method);

// The defaults each method uses for the options left at 0. `block`: the
// largest block of coordinates the estimator works on at once
// (largest_block in estimators.hpp).
int default_samples(Method method, std::size_t block);
int default_max_iterations(Method method);
double default_step_size(Method method);

// Throws DiagnosticError (an option error, no file) for too few --samples.
FitResult fit(Program const& program, FitOptions const& options);

// Each method on its own (fit() picks one); options are complete here.
FitResult fit_natural_gradient(Program const& program, FitOptions const& options, WorkerPool& pool,
                               GradientEstimator const& estimator);
// AdaGrad and Adam: steps on the Euclidean gradient ĝ; no stopping rule.
FitResult fit_first_order(Program const& program, FitOptions const& options, WorkerPool& pool,
                          GradientEstimator const& estimator);

Eigen::VectorXd initial_parameters(Program const& program);

}  // namespace bbvi
