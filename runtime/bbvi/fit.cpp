#include "runtime/bbvi/fit.hpp"

#include "runtime/bbvi/blankets.hpp"

#include "grammar/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace bbvi {

std::string_view name_of(Method m) {
  switch (m) {
    case Method::natural_gradient: return "natural-gradient";
    case Method::adagrad: return "adagrad";
    case Method::adam: return "adam";
  }
  return "?";
}

// Measured (bench/defaults.cpp, README "Which is the default"): local
// expectations need the fewest log-joint evaluations over all the example
// models together (60% fewer than the joint regression, eight schools most
// of that) and reach the best ELBO on each; the joint regression needs fewer
// on the models whose every term is Gaussian, where it is already exact.
Estimator default_estimator(Method method) {
  return method == Method::adagrad ? Estimator::basic : Estimator::local;
}

int default_samples(Method method, std::size_t block) {
  // The natural gradient regresses on (or preconditions by) blocks of P
  // coordinates: S > P + 1, and twice that keeps its residual variance (and
  // so the stopping rule) well estimated. AdaGrad and Adam: the paper's S.
  if (method == Method::natural_gradient) return std::max(10, 2 * static_cast<int>(block) + 2);
  return 10;
}

// The natural gradient usually stops within 10–200 iterations; a model whose
// f is heavy-tailed under q (eight schools: tau² in the likelihood under a
// LogNormal guide) needs a few thousand of averaging to meet the tolerance.
int default_max_iterations(Method method) { return method == Method::natural_gradient ? 10000 : 20000; }

double default_step_size(Method method) { return method == Method::adam ? 0.05 : 1.0; }

Eigen::VectorXd initial_parameters(Program const& program) {
  Eigen::VectorXd u(static_cast<Eigen::Index>(program.parameter_dimension));
  for (Parameter const& p : program.parameters)
    for (std::size_t i = 0; i < p.length(); ++i) u[static_cast<Eigen::Index>(p.offset + i)] = p.initial[i];
  return u;
}

namespace {

[[noreturn]] void bad_option(std::string message) {
  Diagnostic d;
  d.message = std::move(message);
  throw DiagnosticError(d);
}

void check_samples(FitOptions const& o, Estimator estimator, std::size_t block) {
  // A regression, or a Fisher to precondition with, needs S > P + 1 for its
  // block; any estimate's standard error needs two draws.
  bool const needs_fisher = o.method == Method::natural_gradient || is_regression(estimator);
  int const needed = needs_fisher ? static_cast<int>(block) + 2 : 2;
  if (o.samples >= needed) return;
  if (needs_fisher)
    bad_option(fmt::format("--samples {}: the {} estimator with --method {} works on up to {} parameters at once "
                           "and needs at least {} draws per iteration (more than parameters + 1)",
                           o.samples, name_of(estimator), name_of(o.method), block, needed));
  bad_option(fmt::format("--samples {}: at least 2 draws per iteration are needed to estimate the gradient's "
                         "standard error",
                         o.samples));
}

}  // namespace

FitResult fit(Program const& program, FitOptions const& options) {
  FitOptions o = options;
  Estimator const kind = o.estimator.value_or(default_estimator(o.method));
  o.estimator = kind;
  Blankets blankets = find_blankets(program);
  LocalPlan local = uses_local(kind) ? plan_local(program, blankets) : LocalPlan{};
  GradientEstimator const estimator(kind, std::move(blankets), program.parameter_dimension, std::move(local));
  std::size_t const block =
      largest_block(kind, estimator.blankets(), program.parameter_dimension, estimator.local_plan());
  if (o.samples <= 0) o.samples = default_samples(o.method, block);
  check_samples(o, kind, block);
  if (o.max_iterations <= 0) o.max_iterations = default_max_iterations(o.method);
  if (o.step_size <= 0) o.step_size = default_step_size(o.method);
  if (o.stop_requested) {
    // Asked where each method reports its iteration: between iterations, on
    // the fit's own thread, where the exception unwinds nothing half done.
    o.on_iteration = [report = std::move(o.on_iteration), stop = std::move(o.stop_requested)](
                         IterationRecord const& record) {
      if (report) report(record);
      if (stop()) throw FitStopped();
    };
  }
  auto const start = std::chrono::steady_clock::now();
  WorkerPool pool(o.threads > 0 ? o.threads : WorkerPool::available_cores());
  FitResult r = o.method == Method::natural_gradient ? fit_natural_gradient(program, o, pool, estimator)
                                                      : fit_first_order(program, o, pool, estimator);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.samples = o.samples;
  r.estimator = kind;
  return r;
}

}  // namespace bbvi
