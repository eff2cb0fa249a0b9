// AdaGrad as in the BBVI paper: u ← u + η ĝ / √(Σ_t ĝ_t²), per coordinate.
// With the basic estimator this is Algorithm 1, with cv Algorithm 2, as
// published. On the canonical model it is still far from the optimum after
// 20,000 iterations (docs/method.md, 'AdaGrad and Adam'), which is why it is
// not the default.
#include "runtime/bbvi/steps/euclidean.hpp"

#include <memory>

namespace bbvi {

namespace {

class AdaGrad final : public EuclideanStep {
 public:
  using EuclideanStep::EuclideanStep;

 private:
  Eigen::ArrayXd change(Eigen::ArrayXd const& g) override {
    if (squares_.size() == 0) squares_ = Eigen::ArrayXd::Zero(g.size());
    squares_ += g.square();
    // A coordinate whose gradient has always been 0 stays put (0/0 otherwise).
    Eigen::ArrayXd const scale = (squares_ > 0).select(squares_.rsqrt(), 0.0);
    return settings_.step_size * g * scale;
  }

  Eigen::ArrayXd squares_;  // Σ_t ĝ_t²
};

}  // namespace

std::unique_ptr<Step> make_adagrad(StepContext const& c) { return std::make_unique<AdaGrad>(c); }

}  // namespace bbvi
