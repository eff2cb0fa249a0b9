#pragma once
// The cases the benchmarks share: the canonical model on generated data and
// eight schools on the shipped data, each with its optimum computed
// independently of the engine (tests/support), in the engine's coordinates.
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <string>
#include <vector>

namespace bbvi::bench {

struct Case {
  std::string name;
  Program program;
  Eigen::VectorXd optimum;  // u at the mean-field optimum
  std::vector<double> x;    // the canonical model's data (empty for eight schools)
};

// N rows from generate-normal-gamma's prior defaults and `seed`.
Case canonical(std::size_t rows, std::uint64_t seed);
Case eight_schools();
// The centred form (bench/eight_schools_centred.model), whose optimum is the
// engine's own default fit (within its 0.0003-nat tolerance): there is no
// closed form for it.
Case eight_schools_centred();

// KL(q_u ‖ q_optimum) in closed form; only for the canonical model.
double canonical_kl(Case const& c, Eigen::VectorXd const& u);

}  // namespace bbvi::bench
