#include "runtime/bbvi/shared_draws.hpp"

#include <cstddef>

namespace bbvi {

namespace {

// The matrices with a row per draw, in the order a draw's row is packed.
std::vector<Eigen::MatrixXd*> by_draw(Draws& d) {
  std::vector<Eigen::MatrixXd*> out;
  for (Eigen::MatrixXd* m : {&d.scores, &d.latents, &d.group_f, &d.local.gradients, &d.local.curvature,
                             &d.local.couplings})
    if (m->rows() > 0) out.push_back(m);
  return out;
}

}  // namespace

void share_draws(Ranks& ranks, Draws& d, std::vector<LocalOutcome>& outcomes) {
  std::size_t const samples = outcomes.size();
  std::vector<Eigen::MatrixXd*> const matrices = by_draw(d);
  std::size_t const groups = d.local.failed.size();
  // A draw's row: its log p and log q, each matrix's row, its evaluations
  // and a 0 or 1 by local group for its failures; every count is exact in a
  // double.
  std::size_t width = 3 + groups;
  for (Eigen::MatrixXd const* m : matrices) width += static_cast<std::size_t>(m->cols());
  RankShare const mine = share_of(samples, ranks.rank(), ranks.size());
  std::vector<double> packed;
  packed.reserve((mine.end - mine.begin) * width);
  for (std::size_t s = mine.begin; s < mine.end; ++s) {
    auto const row = static_cast<Eigen::Index>(s);
    packed.push_back(d.log_p[row]);
    packed.push_back(d.log_q[row]);
    for (Eigen::MatrixXd const* m : matrices)
      for (Eigen::Index c = 0; c < m->cols(); ++c) packed.push_back((*m)(row, c));
    LocalOutcome const& o = outcomes[s];
    packed.push_back(o.evaluations);
    for (std::size_t g = 0; g < groups; ++g) packed.push_back(g < o.failed.size() && o.failed[g] ? 1 : 0);
  }
  std::vector<double> const all = gather_rows(ranks, packed, samples, width);
  for (std::size_t s = 0; s < samples; ++s) {
    auto const row = static_cast<Eigen::Index>(s);
    double const* p = all.data() + s * width;
    d.log_p[row] = *p++;
    d.log_q[row] = *p++;
    for (Eigen::MatrixXd* m : matrices)
      for (Eigen::Index c = 0; c < m->cols(); ++c) (*m)(row, c) = *p++;
    LocalOutcome& o = outcomes[s];
    o.evaluations = static_cast<int>(*p++);
    o.failed.assign(groups, false);
    for (std::size_t g = 0; g < groups; ++g) o.failed[g] = *p++ != 0;
  }
}

}  // namespace bbvi
