#include "runtime/importance_check.hpp"

#include <cmath>
#include <limits>
#include <vector>

namespace bbvi {

ImportanceCheck importance_check(GuideDraws const& draws) {
  ImportanceCheck c;
  c.draws = static_cast<int>(draws.log_p.size());
  c.rejected = draws.rejected;
  if (c.draws == 0) return c;
  std::vector<double> log_ratios(draws.log_p.size());
  double const minus_infinity = -std::numeric_limits<double>::infinity();
  for (std::size_t s = 0; s < log_ratios.size(); ++s)  // a rejected draw's log q may be infinite too
    log_ratios[s] = draws.log_p[s] == minus_infinity ? minus_infinity : draws.log_p[s] - draws.log_q[s];
  double const k_hat = pareto_smooth(log_ratios).k_hat;
  if (std::isfinite(k_hat)) c.k_hat = k_hat;
  LogEvidence const evidence = importance_log_evidence(log_ratios);
  if (std::isfinite(evidence.value) && std::isfinite(evidence.se)) c.evidence = evidence;
  return c;
}

}  // namespace bbvi
