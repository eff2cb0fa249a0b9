#pragma once
// Building blocks for a distribution's sufficient statistics (registry.hpp):
// sums over a data column, taken once when the model is lowered.
#include <array>
#include <cstddef>

namespace bbvi::statistics {

// Σ_i g(x_i), in four interleaved partial sums: one running sum would wait
// on each addition in turn, four keep the adder busy (and round no worse).
template <typename G>
double sum(double const* x, std::size_t n, G g) {
  double partial[4] = {0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (std::size_t lane = 0; lane < 4; ++lane) partial[lane] += g(x[i + lane]);
  for (; i < n; ++i) partial[0] += g(x[i]);
  return (partial[0] + partial[1]) + (partial[2] + partial[3]);
}

// {n, mean, Σ (y_i − mean)²} of y_i = g(x_i), in two passes: centring first
// keeps Σ (y_i − m)² = ss + n (mean − m)² accurate when the data's spread is
// small beside its mean, where Σ y² − 2m Σ y + n m² would cancel away.
template <typename G>
std::array<double, 3> centred(double const* x, std::size_t n, G g) {
  double const count = static_cast<double>(n);
  double const mean = n == 0 ? 0 : sum(x, n, g) / count;
  double const ss = sum(x, n, [&](double v) {
    double const d = g(v) - mean;
    return d * d;
  });
  return {count, mean, ss};
}

inline double identity(double v) { return v; }

}  // namespace bbvi::statistics
