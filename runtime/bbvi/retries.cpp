#include "runtime/bbvi/retries.hpp"

#include "runtime/bbvi/numerical_trouble.hpp"
#include "runtime/evaluate.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace bbvi {

namespace {

// Times a step that led to trouble is shrunk tenfold before the fit gives up.
constexpr int max_retries = 5;

}  // namespace

Attempt draw_with_retries(Program const& program, FitSettings const& settings, WorkerPool& pool,
                          GradientEstimator& estimator, Step& step, int t, Iterate& at) {
  Attempt a;
  // A costly local colour is taken at some draws only where its noise would
  // stay below what the natural-gradient step's tests read (local_cost.hpp).
  // Adam's and AdaGrad's steps follow each iteration's gradient with no such
  // test: thinned, their fits were measured further from the optimum after
  // as many iterations (docs/method.md, 'Local expectations at some of the
  // draws').
  DrawNeeds needs = estimator.needs();
  if (settings.method != Method::natural_gradient) needs.local_draws = nullptr;
  for (int retry = 0;; ++retry) {
    // A retry draws afresh, from streams no first attempt uses.
    std::uint64_t const stream = static_cast<std::uint64_t>(t) + (static_cast<std::uint64_t>(retry) << 32);
    std::optional<Diagnostic> trouble;
    try {
      a.draws = draw(program, at.u, settings.samples, settings.seed, stream, pool, needs);
      at.log_joint_evaluations += a.draws.evaluations;
      if (!a.draws.elbo_terms().allFinite()) {
        trouble = explain_non_finite(program, at.u, a.draws.elbo_terms(), settings.seed, stream);
      } else {
        a.estimate = estimator.estimate(a.draws);
        if (!step.usable(a.estimate))
          trouble = error_at(program.file, {},
                             std::string(step.direction()) + " is not finite at the guide's parameters (" +
                                 describe_parameters(program, at.u) + ")");
      }
    } catch (NumericalError const& e) {
      trouble = e.diagnostic();
    }
    if (!trouble) return a;
    if (retry == max_retries || at.last_step.isZero()) throw NumericalError(*trouble);
    at.u -= 0.9 * at.last_step;
    at.last_step *= 0.1;
    step.taken_back(at.u);
  }
}

}  // namespace bbvi
