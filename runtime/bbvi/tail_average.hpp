#pragma once
// Polyak–Ruppert averaging for the last phase of the natural-gradient fit:
// the result is the mean of the latter half of the iterates, not the last
// one. With steps ρ_k ∝ 1/√k that mean converges at the optimal O(1/k) rate
// whatever the curvature along each direction, where ρ_k = 1/k alone crawls
// along directions in which the natural gradient undershoots (measured on a
// hierarchical model: KL still 0.03 after 16,000 steps, against 0.0002 here).
#include "runtime/bbvi/block_diagonal.hpp"

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <deque>
#include <vector>

namespace bbvi {

// Where the fit takes Newton's step on the locations (docs/method.md, 'The
// coupled step'), the tail's noise is measured on them in M̄, the ELBO's
// own curvature there, not in the Fisher: along a ridge the Fisher counts
// the iterates' wander along it as KL, where what it costs in ELBO is
// ½ΔᵀMΔ (measured on a logistic ridge: 1,500 nats by the Fisher at 10,000
// iterations, with the result 7·10⁻⁵ nats from the optimum).
struct LocationMetric {
  std::vector<Eigen::Index> coordinates;  // the locations, in u
  Eigen::SparseMatrix<double> curvature;  // M̄ on them, positive definite
};

// ½ dᵀGd: G the Fisher, with M̄ in place of its location block where
// `locations` are given.
double metric_kl(BlockDiagonal const& fisher, LocationMetric const* locations, Eigen::VectorXd d);

class TailAverage {
 public:
  // `step_noise_kl`: ½ tr(F Cov δ) of the step that led to `u`.
  void add(Eigen::VectorXd const& u, double step_noise_kl);
  // The last iterate was taken back (the fit stepped where it could not
  // evaluate the model): `u` stands in its place.
  void replace_last(Eigen::VectorXd const& u);

  std::size_t tail_length() const;  // iterates in the mean
  Eigen::VectorXd mean() const;

  // The expected KL of mean() from the optimum that Monte-Carlo noise alone
  // accounts for, measured with the Fisher `fisher`.
  // - Once the tail is long enough to show its own correlation (every
  //   coordinate's autocorrelations, whitened by the Fisher, sum to an end
  //   within a fifth of the tail, and the tail is 50 correlation times
  //   long): ½ Σᵢ σᵢ²/n from those sums (asymptotic_variance below). That
  //   holds whatever the curvature, and it is what certifies iterates that
  //   oscillate about the optimum because the natural gradient overshoots
  //   (a Binomial latent: a hundredth of what the steps claim).
  // - Until then, from ten iterates on: the larger of the steps' own noise
  //   over the tail, exact when the natural gradient is the Newton step
  //   (the conjugate models, certified within tens of steps), and batch
  //   means over ten batches of the iterates.
  // The autocorrelations are recomputed only once the tail has grown by a
  // twentieth: their cost grows with the tail times the lags.
  // With `locations`, measured with M̄ on them and the Fisher elsewhere.
  double noise_kl(BlockDiagonal const& fisher, LocationMetric const* locations = nullptr);

  static constexpr std::size_t batches = 10;
  static constexpr std::size_t lags_per_tail = 5;
  static constexpr double tail_per_correlation_time = 50;

 private:
  std::size_t count() const { return dropped_ + iterates_.size(); }  // iterates added
  std::size_t tail_start() const { return count() / 2; }
  Eigen::VectorXd const& iterate(std::size_t k) const { return iterates_[k - dropped_]; }
  Eigen::VectorXd const& sum(std::size_t k) const { return sums_[k - dropped_]; }
  Eigen::VectorXd window_mean(std::size_t from, std::size_t to) const;  // iterates [from, to)
  class Whitening;
  double steps_or_batch_means(Whitening const& whitening) const;
  struct Autocorrelated {
    double noise_kl = 0;
    bool complete = false;  // every coordinate's estimate can be trusted
  };
  Autocorrelated autocorrelated(Whitening& whitening) const;

  Autocorrelated autocorrelated_;
  std::size_t autocorrelated_length_ = 0;  // the tail length it was computed at; 0: never

  // The iterates from the tail's start on, and the sums of the first k for
  // k from there: the tail's start only moves on, so the ones before it are
  // dropped (each is P numbers: a fit of 20,000 parameters and 600
  // iterations would otherwise hold 190 MB).
  std::size_t dropped_ = 0;
  std::deque<Eigen::VectorXd> iterates_;
  std::deque<Eigen::VectorXd> sums_;   // sum(k): the sum of the first k iterates
  std::vector<double> noise_sums_;     // likewise for the steps' noise
};

// The asymptotic variance σ² of a stationary series' mean (Var mean ≈ σ²/n)
// by Geyer's initial monotone sequence, summed over at most `max_lags` lags.
// `complete` if the sequence ended within them and the series is at least
// 50 of its correlation times (σ² / its variance) long; otherwise what was
// summed, less than σ² for a series that drifts. The series must be centred.
struct AsymptoticVariance {
  double variance = 0;
  bool complete = false;
};
AsymptoticVariance asymptotic_variance(Eigen::VectorXd const& centred, std::size_t max_lags);

}  // namespace bbvi
