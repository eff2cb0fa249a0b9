// Adam (Kingma & Ba 2015) with a constant step size: u ← u + η m̂ / (√v̂ + ε)
// from the bias-corrected moving averages of ĝ and ĝ² (docs/method.md,
// 'AdaGrad and Adam').
#include "runtime/bbvi/steps/euclidean.hpp"

#include <cmath>
#include <memory>

namespace bbvi {

namespace {

constexpr double decay_mean = 0.9, decay_square = 0.999, epsilon = 1e-8;

class Adam final : public EuclideanStep {
 public:
  using EuclideanStep::EuclideanStep;

 private:
  Eigen::ArrayXd change(Eigen::ArrayXd const& g) override {
    if (steps_ == 0) momentum_ = squares_ = Eigen::ArrayXd::Zero(g.size());
    ++steps_;
    momentum_ = decay_mean * momentum_ + (1 - decay_mean) * g;
    squares_ = decay_square * squares_ + (1 - decay_square) * g.square();
    Eigen::ArrayXd const mean = momentum_ / (1 - std::pow(decay_mean, steps_));
    Eigen::ArrayXd const square = squares_ / (1 - std::pow(decay_square, steps_));
    return settings_.step_size * mean / (square.sqrt() + epsilon);
  }

  int steps_ = 0;
  Eigen::ArrayXd momentum_, squares_;  // the moving averages of ĝ and ĝ²
};

}  // namespace

std::unique_ptr<Step> make_adam(StepContext const& c) { return std::make_unique<Adam>(c); }

}  // namespace bbvi
