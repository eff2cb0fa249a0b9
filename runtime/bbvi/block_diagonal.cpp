#include "runtime/bbvi/block_diagonal.hpp"

#include "runtime/bbvi/regression.hpp"

#include <Eigen/Cholesky>

#include <numeric>

namespace bbvi {

BlockDiagonal::BlockDiagonal(std::shared_ptr<BlockLayout const> layout) : layout_(std::move(layout)) {
  if (!layout_) return;
  blocks_.reserve(layout_->blocks.size());
  for (Block const& b : layout_->blocks) {
    Eigen::Index const n = static_cast<Eigen::Index>(b.size());
    blocks_.push_back(Eigen::MatrixXd::Zero(n, n));
  }
}

BlockDiagonal::BlockDiagonal(Eigen::MatrixXd dense) {
  auto layout = std::make_shared<BlockLayout>();
  layout->dimension = dense.rows();
  layout->blocks.emplace_back(static_cast<std::size_t>(dense.rows()));
  std::iota(layout->blocks.back().begin(), layout->blocks.back().end(), Eigen::Index{0});
  layout_ = std::move(layout);
  blocks_.push_back(std::move(dense));
}

bool BlockDiagonal::same_layout(BlockDiagonal const& other) const {
  if (layout_ == other.layout_) return true;
  return layout_ && other.layout_ && layout_->dimension == other.layout_->dimension &&
         layout_->blocks == other.layout_->blocks;
}

Eigen::VectorXd BlockDiagonal::operator*(Eigen::VectorXd const& v) const {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(rows());
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    Block const& idx = indices(b);
    out(in(idx)) = blocks_[b] * v(in(idx));
  }
  return out;
}

double BlockDiagonal::quadratic(Eigen::VectorXd const& v) const { return v.dot(*this * v); }

Eigen::VectorXd BlockDiagonal::diagonal() const {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(rows());
  for (std::size_t b = 0; b < blocks_.size(); ++b) out(in(indices(b))) = blocks_[b].diagonal();
  return out;
}

double BlockDiagonal::trace() const {
  Eigen::VectorXd const d = diagonal();
  if (d.size() == 0) return 0;
  double sum = d[0];
  for (Eigen::Index i = 1; i < d.size(); ++i) sum += d[i];
  return sum;
}

BlockDiagonal BlockDiagonal::operator*(BlockDiagonal const& other) const {
  if (!same_layout(other)) return BlockDiagonal(Eigen::MatrixXd(dense() * other.dense()));
  // Each block made in its place: a copy of this one's, then a product
  // into a temporary copied over it, were two allocations a block.
  BlockDiagonal out = unfilled();
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    out.blocks_.emplace_back(blocks_[b].rows(), other.blocks_[b].cols());
    out.blocks_.back().noalias() = blocks_[b] * other.blocks_[b];
  }
  return out;
}

BlockDiagonal& BlockDiagonal::operator+=(BlockDiagonal const& other) {
  if (!same_layout(other)) return *this = BlockDiagonal(Eigen::MatrixXd(dense() + other.dense()));
  for (std::size_t b = 0; b < blocks_.size(); ++b) blocks_[b] += other.blocks_[b];
  return *this;
}

BlockDiagonal BlockDiagonal::operator+(BlockDiagonal const& other) const {
  BlockDiagonal out = *this;
  out += other;
  return out;
}

BlockDiagonal BlockDiagonal::operator*(double c) const {
  BlockDiagonal out = unfilled();
  for (Eigen::MatrixXd const& m : blocks_) out.blocks_.emplace_back(m * c);
  return out;
}

BlockDiagonal BlockDiagonal::operator/(double c) const {
  BlockDiagonal out = unfilled();
  for (Eigen::MatrixXd const& m : blocks_) out.blocks_.emplace_back(m / c);
  return out;
}

BlockDiagonal BlockDiagonal::unfilled() const {
  BlockDiagonal out;
  out.layout_ = layout_;
  out.blocks_.reserve(blocks_.size());
  return out;
}

BlockDiagonal& BlockDiagonal::add_times(BlockDiagonal const& other, double c) {
  if (!same_layout(other)) return *this += other * c;
  for (std::size_t b = 0; b < blocks_.size(); ++b) blocks_[b] += other.blocks_[b] * c;
  return *this;
}

BlockDiagonal& BlockDiagonal::add_over(BlockDiagonal const& other, double c) {
  if (!same_layout(other)) return *this += other / c;
  for (std::size_t b = 0; b < blocks_.size(); ++b) blocks_[b] += other.blocks_[b] / c;
  return *this;
}

BlockDiagonal BlockDiagonal::inverse(bool ridge) const {
  BlockDiagonal out = *this;
  for (Eigen::MatrixXd& m : out.blocks_) {
    if (m.size() == 0) continue;
    if (ridge) add_ridge(m);
    m = Eigen::LDLT<Eigen::MatrixXd>(m).solve(Eigen::MatrixXd::Identity(m.rows(), m.cols()));
  }
  return out;
}

double BlockDiagonal::inverse_quadratic(Eigen::VectorXd const& v) const {
  Eigen::VectorXd solved = Eigen::VectorXd::Zero(rows());
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    if (blocks_[b].size() == 0) continue;
    Block const& idx = indices(b);
    Eigen::VectorXd const x = Eigen::LDLT<Eigen::MatrixXd>(blocks_[b]).solve(Eigen::VectorXd(v(in(idx))));
    solved(in(idx)) = x;
  }
  // A coordinate in no block has no information: as a zero pivot, it adds nothing.
  return v.dot(solved);
}

bool BlockDiagonal::cholesky(BlockDiagonal& lower) const {
  lower = *this;
  for (Eigen::MatrixXd& m : lower.blocks_) {
    if (m.size() == 0) continue;
    Eigen::LLT<Eigen::MatrixXd> const llt(m);
    if (llt.info() != Eigen::Success) return false;
    m = llt.matrixL();
  }
  // A coordinate in no block is a zero row of F, which has no Cholesky factor.
  Eigen::Index covered = 0;
  for (Block const& b : layout_->blocks) covered += static_cast<Eigen::Index>(b.size());
  return covered == rows();
}

Eigen::RowVectorXd BlockDiagonal::left_multiply(Eigen::RowVectorXd const& v) const {
  Eigen::RowVectorXd out = Eigen::RowVectorXd::Zero(rows());
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    Block const& idx = indices(b);
    out(in(idx)) = v(in(idx)) * blocks_[b];
  }
  return out;
}

Eigen::MatrixXd BlockDiagonal::dense() const {
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(rows(), rows());
  for (std::size_t b = 0; b < blocks_.size(); ++b) out(in(indices(b)), in(indices(b))) = blocks_[b];
  return out;
}

}  // namespace bbvi
