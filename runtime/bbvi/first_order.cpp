// Steps on the Euclidean gradient ĝ of any estimator, per coordinate of u:
// - AdaGrad as in the BBVI paper: u ← u + η ĝ / √(Σ_t ĝ_t²). With the basic
//   estimator this is Algorithm 1, with cv Algorithm 2, as published.
// - Adam (Kingma & Ba 2015): u ← u + η m̂ / (√v̂ + ε) from the bias-corrected
//   moving averages of ĝ and ĝ².
// Neither has a stopping rule: they run to the iteration cap. On the
// canonical model AdaGrad with the basic estimator is still far from the
// optimum after 20,000 iterations (docs/method.md, 'AdaGrad and Adam'), which
// is why neither is the default.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/numerical_trouble.hpp"
#include "runtime/evaluate.hpp"

#include <cmath>

namespace bbvi {

namespace {

constexpr double adam_decay_mean = 0.9, adam_decay_square = 0.999, adam_epsilon = 1e-8;

}  // namespace

FitResult fit_first_order(Program const& program, FitOptions const& options, WorkerPool& pool,
                          GradientEstimator const& estimator) {
  FitResult r;
  r.u = initial_parameters(program);
  Eigen::Index const P = r.u.size();
  Eigen::ArrayXd accumulated = Eigen::ArrayXd::Zero(P);  // AdaGrad: Σ ĝ²; Adam: the mean of ĝ²
  Eigen::ArrayXd momentum = Eigen::ArrayXd::Zero(P);     // Adam: the mean of ĝ
  GradientMonitor monitor;
  Blankets const* const blankets = uses_blankets(estimator.kind()) ? &estimator.blankets() : nullptr;
  for (int t = 1; t <= options.max_iterations; ++t) {
    std::uint64_t const stream = static_cast<std::uint64_t>(t);
    Draws const d = draw(program, r.u, options.samples, options.seed, stream, pool, blankets, estimator.local_plan());
    r.log_joint_evaluations += d.evaluations;
    Eigen::VectorXd const f = d.elbo_terms();
    if (!f.allFinite()) throw NumericalError(explain_non_finite(program, r.u, f, options.seed, stream));
    GradientEstimate const e = estimator.estimate(d);
    if (!e.gradient.allFinite())
      throw NumericalError(error_at(program.file, {}, "the gradient estimate is not finite at the guide's parameters (" +
                                                          describe_parameters(program, r.u) + ")"));
    monitor.add(e.gradient, e.covariance.diagonal());
    Eigen::ArrayXd const g = e.gradient.array();
    if (options.method == Method::adagrad) {
      accumulated += g.square();
      // A coordinate whose gradient has always been 0 stays put (0/0 otherwise).
      Eigen::ArrayXd const scale = (accumulated > 0).select(accumulated.rsqrt(), 0.0);
      r.u += (options.step_size * g * scale).matrix();
    } else {
      momentum = adam_decay_mean * momentum + (1 - adam_decay_mean) * g;
      accumulated = adam_decay_square * accumulated + (1 - adam_decay_square) * g.square();
      Eigen::ArrayXd const mean = momentum / (1 - std::pow(adam_decay_mean, t));
      Eigen::ArrayXd const square = accumulated / (1 - std::pow(adam_decay_square, t));
      r.u += (options.step_size * mean / (square.sqrt() + adam_epsilon)).matrix();
    }
    r.trace.push_back({t, e.elbo, std::sqrt(e.elbo_variance), options.step_size, r.u});
    if (options.on_iteration) options.on_iteration(r.trace.back());
    r.elbo = e.elbo;
    r.elbo_se = std::sqrt(e.elbo_variance);
    r.iterations = t;
  }
  r.gradient = monitor.summary();
  r.converged = false;  // no stopping rule: always the cap
  return r;
}

}  // namespace bbvi
