// Gradient variance of every estimator at the documented initial point, the
// midpoint (in u) and the optimum, on the canonical model (N = 1,000 and
// 1,000,000) and on eight schools, all at the default S and in one metric:
// each estimate as the Euclidean gradient in the unconstrained coordinates
// (F·δ for a regression's natural-gradient estimate δ, F the exact Fisher at
// the point, so that F's noise is not counted) with the variance summed over
// coordinates, and the Fisher-norm variance tr(F⁻¹ Cov) beside it. Ratios are
// against `basic`; R independent iterations per point.
#include "bench/bench_support.hpp"
#include "runtime/bbvi/estimators/estimator.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>

#include <cstdio>

using namespace bbvi;

namespace {

// E[s sᵀ] at u from many draws: the Fisher the metric uses.
Eigen::MatrixXd fisher_at(Program const& program, Eigen::VectorXd const& u, int draws) {
  Eigen::MatrixXd f = Eigen::MatrixXd::Zero(u.size(), u.size());
  Eigen::VectorXd score(u.size());
  for (int s = 0; s < draws; ++s) {
    RandomStream rng(99, 0, static_cast<std::uint64_t>(s));
    std::vector<double> const z = sample_guide(program, u, rng);
    log_guide_with_score(program, u, z, score);
    f += score * score.transpose();
  }
  return f / draws;
}

void measure(bench::Case const& c, char const* point, Eigen::VectorXd const& u, int replications) {
  Program const& program = c.program;
  Blankets const blankets = find_blankets(program);
  int const S = entry_of(Method::natural_gradient).samples(program.parameter_dimension);
  Eigen::MatrixXd const F = fisher_at(program, u, 200000);
  Eigen::MatrixXd const F_inverse = F.ldlt().solve(Eigen::MatrixXd::Identity(F.rows(), F.cols()));
  WorkerPool pool(WorkerPool::available_cores());
  std::fputs(fmt::format("\n{}, {} (S = {}, {} iterations)\n", c.name, point, S, replications).c_str(), stdout);
  std::fputs(fmt::format("  {:<18} {:>12} {:>10} {:>14} {:>10}\n", "estimator", "Σ variance", "vs basic",
                         "Fisher-norm", "vs basic")
                 .c_str(),
             stdout);
  double basic_sum = 0, basic_fisher = 0;
  // Every estimator on the same draws.
  LocalPlan const plan = plan_local(program, blankets);
  std::vector<Draws> draws;
  for (int r = 0; r < replications; ++r)
    draws.push_back(draw(program, u, S, 5, static_cast<std::uint64_t>(r), pool, {&blankets, &plan}));
  for (EstimatorEntry const& entry : estimator_table()) {
    std::string_view const kind = entry.name;
    std::unique_ptr<GradientEstimator> const estimator = entry.make({program, blankets});
    // What the natural-gradient step moves along, in Euclidean units: F·δ
    // for the regressions and local expectations, ĝ for the averages.
    bool const natural = estimator->regresses() || kind == "local";
    Eigen::MatrixXd estimates(replications, u.size());
    for (int r = 0; r < replications; ++r) {
      GradientEstimate const e = estimator->estimate(draws[static_cast<std::size_t>(r)]);
      estimates.row(r) = (natural ? Eigen::VectorXd(F * e.natural) : e.gradient).transpose();
    }
    Eigen::MatrixXd const centred = estimates.rowwise() - estimates.colwise().mean();
    Eigen::MatrixXd const covariance = centred.transpose() * centred / (replications - 1.0);
    double const sum = covariance.trace(), fisher = (F_inverse * covariance).trace();
    if (kind == "basic") basic_sum = sum, basic_fisher = fisher;
    std::fputs(fmt::format("  {:<18} {:>12.4g} {:>9.3g}× {:>14.4g} {:>9.3g}×\n", kind, sum,
                           basic_sum / sum, fisher, basic_fisher / fisher)
                   .c_str(),
               stdout);
  }
}

void measure_case(bench::Case const& c, int replications) {
  Eigen::VectorXd const start = initial_parameters(c.program);
  measure(c, "initial point", start, replications);
  measure(c, "midpoint", 0.5 * (start + c.optimum), replications);
  measure(c, "optimum", c.optimum, replications);
}

}  // namespace

int main() {
  std::fputs("Gradient variance per estimator (bench/variance.cpp): '× vs basic' is basic's variance over this "
             "one's.\n",
             stdout);
  measure_case(bench::canonical(1000, 778), 2000);
  measure_case(bench::canonical(1000000, 777), 2000);
  measure_case(bench::eight_schools(), 1000);
  measure_case(bench::eight_schools_centred(), 1000);
}
