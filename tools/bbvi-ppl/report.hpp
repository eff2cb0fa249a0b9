#pragma once
// What a fit prints (a readable report) and writes (--output JSON).
#include "runtime/bbvi/chains.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/guide_draws.hpp"
#include "runtime/program.hpp"
#include "runtime/importance_check.hpp"
#include "runtime/summary.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bbvi::cli {

struct FitReport {
  std::string model_file;
  std::string data_file;
  Program const* program = nullptr;
  FitResult const* result = nullptr;
  FitOptions const* options = nullptr;
  std::vector<std::vector<double>> parameters;  // constrained, in declaration order
  std::vector<MarginalSummary> marginals;
  int summary_draws = 0;
  ImportanceCheck importance;
  std::map<std::string, double, std::less<>> overrides;  // --set
  // --chains K > 1: every chain's fit, which of them is reported (`result`,
  // whose marginals are `marginals`; reported_chain in runtime/bbvi/chains.hpp), every
  // chain's marginals, and whether the chains agree with the reported one.
  std::vector<FitResult> const* chains = nullptr;
  std::size_t reported_chain = 0;
  std::vector<std::vector<MarginalSummary>> chain_marginals;
  ChainAgreement agreement;
};

// The latents with a flat prior (no '~' in the model), in declaration order.
std::vector<std::string> flat_prior_names(Program const& program);

// The warning printed when the chains disagree; empty otherwise.
std::string chains_warning(FitReport const& r);

// The program's version, as CMake's project() gives it.
char const* version();

std::string format_report(FitReport const& r);
nlohmann::ordered_json report_json(FitReport const& r);

// How to read k̂ (Vehtari et al., PSIS): one line.
std::string k_hat_reading(double k_hat);
// The latents whose prior's scale depends on another latent (`theta ~
// Normal(mu, tau)` with tau a latent): a centred hierarchy, whose funnel a
// mean-field guide cannot follow. Each as "theta (scale tau)".
std::vector<std::string> centred_latents(Program const& program);

// The warning printed when k̂ > 0.7 or cannot be estimated, with what to
// try in the order that helped on the example models (docs/output.md,
// "The report"); empty otherwise.
std::string k_hat_warning(FitReport const& r);

// Every number of the report finite: what may be written as JSON.
bool all_finite(FitReport const& r);

}  // namespace bbvi::cli
