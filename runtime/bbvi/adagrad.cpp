// Algorithm 1 of Ranganath, Gerrish & Blei (2014) with AdaGrad, kept as the
// paper has it so that its behaviour can be measured: the plain score-function
// gradient ĝ = (1/S) Σ_s ∇log q(z_s) (log p − log q)(z_s), and
// u ← u + η ĝ / √(Σ_t ĝ_t²) element-wise. It runs to the iteration cap: on
// the canonical model it is still far from the optimum after 20,000
// iterations (MATH.md), which is why it is not the default.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/numerical_trouble.hpp"
#include "runtime/evaluate.hpp"

#include <cmath>

namespace bbvi {

FitResult fit_adagrad(Program const& program, FitOptions const& options, WorkerPool& pool) {
  FitResult r;
  r.u = initial_parameters(program);
  Eigen::ArrayXd accumulated = Eigen::ArrayXd::Zero(r.u.size());
  GradientMonitor monitor;
  for (int t = 1; t <= options.max_iterations; ++t) {
    Draws const d = draw(program, r.u, options.samples, options.seed, static_cast<std::uint64_t>(t), pool);
    Eigen::VectorXd const f = d.elbo_terms();
    if (!f.allFinite())
      throw NumericalError(explain_non_finite(program, r.u, f, options.seed, static_cast<std::uint64_t>(t)));
    Eigen::MatrixXd const terms = d.scores.array().colwise() * f.array();  // row s: s_s f_s
    Eigen::ArrayXd const gradient = terms.colwise().mean().transpose().array();
    Eigen::ArrayXd const spread = (terms.rowwise() - gradient.matrix().transpose()).array().square().colwise().sum();
    monitor.add(gradient.matrix(), (spread / ((options.samples - 1.0) * options.samples)).matrix());
    accumulated += gradient.square();
    // A coordinate whose gradient has always been 0 stays put (0/0 otherwise).
    Eigen::ArrayXd const scale = (accumulated > 0).select(accumulated.rsqrt(), 0.0);
    r.u += (options.step_size * gradient * scale).matrix();
    double const mean = f.mean();
    double const se = std::sqrt((f.array() - mean).square().sum() / (options.samples - 1) / options.samples);
    r.trace.push_back({t, mean, se, options.step_size});
    r.elbo = mean;
    r.elbo_se = se;
    r.iterations = t;
    r.log_joint_evaluations += options.samples;
  }
  r.gradient = monitor.summary();
  r.converged = false;  // Algorithm 1 has no stopping rule: it always runs to the cap
  return r;
}

}  // namespace bbvi
