#include "tools/bbvi-ppl/fit_plot.hpp"

#include "runtime/evaluate.hpp"
#include "tools/bbvi-ppl/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

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

}  // namespace

std::string fit_plot(std::string const& title, Program const& program, FitResult const& result,
                     GuideDraws const& draws) {
  ElboTrace trace;
  for (IterationRecord const& r : result.trace) {
    trace.iteration.push_back(r.iteration);
    trace.elbo.push_back(r.elbo);
    trace.se.push_back(r.elbo_se);
  }
  std::vector<MarginalPlot> marginals;
  std::vector<std::vector<double>> grids(program.latent_dimension);
  for (LatentVariable const& v : program.latents)
    for (std::size_t k = 0; k < v.length(); ++k) {
      std::size_t const e = v.offset + k;
      MarginalPlot m;
      m.name = v.size == 0 ? v.name : fmt::format("{}[{}]", v.name, k + 1);
      for (Eigen::Index s = 0; s < draws.z.rows(); ++s) m.draws.push_back(draws.z(s, static_cast<Eigen::Index>(e)));
      // A discrete latent's histogram is its probability mass; no curve.
      if (!v.discrete) grids[e] = grid_over(m.draws);
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
