#include "runtime/bbvi/gradient_monitor.hpp"

namespace bbvi {

void GradientMonitor::add(Eigen::VectorXd const& gradient, Eigen::VectorXd const& variance) {
  gradients_.push_back(gradient);
  variances_.push_back(variance);
  if (gradients_.size() > span) {
    gradients_.pop_front();
    variances_.pop_front();
  }
}

GradientSummary GradientMonitor::summary() const {
  GradientSummary s;
  s.iterations = static_cast<int>(gradients_.size());
  if (gradients_.empty()) return s;
  s.mean = Eigen::VectorXd::Zero(gradients_.front().size());
  s.variance = Eigen::VectorXd::Zero(s.mean.size());
  for (std::size_t i = 0; i < gradients_.size(); ++i) {
    s.mean += gradients_[i];
    s.variance += variances_[i];
  }
  s.mean /= s.iterations;
  s.variance /= s.iterations;
  // The noise the mean is read against is the larger of one estimate's
  // variance and the estimates' spread over the iterations: an averaged fit's
  // iterates wander with the other coordinates' noise, and where this
  // coordinate's own estimate is nearly exact (a local expectation), its
  // gradient varies with them more than one iteration's draws claim.
  Eigen::VectorXd noise = s.variance;
  if (s.iterations > 1) {
    Eigen::VectorXd spread = Eigen::VectorXd::Zero(s.mean.size());
    for (Eigen::VectorXd const& g : gradients_) spread += (g - s.mean).cwiseAbs2();
    noise = noise.cwiseMax(spread / (s.iterations - 1));
  }
  // A coordinate estimated without noise (a conjugate optimum) has no finite
  // ratio; 0/0 there means "no signal", not NaN.
  s.snr = (noise.array() > 0).select(s.mean.array().abs() / noise.array().sqrt(), 0.0);
  return s;
}

}  // namespace bbvi
