// The fit loop (docs/method.md, 'The natural-gradient step'): each iteration
// draws and estimates (retrying as draw_with_retries says), takes the plan's
// step, records it, and stops when the step's stopping rule holds or at the
// cap.
#include "runtime/bbvi/fit.hpp"

#include "runtime/bbvi/retries.hpp"

#include <chrono>

namespace bbvi {

Eigen::VectorXd initial_parameters(Program const& program) {
  Eigen::VectorXd u(static_cast<Eigen::Index>(program.parameter_dimension));
  for (Parameter const& p : program.parameters)
    for (std::size_t i = 0; i < p.coordinates(); ++i) u[static_cast<Eigen::Index>(p.offset + i)] = p.initial[i];
  return u;
}

FitResult fit(Program const& program, FitOptions const& options) {
  FitPlan plan = plan_fit(program, options);
  return fit(program, plan, options);
}

FitResult fit(Program const& program, FitPlan& plan, FitOptions const& options) {
  FitSettings const& settings = plan.settings;
  auto const start = std::chrono::steady_clock::now();
  WorkerPool pool(settings.threads);
  std::unique_ptr<Step> const step = entry_of(settings.method).make(StepContext{program, settings});
  GradientEstimator& estimator = *plan.estimator;
  FitResult r;
  Iterate at{initial_parameters(program), {}, 0};
  at.last_step = Eigen::VectorXd::Zero(at.u.size());
  GradientMonitor monitor;
  bool settled = false;
  for (int t = 1; t <= settings.max_iterations; ++t) {
    Attempt const a = draw_with_retries(program, settings, pool, estimator, *step, t, at);
    StepTaken taken = step->take(a.draws, a.estimate, estimator, at.u);
    estimator.end_iteration();
    if (taken.settling && !settled) {
      monitor = GradientMonitor{};
      settled = true;
    }
    monitor.add(taken.gradient, taken.variance);
    at.last_step = std::move(taken.change);
    at.u += at.last_step;
    taken.record.iteration = t;
    if (!options.trace_parameters) taken.record.u = Eigen::VectorXd();
    r.trace.push_back(std::move(taken.record));
    r.iterations = t;
    // Asked between iterations, on the fit's own thread, where the exception
    // unwinds nothing half done.
    if (options.on_iteration) options.on_iteration(r.trace.back());
    if (options.stop_requested && options.stop_requested()) throw FitStopped();
    if (step->converged()) {
      r.converged = true;
      break;
    }
  }
  r.u = at.u;
  step->finish(r);
  r.gradient = monitor.summary();
  r.log_joint_evaluations = at.log_joint_evaluations;
  r.settings = settings;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace bbvi
