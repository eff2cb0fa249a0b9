#include "runtime/guide_draws.hpp"

#include "core/rank_share.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"

#include <cmath>
#include <limits>

namespace bbvi {

namespace {

// The fit's streams are (seed, t, s) with t ≥ 1 counting iterations, and
// summarise_guide's take the largest t; these take the one below it.
constexpr std::uint64_t guide_draws_stream = std::numeric_limits<std::uint64_t>::max() - 1;

// Under ranks, each rank's draws to every rank (core/ranks.hpp): a draw's
// row is its latents, log p, log q and whether it was rejected.
void share_rows(Ranks& ranks, RankShare mine, GuideDraws& d, std::vector<char>& rejected) {
  Eigen::Index const width = d.z.cols() + 3;
  std::vector<double> packed;
  for (std::size_t s = mine.begin; s < mine.end; ++s) {
    for (Eigen::Index c = 0; c < d.z.cols(); ++c) packed.push_back(d.z(static_cast<Eigen::Index>(s), c));
    packed.insert(packed.end(), {d.log_p[s], d.log_q[s], static_cast<double>(rejected[s])});
  }
  std::vector<double> const all = gather_rows(ranks, packed, rejected.size(), static_cast<std::size_t>(width));
  for (std::size_t s = 0; s < rejected.size(); ++s) {
    double const* p = all.data() + static_cast<Eigen::Index>(s) * width;
    for (Eigen::Index c = 0; c < d.z.cols(); ++c) d.z(static_cast<Eigen::Index>(s), c) = *p++;
    d.log_p[s] = p[0];
    d.log_q[s] = p[1];
    rejected[s] = p[2] != 0 ? 1 : 0;
  }
}

}  // namespace

GuideDraws draw_from_guide(Program const& program, Eigen::VectorXd const& u, int count, std::uint64_t seed,
                           WorkerPool& pool) {
  std::size_t const n = static_cast<std::size_t>(count);
  GuideDraws d;
  d.z.resize(count, static_cast<Eigen::Index>(program.latent_dimension));
  d.log_p.assign(n, 0.0);
  d.log_q.assign(n, 0.0);
  std::vector<char> rejected(n, 0);
  struct NoState {};
  RankShare const mine = run_rank_share(
      pool, n, [] { return NoState{}; },
      [&](std::size_t s, NoState&) {
        RandomStream rng(seed, guide_draws_stream, s);
        std::vector<double> const z = sample_guide(program, u, rng);
        for (std::size_t i = 0; i < z.size(); ++i)
          d.z(static_cast<Eigen::Index>(s), static_cast<Eigen::Index>(i)) = z[i];
        d.log_q[s] = log_guide(program, u, z);
        try {
          d.log_p[s] = log_joint(program, z);
        } catch (NumericalError const&) {
          // A draw the model cannot evaluate (an argument out of its domain):
          // it has no weight as an importance sample.
          rejected[s] = 1;
        }
        // A ratio p/q that is undefined (both densities 0 or infinite there, as at
        // the edge of a guide fitted far from the data) weighs nothing either.
        if (rejected[s] || std::isnan(d.log_p[s]) || std::isnan(d.log_p[s] - d.log_q[s])) {
          rejected[s] = 1;
          d.log_p[s] = -std::numeric_limits<double>::infinity();
        }
      });
  if (Ranks* const ranks = sharing_ranks(pool)) share_rows(*ranks, mine, d, rejected);
  for (char r : rejected) d.rejected += r;
  return d;
}

}  // namespace bbvi
