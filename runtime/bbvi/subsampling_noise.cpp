#include "runtime/bbvi/subsampling_noise.hpp"

#include "core/diagnostic.hpp"
#include "runtime/evaluate.hpp"

#include <algorithm>

namespace bbvi {

std::size_t batch_groups(std::size_t batch) { return std::clamp<std::size_t>(batch / 2, 2, 8); }

struct SubsampledEstimator::Group {
  Group(RowBatches const& batches, std::vector<std::size_t> const& rows, FitOptions const& planning)
      : program(batches.program_on(rows)), plan(plan_fit(program, planning)) {}
  Program const program;
  FitPlan plan;
};

SubsampledEstimator::SubsampledEstimator(GradientEstimator& inner, RowBatches const& batches,
                                         std::vector<std::size_t> const& rows, FitOptions const& planning,
                                         std::uint64_t seed, std::uint64_t iteration)
    : inner_(inner),
      sampled_(static_cast<double>(rows.size()) / static_cast<double>(batches.rows())),
      file_(batches.file()) {
  for (std::vector<std::size_t> const& group : batches.split(rows, batch_groups(rows.size()), seed, iteration))
    groups_.push_back(std::make_unique<Group>(batches, group, planning));
}

SubsampledEstimator::~SubsampledEstimator() = default;

namespace {

// The covariance of the rows of m, over K: the variance of their mean.
Eigen::MatrixXd variance_of_mean(Eigen::MatrixXd const& m) {
  double const K = static_cast<double>(m.rows());
  Eigen::MatrixXd const centred = m.rowwise() - m.colwise().mean();
  return centred.transpose() * centred / ((K - 1) * K);
}

bool same_blocks(BlockDiagonal const& a, BlockDiagonal const& b) {
  if (a.empty() || b.empty() || a.block_count() != b.block_count()) return false;
  for (std::size_t k = 0; k < a.block_count(); ++k)
    if (a.indices(k) != b.indices(k)) return false;
  return true;
}

}  // namespace

void SubsampledEstimator::measure(Draws const& d) {
  Eigen::Index const K = static_cast<Eigen::Index>(groups_.size()), P = d.u.size();
  Eigen::MatrixXd naturals(K, P);
  Eigen::VectorXd elbos(K);
  std::vector<Eigen::VectorXd> locations;  // while every group has them
  for (Eigen::Index k = 0; k < K; ++k) {
    Group& g = *groups_[static_cast<std::size_t>(k)];
    // The iteration's own draws, from their streams, on the group's rows.
    Draws const at = draw(g.program, d.u, static_cast<int>(d.scores.rows()), d.seed, d.stream, *d.pool,
                          g.plan.estimator->needs());
    evaluations_ += at.evaluations;
    GradientEstimate const e = g.plan.estimator->estimate(at);
    if (!e.natural.allFinite() || !std::isfinite(e.elbo))
      throw NumericalError(error_at(file_, {}, "the estimate from a group of the batch's rows is not finite"));
    naturals.row(k) = e.natural.transpose();
    elbos[k] = e.elbo;
    if (e.coupling && locations.size() == static_cast<std::size_t>(k)) locations.push_back(e.coupling->gradient);
  }
  bool const coupled = locations.size() == groups_.size() &&
                       std::all_of(locations.begin(), locations.end(),
                                   [&](Eigen::VectorXd const& l) { return l.size() == locations[0].size(); });
  // The finite population: B of N rows vary less than B drawn with replacement.
  double const population = 1 - sampled_;
  natural_noise_ = population * variance_of_mean(naturals);
  elbo_noise_ = population * variance_of_mean(elbos)(0, 0);
  location_noise_.resize(0, 0);
  if (!coupled) return;
  Eigen::MatrixXd by_group(K, locations[0].size());
  for (Eigen::Index k = 0; k < K; ++k) by_group.row(k) = locations[static_cast<std::size_t>(k)].transpose();
  location_noise_ = population * variance_of_mean(by_group);
}

void SubsampledEstimator::add_noise(GradientEstimate& e) const {
  e.elbo_variance += elbo_noise_;
  // The step moves along the natural gradient, whose noise is measured; the
  // Euclidean one's is F times it times F.
  bool const natural = same_blocks(e.fisher, e.natural_covariance), euclidean = same_blocks(e.fisher, e.covariance);
  for (std::size_t b = 0; b < e.fisher.block_count(); ++b) {
    auto const& in = e.fisher.indices(b);
    Eigen::MatrixXd const noise = natural_noise_(in, in);
    if (natural) e.natural_covariance.block(b) += noise;
    if (euclidean) e.covariance.block(b) += e.fisher.block(b) * noise * e.fisher.block(b);
  }
  if (!e.coupling || location_noise_.size() == 0 ||
      location_noise_.rows() != static_cast<Eigen::Index>(e.coupling->coordinates.size()))
    return;
  auto coupling = std::make_shared<LocationCoupling>(*e.coupling);
  coupling->gradient_variance += location_noise_.diagonal();
  if (coupling->gradient_covariance.size() > 0) coupling->gradient_covariance += location_noise_;
  e.coupling = std::move(coupling);
}

GradientEstimate SubsampledEstimator::estimate(Draws const& d) {
  without_ = inner_.estimate(d);
  measure(d);
  GradientEstimate e = without_;
  add_noise(e);
  return e;
}

GradientEstimate SubsampledEstimator::unbiased(Draws const& d, GradientEstimate, BlockDiagonal const& fisher) {
  GradientEstimate e = inner_.unbiased(d, without_, fisher);
  add_noise(e);
  return e;
}

}  // namespace bbvi
