// Every gradient estimator is unbiased, in the fit's first phases and in its
// averaging phase, and the variance it reports for its own estimate is the
// variance it has: each is held, over many independent
// iterations' draws at one point, against the exact gradient (central
// differences of the closed-form ELBO in u) on the canonical model and on
// eight schools, whose vector latent exercises per-element blankets.
#include "runtime/bbvi/estimators/estimator.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/eight_schools_reference.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string_view>

using namespace bbvi;

namespace {

// ∂/∂u of `elbo` by central differences: h = 1e-5 gives truncation ~1e-10
// and rounding ~1e-16 |ELBO| / h ≈ 1e-9, far below the Monte-Carlo error.
Eigen::VectorXd exact_gradient(std::function<double(Eigen::VectorXd const&)> const& elbo, Eigen::VectorXd const& u) {
  Eigen::VectorXd g(u.size());
  for (Eigen::Index i = 0; i < u.size(); ++i) {
    double const h = 1e-5;
    Eigen::VectorXd up = u, down = u;
    up[i] += h;
    down[i] -= h;
    g[i] = (elbo(up) - elbo(down)) / (2 * h);
  }
  return g;
}

// R estimates of a vector: their mean and variance, and the mean of the
// variance each claimed for itself.
class Spread {
 public:
  explicit Spread(Eigen::Index P)
      : sum_(Eigen::VectorXd::Zero(P)), square_(Eigen::VectorXd::Zero(P)), claimed_(Eigen::VectorXd::Zero(P)) {}
  void add(Eigen::VectorXd const& x, Eigen::VectorXd const& claimed) {
    sum_ += x;
    square_ += x.cwiseProduct(x);
    claimed_ += claimed;
    ++n_;
  }
  Eigen::VectorXd mean() const { return sum_ / n_; }
  Eigen::VectorXd variance() const { return (square_ / n_ - mean().cwiseProduct(mean())) * n_ / (n_ - 1); }

  // The measured variance over R replications has a relative sd of about
  // √(2/R) (< 5% here); the covariance formulas are asymptotic in S, so they
  // may be off by some tens of percent at these S, but not by a factor.
  void check_claims(std::string_view estimator, char const* what) const {
    Eigen::VectorXd const measured = variance(), claimed = claimed_ / n_;
    for (Eigen::Index i = 0; i < measured.size(); ++i) {
      CAPTURE(estimator, what, i, measured[i], claimed[i], mean()[i]);
      // A coordinate the estimator gets exactly (local's for eight schools'
      // mu_sd: its blanket is quadratic in mu with a fixed curvature) varies
      // only by rounding, and must claim no more.
      double const rounding = 1e-12 * (1 + mean()[i] * mean()[i]);
      if (measured[i] < rounding) {
        CHECK(claimed[i] < rounding);
        continue;
      }
      CHECK(claimed[i] > 0.6 * measured[i]);
      CHECK(claimed[i] < 1.6 * measured[i]);
    }
  }

 private:
  Eigen::VectorXd sum_, square_, claimed_;
  double n_ = 0;
};

// R iterations of S draws at u, each estimator on the same draws: the
// Euclidean gradient is unbiased and its claimed variance is its variance.
void check_gradients(Program const& program, Eigen::VectorXd const& u, Eigen::VectorXd const& exact, int samples,
                     int replications) {
  Blankets const blankets = find_blankets(program);
  WorkerPool pool(1);
  for (EstimatorEntry const& entry : estimator_table()) {
    std::unique_ptr<GradientEstimator> const estimator = entry.make({program, blankets});
    std::string_view const kind = entry.name;
    // The averaging phase's estimate too, given the previous iteration's
    // (regression-rb-joint takes control variates from it).
    Spread gradient(u.size()), averaging(u.size());
    // One iteration first: an estimator that learns from the last one (local
    // takes its control variates where the last draws said they pay) is
    // measured as it runs after that.
    auto const warm_up = static_cast<std::uint64_t>(replications);
    estimator->estimate(draw(program, u, samples, 11, warm_up, pool, estimator->needs()));
    estimator->end_iteration();
    for (int r = 0; r < replications; ++r) {
      Draws const d = draw(program, u, samples, 11, static_cast<std::uint64_t>(r), pool, estimator->needs());
      GradientEstimate const e = estimator->estimate(d);
      gradient.add(e.gradient, e.covariance.diagonal());
      if (r > 0) {
        GradientEstimate const a = estimator->unbiased(d, e, e.fisher);
        averaging.add(a.gradient, a.covariance.diagonal());
      }
      estimator->end_iteration();
    }
    for (Spread const* s : {&gradient, &averaging})
      for (Eigen::Index i = 0; i < u.size(); ++i) {
        CAPTURE(kind, s == &gradient ? "estimate" : "averaging phase", i, s->mean()[i], exact[i]);
        // Unbiased: within 5 standard errors of the mean of R estimates (a
        // false alarm is a 6e-7 event per coordinate; the seeds are fixed).
        CHECK(std::abs(s->mean()[i] - exact[i]) < 5 * std::sqrt(s->variance()[i] / replications));
      }
    gradient.check_claims(kind, "gradient");
    averaging.check_claims(kind, "averaging-phase gradient");
  }
}

// The regressions' slope δ, which the natural-gradient step takes: its
// claimed variance (the residual sandwich) is its variance once S is large
// beside P. At S = 2P + 2 it can be off by a factor of 2 either way, and on a
// heavy-tailed f (eight schools) it converges more slowly (README,
// "Estimators and steps").
void check_natural_gradients(Program const& program, Eigen::VectorXd const& u, int samples, int replications) {
  Blankets const blankets = find_blankets(program);
  WorkerPool pool(1);
  for (std::string_view kind : {"regression", "regression-groups", "regression-rb"}) {
    std::unique_ptr<GradientEstimator> const estimator = estimator_named(kind)->make({program, blankets});
    Spread natural(u.size());
    for (int r = 0; r < replications; ++r) {
      Draws const d = draw(program, u, samples, 12, static_cast<std::uint64_t>(r), pool, estimator->needs());
      GradientEstimate const e = estimator->estimate(d);
      natural.add(e.natural, e.natural_covariance.diagonal());
    }
    natural.check_claims(kind, "natural gradient");
  }
}

}  // namespace

TEST_CASE("estimators: all unbiased, with honest variances, on the canonical model") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/normal_gamma.csv");
  std::vector<double> const x = table.real_column("x");
  Program const program = testing::compile_model(testing::read_source_file("models/normal_gamma.model"), &table);
  reference::NormalGammaPrior const prior{0.0, 1.0, 1.0, 1.0};
  auto const elbo = [&](Eigen::VectorXd const& u) {
    auto const p = constrained_parameters(program, u);
    return reference::elbo({p[0][0], p[1][0], p[2][0], p[3][0]}, x, prior);
  };
  reference::NormalGammaGuide const optimum = reference::cavi_optimum(x, prior);
  // Near the optimum but not at it, so that the gradient is not zero.
  Eigen::VectorXd const u = (Eigen::VectorXd(4) << optimum.mu_N + 0.1, std::log(optimum.lambda_N) - 0.3,
                             std::log(optimum.alpha_N) + 0.2, std::log(optimum.beta_N) + 0.1)
                                .finished();
  check_gradients(program, u, exact_gradient(elbo, u), 10, 4000);
  check_natural_gradients(program, u, 200, 500);
}

TEST_CASE("estimators: all unbiased, with honest variances, on eight schools (per-element blankets)") {
  data::CsvTable const table = data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/eight_schools.csv");
  reference::EightSchools d;
  for (std::int64_t s : table.int_column("school")) d.school.push_back(static_cast<int>(s));
  d.y = table.real_column("y");
  d.sigma = table.real_column("sigma");
  Program const program = testing::compile_model(testing::read_source_file("models/eight_schools.model"), &table);
  auto const elbo = [&](Eigen::VectorXd const& u) {
    auto const p = constrained_parameters(program, u);
    return reference::eight_schools_elbo(d, {p[0][0], p[1][0], p[2][0], p[3][0], p[4], p[5]});
  };
  Eigen::VectorXd u = initial_parameters(program);
  for (Eigen::Index i = 0; i < u.size(); ++i) u[i] += 0.3 * std::sin(1.0 + static_cast<double>(i));
  check_gradients(program, u, exact_gradient(elbo, u), 42, 1000);
}
