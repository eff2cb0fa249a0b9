#include "runtime/summary.hpp"

#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace bbvi {

namespace {

// The type-7 sample quantile (R's default): linear between the order
// statistics lo and lo + 1, found by selection rather than by sorting (the
// report of a model with thousands of latents sorted 10,000 draws of each).
// The elements before `from` are the smallest, as the call for a smaller p
// leaves them; the next call starts there.
double quantile(std::vector<double>& x, double p, std::size_t& from) {
  double const h = (static_cast<double>(x.size()) - 1) * p;
  std::size_t const lo = static_cast<std::size_t>(std::floor(h));
  auto const at = x.begin() + static_cast<std::ptrdiff_t>(lo);
  std::nth_element(x.begin() + static_cast<std::ptrdiff_t>(from), at, x.end());
  from = lo;
  double const low = *at;
  double const high = lo + 1 < x.size() ? *std::min_element(at + 1, x.end()) : low;
  return low + (h - static_cast<double>(lo)) * (high - low);
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
      std::size_t from = 0;  // in increasing p
      m.q5 = quantile(c, 0.05, from);
      m.q50 = quantile(c, 0.5, from);
      m.q95 = quantile(c, 0.95, from);
      out.push_back(m);
    }
  }
  return out;
}

}  // namespace bbvi
