#include "runtime/bbvi/local_cost.hpp"

#include <algorithm>
#include <cmath>

namespace bbvi {

double terms_evaluated(Program const& program, std::vector<bool> const& statements) {
  double terms = 0;
  for (std::size_t s = 0; s < program.model.size(); ++s) {
    if (!statements[s]) continue;
    if (auto const* f = std::get_if<Factor>(&program.model[s]))
      terms += f->statistics.empty() && !f->affine ? static_cast<double>(std::max<std::size_t>(f->lhs_size, 1)) : 1;
    else
      terms += static_cast<double>(std::max<std::size_t>(std::get<Definition>(program.model[s]).value.size, 1));
  }
  return terms;
}

std::vector<std::size_t> colour_strides(LocalPlan const& plan, LocalPoints const& points, int samples,
                                        std::vector<std::size_t> const& wanted) {
  std::vector<std::size_t> strides(plan.colours.size(), 1);
  if (plan.terms_per_point.size() != plan.colours.size() || wanted.size() != plan.colours.size() || samples <= 0)
    return strides;
  // By colour, the terms a draw of it evaluates: its most points, each the
  // colour's statements.
  std::vector<double> per_draw(plan.colours.size(), 0);
  double thinnable = 0;
  for (std::size_t c = 0; c < plan.colours.size(); ++c) {
    std::size_t most = 0;
    for (std::size_t i : plan.colours[c])
      most = std::max(most, points.nodes[i].empty() ? points.points[i].size() : points.nodes[i].size());
    per_draw[c] = plan.terms_per_point[c] * static_cast<double>(most);
    thinnable += per_draw[c];
  }
  if (thinnable <= plan.terms_per_draw) return strides;
  auto const S = static_cast<std::size_t>(samples);
  auto const taken = static_cast<std::size_t>(std::ceil(plan.terms_per_draw / thinnable * static_cast<double>(S)));
  for (std::size_t c = 0; c < plan.colours.size(); ++c)
    if (per_draw[c] > 0)
      strides[c] = wanted[c] == 0 ? 0 : std::max<std::size_t>(1, S / std::max({taken, fewest_local_draws, wanted[c]}));
  return strides;
}

std::vector<Eigen::Index> draws_taken(int samples, std::size_t stride) {
  std::vector<Eigen::Index> out;
  if (stride == 0) return out;
  for (Eigen::Index s = 0; s < samples; s += static_cast<Eigen::Index>(stride)) out.push_back(s);
  return out;
}

}  // namespace bbvi
