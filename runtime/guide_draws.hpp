#pragma once
// Draws from the fitted guide with the log-joint and the guide's log density
// at each: what importance sampling (runtime/psis.hpp), the evidence, the
// --draws-output file and the plot's histograms are made from.
#include "core/parallel.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace bbvi {

struct GuideDraws {
  Eigen::MatrixXd z;            // one row per draw, one column per latent element
  std::vector<double> log_p;    // log p(x, z): -inf where the model rejects the draw
  std::vector<double> log_q;    // log q(z | u)
  int rejected = 0;             // draws where the model's log density, or its ratio to q's, is not defined
};

// `count` draws of q(·|u) on streams of their own (distinct from the fit's
// and from summarise_guide's), split over `pool`, and its ranks' where it
// has them; the result is the same for any number of threads and ranks.
GuideDraws draw_from_guide(Program const& program, Eigen::VectorXd const& u, int count, std::uint64_t seed,
                           WorkerPool& pool);

}  // namespace bbvi
