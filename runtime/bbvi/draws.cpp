#include "runtime/bbvi/draws.hpp"

#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"

namespace bbvi {

namespace {

// Group j's f_j for one draw; `log_p` receives the whole log-joint.
Eigen::RowVectorXd blanket_terms(Program const& program, Blankets const& b, Eigen::VectorXd const& u,
                                 std::vector<double> const& z, double& log_p) {
  std::vector<std::vector<double>> terms;
  log_p = log_joint_terms(program, z, terms);
  Eigen::RowVectorXd out = Eigen::RowVectorXd::Zero(static_cast<Eigen::Index>(b.groups.size()));
  for (std::size_t i = 0; i < terms.size(); ++i)
    for (std::size_t k = 0; k < terms[i].size(); ++k)
      for (int g : b.terms[i].of(k)) out[g] += terms[i][k];
  std::vector<double> const log_q = log_guide_elements(program, u, z);
  for (std::size_t e = 0; e < log_q.size(); ++e) out[b.group_of_element[e]] -= log_q[e];
  return out;
}

}  // namespace

Draws draw(Program const& program, Eigen::VectorXd const& u, int samples, std::uint64_t seed,
           std::uint64_t iteration, WorkerPool& pool, Blankets const* blankets) {
  Draws d;
  if (blankets) d.group_f.resize(samples, static_cast<Eigen::Index>(blankets->groups.size()));
  d.scores.resize(samples, u.size());
  d.log_p.resize(samples);
  d.log_q.resize(samples);
  pool.run(static_cast<std::size_t>(samples), [&](std::size_t draw_index) {
    Eigen::Index const s = static_cast<Eigen::Index>(draw_index);
    RandomStream rng(seed, iteration, draw_index);
    std::vector<double> const z = sample_guide(program, u, rng);
    if (blankets)
      d.group_f.row(s) = blanket_terms(program, *blankets, u, z, d.log_p[s]);
    else
      d.log_p[s] = log_joint(program, z);
    Eigen::VectorXd score(u.size());
    d.log_q[s] = log_guide_with_score(program, u, z, score);
    d.scores.row(s) = score.transpose();
  });
  return d;
}

}  // namespace bbvi
