#include "runtime/summary.hpp"

#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bbvi {

namespace {

// The type-7 sample quantile (R's default): linear between order statistics.
double quantile(std::vector<double> const& sorted, double p) {
  double const h = (static_cast<double>(sorted.size()) - 1) * p;
  std::size_t const lo = static_cast<std::size_t>(std::floor(h));
  std::size_t const hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// Iterations of the fit use streams (seed, t, s) with t >= 1; the report's
// draws take the last iteration number so they never coincide.
constexpr std::uint64_t report_stream = std::numeric_limits<std::uint64_t>::max();

}  // namespace

std::vector<MarginalSummary> summarise_guide(Program const& program, Eigen::VectorXd const& u, int draws,
                                             std::uint64_t seed) {
  std::vector<std::vector<double>> columns(program.latent_dimension);
  for (std::vector<double>& c : columns) c.reserve(static_cast<std::size_t>(draws));
  GuideSampler sample(program, u);
  for (int s = 0; s < draws; ++s) {
    RandomStream rng(seed, report_stream, static_cast<std::uint64_t>(s));
    std::vector<double> const z = sample(rng);
    for (std::size_t i = 0; i < z.size(); ++i) columns[i].push_back(z[i]);
  }
  std::vector<MarginalSummary> out;
  for (LatentVariable const& v : program.latents) {
    for (std::size_t i = 0; i < v.length(); ++i) {
      std::vector<double>& c = columns[v.offset + i];
      MarginalSummary m;
      m.name = v.size == 0 ? v.name : fmt::format("{}[{}]", v.name, i + 1);
      double sum = 0;
      for (double x : c) sum += x;
      m.mean = sum / static_cast<double>(c.size());
      double squares = 0;
      for (double x : c) squares += (x - m.mean) * (x - m.mean);
      m.sd = std::sqrt(squares / static_cast<double>(c.size() - 1));
      std::sort(c.begin(), c.end());
      m.q5 = quantile(c, 0.05);
      m.q50 = quantile(c, 0.5);
      m.q95 = quantile(c, 0.95);
      out.push_back(m);
    }
  }
  return out;
}

}  // namespace bbvi
