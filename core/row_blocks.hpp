#pragma once
// Every sum over the rows of a data column, or the elements of a left side,
// is taken in fixed blocks of row_block rows, and the blocks' sums are added
// in block order (docs/method.md, 'Row blocks'). The additions are then the
// same whichever process or thread holds which block, so that work divided
// by blocks can give one process's sums to the bit; a column of at most one
// block is summed as it always was.
#include <algorithm>
#include <cstddef>

namespace bbvi {

constexpr std::size_t row_block = std::size_t{1} << 16;

constexpr std::size_t row_blocks(std::size_t rows) { return (rows + row_block - 1) / row_block; }

// Σ_k block_sum(a_k, b_k) over the blocks [a_k, b_k) of [0, rows), in block
// order.
template <typename BlockSum>
double sum_by_row_blocks(std::size_t rows, BlockSum const& block_sum) {
  if (rows <= row_block) return block_sum(std::size_t{0}, rows);
  double total = block_sum(std::size_t{0}, row_block);
  for (std::size_t a = row_block; a < rows; a += row_block) total += block_sum(a, std::min(rows, a + row_block));
  return total;
}

}  // namespace bbvi
