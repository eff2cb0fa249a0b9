#pragma once
// The CSV files a fit writes: --trace (one row per iteration) and
// --draws-output (draws from the fitted guide). Columns of vector elements
// are named as CmdStan names them: theta.1, theta.2, …
#include "runtime/bbvi/fit.hpp"
#include "runtime/guide_draws.hpp"
#include "runtime/program.hpp"

#include <string>

namespace bbvi::cli {

// iteration, elbo, elbo_se, step_size, then every variational parameter on
// its own (constrained) scale: the iterate the fit would have returned had it
// stopped there.
std::string trace_csv(Program const& program, FitResult const& result);

// One column per latent element, then log_p__ (the log-joint; -inf where the
// model rejects the draw) and log_g__ (the guide's log density).
std::string draws_csv(Program const& program, GuideDraws const& draws);

}  // namespace bbvi::cli
