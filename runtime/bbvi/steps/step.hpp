#pragma once
// What every step is (docs/method.md, 'The natural-gradient step', 'AdaGrad
// and Adam'): given an iteration's draws and its estimate, it moves the
// guide's parameters u. It never asks which estimator made the estimate.
// Each step lives in a file of its own in this folder and is named in
// table.cpp; fit.cpp runs the loop around it.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/estimators/estimator.hpp"
#include "runtime/bbvi/options.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <string_view>

namespace bbvi {

struct FitResult;

// What a step is made from; both outlive it.
struct StepContext {
  Program const& program;
  FitSettings const& settings;
};

struct StepTaken {
  Eigen::VectorXd change;  // added to u
  IterationRecord record;  // its iteration number is the loop's to fill
  // For the gradient summary (gradient_monitor.hpp): the step's own
  // estimate of the Euclidean gradient, and each coordinate's variance.
  Eigen::VectorXd gradient, variance;
  // In the step's final phase (the natural gradient's averaging), which the
  // gradient summary covers once it has begun: the approach's large early
  // gradients say nothing of where the fit ended.
  bool settling = true;
};

class Step {
 public:
  virtual ~Step() = default;

  // Whether the part of the estimate the step moves along is finite, and
  // what it is called in the message when it is not.
  virtual bool usable(GradientEstimate const& e) const = 0;
  virtual std::string_view direction() const = 0;

  // This iteration's step from u, with the draws the estimate came from and
  // the estimator that made it, which the step may ask for a refined
  // estimate (GradientEstimator::unbiased).
  virtual StepTaken take(Draws const& d, GradientEstimate estimate, GradientEstimator& estimator,
                         Eigen::VectorXd const& u) = 0;
  // The last step was taken back in part (draw_with_retries): u is the
  // iterate in its place.
  virtual void taken_back(Eigen::VectorXd const& /*u*/) {}
  // Whether the stopping rule holds after the last step.
  virtual bool converged() const { return false; }
  // The result's ELBO, and whatever the step knows beyond the last iterate
  // (an average of iterates, the noise it measured), into r; r.u holds the
  // last iterate.
  virtual void finish(FitResult& r) const = 0;
};

}  // namespace bbvi
