#pragma once
// Where the automatic guide starts (docs/language.md, 'Automatic guides'):
// its Normal and LogNormal factors' locations moved toward higher log p by
// line searches, one latent element at a time with the others held at their
// guide's centre, and their sds from the curvature found there. The model
// needs no derivatives. A written guide's initial values are the user's and
// are not touched.
#include "runtime/program.hpp"

#include <Eigen/Dense>

#include <cstddef>
#include <vector>

namespace bbvi {

struct StartSearch {
  std::size_t elements = 0;     // latent elements whose location and sd were searched
  std::size_t evaluations = 0;  // of log p
  bool finished = true;         // false: the budget of row evaluations ran out first
};

// Sets the initial values of the automatic guide's location and sd
// parameters (Parameter::role "mean"/"sd", "log_mean"/"log_sd"), rounded to
// 4 significant digits so that the guide `explain` prints starts at exactly
// the same point. Nothing where the program has no automatic parameters.
StartSearch search_start(Program& program);

// The draw z at the centre of the guide with parameters u: each Normal's
// mean, each LogNormal's median, each discrete factor's likeliest value
// (its one-point rule), and a draw for a family without a rule. Where the
// fit starts, and where `check` evaluates the model (start_check.hpp).
std::vector<double> guide_centre(Program const& program, Eigen::VectorXd const& u);

}  // namespace bbvi
