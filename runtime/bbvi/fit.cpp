// The fit loop (docs/method.md, 'The natural-gradient step'): each iteration
// draws and estimates (retrying as draw_with_retries says), takes the plan's
// step, records it, and stops when the step's stopping rule holds or at the
// cap.
#include "runtime/bbvi/fit.hpp"

#include "runtime/bbvi/retries.hpp"
#include "runtime/bbvi/row_batches.hpp"
#include "runtime/bbvi/subsampling_noise.hpp"

#include <chrono>
#include <optional>

namespace bbvi {

namespace {

// A subsampled fit's iteration t (docs/method.md, 'Subsampled fits'): its
// batch's program, a plan on it with the fit's settings, and that plan's
// estimator with the batch's noise added to its estimates.
struct BatchIteration {
  static FitOptions planned(FitOptions options, FitSettings const& s) {
    options.batches = nullptr;
    options.estimator = s.estimator;
    options.samples = s.samples;
    return options;
  }

  BatchIteration(RowBatches const& batches, std::size_t size, FitOptions const& options, FitSettings const& s, int t)
      : rows(batches.rows_of(s.seed, static_cast<std::uint64_t>(t), size)),
        program(batches.program_on(rows)),
        plan(plan_fit(program, planned(options, s))),
        estimator(*plan.estimator, batches, rows, planned(options, s), s.seed, static_cast<std::uint64_t>(t)) {}

  std::vector<std::size_t> const rows;
  Program const program;
  FitPlan plan;
  SubsampledEstimator estimator;
};

// The batch after one whose noise the step has come down to: four times
// as many rows, or 0 for all of them.
std::size_t grown(std::size_t batch, std::size_t rows) { return 4 * batch < rows ? 4 * batch : 0; }

}  // namespace

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
  pool.share_draws_with(options.ranks);
  std::unique_ptr<Step> step = entry_of(settings.method).make(StepContext{program, settings});
  FitResult r;
  Iterate at{initial_parameters(program), {}, 0};
  at.last_step = Eigen::VectorXd::Zero(at.u.size());
  GradientMonitor monitor;
  bool settled = false;
  // A subsampled fit's batch, growing as the fit nears the optimum (0: every row).
  std::size_t batch_size = options.batches ? options.batches->batch() : 0;
  for (int t = 1; t <= settings.max_iterations; ++t) {
    std::optional<BatchIteration> batch;
    if (batch_size > 0) batch.emplace(*options.batches, batch_size, options, settings, t);
    GradientEstimator& estimator = batch ? batch->estimator : *plan.estimator;
    Attempt const a = draw_with_retries(batch ? batch->program : program, settings, pool, estimator, *step, t, at);
    StepTaken taken = step->take(a.draws, a.estimate, estimator, at.u);
    estimator.end_iteration();
    if (batch) at.log_joint_evaluations += batch->estimator.evaluations();
    // AdaGrad's and Adam's steps have no such phase, and keep their batch.
    bool const grows = batch_size > 0 && settings.method == Method::natural_gradient;
    if (taken.settling && !settled && grows) {
      // The gradient is down to the batch's noise, where averaging would
      // crawl: the batch grows and the step approaches afresh from here, on
      // every row at last (docs/method.md, 'Subsampled fits').
      batch_size = grown(batch_size, options.batches->rows());
      step = entry_of(settings.method).make(StepContext{program, settings});
      if (batch_size == 0) {
        r.all_rows_from = t + 1;
        // The plan's settings stay what the fit runs with (and the steps read).
        FitPlan on_rows = plan_fit(program, BatchIteration::planned(options, settings));
        plan.blankets = std::move(on_rows.blankets);
        plan.estimator = std::move(on_rows.estimator);
      }
    } else if (taken.settling && !settled && !grows) {
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
