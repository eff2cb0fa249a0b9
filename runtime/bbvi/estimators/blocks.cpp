#include "runtime/bbvi/estimators/blocks.hpp"

#include "runtime/bbvi/regression.hpp"

#include <Eigen/Cholesky>

#include <algorithm>
#include <limits>
#include <numeric>

namespace bbvi {

Layout group_blocks(Blankets const& blankets, std::size_t parameters) {
  auto layout = std::make_shared<BlockLayout>();
  layout->dimension = static_cast<Eigen::Index>(parameters);
  for (FactorGroup const& g : blankets.groups) layout->blocks.push_back(g.coordinates);
  return layout;
}

Layout joint_block(std::size_t parameters) {
  auto layout = std::make_shared<BlockLayout>();
  layout->dimension = static_cast<Eigen::Index>(parameters);
  layout->blocks.assign(1, Block(parameters));
  std::iota(layout->blocks.back().begin(), layout->blocks.back().end(), Eigen::Index{0});
  return layout;
}

std::vector<Block> neighbourhoods(Blankets const& b) {
  std::vector<std::vector<int>> const near = neighbours(b);
  std::vector<Block> out(near.size());
  for (std::size_t g = 0; g < near.size(); ++g) {
    for (int h : near[g]) {
      auto const& c = b.groups[static_cast<std::size_t>(h)].coordinates;
      out[g].insert(out[g].end(), c.begin(), c.end());
    }
    std::sort(out[g].begin(), out[g].end());
  }
  return out;
}

Block positions_in(Block const& within, Block const& block) {
  Block out;
  for (Eigen::Index c : block) out.push_back(std::find(within.begin(), within.end(), c) - within.begin());
  return out;
}

std::size_t largest(std::vector<Block> const& blocks) {
  std::size_t most = 0;
  for (Block const& b : blocks) most = std::max(most, b.size());
  return most;
}

Eigen::VectorXd target(Draws const& d, bool blankets, std::size_t block) {
  if (blankets) return d.group_f.col(static_cast<Eigen::Index>(block));
  return d.elbo_terms();
}

void mean_and_covariance(Eigen::MatrixXd const& terms, Eigen::VectorXd& mean, Eigen::MatrixXd& covariance) {
  double const S = static_cast<double>(terms.rows());
  mean = terms.colwise().mean().transpose();
  Eigen::MatrixXd const spread = terms.rowwise() - mean.transpose();
  covariance = spread.transpose() * spread / (S * (S - 1));
}

Eigen::MatrixXd inverse_of(Eigen::MatrixXd m, bool ridge) {
  if (ridge) add_ridge(m);
  return Eigen::LDLT<Eigen::MatrixXd>(m).solve(Eigen::MatrixXd::Identity(m.rows(), m.cols()));
}

BlockDiagonal block_fisher(Layout const& blocks, Eigen::MatrixXd const& scores) {
  Eigen::RowVectorXd const mean = scores.colwise().mean();
  BlockDiagonal fisher(blocks);
  for (std::size_t b = 0; b < fisher.block_count(); ++b) {
    Block const& idx = fisher.indices(b);
    Eigen::MatrixXd const c = scores(Eigen::all, in(idx)).rowwise() - mean(in(idx));
    fisher.block(b) = c.transpose() * c / static_cast<double>(scores.rows());
  }
  return fisher;
}

void precondition(GradientEstimate& e, BlockDiagonal const& fisher, bool ridge) {
  BlockDiagonal const inverse = fisher.inverse(ridge);
  e.fisher = fisher;
  e.natural = inverse * e.gradient;
  e.natural_covariance = inverse * e.covariance * inverse;
}

void mean_elbo(GradientEstimate& e, Draws const& d) {
  double const S = static_cast<double>(d.scores.rows());
  Eigen::VectorXd const f = d.elbo_terms();
  e.elbo = f.mean();
  e.elbo_variance = (f.array() - e.elbo).square().sum() / (S - 1) / S;
}

GradientEstimate empty_regression(Draws const& d, Layout const& blocks) {
  GradientEstimate e;
  e.natural = Eigen::VectorXd::Zero(d.scores.cols());
  e.natural_covariance = BlockDiagonal(blocks);
  e.fisher = BlockDiagonal(blocks);
  mean_elbo(e, d);
  e.dof = std::numeric_limits<double>::infinity();
  return e;
}

void covariance_gradients(GradientEstimate& e, Draws const& d, Layout const& blocks, bool blankets) {
  e.gradient = Eigen::VectorXd::Zero(d.scores.cols());
  e.covariance = BlockDiagonal(blocks);
  for (std::size_t j = 0; j < blocks->blocks.size(); ++j) {
    Block const& idx = blocks->blocks[j];
    CovarianceGradient const g = covariance_gradient(d.scores(Eigen::all, idx), target(d, blankets, j));
    e.gradient(idx) = g.gradient;
    e.covariance.block(j) = g.covariance;
  }
}

void precondition_unbiased(GradientEstimate& e, Draws const& d, BlockDiagonal const& fisher) {
  e.hotelling = true;
  e.dof = std::numeric_limits<double>::infinity();
  for (std::size_t b = 0; b < fisher.block_count(); ++b)
    e.dof = std::min(e.dof, static_cast<double>(d.scores.rows()) - static_cast<double>(fisher.indices(b).size()));
  precondition(e, fisher, false);
}

}  // namespace bbvi
