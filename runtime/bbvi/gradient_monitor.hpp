#pragma once
// What the estimator did, visible on every run: over the last iterations, each
// coordinate's gradient estimate (the Euclidean gradient of the ELBO in the
// unconstrained coordinates u; F·δ for a natural-gradient estimate δ), the
// variance of one iteration's estimate, and their signal-to-noise ratio.
#include <Eigen/Core>

#include <deque>

namespace bbvi {

struct GradientSummary {
  Eigen::VectorXd mean;      // of the last iterations' estimates
  Eigen::VectorXd variance;  // of one iteration's estimate, averaged over them
  Eigen::VectorXd snr;       // |mean| / √noise: below ~1 the gradient is down to noise
                             // (noise: the larger of variance and the estimates' spread)
  int iterations = 0;        // how many iterations these cover
};

class GradientMonitor {
 public:
  static constexpr std::size_t span = 20;

  // One iteration's estimate and the variance of each of its coordinates,
  // estimated from that iteration's draws.
  void add(Eigen::VectorXd const& gradient, Eigen::VectorXd const& variance);
  GradientSummary summary() const;

 private:
  std::deque<Eigen::VectorXd> gradients_, variances_;
};

}  // namespace bbvi
