#include "runtime/bbvi/draws.hpp"

#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"

namespace bbvi {

Draws draw(Program const& program, Eigen::VectorXd const& u, int samples, std::uint64_t seed,
           std::uint64_t iteration) {
  Draws d;
  d.scores.resize(samples, u.size());
  d.log_p.resize(samples);
  d.log_q.resize(samples);
  Eigen::VectorXd score(u.size());
  for (int s = 0; s < samples; ++s) {
    RandomStream rng(seed, iteration, static_cast<std::uint64_t>(s));
    std::vector<double> const z = sample_guide(program, u, rng);
    d.log_p[s] = log_joint(program, z);
    d.log_q[s] = log_guide_with_score(program, u, z, score);
    d.scores.row(s) = score.transpose();
  }
  return d;
}

}  // namespace bbvi
