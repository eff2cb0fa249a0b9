// The default fit (MATH.md, "The step that makes score-function VI
// converge"). Three phases:
// 1. Far from the optimum: the natural gradient δ and the ELBO from one
//    regression over the S draws, the step u ← u + ρ δ bounded by a trust
//    region ½ ρ² δᵀFδ ≤ κ on the change of q.
// 2. Once that bound stops binding: full steps (ρ = η) while the gradient is
//    still distinguishable from noise.
// 3. Once it is not: ρ_k = η/k (Robbins-Monro), which averages the noisy
//    steps. Here δ = F̄⁻¹ Ĉov(s, f), with F̄ the Fisher averaged over the
//    phase: unbiased, so the average settles at the optimum itself rather than
//    where the regression's O(1/S) bias would put it.
//
// Stopping rule: converged when, over the last few iterations of phase 3,
// (a) the mean natural gradient is indistinguishable from noise — a Wald test
// against the estimates' own standard errors — and (b) the iterate's own
// Monte-Carlo noise, tracked as the KL that the noise of the steps taken
// contributes (½ tr(F Cov δ) per step, times ρ²), is below `tolerance` nats.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/regression.hpp"
#include "runtime/evaluate.hpp"

#include <Eigen/Cholesky>
#include <boost/math/distributions/fisher_f.hpp>

#include <cmath>
#include <deque>

namespace bbvi {

namespace {

constexpr std::size_t window = 5;
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

  double kl() const { return 0.5 * delta.dot(fisher * delta); }
  double noise_kl() const { return 0.5 * (fisher * covariance).trace(); }
  double wald() const {
    Eigen::LDLT<Eigen::MatrixXd> const solver(covariance);
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
                    false};
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

StepEstimate regression_step(RegressionEstimate const& r) {
  return {r.slope, r.slope_covariance, r.fisher, r.intercept, r.intercept_variance,
          static_cast<double>(r.residual_dof), false};
}

StepEstimate averaging_step(RegressionEstimate const& r, Draws const& d, Eigen::VectorXd const& f,
                            Eigen::MatrixXd const& mean_fisher) {
  CovarianceGradient const g = covariance_gradient(d.scores, f);
  Eigen::LDLT<Eigen::MatrixXd> const solver(mean_fisher);
  Eigen::Index const P = mean_fisher.rows();
  Eigen::MatrixXd const inverse = solver.solve(Eigen::MatrixXd::Identity(P, P));
  return {solver.solve(g.gradient), inverse * g.covariance * inverse, mean_fisher, r.intercept,
          r.intercept_variance, static_cast<double>(d.scores.rows() - P), true};
}

}  // namespace

FitResult fit_natural_gradient(Program const& program, FitOptions const& options) {
  FitResult r;
  r.u = initial_parameters(program);
  Eigen::Index const P = r.u.size();
  std::deque<StepEstimate> recent;
  int averaged = 0;  // noise-level iterations of phase 3 so far: ρ = η/averaged
  Eigen::MatrixXd fisher_sum = Eigen::MatrixXd::Zero(P, P);
  int fisher_count = 0;
  double iterate_noise = 0;  // expected KL of the iterate from the noise of past steps

  for (int t = 1; t <= options.max_iterations; ++t) {
    Draws const d = draw(program, r.u, options.samples, options.seed, static_cast<std::uint64_t>(t));
    r.log_joint_evaluations += options.samples;
    Eigen::VectorXd const f = d.elbo_terms();
    if (!f.allFinite())
      throw NumericalError(error_at(program.file, {}, "log p − log q is not finite at a draw from the guide"));
    RegressionEstimate const regression = regress(d.scores, f);
    StepEstimate step = regression_step(regression);
    if (averaged == 0 && step.kl() <= options.trust_region && step.is_noise()) averaged = 1;
    double rho = options.step_size;
    if (averaged > 0) {
      fisher_sum += regression.fisher;
      step = averaging_step(regression, d, f, fisher_sum / ++fisher_count);
      rho /= averaged;
      // The step shrinks only while the gradient is down to noise: a
      // significant one keeps the current step instead of decaying early.
      if (step.is_noise()) ++averaged;
    }
    if (rho * rho * step.kl() > options.trust_region) rho = std::sqrt(options.trust_region / step.kl());
    if (!std::isfinite(rho) || !step.delta.allFinite())
      throw NumericalError(error_at(program.file, {}, "the natural gradient is not finite"));
    r.u += rho * step.delta;
    iterate_noise = (1 - rho) * (1 - rho) * iterate_noise + rho * rho * step.noise_kl();

    r.trace.push_back({t, step.elbo, std::sqrt(step.elbo_variance), rho});
    r.iterations = t;
    recent.push_back(step);
    if (recent.size() > window) recent.pop_front();
    StepEstimate const mean = window_mean(recent);
    r.elbo = mean.elbo;
    r.elbo_se = std::sqrt(mean.elbo_variance);
    if (averaged > static_cast<int>(window) && mean.is_noise() && iterate_noise < options.tolerance) {
      r.converged = true;
      break;
    }
  }
  return r;
}

}  // namespace bbvi
