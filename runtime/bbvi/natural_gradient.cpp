// The default fit (docs/method.md, 'The natural-gradient step'). Three
// phases:
// 1. Far from the optimum: the natural gradient δ and the ELBO from one
//    regression over the S draws, the step u ← u + ρ δ bounded by a trust
//    region ½ ρ² δᵀFδ ≤ κ on the change of q.
// 2. Once that bound stops binding: full steps (ρ = η) while the gradient is
//    still distinguishable from noise.
// 3. Once it is not: ρ_k = η/√k, and the result is the mean of the latter
//    half of these iterates (Polyak–Ruppert; tail_average.hpp). Here
//    δ = F̄⁻¹ Ĉov(s, f), with F̄ the Fisher averaged over the phase: unbiased,
//    so the average settles at the optimum itself rather than where the
//    regression's O(1/S) bias would put it.
//
// Stopping rule: converged when, over the last few iterations of phase 3,
// (a) the mean natural gradient is indistinguishable from noise — a Wald test
// against the estimates' own standard errors — and (b) the averaged iterate's
// own Monte-Carlo noise, as KL (TailAverage::noise_kl), is below `tolerance`
// nats.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/estimators.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/numerical_trouble.hpp"
#include "runtime/bbvi/tail_average.hpp"
#include "runtime/evaluate.hpp"

#include <Eigen/Cholesky>
#include <boost/math/distributions/fisher_f.hpp>

#include <cmath>
#include <deque>
#include <optional>

namespace bbvi {

namespace {

constexpr std::size_t window = 5;
// Times a step that led to trouble is shrunk tenfold before the fit gives up.
constexpr int max_retries = 5;
// A step that would move q by less than this many nats is noise whatever the
// standard errors say (they vanish when the guide family holds the posterior).
constexpr double negligible_kl = 1e-6;

struct StepEstimate {
  Eigen::VectorXd delta;       // the natural gradient
  Eigen::MatrixXd covariance;  // of delta, estimated from the draws
  Eigen::MatrixXd fisher;
  double elbo = 0;
  double elbo_variance = 0;
  // What the covariance was estimated with: its degrees of freedom, and
  // whether it is a sample covariance of the estimate itself (Hotelling's T²)
  // rather than a regression's σ̂²(XᵀX)⁻¹.
  double dof = 1;
  bool hotelling = false;
  Eigen::MatrixXd exact_inverse;  // GradientEstimate::exact_fisher_inverse

  double kl() const { return 0.5 * delta.dot(fisher * delta); }
  double noise_kl() const { return 0.5 * (fisher * covariance).trace(); }
  // δᵀ (Cov + c·exact_inverse)⁻¹ δ. On the blocks where the estimator used
  // the family's exact Fisher F (local expectations), the floor c F⁻¹ makes a
  // deviation that would move q by less than negligible_kl count as noise:
  // there a coordinate can be estimated exactly (a log sd under a quadratic
  // blanket), its standard error vanishes, and rounding would look
  // significant.
  double wald() const {
    Eigen::MatrixXd total = covariance;
    if (exact_inverse.size() > 0) total += (2 * negligible_kl / static_cast<double>(delta.size())) * exact_inverse;
    Eigen::LDLT<Eigen::MatrixXd> const solver(total);
    return delta.dot(solver.solve(delta));
  }
  // The 95% point of wald() when the true gradient is zero. With the
  // covariance estimated from few draws this is far above χ²_P: W/P is
  // F(P, dof) for a regression; Hotelling's T² adds (dof + P − 1)/dof.
  double critical_value() const {
    double const P = static_cast<double>(delta.size());
    double const f = boost::math::quantile(boost::math::fisher_f(P, dof), 0.95);
    return P * f * (hotelling ? (dof + P - 1) / dof : 1.0);
  }
  bool is_noise() const {
    double const w = wald();
    return kl() < negligible_kl || (std::isfinite(w) && w < critical_value());
  }
};

// The window's mean step, whose covariance is the mean covariance over m
// (each iteration draws afresh), and the ELBO averaged likewise.
StepEstimate window_mean(std::deque<StepEstimate> const& w) {
  double const m = static_cast<double>(w.size());
  Eigen::Index const P = w.front().delta.size();
  StepEstimate mean{Eigen::VectorXd::Zero(P), Eigen::MatrixXd::Zero(P, P), Eigen::MatrixXd::Zero(P, P), 0, 0, 0,
                    false, w.front().exact_inverse};
  for (auto const& e : w) {
    mean.delta += e.delta / m;
    mean.covariance += e.covariance / (m * m);
    mean.fisher += e.fisher / m;
    mean.elbo += e.elbo / m;
    mean.elbo_variance += e.elbo_variance / (m * m);
    mean.dof += e.dof;
    mean.hotelling = mean.hotelling || e.hotelling;
  }
  return mean;
}

StepEstimate step_of(GradientEstimate const& g) {
  return {g.natural, g.natural_covariance, g.fisher, g.elbo, g.elbo_variance, g.dof, g.hotelling, g.exact_fisher_inverse};
}

}  // namespace

FitResult fit_natural_gradient(Program const& program, FitOptions const& options, WorkerPool& pool,
                               GradientEstimator const& estimator) {
  FitResult r;
  r.u = initial_parameters(program);
  Eigen::Index const P = r.u.size();
  std::deque<StepEstimate> recent;
  int averaged = 0;  // noise-level iterations of phase 3 so far: ρ = η/√averaged
  Eigen::MatrixXd fisher_sum = Eigen::MatrixXd::Zero(P, P);
  Eigen::MatrixXd mean_fisher;  // over phase 3 so far
  int fisher_count = 0;
  TailAverage tail;
  GradientMonitor monitor;
  Blankets const* const blankets = uses_blankets(estimator.kind()) ? &estimator.blankets() : nullptr;

  Eigen::VectorXd last_step = Eigen::VectorXd::Zero(P);  // the step that led to r.u

  GradientEstimate previous;  // the last iteration's, for regression-rb-joint's control variates
  for (int t = 1; t <= options.max_iterations; ++t) {
    Draws d;
    GradientEstimate estimate;
    StepEstimate step;
    for (int retry = 0;; ++retry) {
      // A retry draws afresh, from streams no first attempt uses.
      std::uint64_t const stream = static_cast<std::uint64_t>(t) + (static_cast<std::uint64_t>(retry) << 32);
      std::optional<Diagnostic> trouble;
      try {
        d = draw(program, r.u, options.samples, options.seed, stream, pool, blankets, estimator.local_plan());
        r.log_joint_evaluations += d.evaluations;
        if (!d.elbo_terms().allFinite()) {
          trouble = explain_non_finite(program, r.u, d.elbo_terms(), options.seed, stream);
        } else {
          estimate = estimator.estimate(d);
          step = step_of(estimate);
          if (!step.delta.allFinite())
            trouble = error_at(program.file, {}, "the natural gradient is not finite at the guide's parameters (" +
                                                     describe_parameters(program, r.u) + ")");
        }
      } catch (NumericalError const& e) {
        trouble = e.diagnostic();
      }
      if (!trouble) break;
      // The last step went where the model or the guide cannot be evaluated:
      // take back all but a tenth of it and try again from there.
      if (retry == max_retries || last_step.isZero()) throw NumericalError(*trouble);
      r.u -= 0.9 * last_step;
      last_step *= 0.1;
      if (averaged > 0) tail.replace_last(r.u);
    }
    if (averaged == 0 && step.kl() <= options.trust_region && step.is_noise()) averaged = 1;
    double rho = options.step_size;
    if (averaged > 0) {
      fisher_sum += step.fisher;
      mean_fisher = fisher_sum / ++fisher_count;
      estimate = estimator.unbiased(d, estimate, mean_fisher, &previous);
      step = step_of(estimate);
      rho /= std::sqrt(averaged);
      // The step shrinks only while the gradient is down to noise: a
      // significant one keeps the current step instead of decaying early.
      if (step.is_noise()) ++averaged;
    }
    if (rho * rho * step.kl() > options.trust_region) rho = std::sqrt(options.trust_region / step.kl());
    if (!std::isfinite(rho) || !step.delta.allFinite())
      throw NumericalError(error_at(program.file, {}, "the natural gradient is not finite at the guide's parameters (" +
                                                          describe_parameters(program, r.u) + ")"));
    // The step's own estimate, δ, in Euclidean units: F·δ with F the Fisher it used.
    monitor.add(step.fisher * step.delta, (step.fisher * step.covariance * step.fisher).diagonal());
    previous = estimate;
    last_step = rho * step.delta;
    r.u += last_step;
    if (averaged > 0) tail.add(r.u, step.noise_kl());

    r.trace.push_back({t, step.elbo, std::sqrt(step.elbo_variance), rho, averaged > 0 ? tail.mean() : r.u});
    if (options.on_iteration) options.on_iteration(r.trace.back());
    r.iterations = t;
    recent.push_back(step);
    if (recent.size() > window) recent.pop_front();
    StepEstimate const mean = window_mean(recent);
    r.elbo = mean.elbo;
    r.elbo_se = std::sqrt(mean.elbo_variance);
    if (averaged > static_cast<int>(window) && mean.is_noise() &&
        tail.noise_kl(mean_fisher) < options.tolerance) {
      r.converged = true;
      break;
    }
  }
  if (tail.tail_length() > 0) {
    r.u = tail.mean();
    if (mean_fisher.size() > 0) {
      r.noise_kl = tail.noise_kl(mean_fisher);
      r.fisher = mean_fisher;
    }
  }
  r.gradient = monitor.summary();
  return r;
}

}  // namespace bbvi
