#pragma once
// What AdaGrad and Adam share (docs/method.md, 'AdaGrad and Adam'): a step
// per coordinate of u on the Euclidean gradient ĝ of any estimator, and no
// stopping rule: they run to the iteration cap.
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/steps/step.hpp"

#include <cmath>

namespace bbvi {

class EuclideanStep : public Step {
 public:
  explicit EuclideanStep(StepContext const& c) : settings_(c.settings) {}

  bool usable(GradientEstimate const& e) const override { return e.gradient.allFinite(); }
  std::string_view direction() const override { return "the gradient estimate"; }

  StepTaken take(Draws const&, GradientEstimate e, GradientEstimator&, Eigen::VectorXd const& u) override {
    StepTaken taken;
    taken.change = change(e.gradient.array()).matrix();
    taken.gradient = e.gradient;
    taken.variance = e.covariance.diagonal();
    taken.record = {0, e.elbo, std::sqrt(e.elbo_variance), settings_.step_size, u + taken.change};
    return taken;
  }

  // The last iteration's estimate, as its record holds it.
  void finish(FitResult& r) const override {
    if (r.trace.empty()) return;
    r.elbo = r.trace.back().elbo;
    r.elbo_se = r.trace.back().elbo_se;
  }

 protected:
  // The change to u for this iteration's gradient estimate g.
  virtual Eigen::ArrayXd change(Eigen::ArrayXd const& g) = 0;

  FitSettings const& settings_;
};

}  // namespace bbvi
