#pragma once
// A check before the first step: every estimator takes second moments of
// the log-joint's terms (the variance of f = log p − log q, a regression's
// residuals, products of scores and f), so a model statement whose term
// (summed over its rows) is above √DBL_MAX ≈ 1.3e154 in size at the guide's
// initial draws leaves the fit without a variance to steer by. It used to
// step to an infinite guide parameter and fail there, blaming a guide line.
// Measured on the canonical model: lambda0 = 1e150 fits (1,501 iterations),
// 1e160 failed so. The check blames the data constant instead, at its
// declaration, before any fitting.
#include "core/diagnostic.hpp"
#include "runtime/program.hpp"

#include <optional>
#include <string>
#include <vector>

namespace bbvi {

// A data constant as a model statement's arguments name it.
struct ConstantUse {
  std::string name;
  double value = 0;
  Position declared;        // its declaration's name
  bool set_by_option = false;  // a Setting::constant_override, not the model file
};

// The largest term size the estimators can square.
double largest_squarable_term();

// The error for the model statement whose term is largest at the guide's
// initial draws, if it is larger than largest_squarable_term(); nullopt
// otherwise, and when the guide or the model cannot be evaluated there at
// all (the fit explains that itself). `uses`: by statement of
// program.model, the constants its arguments name.
std::optional<Diagnostic> initial_scale_problem(Program const& program,
                                                std::vector<std::vector<ConstantUse>> const& uses);

}  // namespace bbvi
