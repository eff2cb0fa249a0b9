#pragma once
// Every sum over the rows of a data column, or the elements of a left side,
// is taken in fixed blocks of row_block rows, and the blocks' sums are added
// in block order (docs/method.md, 'Row blocks'). The additions are then the
// same whichever process or thread holds which block, so that work divided
// by blocks can give one process's sums to the bit; a column of at most one
// block is summed as it always was.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace bbvi {

constexpr std::size_t row_block = std::size_t{1} << 16;

constexpr std::size_t row_blocks(std::size_t rows) { return (rows + row_block - 1) / row_block; }

// Σ_k block_sum(a_k, b_k) over the blocks [a_k, b_k) of [0, rows), in block
// order: of numbers, dual numbers or Eigen vectors and matrices alike.
template <typename BlockSum>
auto sum_by_row_blocks(std::size_t rows, BlockSum const& block_sum) {
  if (rows <= row_block) return block_sum(std::size_t{0}, rows);
  auto total = block_sum(std::size_t{0}, row_block);
  for (std::size_t a = row_block; a < rows; a += row_block)
    total = total + block_sum(a, std::min(rows, a + row_block));
  return total;
}

// A later block's sums by index (a group, a pair), handed on to the running
// sums block by block. Up to row_block indices, every one is handed on (a
// block's rows cost more than that), and the rows add with no test; past
// that, only those the block's rows reach, so that at 10⁸ rows in 1,526
// blocks the indices cost no more than the rows.
class BlockSums {
 public:
  explicit BlockSums(std::size_t size) : sums_(size, 0.0), sparse_(size > row_block) {
    if (sparse_) reached_.assign(size, 0);
  }

  double& operator[](std::size_t i) {
    if (sparse_ && !reached_[i]) {
      reached_[i] = 1;
      order_.push_back(i);
    }
    return sums_[i];
  }
  // add(i, sum) for each index (each reached, where sparse) since the last
  // call, each once; an index no row reached hands on 0.
  template <typename Add>
  void hand_on(Add const& add) {
    if (!sparse_) {
      for (std::size_t i = 0; i < sums_.size(); ++i) {
        add(i, sums_[i]);
        sums_[i] = 0;
      }
      return;
    }
    for (std::size_t i : order_) {
      add(i, sums_[i]);
      sums_[i] = 0;
      reached_[i] = 0;
    }
    order_.clear();
  }

 private:
  std::vector<double> sums_;
  bool sparse_;
  std::vector<unsigned char> reached_;
  std::vector<std::size_t> order_;
};

}  // namespace bbvi
