#pragma once
// A P × P matrix that is zero outside blocks of coordinates (docs/method.md,
// 'Cost follows the graph'): q factorises over the blanket groups, so its
// Fisher, the covariances of the estimates taken group by group and their
// inverses are block-diagonal. Kept as one small dense matrix per block, it
// costs O(Σ block²) memory and O(Σ block³) to invert, where a dense P × P
// matrix cost P² and P³ (a hierarchical model has a block per group).
//
// Products with vectors, traces and diagonals are gathered into P-vectors and
// summed in coordinate order, as the dense matrix's were.
#include <Eigen/Core>

#include <cstddef>
#include <memory>
#include <vector>

namespace bbvi {

using Block = std::vector<Eigen::Index>;

// A block's indices as Eigen's indexed views take them, v(in(block)): a view
// keeps its own copy of what it is given, and a std::vector copied at every
// use made a tenth of a 10,000-group fit's time in malloc and free.
struct BlockIndices {
  Block const* block;
  Eigen::Index size() const { return static_cast<Eigen::Index>(block->size()); }
  Eigen::Index operator[](Eigen::Index i) const { return (*block)[static_cast<std::size_t>(i)]; }
};
inline BlockIndices in(Block const& block) { return {&block}; }

// The blocks' coordinates in a space of `dimension` coordinates: no
// coordinate in two blocks; a coordinate in none has a zero row and column.
struct BlockLayout {
  Eigen::Index dimension = 0;
  std::vector<Block> blocks;
};

class BlockDiagonal {
 public:
  // No blocks: the empty matrix ("none": empty() is true).
  BlockDiagonal() = default;
  // Zero on every block of `layout`.
  explicit BlockDiagonal(std::shared_ptr<BlockLayout const> layout);
  // One block over all of `dense`'s coordinates.
  explicit BlockDiagonal(Eigen::MatrixXd dense);

  bool empty() const { return !layout_; }
  Eigen::Index rows() const { return layout_ ? layout_->dimension : 0; }
  std::size_t block_count() const { return blocks_.size(); }
  Block const& indices(std::size_t b) const { return layout_->blocks[b]; }
  Eigen::MatrixXd& block(std::size_t b) { return blocks_[b]; }
  Eigen::MatrixXd const& block(std::size_t b) const { return blocks_[b]; }
  std::shared_ptr<BlockLayout const> const& layout() const { return layout_; }

  // The same layout, zero.
  BlockDiagonal zero_like() const { return BlockDiagonal(layout_); }

  Eigen::VectorXd operator*(Eigen::VectorXd const& v) const;
  // vᵀ M v.
  double quadratic(Eigen::VectorXd const& v) const;
  Eigen::VectorXd diagonal() const;
  // Summed in coordinate order, one after the other, as a dense matrix's
  // diagonal is.
  double trace() const;

  // Block by block. Operands of different blocks (an estimate whose noise
  // is correlated across all coordinates, preconditioned group by group)
  // meet as dense matrices, giving one block of all coordinates.
  BlockDiagonal operator*(BlockDiagonal const& other) const;
  BlockDiagonal& operator+=(BlockDiagonal const& other);
  BlockDiagonal operator+(BlockDiagonal const& other) const;
  BlockDiagonal operator*(double c) const;
  BlockDiagonal operator/(double c) const;
  // *this += other * c and *this += other / c, without the temporary: the
  // same sums, element by element.
  BlockDiagonal& add_times(BlockDiagonal const& other, double c);
  BlockDiagonal& add_over(BlockDiagonal const& other, double c);

  // M⁻¹ block by block for a symmetric positive semi-definite M; with
  // `ridge`, the regression's tiny ridge on each block (add_ridge).
  BlockDiagonal inverse(bool ridge) const;
  // vᵀ M⁻¹ v, by an LDLT of each block (a zero pivot counts as no
  // information: its direction adds nothing).
  double inverse_quadratic(Eigen::VectorXd const& v) const;
  // The lower Cholesky factor L (M = LLᵀ) block by block; false if a block
  // is not positive definite.
  bool cholesky(BlockDiagonal& lower) const;
  // The row vector vᵀ M.
  Eigen::RowVectorXd left_multiply(Eigen::RowVectorXd const& v) const;

  // The whole P × P matrix, for tests and for small models' reports.
  Eigen::MatrixXd dense() const;

 private:
  bool same_layout(BlockDiagonal const& other) const;
  // This layout with no blocks yet, room for all: for results made block by block.
  BlockDiagonal unfilled() const;

  std::shared_ptr<BlockLayout const> layout_;
  std::vector<Eigen::MatrixXd> blocks_;
};

}  // namespace bbvi
