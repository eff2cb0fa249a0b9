#pragma once
// What to tell the user when f = log p − log q is not finite at a draw from
// the guide and the fit cannot step around it: the statement whose term is
// not finite (a guide factor that drew a non-finite value, a model term, or a
// guide factor's own density), the draw's latent values, and the guide's
// parameters, so that the cause (an over-wide guide, a prior the guide
// escapes) can be read off the message.
#include "core/diagnostic.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <string>

namespace bbvi {

// `f` is the iteration's log p − log q by draw; draw s came from the stream
// (seed, iteration, s), as draw() makes it.
Diagnostic explain_non_finite(Program const& program, Eigen::VectorXd const& u, Eigen::VectorXd const& f,
                              std::uint64_t seed, std::uint64_t iteration);

// "m = 0, s = 1e+300": the guide's parameters on their own scale (the first
// few, for a long vector).
std::string describe_parameters(Program const& program, Eigen::VectorXd const& u);

}  // namespace bbvi
