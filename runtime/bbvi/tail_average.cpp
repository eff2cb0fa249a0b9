#include "runtime/bbvi/tail_average.hpp"

#include <algorithm>
#include <limits>

namespace bbvi {

namespace {
constexpr std::size_t batches = 10;
}

void TailAverage::add(Eigen::VectorXd const& u, double step_noise_kl) {
  if (sums_.empty()) {
    sums_.push_back(Eigen::VectorXd::Zero(u.size()));
    noise_sums_.push_back(0);
  }
  sums_.push_back(sums_.back() + u);
  noise_sums_.push_back(noise_sums_.back() + step_noise_kl);
}

std::size_t TailAverage::tail_length() const { return sums_.empty() ? 0 : sums_.size() - 1 - tail_start(); }

Eigen::VectorXd TailAverage::window_mean(std::size_t from, std::size_t to) const {
  return (sums_[to] - sums_[from]) / static_cast<double>(to - from);
}

Eigen::VectorXd TailAverage::mean() const { return window_mean(tail_start(), sums_.size() - 1); }

double TailAverage::noise_kl(Eigen::MatrixXd const& fisher) const {
  std::size_t const n = tail_length();
  if (n < batches) return std::numeric_limits<double>::infinity();
  std::size_t const end = sums_.size() - 1;
  double const steps = (noise_sums_[end] - noise_sums_[tail_start()]) / static_cast<double>(n * n);

  std::size_t const length = n / batches;
  std::size_t const from = end - batches * length;
  Eigen::VectorXd const overall = window_mean(from, end);
  double spread = 0;
  for (std::size_t b = 0; b < batches; ++b) {
    Eigen::VectorXd const d = window_mean(from + b * length, from + (b + 1) * length) - overall;
    spread += 0.5 * d.dot(fisher * d);
  }
  double const batch_means = spread / static_cast<double>(batches * (batches - 1));
  return std::max(steps, batch_means);
}

}  // namespace bbvi
