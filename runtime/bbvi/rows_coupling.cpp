#include "runtime/bbvi/rows_coupling.hpp"

#include "core/row_blocks.hpp"
#include "runtime/polynomial_degree.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

namespace bbvi {

namespace {

// The joint degree in two elements: a product of the two counts 2.
struct JointDegree : PolynomialDegree {
  std::size_t second = 0;
  int leaf(std::size_t slot, std::size_t e) const { return e == second ? 1 : PolynomialDegree::leaf(slot, e); }
};

// The index in `colour` of statement s's likelihood whose row k reads local
// group i, if it has one.
std::optional<std::size_t> likelihood_reading(RowsColour const& colour, std::size_t s, std::size_t k, std::size_t i) {
  for (std::size_t l = 0; l < colour.likelihoods.size(); ++l) {
    RowsColour::Likelihood const& likelihood = colour.likelihoods[l];
    if (likelihood.statement == s && k < likelihood.local_of_row.size() &&
        likelihood.local_of_row[k] == static_cast<int>(i))
      return l;
  }
  return std::nullopt;
}

// Whether statement s's row k has local group i's element as its value,
// taken at the colour's points as its own factor.
bool value_of(RowsColour const& colour, std::size_t s, std::size_t k, std::size_t i) {
  // Its rows are in order (plan_rows): a search rather than a scan keeps a
  // centred hierarchy's plan from growing with the square of its groups.
  for (RowsColour::Own const& own : colour.own)
    if (own.statement == s &&
        std::binary_search(own.rows.begin(), own.rows.end(), std::pair<std::size_t, std::size_t>{k, i}))
      return true;
  return false;
}

}  // namespace

RowsCoupling plan_rows_coupling(Program const& program, ProgramWalk const& walk, Blankets const& blankets,
                                std::vector<int> const& groups, std::vector<std::size_t> const& element,
                                std::vector<std::vector<std::size_t>> const& colours,
                                std::vector<RowsColour> const& rows, std::vector<bool> const& located) {
  std::vector<int> local_of_group(blankets.groups.size(), -1);
  for (std::size_t i = 0; i < groups.size(); ++i)
    local_of_group[static_cast<std::size_t>(groups[i])] = static_cast<int>(i);
  std::vector<std::size_t> colour_of(groups.size(), 0);
  for (std::size_t c = 0; c < colours.size(); ++c)
    for (std::size_t i : colours[c]) colour_of[i] = c;
  RowsCoupling out;
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> pair_index;
  std::map<std::tuple<std::size_t, std::size_t, std::size_t>, std::size_t> shared_index;
  for (std::size_t s = 0; s < program.model.size(); ++s) {
    auto const* f = std::get_if<Factor>(&program.model[s]);
    if (!f) continue;
    TermGroups const& t = blankets.terms[s];
    for (std::size_t k = 0; k < (t.uniform ? 1 : t.by_element.size()); ++k) {
      std::vector<std::size_t> here;  // the located local groups row k reaches
      for (int g : t.of(k))
        if (int const i = local_of_group[static_cast<std::size_t>(g)]; i >= 0 && located[static_cast<std::size_t>(i)])
          here.push_back(static_cast<std::size_t>(i));
      std::sort(here.begin(), here.end());
      for (std::size_t a = 0; a < here.size(); ++a)
        for (std::size_t b = a + 1; b < here.size(); ++b) {
          std::size_t const i = here[a], j = here[b];
          std::size_t const ci = colour_of[i], cj = colour_of[j];
          if (!rows[ci].by_rows || !rows[cj].by_rows) return {};
          std::optional<std::size_t> const li = likelihood_reading(rows[ci], s, k, i);
          std::optional<std::size_t> const lj = likelihood_reading(rows[cj], s, k, j);
          // One the row's value and the other in its mean: ∂²/∂x∂η = −ℓ″ for
          // a density in x − η.
          auto value = RowsCoupling::Shared::Value::neither;
          if (!li && lj && value_of(rows[ci], s, k, i)) value = RowsCoupling::Shared::Value::a;
          if (li && !lj && value_of(rows[cj], s, k, j)) value = RowsCoupling::Shared::Value::b;
          bool const in_means = li && lj;
          if (!in_means && (value == RowsCoupling::Shared::Value::neither || !f->distribution->quadratic_in_location))
            return {};
          JointDegree joint;
          joint.only = element[i];
          joint.second = element[j];
          if (walk.operand(f->args[0], k, joint) > 1) return {};  // a product of the two
          auto const [p, added] = pair_index.try_emplace({i, j}, out.pairs.size());
          if (added) out.pairs.emplace_back(i, j);
          auto const [h, fresh] = shared_index.try_emplace({s, ci, cj}, out.shared.size());
          if (fresh) out.shared.push_back({s, value, ci, li.value_or(0), cj, lj.value_or(0), {}});
          RowsCoupling::Shared& shared = out.shared[h->second];
          if (shared.value != value) return {};
          // A term whose every row reaches the same groups: every row couples
          // them (a vector's own factor reaches each element's group alone).
          std::size_t const n = t.uniform ? rows[li ? ci : cj].likelihoods[li ? *li : *lj].local_of_row.size() : k + 1;
          for (std::size_t row = t.uniform ? 0 : k; row < n; ++row) shared.rows.emplace_back(row, p->second);
        }
    }
  }
  return out;
}

void row_couplings(RowsCoupling const& coupling, std::vector<std::vector<std::vector<double>>> const& columns,
                   RowsAtDraw& draw, Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>> out) {
  out.setZero();
  using Value = RowsCoupling::Shared::Value;
  // In fixed row blocks (docs/method.md, 'Row blocks'): a statement's rows
  // of the first block into `out`, each later block's summed on its own and
  // added. A statement's rows come in order.
  std::optional<BlockSums> block;
  for (RowsCoupling::Shared const& shared : coupling.shared) {
    std::vector<double> const& curvature = draw.at(shared.statement).curvature;  // −ℓ″
    std::vector<double> const* a = nullptr;
    std::vector<double> const* b = nullptr;
    double sign = 1;
    if (shared.value != Value::neither) {
      // The value's column is 1; the mean's is the other colour's.
      a = shared.value == Value::a ? &columns[shared.colour_b][shared.likelihood_b]
                                   : &columns[shared.colour_a][shared.likelihood_a];
      sign = -1;
    } else {
      a = &columns[shared.colour_a][shared.likelihood_a];
      b = &columns[shared.colour_b][shared.likelihood_b];
    }
    auto const hand_on = [&] {
      block->hand_on([&](std::size_t pair, double sum) { out[static_cast<Eigen::Index>(pair)] += sum; });
    };
    std::size_t block_of_rows = 0;
    for (auto const& [row, pair] : shared.rows) {
      double const term = b ? curvature[row] * (*a)[row] * (*b)[row] : curvature[row] * (*a)[row];
      if (row < row_block) {
        out[static_cast<Eigen::Index>(pair)] += sign * term;
        continue;
      }
      if (!block) block.emplace(static_cast<std::size_t>(out.size()));
      if (row / row_block != block_of_rows && block_of_rows > 0) hand_on();
      block_of_rows = row / row_block;
      (*block)[static_cast<std::size_t>(pair)] += sign * term;
    }
    if (block_of_rows > 0) hand_on();
  }
}

}  // namespace bbvi
