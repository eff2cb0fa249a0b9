#include "runtime/psis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>  // std::accumulate, std::iota
#include <stdexcept>

namespace bbvi {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

// −infinity is a weight of 0 and stays; +infinity and NaN are no weight at all.
void check_log_ratios(char const* function, std::vector<double> const& log_ratios) {
  for (std::size_t s = 0; s < log_ratios.size(); ++s) {
    if (std::isnan(log_ratios[s]) || log_ratios[s] == infinity)
      throw std::invalid_argument(fmt::format("{}: log ratio {} is {}, but must be finite or -inf", function, s,
                                              log_ratios[s]));
  }
}

double mean_log1p(double a, std::vector<double> const& x) {
  double sum = 0;
  for (double xi : x) sum += std::log1p(a * xi);
  return sum / static_cast<double>(x.size());
}

// The GPD's quantile at p, in the parameterisation of GeneralizedPareto.
double quantile(GeneralizedPareto const& gpd, double p) {
  if (gpd.k == 0) return -gpd.sigma * std::log1p(-p);  // the exponential limit
  return gpd.sigma * std::expm1(-gpd.k * std::log1p(-p)) / gpd.k;
}

}  // namespace

GeneralizedPareto fit_generalized_pareto(std::vector<double> x) {
  if (x.empty()) throw std::invalid_argument("fit_generalized_pareto: no exceedances");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] >= 0) || x[i] == infinity)
      throw std::invalid_argument(fmt::format(
          "fit_generalized_pareto: exceedance {} is {}, but must be finite and non-negative", i, x[i]));
  }
  std::sort(x.begin(), x.end());
  double const n = static_cast<double>(x.size());
  // The first quartile is the floor(n/4 + 0.5)-th smallest, counting from 1
  // as loo does; a single value is its own quartile. Only a quartile of 0
  // stops the estimator, which divides by it. (posterior::gpdfit also gives
  // up when the quartile equals the minimum, which for n <= 5 is every
  // sample, though the estimator is defined there.)
  std::size_t const quartile_rank = std::max<std::size_t>(1, static_cast<std::size_t>(n / 4 + 0.5));
  double const first_quartile = x[quartile_rank - 1];
  if (first_quartile == 0) return {infinity, 0};

  // In theta = −k/sigma (loo's b), the likelihood maximised over k is
  // n (log(−theta/k) − k − 1) with k = mean log(1 − theta x), and every
  // theta on the grid keeps 1 − theta x > 0. The grid points are quantiles
  // of Zhang & Stephens's prior for theta, so averaging them weighted by
  // their likelihoods is the posterior mean of theta.
  int const grid_size = 30 + static_cast<int>(std::sqrt(n));
  std::vector<double> theta(grid_size), log_likelihood(grid_size);
  for (int j = 0; j < grid_size; ++j) {
    theta[j] = 1 / x.back() + (1 - std::sqrt(grid_size / (j + 0.5))) / (3 * first_quartile);
    double const k = mean_log1p(-theta[j], x);
    log_likelihood[j] = n * (std::log(-theta[j] / k) - k - 1);
    // theta = 0 exactly (then k = 0) is the exponential distribution, which
    // the neighbouring points stand for: leave it out rather than carry 0/0.
    if (std::isnan(log_likelihood[j])) log_likelihood[j] = -infinity;
  }
  double const top = *std::max_element(log_likelihood.begin(), log_likelihood.end());
  double weight_sum = 0, theta_hat = 0;
  for (int j = 0; j < grid_size; ++j) {
    double const w = std::exp(log_likelihood[j] - top);
    weight_sum += w;
    theta_hat += w * theta[j];
  }
  theta_hat /= weight_sum;

  GeneralizedPareto fit;
  fit.k = mean_log1p(-theta_hat, x);
  fit.sigma = -fit.k / theta_hat;  // from k before the prior pulls it, as loo does
  fit.k = (n * fit.k + 10 * 0.5) / (n + 10);
  if (!std::isfinite(fit.k) || !(fit.sigma > 0 && fit.sigma < infinity)) return {infinity, 0};
  return fit;
}

namespace {
constexpr double flat_tail = 1e-9;  // nats
}  // namespace

ParetoSmoothed pareto_smooth(std::vector<double> const& log_ratios) {
  check_log_ratios("pareto_smooth", log_ratios);
  double const draws = static_cast<double>(log_ratios.size());
  ParetoSmoothed out;
  // S/5 rather than 0.2 S, which is not exact in binary.
  out.tail_length = static_cast<std::size_t>(std::min(draws / 5, 3 * std::sqrt(draws)));
  out.log_weights = log_ratios;
  out.k_hat = infinity;  // until a fit says otherwise
  std::size_t const m = out.tail_length;
  if (m < 5) return out;

  // The m + 1 largest, largest first; ties go by position so that the result
  // does not depend on how the sort breaks them.
  std::vector<std::size_t> order(log_ratios.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m) + 1, order.end(),
                    [&](std::size_t a, std::size_t b) {
                      return log_ratios[a] > log_ratios[b] || (log_ratios[a] == log_ratios[b] && a < b);
                    });
  double const largest = log_ratios[order[0]];
  double const cutoff = log_ratios[order[m]];
  if (cutoff == -infinity) return out;
  // A flat tail: bounded weights. "Equal" to within a factor 1 + 1e-9,
  // since a guide equal to the posterior gives ratios equal but for the
  // rounding of log p − log q, which a fit would take for a tail.
  if (largest - log_ratios[order[m - 1]] <= flat_tail) {
    out.k_hat = 0;
    return out;
  }

  // Exceedances in units of the cutoff's weight, w / w_cutoff − 1: the fitted
  // k does not depend on the unit, and this one stays finite however small
  // the weights are.
  std::vector<double> exceedances(m);
  for (std::size_t i = 0; i < m; ++i) exceedances[i] = std::expm1(log_ratios[order[m - 1 - i]] - cutoff);
  if (exceedances.back() == infinity) return out;
  GeneralizedPareto const fit = fit_generalized_pareto(exceedances);
  if (fit.k == infinity) return out;

  out.k_hat = fit.k;
  // The i-th smallest of the tail becomes the fitted distribution's quantile
  // at (i − 0.5)/m, its expected order statistic, capped so that smoothing
  // never creates a weight larger than any drawn.
  for (std::size_t i = 0; i < m; ++i) {
    double const p = (static_cast<double>(i) + 0.5) / static_cast<double>(m);
    out.log_weights[order[m - 1 - i]] = std::min(largest, cutoff + std::log1p(quantile(fit, p)));
  }
  return out;
}

LogEvidence importance_log_evidence(std::vector<double> const& log_ratios) {
  check_log_ratios("importance_log_evidence", log_ratios);
  if (log_ratios.empty()) throw std::invalid_argument("importance_log_evidence: no draws");
  double const largest = *std::max_element(log_ratios.begin(), log_ratios.end());
  if (largest == -infinity) return {-infinity, infinity};

  // Weights relative to the largest, in [0, 1]: nothing overflows, and the
  // ratio sd/mean that the error needs does not depend on the unit.
  std::vector<double> weights(log_ratios.size());
  for (std::size_t s = 0; s < log_ratios.size(); ++s) weights[s] = std::exp(log_ratios[s] - largest);
  double const draws = static_cast<double>(weights.size());
  double const mean = std::accumulate(weights.begin(), weights.end(), 0.0) / draws;
  double squares = 0;
  for (double w : weights) squares += (w - mean) * (w - mean);

  LogEvidence evidence;
  evidence.value = largest + std::log(mean);
  evidence.se = log_ratios.size() == 1 ? infinity : std::sqrt(squares / (draws - 1)) / (std::sqrt(draws) * mean);
  return evidence;
}

}  // namespace bbvi
