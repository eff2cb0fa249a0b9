#include "runtime/bbvi/draws.hpp"

#include "core/rank_share.hpp"
#include "runtime/bbvi/local_cost.hpp"
#include "runtime/bbvi/shared_draws.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"

#include <optional>
#include <utility>

namespace bbvi {

namespace {

// The constant colours' groups were evaluated at the first draw alone: their
// gradient and curvature are the same at every draw (local_expectation.hpp).
void copy_constant_colours(Blankets const& blankets, LocalPlan const& plan, LocalDraws& local) {
  for (std::size_t c = 0; c < plan.colours.size(); ++c) {
    if (!plan.constant[c]) continue;
    for (std::size_t i : plan.colours[c])
      for (Eigen::Index coordinate : blankets.groups[static_cast<std::size_t>(plan.groups[i])].coordinates) {
        local.gradients.col(coordinate).setConstant(local.gradients(0, coordinate));
        if (local.curvature.size() > 0) local.curvature.col(coordinate).setConstant(local.curvature(0, coordinate));
      }
  }
}

}  // namespace

Draws draw(Program const& program, Eigen::VectorXd const& u, int samples, std::uint64_t seed,
           std::uint64_t iteration, WorkerPool& pool, DrawNeeds const& needs) {
  Blankets const* const blankets = needs.blanket_sums;
  LocalPlan const* const local = needs.quadrature;
  Draws d;
  d.u = u;
  d.pool = &pool;
  d.seed = seed;
  d.stream = iteration;
  if (blankets) d.group_f.resize(samples, static_cast<Eigen::Index>(blankets->groups.size()));
  d.scores.resize(samples, u.size());
  d.log_p.resize(samples);
  d.log_q.resize(samples);
  if (needs.latents) d.latents.resize(samples, static_cast<Eigen::Index>(program.latent_dimension));
  std::optional<LocalPoints> points;
  if (local && !local->groups.empty()) {
    // The points need a draw for the guide's other elements: draw 0's own.
    RandomStream rng(seed, iteration, 0);
    points = local_points(program, *blankets, *local, u, sample_guide(program, u, rng), pool);
    d.local.gradients = Eigen::MatrixXd::Zero(samples, u.size());
    if (needs.curvature) d.local.curvature = Eigen::MatrixXd::Zero(samples, u.size());
    if (needs.curvature && !local->coupling.empty())
      d.local.couplings = Eigen::MatrixXd::Zero(samples, static_cast<Eigen::Index>(local->coupling.pairs.size()));
    d.local.fisher = points->fisher;
    d.local.failed.assign(local->groups.size(), false);
    points->stride =
        colour_strides(*local, *points, samples, needs.local_draws ? *needs.local_draws : std::vector<std::size_t>{});
    d.local.stride.assign(local->groups.size(), 1);
    for (std::size_t c = 0; c < local->colours.size(); ++c)
      for (std::size_t i : local->colours[c]) d.local.stride[i] = points->stride[c];
  }
  std::vector<LocalOutcome> outcomes(static_cast<std::size_t>(samples));
  // What one thread keeps from one of its draws to the next.
  struct Maker {
    GuideSampler sample;
    std::optional<GuideScorer> scorer;
    Eigen::VectorXd score;
    LocalScratch scratch;
    Maker(Program const& p, Eigen::VectorXd const& at, DrawNeeds const& n) : sample(p, at), score(at.size()) {
      if (n.score_groups) scorer.emplace(p, at, n.score_groups->score_groups);
    }
  };
  auto const make = [&](std::size_t draw_index, Maker& m) {
    Eigen::Index const s = static_cast<Eigen::Index>(draw_index);
    RandomStream rng(seed, iteration, draw_index);
    std::vector<double> const z = m.sample(rng);
    if (needs.latents)
      d.latents.row(s) = Eigen::Map<Eigen::RowVectorXd const>(z.data(), static_cast<Eigen::Index>(z.size()));
    std::vector<std::vector<double>> terms;  // for the blankets: by statement and element
    d.log_p[s] = blankets ? log_joint_terms(program, z, terms, &blankets->summed_terms) : log_joint(program, z);
    std::vector<double> log_q;  // for the blankets: by latent element
    std::vector<double>* const elements = blankets ? &log_q : nullptr;
    d.log_q[s] = m.scorer ? (*m.scorer)(z, m.score, elements) : log_guide_with_score(program, u, z, m.score, elements);
    d.scores.row(s) = m.score.transpose();
    if (blankets) d.group_f.row(s) = blanket_sums(*blankets, terms, log_q);
    if (points) {
      // Bound to some row even when unused: a Ref cannot be empty.
      Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>> curvature =
          needs.curvature ? d.local.curvature.row(s) : d.local.gradients.row(s);
      bool const coupled = d.local.couplings.size() > 0;
      Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>> couplings =
          coupled ? d.local.couplings.row(s) : d.local.gradients.row(s);
      outcomes[draw_index] = local_gradient(program, *blankets, *local, *points, z, log_q, std::move(terms),
                                            m.scratch, draw_index, d.local.gradients.row(s),
                                            needs.curvature ? &curvature : nullptr, coupled ? &couplings : nullptr);
    }
  };
  // Each thread makes its share of the draws, in order, with one sampler and
  // scorer; every draw has its own stream and row, so neither the threads'
  // shares nor the ranks' change a result.
  run_rank_share(pool, outcomes.size(), [&] { return Maker(program, u, needs); }, make);
  if (Ranks* const ranks = sharing_ranks(pool)) share_draws(*ranks, d, outcomes);
  if (points) copy_constant_colours(*blankets, *local, d.local);
  d.evaluations = samples;
  for (LocalOutcome const& o : outcomes) {
    d.evaluations += o.evaluations;
    for (std::size_t i = 0; i < o.failed.size(); ++i)
      if (o.failed[i]) d.local.failed[i] = true;
  }
  return d;
}

}  // namespace bbvi
