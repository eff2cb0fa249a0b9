#pragma once
// Products that sum over the rows of a tall matrix, AᵀB, taken in fixed
// row blocks: each block's product on its own, and those added in block
// order (docs/method.md, 'Row blocks'). One block is the plain product.
#include "core/row_blocks.hpp"

#include <Eigen/Core>

namespace bbvi {

// Σ_k product(a_k, length_k) over the blocks of rows, `product` giving block
// k's AᵀB as a plain matrix or vector.
template <typename Product>
auto sum_row_block_products(Eigen::Index rows, Product const& product) {
  auto const block = static_cast<Eigen::Index>(row_block);
  if (rows <= block) return product(Eigen::Index{0}, rows);
  auto total = product(Eigen::Index{0}, block);
  for (Eigen::Index a = block; a < rows; a += block) total += product(a, std::min(block, rows - a));
  return total;
}

}  // namespace bbvi
