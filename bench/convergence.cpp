// Iterations, log-joint evaluations and fitting time until the fit is within
// KL 0.01 of the CAVI optimum, on the canonical model at N = 1,000 and
// 1,000,000, for every estimator with every step. "Reached" is the first
// iteration from which the result (the natural gradient's running tail mean
// in its averaging phase, else the iterate) stays below 0.01 to the end of
// the run; its time is the fit's time in proportion to that iteration. The
// natural-gradient step also reports where its own stopping rule stopped,
// and the KL there; the others have no stopping rule and run to their cap.
#include "bench/bench_support.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

using namespace bbvi;

namespace {

void run(bench::Case const& c, Method method, std::string_view estimator, int cap) {
  FitOptions options;
  options.method = method;
  options.estimator = std::string(estimator);
  options.max_iterations = cap;
  options.threads = 1;
  std::string const label = fmt::format("  {:<17} {:<20}", name_of(method), estimator);
  try {
    FitResult const r = fit(c.program, options);
    int reached = 0;  // the last iteration above 0.01, plus one
    for (IterationRecord const& i : r.trace)
      if (!(bench::canonical_kl(c, i.u) < 0.01)) reached = i.iteration + 1;
    std::string stop = method == Method::natural_gradient
                           ? fmt::format("{:>6} {:>9.2g}", r.converged ? fmt::format("{}", r.iterations) : "cap",
                                         bench::canonical_kl(c, r.u))
                           : fmt::format("{:>6} {:>9}", "—", "—");
    if (reached > r.iterations) {
      std::fputs(fmt::format("{} {:>10} {:>12} {:>10}   {}\n", label, "not within", cap, "", stop).c_str(), stdout);
      return;
    }
    // Every iteration costs the same evaluations (S draws, and for local
    // expectations S times their quadrature points), retries aside.
    double const share = static_cast<double>(reached) / r.iterations;
    std::fputs(fmt::format("{} {:>10} {:>12} {:>8.2f} ms {}\n", label, reached,
                           std::lround(share * static_cast<double>(r.log_joint_evaluations)), 1000 * r.seconds * share,
                           stop)
                   .c_str(),
               stdout);
  } catch (std::exception const& e) {
    std::fputs(fmt::format("{} fails: {}\n", label, e.what()).c_str(), stdout);
  }
}

void measure(bench::Case const& c, int first_order_cap) {
  std::fputs(fmt::format("\n{}: to KL < 0.01 of the CAVI optimum (one thread)\n", c.name).c_str(), stdout);
  std::fputs(fmt::format("  {:<17} {:<20} {:>10} {:>12} {:>11} {:>6} {:>9}\n", "method", "estimator", "iterations",
                         "evaluations", "time", "stop", "KL there")
                 .c_str(),
             stdout);
  for (Method m : {Method::natural_gradient, Method::adagrad, Method::adam})
    for (EstimatorEntry const& e : estimator_table()) run(c, m, e.name, m == Method::natural_gradient ? 10000 : first_order_cap);
}

}  // namespace

int main() {
  measure(bench::canonical(1000, 778), 20000);
  measure(bench::canonical(1000000, 777), 5000);
}
