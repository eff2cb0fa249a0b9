#pragma once
// Building blocks for a distribution's sufficient statistics (registry.hpp):
// sums over a data column, taken once when the model is lowered, in fixed
// blocks of rows added in block order (core/row_blocks.hpp).
#include "core/row_blocks.hpp"

#include <array>
#include <cstddef>

namespace bbvi::statistics {

// Σ_i g(x_i) over one block, in four interleaved partial sums: one running
// sum would wait on each addition in turn, four keep the adder busy (and
// round no worse).
template <typename G>
double block_sum(double const* x, std::size_t n, G const& g) {
  double partial[4] = {0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (std::size_t lane = 0; lane < 4; ++lane) partial[lane] += g(x[i + lane]);
  for (; i < n; ++i) partial[0] += g(x[i]);
  return (partial[0] + partial[1]) + (partial[2] + partial[3]);
}

// Σ_i g(x_i).
template <typename G>
double sum(double const* x, std::size_t n, G g) {
  return sum_by_row_blocks(n, [&](std::size_t a, std::size_t b) { return block_sum(x + a, b - a, g); });
}

// {n, mean, Σ (y_i − mean)²} of y_i = g(x_i), every y_i read as its
// deviation from the first block's mean m: Σ (y_i − m)² does not cancel
// away when the data's spread is small beside their mean, as Σ y² − 2m Σ y
// + n m² would. Past one block, ss = Σ (y − m)² − (Σ (y − m))²/n and the
// mean is m + Σ (y − m)/n: sums over the rows like any other, where
// merging each block's mean and ss would read a mean rounded to the size of
// the y's (docs/method.md, 'Row blocks').
template <typename G>
std::array<double, 3> centred(double const* x, std::size_t n, G g) {
  double const count = static_cast<double>(n);
  std::size_t const first = n < row_block ? n : row_block;
  double const m = first == 0 ? 0 : block_sum(x, first, g) / static_cast<double>(first);
  double const ss = sum(x, n, [&](double v) {
    double const d = g(v) - m;
    return d * d;
  });
  if (n <= row_block) return {count, m, ss};
  double const off = sum(x, n, [&](double v) { return g(v) - m; });
  return {count, m + off / count, ss - off * (off / count)};
}

inline double identity(double v) { return v; }

}  // namespace bbvi::statistics
