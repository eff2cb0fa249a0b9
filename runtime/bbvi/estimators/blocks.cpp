#include "runtime/bbvi/estimators/blocks.hpp"

#include "runtime/bbvi/regression.hpp"

#include <Eigen/Cholesky>

#include <algorithm>
#include <limits>
#include <numeric>

namespace bbvi {

std::vector<Block> group_blocks(Blankets const& blankets) {
  std::vector<Block> blocks;
  for (FactorGroup const& g : blankets.groups) blocks.push_back(g.coordinates);
  return blocks;
}

std::vector<Block> joint_block(std::size_t parameters) {
  std::vector<Block> blocks(1, Block(parameters));
  std::iota(blocks.back().begin(), blocks.back().end(), Eigen::Index{0});
  return blocks;
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

Eigen::MatrixXd block_fisher(std::vector<Block> const& blocks, Eigen::MatrixXd const& scores) {
  Eigen::Index const P = scores.cols();
  Eigen::MatrixXd const centred = scores.rowwise() - scores.colwise().mean();
  Eigen::MatrixXd fisher = Eigen::MatrixXd::Zero(P, P);
  for (Block const& idx : blocks) {
    Eigen::MatrixXd const c = centred(Eigen::all, idx);
    fisher(idx, idx) = c.transpose() * c / static_cast<double>(scores.rows());
  }
  return fisher;
}

void precondition(std::vector<Block> const& blocks, GradientEstimate& e, Eigen::MatrixXd const& fisher, bool ridge) {
  Eigen::Index const P = e.gradient.size();
  Eigen::MatrixXd inverse = Eigen::MatrixXd::Zero(P, P);
  for (Block const& idx : blocks) inverse(idx, idx) = inverse_of(fisher(idx, idx), ridge);
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

void covariance_gradients(GradientEstimate& e, Draws const& d, std::vector<Block> const& blocks, bool blankets) {
  Eigen::Index const P = d.scores.cols();
  e.gradient = Eigen::VectorXd::Zero(P);
  e.covariance = Eigen::MatrixXd::Zero(P, P);
  for (std::size_t j = 0; j < blocks.size(); ++j) {
    Block const& idx = blocks[j];
    CovarianceGradient const g = covariance_gradient(d.scores(Eigen::all, idx), target(d, blankets, j));
    e.gradient(idx) = g.gradient;
    e.covariance(idx, idx) = g.covariance;
  }
}

void precondition_unbiased(std::vector<Block> const& blocks, GradientEstimate& e, Draws const& d,
                           Eigen::MatrixXd const& fisher) {
  e.hotelling = true;
  e.dof = std::numeric_limits<double>::infinity();
  for (Block const& idx : blocks)
    e.dof = std::min(e.dof, static_cast<double>(d.scores.rows()) - static_cast<double>(idx.size()));
  precondition(blocks, e, fisher, false);
}

}  // namespace bbvi
