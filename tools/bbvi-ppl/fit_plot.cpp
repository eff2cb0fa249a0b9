#include "tools/bbvi-ppl/fit_plot.hpp"

#include "runtime/evaluate.hpp"
#include "runtime/psis.hpp"
#include "tools/bbvi-ppl/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bbvi::cli {

namespace {

constexpr int grid_points = 200;

// The grid the density is drawn on: the draws' 0.5% to 99.5% range (what the
// histogram shows), widened by a tenth on each side.
std::vector<double> grid_over(std::vector<double> draws) {
  draws.erase(std::remove_if(draws.begin(), draws.end(), [](double x) { return !std::isfinite(x); }), draws.end());
  if (draws.size() < 2) return {};
  std::sort(draws.begin(), draws.end());
  double const lo = draws[draws.size() / 200], hi = draws[draws.size() - 1 - draws.size() / 200];
  if (!(hi > lo)) return {};
  double const margin = 0.1 * (hi - lo);
  std::vector<double> xs;
  for (int i = 0; i < grid_points; ++i) xs.push_back(lo - margin + (hi - lo + 2 * margin) * i / (grid_points - 1));
  return xs;
}

// The integers from the smallest finite draw to the largest, at most
// max_integers of them (svg_plot bins any more together).
std::vector<double> integers_over(std::vector<double> const& draws) {
  constexpr double max_integers = 10000;
  double smallest = std::numeric_limits<double>::infinity(), largest = -smallest;
  for (double d : draws)
    if (std::isfinite(d)) smallest = std::min(smallest, d), largest = std::max(largest, d);
  std::vector<double> xs;
  if (smallest > largest) return xs;
  double const lo = std::round(smallest), hi = std::min(std::round(largest), lo + max_integers - 1);
  for (double x = lo; x <= hi; ++x) xs.push_back(x);
  return xs;
}

// Each draw's Pareto-smoothed importance weight p/q, scaled so that the
// largest is 1; all 0 when no draw carries weight.
std::vector<double> importance_weights(GuideDraws const& draws) {
  std::vector<double> log_ratios(draws.log_p.size());
  for (std::size_t s = 0; s < log_ratios.size(); ++s) log_ratios[s] = draws.log_p[s] - draws.log_q[s];
  std::vector<double> weights(log_ratios.size(), 0.0);
  if (log_ratios.empty()) return weights;
  std::vector<double> const log_weights = pareto_smooth(log_ratios).log_weights;
  double const largest = *std::max_element(log_weights.begin(), log_weights.end());
  if (!std::isfinite(largest)) return weights;
  for (std::size_t s = 0; s < weights.size(); ++s) weights[s] = std::exp(log_weights[s] - largest);
  return weights;
}

}  // namespace

std::string fit_plot(std::string const& title, Program const& program, FitResult const& result,
                     GuideDraws const& draws) {
  ElboTrace trace;
  for (IterationRecord const& r : result.trace) {
    trace.iteration.push_back(r.iteration);
    trace.elbo.push_back(r.elbo);
    trace.se.push_back(r.elbo_se);
  }
  // The posterior as the draws see it: each draw weighted by p/q, so that
  // where the guide misses the posterior the bars leave the guide's curve.
  std::vector<double> const weights = importance_weights(draws);
  std::vector<MarginalPlot> marginals;
  std::vector<std::vector<double>> grids(program.latent_dimension);
  for (LatentVariable const& v : program.latents)
    for (std::size_t k = 0; k < v.length(); ++k) {
      std::size_t const e = v.offset + k;
      MarginalPlot m;
      m.name = v.size == 0 ? v.name : fmt::format("{}[{}]", v.name, k + 1);
      for (Eigen::Index s = 0; s < draws.z.rows(); ++s) m.draws.push_back(draws.z(s, static_cast<Eigen::Index>(e)));
      m.weights = weights;
      m.discrete = v.discrete;
      grids[e] = v.discrete ? integers_over(m.draws) : grid_over(m.draws);
      marginals.push_back(std::move(m));
    }
  std::vector<std::vector<double>> const densities = guide_marginal_densities(program, result.u, grids);
  for (std::size_t e = 0; e < marginals.size(); ++e) {
    marginals[e].x = grids[e];
    marginals[e].density = densities[e];
  }
  return svg_report(title, trace, marginals);
}

}  // namespace bbvi::cli
