// Adam (docs/method.md, 'AdaGrad and Adam'): bias-corrected moving averages
// of the gradient estimate and its square, and the step u ← u + η m̂/(√v̂ + ε),
// recomputed here from the same draws the fit made; and on the canonical
// model, a fit that climbs.
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/estimators/estimator.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "core/parallel.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace bbvi;

namespace {

Program canonical(std::vector<double> const& x) {
  data::CsvTable const table = testing::column_table("x", x);
  return testing::compile_model(testing::read_source_file("models/normal_gamma.model"), &table);
}

// Iteration t's gradient estimate at u, from the draws the fit makes there
// with the estimator its plan holds, which then ends the iteration as the
// fit's does (local learns from its last draws where control variates pay).
Eigen::VectorXd gradient_at(Program const& program, FitPlan& plan, Eigen::VectorXd const& u, FitOptions const& options,
                            int t) {
  WorkerPool pool(1);
  Draws const d =
      draw(program, u, options.samples, options.seed, static_cast<std::uint64_t>(t), pool, plan.estimator->needs());
  Eigen::VectorXd gradient = plan.estimator->estimate(d).gradient;
  plan.estimator->end_iteration();
  return gradient;
}

}  // namespace

TEST_CASE("adam: each step is the bias-corrected moment ratio of the fit's own gradient estimates") {
  std::vector<double> const x = tools::generate_normal_gamma(200, tools::NormalGammaPrior{}, 77);
  Program const program = canonical(x);
  for (char const* kind : {"basic", "local"}) {
    INFO("estimator " << kind);
    FitOptions options;
    options.method = Method::adam;
    options.estimator = kind;
    options.samples = 10;
    options.max_iterations = 30;
    options.step_size = 0.05;
    options.seed = 4;
    options.threads = 1;
    FitResult const r = fit(program, options);
    REQUIRE(r.trace.size() == 30);
    FitPlan plan = plan_fit(program, options);

    double const beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
    Eigen::ArrayXd m = Eigen::ArrayXd::Zero(4), v = Eigen::ArrayXd::Zero(4);
    Eigen::VectorXd u = initial_parameters(program);
    for (int t = 1; t <= 30; ++t) {
      INFO("iteration " << t);
      Eigen::ArrayXd const g = gradient_at(program, plan, u, options, t).array();
      m = beta1 * m + (1 - beta1) * g;
      v = beta2 * v + (1 - beta2) * g * g;
      Eigen::ArrayXd const m_hat = m / (1 - std::pow(beta1, t)), v_hat = v / (1 - std::pow(beta2, t));
      Eigen::VectorXd const expected = u + (options.step_size * m_hat / (v_hat.sqrt() + epsilon)).matrix();
      Eigen::VectorXd const& actual = r.trace[static_cast<std::size_t>(t - 1)].u;
      for (Eigen::Index k = 0; k < 4; ++k) CHECK(actual[k] == Approx(expected[k]).epsilon(1e-12).margin(1e-12));
      if (t == 1) {
        // Bias-corrected, the first step is η ĝ/(|ĝ| + ε): η in every
        // coordinate whose gradient is not 0, whatever its size.
        for (Eigen::Index k = 0; k < 4; ++k) {
          INFO("coordinate " << k << ", gradient " << g[k]);
          if (std::abs(g[k]) > 1e-3) CHECK(std::abs(actual[k] - u[k]) == Approx(options.step_size).epsilon(1e-4));
        }
      }
      u = actual;  // the next step starts where the fit went
    }
    CHECK(r.u == r.trace.back().u);
    CHECK_FALSE(r.converged);
  }
}

TEST_CASE("adam: on the canonical model the exact ELBO of its guide climbs") {
  // No claim of convergence: Adam has no stopping rule (docs/method.md,
  // 'AdaGrad and Adam'). It must climb from the initial guide most of the
  // way to the optimum (measured: from 12,746 nats below it to 22).
  tools::NormalGammaPrior const prior{};
  std::vector<double> const x = tools::generate_normal_gamma(1000, prior, 505);
  Program const program = canonical(x);
  FitOptions options;
  options.method = Method::adam;
  options.max_iterations = 2000;
  options.seed = 9;
  FitResult const r = fit(program, options);
  CHECK(r.iterations == 2000);
  auto const guide = [&](Eigen::VectorXd const& u) {
    auto const p = constrained_parameters(program, u);
    return reference::NormalGammaGuide{p[0][0], p[1][0], p[2][0], p[3][0]};
  };
  reference::NormalGammaGuide const optimum = reference::cavi_optimum(x, prior);
  reference::NormalGammaGuide const start = guide(initial_parameters(program)), end = guide(r.u);
  double const gap_start = reference::elbo(optimum, x, prior) - reference::elbo(start, x, prior);
  double const gap_end = reference::elbo(optimum, x, prior) - reference::elbo(end, x, prior);
  INFO("ELBO gap from the optimum: " << gap_start << " nats at the start, " << gap_end << " after 2000 iterations");
  CHECK(gap_end < gap_start / 100);
  CHECK(reference::kl_to(end, optimum) < reference::kl_to(start, optimum));
}
