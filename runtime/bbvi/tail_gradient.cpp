#include "runtime/bbvi/tail_gradient.hpp"

namespace bbvi {

void TailGradient::add(Eigen::VectorXd const& gradient, Eigen::VectorXd const& variance) {
  if (gradient_sums_.empty()) {
    gradient_sums_.push_back(Eigen::VectorXd::Zero(gradient.size()));
    variance_sums_.push_back(Eigen::VectorXd::Zero(gradient.size()));
  }
  gradient_sums_.push_back(gradient_sums_.back() + gradient);
  variance_sums_.push_back(variance_sums_.back() + variance);
  while (dropped_ < tail_start()) {
    gradient_sums_.pop_front();
    variance_sums_.pop_front();
    ++dropped_;
  }
}

Eigen::VectorXd TailGradient::mean() const {
  return (gradient_sums_.back() - gradient_sums_.front()) / static_cast<double>(length());
}

Eigen::VectorXd TailGradient::mean_variance() const {
  double const n = static_cast<double>(length());
  return (variance_sums_.back() - variance_sums_.front()) / (n * n);
}

}  // namespace bbvi
