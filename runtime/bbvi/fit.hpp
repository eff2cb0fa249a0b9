#pragma once
// Fitting λ: the two methods of the command line, behind one entry point.
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/gradient_monitor.hpp"
#include "runtime/parallel.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace bbvi {

enum class Method {
  natural_gradient,  // the default: MATH.md's regression step, trust region, 1/t decay
  adagrad,           // Algorithm 1 of the BBVI paper with AdaGrad, as published
};

struct FitOptions {
  Method method = Method::natural_gradient;
  int samples = 0;          // S per iteration; 0: the method's default
  int max_iterations = 0;   // the cap; 0: the method's default
  double step_size = 0;     // η; 0: the method's default
  std::uint64_t seed = 1;
  int threads = 0;  // threads the draws are split over; 0: all cores. Never changes the result.
  // natural gradient: stop once the averaged result's Monte-Carlo noise is below
  // this many nats of KL (and the gradient is indistinguishable from noise).
  double tolerance = 3e-4;
  double trust_region = 1.0;  // κ: a step may change q by at most this many nats
  // natural gradient: regress each group of parameters on its own Markov
  // blanket (Rao-Blackwellised) rather than all of u on the full f.
  // fit() decides when `automatic`: see rao_blackwellise_by_default().
  enum class Grouping { automatic, joint, blankets } grouping = Grouping::automatic;
};

struct IterationRecord {
  int iteration = 0;
  double elbo = 0;     // this iteration's estimate
  double elbo_se = 0;  // and its standard error
  double step = 0;     // the step size used (ρ_t, or η for AdaGrad)
};

struct FitResult {
  Eigen::VectorXd u;  // the fitted parameters, unconstrained
  double elbo = 0;    // averaged over the last iterations
  double elbo_se = 0;
  int iterations = 0;
  bool converged = false;
  double seconds = 0;
  int samples = 0;
  long log_joint_evaluations = 0;
  std::vector<IterationRecord> trace;
  GradientSummary gradient;  // over the last iterations: what the estimator achieved
};

// The joint regression needs S > P + 1 draws and grows noisy as P grows; per
// group, S > (the largest group's parameters) + 1. Whether `automatic`
// groups: see the definition for what has been measured.
bool rao_blackwellise_by_default(Program const& program);

// The defaults each method uses for the options left at 0.
int default_samples(Method method, std::size_t parameters);  // parameters: of the largest regression
int default_max_iterations(Method method);
double default_step_size(Method method);

// Throws DiagnosticError (an option error, no file) for too few --samples.
FitResult fit(Program const& program, FitOptions const& options);

// Each method on its own (fit() picks one); options are complete here.
// `blankets`: regress group by group over them; null: one joint regression.
FitResult fit_natural_gradient(Program const& program, FitOptions const& options, WorkerPool& pool,
                               Blankets const* blankets);
FitResult fit_adagrad(Program const& program, FitOptions const& options, WorkerPool& pool);

Eigen::VectorXd initial_parameters(Program const& program);

}  // namespace bbvi
