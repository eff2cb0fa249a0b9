#include "runtime/bbvi/table.hpp"

#include <algorithm>

namespace bbvi {

// Each made in its own file.
std::unique_ptr<GradientEstimator> make_basic(EstimatorContext const&);                // estimators/score_average.cpp
std::unique_ptr<GradientEstimator> make_rb(EstimatorContext const&);                   // estimators/score_average.cpp
std::unique_ptr<GradientEstimator> make_cv(EstimatorContext const&);                   // estimators/score_average.cpp
std::unique_ptr<GradientEstimator> make_regression(EstimatorContext const&);           // estimators/least_squares.cpp
std::unique_ptr<GradientEstimator> make_regression_groups(EstimatorContext const&);    // estimators/least_squares.cpp
std::unique_ptr<GradientEstimator> make_regression_rb(EstimatorContext const&);        // estimators/least_squares.cpp
std::unique_ptr<GradientEstimator> make_regression_rb_joint(EstimatorContext const&);  // estimators/neighbour_regression.cpp
std::unique_ptr<GradientEstimator> make_local(EstimatorContext const&);                // estimators/local.cpp
std::unique_ptr<Step> make_natural_gradient(StepContext const&);                       // steps/natural_gradient.cpp
std::unique_ptr<Step> make_adagrad(StepContext const&);                                // steps/adagrad.cpp
std::unique_ptr<Step> make_adam(StepContext const&);                                   // steps/adam.cpp

namespace {

// The natural gradient regresses on (or preconditions by) blocks of P
// coordinates: S > P + 1, and twice that keeps its residual variance (and so
// the stopping rule) well estimated.
int natural_gradient_samples(std::size_t block) { return std::max(10, 2 * static_cast<int>(block) + 2); }
// AdaGrad and Adam: the paper's S.
int first_order_samples(std::size_t) { return 10; }

}  // namespace

std::vector<EstimatorEntry> const& estimator_table() {
  static std::vector<EstimatorEntry> const table{
      {"basic", make_basic},
      {"rb", make_rb},
      {"cv", make_cv},
      {"regression", make_regression},
      {"regression-groups", make_regression_groups},
      {"regression-rb", make_regression_rb},
      {"regression-rb-joint", make_regression_rb_joint},
      {"local", make_local},
  };
  return table;
}

// The default estimators, measured (bench/defaults.cpp, README "Which is the
// default"): local expectations need the fewest log-joint evaluations over
// all the example models together (60% fewer than the joint regression,
// eight schools most of that) and reach the best ELBO on each; AdaGrad keeps
// the paper's Algorithm 1. The natural gradient usually stops within 10–200
// iterations; a model whose f is heavy-tailed under q (eight schools: tau² in
// the likelihood under a LogNormal guide) needs a few thousand of averaging
// to meet the tolerance.
std::vector<MethodEntry> const& method_table() {
  static std::vector<MethodEntry> const table{
      {Method::natural_gradient, "natural-gradient", make_natural_gradient, "local", natural_gradient_samples, 10000, 1.0},
      {Method::adagrad, "adagrad", make_adagrad, "basic", first_order_samples, 20000, 1.0},
      {Method::adam, "adam", make_adam, "local", first_order_samples, 20000, 0.05},
  };
  return table;
}

EstimatorEntry const* estimator_named(std::string_view name) {
  for (EstimatorEntry const& e : estimator_table())
    if (e.name == name) return &e;
  return nullptr;
}

MethodEntry const* method_named(std::string_view name) {
  for (MethodEntry const& m : method_table())
    if (m.name == name) return &m;
  return nullptr;
}

MethodEntry const& entry_of(Method method) {
  auto const& table = method_table();
  return *std::find_if(table.begin(), table.end(), [&](MethodEntry const& m) { return m.method == method; });
}

std::string_view name_of(Method method) { return entry_of(method).name; }

}  // namespace bbvi
