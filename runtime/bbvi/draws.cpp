#include "runtime/bbvi/draws.hpp"

#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"

namespace bbvi {

namespace {

// Group j's f_j for one draw, from its log-joint's terms by statement and
// element and its guide's terms by latent element.
Eigen::RowVectorXd blanket_terms(Blankets const& b, std::vector<std::vector<double>> const& terms,
                                 std::vector<double> const& log_q) {
  Eigen::RowVectorXd out = Eigen::RowVectorXd::Zero(static_cast<Eigen::Index>(b.groups.size()));
  for (std::size_t i = 0; i < terms.size(); ++i)
    for (std::size_t k = 0; k < terms[i].size(); ++k)
      for (int g : b.terms[i].of(k)) out[g] += terms[i][k];
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
    std::vector<std::vector<double>> terms;  // for the blankets: by statement and element
    d.log_p[s] = blankets ? log_joint_terms(program, z, terms) : log_joint(program, z);
    Eigen::VectorXd score(u.size());
    std::vector<double> log_q;  // for the blankets: by latent element
    d.log_q[s] = log_guide_with_score(program, u, z, score, blankets ? &log_q : nullptr);
    d.scores.row(s) = score.transpose();
    if (blankets) d.group_f.row(s) = blanket_terms(*blankets, terms, log_q);
  });
  return d;
}

}  // namespace bbvi
