#include "runtime/bbvi/tail_average.hpp"

#include <Eigen/SparseCholesky>

#include <algorithm>
#include <limits>

namespace bbvi {

namespace {

constexpr double unavailable = std::numeric_limits<double>::infinity();

// Moves d's location coordinates into `at` (resized), leaving zeros in d.
// Element by element: an indexed view copies its index vector, and a
// small model's stopping rule was then mostly allocation.
void take_locations(LocationMetric const& locations, Eigen::VectorXd& d, Eigen::VectorXd& at) {
  at.resize(static_cast<Eigen::Index>(locations.coordinates.size()));
  for (std::size_t i = 0; i < locations.coordinates.size(); ++i) {
    Eigen::Index const c = locations.coordinates[i];
    at[static_cast<Eigen::Index>(i)] = d[c];
    d[c] = 0;
  }
}

// metric_kl, with d's location coordinates zeroed on return.
double metric_kl_in_place(BlockDiagonal const& fisher, LocationMetric const* locations, Eigen::VectorXd& d,
                          Eigen::VectorXd& at) {
  if (!locations) return 0.5 * fisher.quadratic(d);
  take_locations(*locations, d, at);
  return 0.5 * (fisher.quadratic(d) + at.dot(locations->curvature * at));
}

}  // namespace

double metric_kl(BlockDiagonal const& fisher, LocationMetric const* locations, Eigen::VectorXd d) {
  Eigen::VectorXd at;
  return metric_kl_in_place(fisher, locations, d, at);
}

// The metric G: the Fisher, with M̄ in place of its location block where
// given. w(d), with ½|w|² = ½ dᵀGd, only where G's factors are positive
// definite (usable()). The factors are made on first use: most iterations
// need only ½ dᵀGd (a 10,000-group fit's F̄ has 10,000 blocks).
class TailAverage::Whitening {
 public:
  Whitening(BlockDiagonal const& fisher, LocationMetric const* locations) : fisher_(fisher), locations_(locations) {}
  bool usable() {
    if (!factored_) {
      factored_ = true;
      usable_ = fisher_.cholesky(lower_);
      if (locations_) {
        curvature_.compute(locations_->curvature);
        usable_ = usable_ && curvature_.info() == Eigen::Success;
      }
    }
    return usable_;
  }
  // ½ dᵀGd; d's location coordinates are zeroed.
  double half_quadratic(Eigen::VectorXd& d) const { return metric_kl_in_place(fisher_, locations_, d, at_); }
  // w(d) into `w`, a row of as many columns as d has coordinates, and one
  // more per location; d's location coordinates are zeroed.
  template <typename Row>
  void operator()(Eigen::VectorXd& d, Row&& w) const {
    Eigen::Index const p = d.size();
    if (!locations_) {
      w = lower_.left_multiply(d.transpose());
      return;
    }
    take_locations(*locations_, d, at_);
    w.head(p) = lower_.left_multiply(d.transpose());
    w.tail(at_.size()) = (curvature_.matrixU() * (curvature_.permutationP() * at_)).transpose();
  }
  Eigen::Index columns(Eigen::Index p) const {
    return locations_ ? p + static_cast<Eigen::Index>(locations_->coordinates.size()) : p;
  }

 private:
  BlockDiagonal const& fisher_;
  LocationMetric const* locations_;
  BlockDiagonal lower_;
  Eigen::SimplicialLLT<Eigen::SparseMatrix<double>> curvature_;
  bool factored_ = false, usable_ = false;
  mutable Eigen::VectorXd at_;  // the locations' part of the d last given
};

void TailAverage::add(Eigen::VectorXd const& u, double step_noise_kl) {
  if (sums_.empty()) {
    sums_.push_back(Eigen::VectorXd::Zero(u.size()));
    noise_sums_.push_back(0);
  }
  sums_.push_back(sums_.back() + u);
  noise_sums_.push_back(noise_sums_.back() + step_noise_kl);
  iterates_.push_back(u);
  while (dropped_ < tail_start()) {
    iterates_.pop_front();
    sums_.pop_front();
    ++dropped_;
  }
}

void TailAverage::replace_last(Eigen::VectorXd const& u) {
  sums_.back() += u - iterates_.back();
  iterates_.back() = u;
}

std::size_t TailAverage::tail_length() const { return count() - tail_start(); }

Eigen::VectorXd TailAverage::window_mean(std::size_t from, std::size_t to) const {
  return (sum(to) - sum(from)) / static_cast<double>(to - from);
}

Eigen::VectorXd TailAverage::mean() const { return window_mean(tail_start(), count()); }

double TailAverage::noise_kl(BlockDiagonal const& fisher, LocationMetric const* locations) {
  Whitening whitening(fisher, locations);
  std::size_t const n = tail_length();
  if (autocorrelated_length_ == 0 || 20 * n >= 21 * autocorrelated_length_) {
    autocorrelated_ = autocorrelated(whitening);
    autocorrelated_length_ = n;
  }
  if (autocorrelated_.complete) return autocorrelated_.noise_kl;
  return steps_or_batch_means(whitening);
}

double TailAverage::steps_or_batch_means(Whitening const& whitening) const {
  std::size_t const n = tail_length();
  if (n < batches) return unavailable;
  std::size_t const end = count();
  double const steps = (noise_sums_[end] - noise_sums_[tail_start()]) / static_cast<double>(n * n);

  std::size_t const length = n / batches;
  std::size_t const from = end - batches * length;
  Eigen::VectorXd const overall = window_mean(from, end);
  double spread = 0;
  Eigen::VectorXd d(overall.size());
  for (std::size_t b = 0; b < batches; ++b) {
    std::size_t const first = from + b * length, last = from + (b + 1) * length;
    d = (sum(last) - sum(first)) / static_cast<double>(last - first) - overall;  // the batch's mean, centred
    spread += whitening.half_quadratic(d);
  }
  double const batch_means = spread / static_cast<double>(batches * (batches - 1));
  return std::max(steps, batch_means);
}

TailAverage::Autocorrelated TailAverage::autocorrelated(Whitening& whitening) const {
  std::size_t const n = tail_length();
  if (n == 0 || !whitening.usable()) return {};
  // Rows w(u − ū), so that ½ (u − ū)ᵀG(u − ū) is half their squared norm
  // and the KL splits over the columns.
  Eigen::VectorXd const centre = mean();
  Eigen::MatrixXd whitened(static_cast<Eigen::Index>(n), whitening.columns(centre.size()));
  Eigen::VectorXd d(centre.size());
  for (std::size_t k = 0; k < n; ++k) {
    d = iterate(tail_start() + k) - centre;
    whitening(d, whitened.row(static_cast<Eigen::Index>(k)));
  }
  Autocorrelated result{0, true};
  for (Eigen::Index i = 0; i < whitened.cols(); ++i) {
    AsymptoticVariance const a = asymptotic_variance(whitened.col(i), n / lags_per_tail);
    result.noise_kl += 0.5 * a.variance / static_cast<double>(n);
    result.complete = result.complete && a.complete;
  }
  return result;
}

AsymptoticVariance asymptotic_variance(Eigen::VectorXd const& centred, std::size_t max_lags) {
  Eigen::Index const n = centred.size();
  auto const autocovariance = [&](Eigen::Index lag) {
    return centred.head(n - lag).dot(centred.tail(n - lag)) / static_cast<double>(n);
  };
  // Γ_m = γ_{2m} + γ_{2m+1} is positive and decreasing for a reversible
  // series; stopping at the first that is not, and capping each at the one
  // before, keeps the sum out of the noise of the long lags.
  double sum = 0;
  double previous = unavailable;
  bool complete = false;
  for (Eigen::Index lag = 0; lag + 1 < n && static_cast<std::size_t>(lag + 2) <= max_lags; lag += 2) {
    double const pair = std::min(previous, autocovariance(lag) + autocovariance(lag + 1));
    if (pair <= 0) {
      complete = true;
      break;
    }
    sum += pair;
    previous = pair;
  }
  double const gamma0 = autocovariance(0);
  double const variance = std::max(0.0, 2 * sum - gamma0);
  // A tail only a few correlation times long can look settled by chance: the
  // long lags' estimates are noisy enough to end the sequence early.
  bool const long_enough =
      gamma0 == 0 || static_cast<double>(n) >= TailAverage::tail_per_correlation_time * variance / gamma0;
  return {variance, complete && long_enough};
}

}  // namespace bbvi
