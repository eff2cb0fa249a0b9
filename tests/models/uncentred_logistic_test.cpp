// A logistic regression on a covariate near 2000 (a year), written the
// natural way: y ~ Bernoulli(inv_logit(b[1] + b[2] * x2)), b ~ Normal(0, 100).
// The guide starts at sd 1, so the linear predictor has an sd of about 2000
// at the first draws and inv_logit of it rounds to 0 or 1 at most rows; the
// log density, evaluated on the log-odds scale, stays finite there
// (runtime/distributions/log_odds.hpp). Held against
// tests/support/logistic_regression_reference.cpp, whose ELBO of a
// factorised Normal guide is computed without the engine.
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/engine_elbo.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/logistic_regression_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;

namespace {

// The design of the reference's correlated suite (K = 2, N = 50, data seed
// 1), its covariate moved to 2000 + u, u standard normal; the outcomes do
// not depend on where it sits.
reference::LogisticRegression near_2000() {
  reference::LogisticRegression r = reference::correlated_logistic_regression(2, 50, 0.99, 1);
  double const shift = 2000 - r.centre;
  r.x.col(1).array() += shift;
  r.truth[0] -= shift * r.truth[1];
  r.centre = 2000;
  return r;
}

// The guide's parameters as the reference reads them: b_mean[K], then b_sd[K].
reference::MeanFieldNormal guide_of(Program const& program, Eigen::VectorXd const& u) {
  std::vector<std::vector<double>> const p = constrained_parameters(program, u);
  reference::MeanFieldNormal q;
  q.mean = Eigen::Map<Eigen::VectorXd const>(p[0].data(), static_cast<Eigen::Index>(p[0].size()));
  q.sd = Eigen::Map<Eigen::VectorXd const>(p[1].data(), static_cast<Eigen::Index>(p[1].size()));
  return q;
}

}  // namespace

TEST_CASE("uncentred logistic regression: the ELBO matches the reference where inv_logit rounds to 0 or 1, and the fit nears the optimum") {
  reference::LogisticRegression const r = near_2000();
  data::CsvTable const table = data::CsvTable::from_text(reference::logistic_csv(r), "near_2000.csv");
  Program const program = testing::compile_model(reference::logistic_model(r), &table);

  // At the guide's initial values: |eta| > 40 at most rows of most draws.
  Eigen::VectorXd const start = initial_parameters(program);
  testing::ElboEstimate const at_start = testing::engine_elbo(program, start, 4000);
  double const reference_start = reference::elbo(r, guide_of(program, start));
  INFO("at the start: engine " << at_start.mean << " ± " << at_start.se << ", reference " << reference_start);
  CHECK(at_start.all_finite);
  CHECK(std::fabs(at_start.mean - reference_start) < 5 * at_start.se);

  FitOptions options;
  options.max_iterations = 2000;
  FitResult const result = fit(program, options);
  reference::MeanFieldNormal const fitted = guide_of(program, result.u);
  testing::ElboEstimate const at_end = testing::engine_elbo(program, result.u, 4000);
  double const reference_end = reference::elbo(r, fitted);
  INFO("after " << result.iterations << " iterations: reported " << result.elbo << " ± " << result.elbo_se
                << ", engine " << at_end.mean << " ± " << at_end.se << ", reference " << reference_end
                << "; means " << fitted.mean.transpose() << ", sds " << fitted.sd.transpose());
  CHECK(std::isfinite(result.elbo));
  CHECK(at_end.all_finite);
  CHECK(std::fabs(at_end.mean - reference_end) < 5 * at_end.se);
  // From 4e4 nats short at the start to within half a nat of the mean-field
  // optimum: on this ridge (posterior correlation near −1) the means creep
  // along it for long after the ELBO has nearly settled.
  double const gap = reference::elbo_gap(r, reference::mean_field_optimum(r), fitted);
  INFO("gap to the mean-field optimum " << gap);
  CHECK(gap < 0.5);
}
