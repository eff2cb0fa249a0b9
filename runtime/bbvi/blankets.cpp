#include "runtime/bbvi/blankets.hpp"

#include "core/row_blocks.hpp"
#include "runtime/program_walk.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <numeric>
#include <set>

namespace bbvi {

namespace {

// Union-find over latent elements that share a variational parameter.
struct Partition {
  std::vector<std::size_t> parent;
  explicit Partition(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t i) { return parent[i] == i ? i : parent[i] = find(parent[i]); }
  void join(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
};

}  // namespace

Blankets find_blankets(Program const& program) {
  ProgramWalk const guide = ProgramWalk::of_guide(program);
  ProgramWalk const model = ProgramWalk::of_model(program);

  // The coordinates each latent element's guide factor reads.
  std::vector<std::set<std::size_t>> coordinates(program.latent_dimension);
  for (Statement const& st : program.guide) {
    auto const* f = std::get_if<Factor>(&st);
    if (!f) continue;
    LatentVariable const& v = program.latents[static_cast<std::size_t>(f->latent)];
    for (std::size_t i = 0; i < v.length(); ++i) {
      std::set<std::size_t>& read = coordinates[v.offset + i];
      for (Node const& a : f->args) guide.visit_leaves(a, i, [&](std::size_t, std::size_t c) { read.insert(c); });
    }
  }
  Partition partition(program.latent_dimension);
  std::map<std::size_t, std::size_t> owner;  // coordinate -> a latent element reading it
  for (std::size_t e = 0; e < coordinates.size(); ++e)
    for (std::size_t c : coordinates[e]) {
      auto const [it, fresh] = owner.emplace(c, e);
      if (!fresh) partition.join(e, it->second);
    }

  Blankets b;
  b.group_of_element.assign(program.latent_dimension, -1);
  std::map<std::size_t, int> group_of_root;
  for (std::size_t e = 0; e < program.latent_dimension; ++e) {
    auto const [it, fresh] = group_of_root.emplace(partition.find(e), static_cast<int>(b.groups.size()));
    if (fresh) b.groups.emplace_back();
    FactorGroup& g = b.groups[static_cast<std::size_t>(it->second)];
    g.latent_elements.push_back(e);
    for (std::size_t c : coordinates[e])
      if (std::find(g.coordinates.begin(), g.coordinates.end(), static_cast<Eigen::Index>(c)) == g.coordinates.end())
        g.coordinates.push_back(static_cast<Eigen::Index>(c));
    b.group_of_element[e] = it->second;
  }
  for (FactorGroup& g : b.groups) std::sort(g.coordinates.begin(), g.coordinates.end());

  // Each model term's groups, element by element.
  b.terms.resize(program.model.size());
  for (std::size_t s = 0; s < program.model.size(); ++s) {
    auto const* f = std::get_if<Factor>(&program.model[s]);
    if (!f) continue;
    // An observed column under arguments that do not vary by row: every
    // element reads the same latents, so the first stands for all.
    bool const same_for_every_row = f->latent < 0 && std::all_of(f->args.begin(), f->args.end(), [](Node const& a) {
                                      return a.size == 0 || a.whole;
                                    });
    // A whole value (MultiNormal's) is one term for all its elements, which it reads together.
    bool const whole_value = f->distribution->signature.whole_value;
    std::size_t const length = same_for_every_row || whole_value ? 1 : std::max<std::size_t>(f->lhs_size, 1);
    TermGroups& t = b.terms[s];
    t.by_element.resize(length);
    for (std::size_t k = 0; k < length; ++k) {
      std::set<std::size_t> reads;
      auto const read = [&](std::size_t, std::size_t e) { reads.insert(e); };
      if (f->latent >= 0) model.visit_leaves_of_left_side(*f, k, read);
      for (Node const& a : f->args) model.visit_leaves(a, k, read);
      std::set<int> groups;
      for (std::size_t e : reads) groups.insert(b.group_of_element[e]);
      t.by_element[k].assign(groups.begin(), groups.end());
      if (t.by_element[k] != t.by_element[0]) t.uniform = false;
    }
    if (t.uniform) {
      t.groups = t.by_element[0];
      t.by_element.clear();
      continue;
    }
    // The groups every element reaches (a population mean's, in every row of
    // a hierarchical likelihood) take the term's sum once; the rest, row by
    // row, from one flat list.
    t.common = t.by_element[0];
    for (std::vector<int> const& groups : t.by_element) {
      std::vector<int> kept;
      std::set_intersection(t.common.begin(), t.common.end(), groups.begin(), groups.end(), std::back_inserter(kept));
      t.common = std::move(kept);
    }
    t.rest_start.push_back(0);
    for (std::vector<int> const& groups : t.by_element) {
      std::set_difference(groups.begin(), groups.end(), t.common.begin(), t.common.end(), std::back_inserter(t.rest));
      t.rest_start.push_back(t.rest.size());
    }
  }
  for (TermGroups const& t : b.terms) b.summed_terms.push_back(t.uniform);
  b.score_groups.group_of_element = b.group_of_element;
  for (FactorGroup const& g : b.groups) b.score_groups.coordinates.push_back(g.coordinates);
  return b;
}

std::vector<std::vector<int>> neighbours(Blankets const& b) {
  std::vector<std::set<int>> near(b.groups.size());
  auto const mark = [&](std::vector<int> const& groups) {
    for (int x : groups) near[static_cast<std::size_t>(x)].insert(groups.begin(), groups.end());
  };
  for (TermGroups const& t : b.terms) {
    if (t.uniform) mark(t.groups);
    else
      for (std::vector<int> const& groups : t.by_element) mark(groups);
  }
  std::vector<std::vector<int>> out(b.groups.size());
  for (std::size_t g = 0; g < near.size(); ++g) {
    near[g].insert(static_cast<int>(g));
    out[g].assign(near[g].begin(), near[g].end());
  }
  return out;
}

Eigen::RowVectorXd blanket_sums(Blankets const& b, std::vector<std::vector<double>> const& terms,
                                std::vector<double> const& log_q) {
  Eigen::RowVectorXd out;
  blanket_sums(b, terms, log_q, out);
  return out;
}

void blanket_sums(Blankets const& b, std::vector<std::vector<double>> const& terms, std::vector<double> const& log_q,
                  Eigen::RowVectorXd& out, std::vector<bool> const* statements) {
  // A group's sum is its terms in the statements' first row block, and each
  // whole statement's sum where every term is its, in statement order; then
  // each later block's terms, all statements' together, added block by
  // block (docs/method.md, 'Row blocks').
  out.setZero(static_cast<Eigen::Index>(b.groups.size()));
  auto const whole_sum = [](std::vector<double> const& t) {
    return sum_by_row_blocks(t.size(), [&](std::size_t a, std::size_t e) {
      return std::accumulate(t.begin() + static_cast<std::ptrdiff_t>(a), t.begin() + static_cast<std::ptrdiff_t>(e),
                             0.0);
    });
  };
  auto const add_rest = [&](std::size_t i, std::size_t from, std::size_t to, auto& into) {
    TermGroups const& groups = b.terms[i];
    for (std::size_t k = from; k < to; ++k)
      for (std::size_t r = groups.rest_start[k]; r < groups.rest_start[k + 1]; ++r)
        into[static_cast<std::size_t>(groups.rest[r])] += terms[i][k];
  };
  std::size_t longest = 0;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (statements && !(*statements)[i]) continue;
    TermGroups const& groups = b.terms[i];
    double const sum = whole_sum(terms[i]);
    if (groups.uniform) {  // a term over N rows, all in the same blankets: summed once, not N times per group
      for (int g : groups.groups) out[g] += sum;
      continue;
    }
    for (int g : groups.common) out[g] += sum;
    add_rest(i, 0, std::min(terms[i].size(), row_block), out);
    longest = std::max(longest, terms[i].size());
  }
  if (longest > row_block) {
    BlockSums block(static_cast<std::size_t>(out.size()));
    for (std::size_t a = row_block; a < longest; a += row_block) {
      for (std::size_t i = 0; i < terms.size(); ++i)
        if (!(statements && !(*statements)[i]) && !b.terms[i].uniform && terms[i].size() > a)
          add_rest(i, a, std::min(terms[i].size(), a + row_block), block);
      block.hand_on([&](std::size_t g, double sum) { out[static_cast<Eigen::Index>(g)] += sum; });
    }
  }
  for (std::size_t e = 0; e < log_q.size(); ++e) out[b.group_of_element[e]] -= log_q[e];
}

}  // namespace bbvi
