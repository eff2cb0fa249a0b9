#pragma once
// Polyak–Ruppert averaging for the last phase of the natural-gradient fit:
// the result is the mean of the latter half of the iterates, not the last
// one. With steps ρ_k ∝ 1/√k that mean converges at the optimal O(1/k) rate
// whatever the curvature along each direction, where ρ_k = 1/k alone crawls
// along directions in which the natural gradient undershoots (measured on a
// hierarchical model: KL still 0.03 after 16,000 steps, against 0.0002 here).
#include <Eigen/Core>

#include <vector>

namespace bbvi {

class TailAverage {
 public:
  // `step_noise_kl`: ½ tr(F Cov δ) of the step that led to `u`.
  void add(Eigen::VectorXd const& u, double step_noise_kl);

  std::size_t tail_length() const;  // iterates in the mean
  Eigen::VectorXd mean() const;

  // The expected KL of mean() from the optimum that Monte-Carlo noise alone
  // accounts for, measured with the Fisher `fisher`: the larger of the
  // steps' own noise over the tail (exact when the natural gradient is the
  // Newton step) and a batch-means estimate from the spread of the iterates
  // themselves (which catches slow mixing). Infinite while the tail is
  // shorter than the batch count.
  double noise_kl(Eigen::MatrixXd const& fisher) const;

 private:
  std::size_t tail_start() const { return (sums_.size() - 1) / 2; }
  Eigen::VectorXd window_mean(std::size_t from, std::size_t to) const;  // iterates [from, to)

  std::vector<Eigen::VectorXd> sums_;  // sums_[k]: the sum of the first k iterates
  std::vector<double> noise_sums_;     // likewise for the steps' noise
};

}  // namespace bbvi
