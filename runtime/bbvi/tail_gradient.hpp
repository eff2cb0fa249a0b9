#pragma once
// The locations' gradient at the tail's mean (docs/method.md, 'The coupled
// step'), for a stopping rule that does not wait for one iteration's
// gradient to be small. Where the ELBO is quadratic in the locations over
// the tail, g(u_t) = −M(u_t − u*), so the mean of the iterations' gradients
// over the iterates TailAverage averages is g at their mean ū, and
// ½ ḡᵀM⁻¹ḡ is the ELBO still to gain at ū, with the Monte-Carlo error of one
// iteration divided by the tail's length: the draws of each iteration are
// fresh, so the errors are independent.
#include <Eigen/Core>

#include <cstddef>
#include <deque>

namespace bbvi {

class TailGradient {
 public:
  // One per TailAverage::add, with the gradient the step that led there was
  // taken at and its variance (infinite where none was measured): the
  // tails are then the same iterations.
  void add(Eigen::VectorXd const& gradient, Eigen::VectorXd const& variance);
  std::size_t length() const { return count() - tail_start(); }
  std::size_t added() const { return gradient_sums_.empty() ? 0 : count(); }
  Eigen::VectorXd mean() const;           // ḡ over the tail
  Eigen::VectorXd mean_variance() const;  // of ḡ: Σ V_t / T²

 private:
  std::size_t count() const { return dropped_ + gradient_sums_.size() - 1; }
  std::size_t tail_start() const { return count() / 2; }  // as TailAverage's
  // The sums of the first k gradients and variances, for k from the tail's
  // start on.
  std::size_t dropped_ = 0;
  std::deque<Eigen::VectorXd> gradient_sums_, variance_sums_;
};

}  // namespace bbvi
