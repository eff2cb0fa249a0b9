#pragma once
// Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao and
// Gabry, "Pareto smoothed importance sampling", JMLR 2024): how far draws
// from the guide q can be trusted to stand in for the posterior, and the
// importance-weighted estimate of log p(x). Follows R's loo::psis (with
// posterior::ps_tail and posterior::gpdfit) and ArviZ's _psislw and _gpdfit.
#include <cstddef>
#include <vector>

namespace bbvi {

// A generalised Pareto distribution's shape k and scale sigma (location 0):
// P(X > x) = (1 + k x / sigma)^(-1/k). Its mean exists for k < 1, its
// variance for k < 1/2.
struct GeneralizedPareto {
  double k = 0, sigma = 0;
};

// Fits to exceedances over a threshold by Zhang & Stephens (2009)'s
// empirical-Bayes estimator, then pulls k towards 0.5 by the weakly
// informative prior PSIS uses: k <- (n k + 10 * 0.5) / (n + 10). The values
// must be finite and non-negative (a draw tied with the threshold exceeds it
// by 0). The estimator divides by the sample's first quartile: when that is
// 0 (a quarter of the values or more are 0) there is no fit, and the result
// is k = +infinity, sigma = 0, as loo reports a fit it cannot make; so it is
// too if the arithmetic breaks down (an estimate that is not finite). Throws
// std::invalid_argument for an empty sample or a value that is negative,
// infinite or NaN.
GeneralizedPareto fit_generalized_pareto(std::vector<double> exceedances);

struct ParetoSmoothed {
  // The shape of the weights' right tail: below 0.5 good, 0.5 to 0.7 usable
  // with smoothing, above 0.7 unreliable. +infinity when it cannot be
  // estimated (see pareto_smooth), which reads as unreliable.
  double k_hat = 0;
  // M = min(0.2 S, 3 sqrt(S)), rounded down as posterior::ps_tail_length
  // does (loo::psis rounds up): the largest weights the fit sees.
  std::size_t tail_length = 0;
  // Smoothed log importance weights, unnormalised, in the input's order and
  // on its scale: only the M largest differ from the log ratios.
  std::vector<double> log_weights;
};

// log_ratios: log p(x, z_s) − log q(z_s) for S independent draws from q.
// The M largest are replaced by the expected order statistics of the
// generalised Pareto distribution fitted to their exceedances over the
// (M + 1)-th largest, capped at the largest log ratio. A ratio of −infinity
// is a weight of 0 (the draw is impossible under p) and is kept as it is;
// +infinity and NaN throw std::invalid_argument. Where there is nothing to
// fit, the log weights are the log ratios unchanged and
// - k_hat = +infinity when M < 5 (S < 25: too few draws to judge the tail),
//   when the (M + 1)-th largest ratio is −infinity (at most M draws carry
//   all the weight), or when the fit fails (see fit_generalized_pareto; or
//   the largest weight is more than e^709 times the (M + 1)-th);
// - k_hat = 0 when the M largest log ratios are equal (to within 1e-9, the
//   rounding of log p − log q when q is the posterior itself), all ratios
//   equal included: the weights are bounded and their largest value is
//   shared by M draws, so no single draw can dominate.
ParetoSmoothed pareto_smooth(std::vector<double> const& log_ratios);

struct LogEvidence {
  double value = 0, se = 0;
};

// The importance-sampling estimate of log p(x) = log mean_s exp(log_ratio_s),
// and its standard error by the delta method: sd(w) / (sqrt(S) mean(w)),
// with the sample sd (divisor S − 1). Computed relative to the largest
// ratio, so any finite ratios work. Pass pareto_smooth's log_weights for the
// PSIS estimate. Ratios are checked as in pareto_smooth; if every one is
// −infinity, value = −infinity and se = +infinity, and a single draw gives
// se = +infinity: its spread is unknown. Throws std::invalid_argument for no
// draws.
LogEvidence importance_log_evidence(std::vector<double> const& log_ratios);

}  // namespace bbvi
