#include "runtime/bbvi/plan.hpp"

#include "runtime/bbvi/row_batches.hpp"
#include "runtime/bbvi/table.hpp"
#include "core/parallel.hpp"

#include "core/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bbvi {

namespace {

// An error in the option `setting`, given as `value` (tools/ words it as the
// flag: core/diagnostic.hpp).
Diagnostic option_error(Setting setting, std::string value) {
  Diagnostic d;
  d.setting = setting;
  d.setting_value = std::move(value);
  return d;
}

// A regression, or a Fisher to precondition with, needs S > P + 1 for its
// block; any estimate's standard error needs two draws.
void check_samples(FitSettings const& s, GradientEstimator const& estimator, std::size_t block) {
  bool const needs_fisher = s.method == Method::natural_gradient || estimator.regresses();
  int const needed = needs_fisher ? static_cast<int>(block) + 2 : 2;
  if (s.samples >= needed) return;
  Diagnostic d = option_error(Setting::samples, fmt::format("{}", s.samples));
  if (needs_fisher) {
    d.message = fmt::format("the {} estimator with ", s.estimator);
    mention(d, Setting::method);
    d.message += fmt::format(" {} works on up to {} parameters at once and needs at least {} draws per iteration "
                             "(more than parameters + 1)",
                             name_of(s.method), block, needed);
  } else {
    d.message = "at least 2 draws per iteration are needed to estimate the gradient's standard error";
  }
  throw DiagnosticError(d);
}

}  // namespace

FitPlan plan_fit(Program const& program, FitOptions const& options) {
  if (options.batches) {
    // Each iteration's estimator is made on its own batch (fit.cpp): the
    // first batch sizes the draws, and its estimator goes with it.
    RowBatches const& batches = *options.batches;
    Program const first = batches.program_on(batches.rows_of(options.seed, 1));
    FitOptions on_rows = options;
    on_rows.batches = nullptr;
    FitPlan plan = plan_fit(first, on_rows);
    plan.estimator.reset();
    plan.blankets.reset();
    plan.settings.batch = batches.batch();
    plan.settings.rows = batches.rows();
    return plan;
  }
  MethodEntry const& method = entry_of(options.method);
  FitPlan plan;
  FitSettings& s = plan.settings;
  s.method = options.method;
  s.estimator_is_default = options.estimator.empty();
  s.estimator = s.estimator_is_default ? std::string(method.estimator) : options.estimator;
  EstimatorEntry const* const estimator = estimator_named(s.estimator);
  if (!estimator) {
    Diagnostic d = option_error(Setting::estimator, s.estimator);
    d.message = "there is no estimator of that name";
    throw DiagnosticError(d);
  }
  plan.blankets = std::make_unique<Blankets const>(find_blankets(program));
  plan.estimator = estimator->make(EstimatorContext{program, *plan.blankets});
  plan.largest_block = plan.estimator->largest_block();
  // The coupled step's curvature regressions want the draws of a block of
  // their size; with fewer they are skipped, so they never make S an error.
  std::size_t const sized_for = s.method == Method::natural_gradient
                                    ? std::max(plan.largest_block, plan.estimator->curvature_regressors())
                                    : plan.largest_block;
  s.samples = options.samples > 0 ? options.samples : method.samples(sized_for);
  check_samples(s, *plan.estimator, plan.largest_block);
  s.max_iterations = options.max_iterations > 0 ? options.max_iterations : method.max_iterations;
  s.step_size = options.step_size > 0 ? options.step_size : method.step_size;
  s.tolerance = options.tolerance;
  s.trust_region = options.trust_region;
  s.per_factor = options.per_factor;
  s.seed = options.seed;
  s.threads = options.threads > 0 ? options.threads : WorkerPool::available_cores();
  return plan;
}

}  // namespace bbvi
