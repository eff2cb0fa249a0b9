#pragma once
// The one table of the methods (steps) and gradient estimators a fit can use,
// by the names the command line, the report and `explain` give them, with
// each method's defaults. Adding an estimator is a file in estimators/ and a
// line in table.cpp (and its factory's declaration); a step likewise.
#include "runtime/bbvi/estimators/estimator.hpp"
#include "runtime/bbvi/options.hpp"
#include "runtime/bbvi/steps/step.hpp"

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace bbvi {

struct EstimatorEntry {
  std::string_view name;
  std::unique_ptr<GradientEstimator> (*make)(EstimatorContext const&);
};

struct MethodEntry {
  Method method;
  std::string_view name;
  std::unique_ptr<Step> (*make)(StepContext const&);
  // The defaults for the options left unset (README, "Estimators and steps").
  std::string_view estimator;
  int (*samples)(std::size_t block);  // block: the estimator's largest_block()
  int max_iterations;
  double step_size;
};

// In the order the command line's help lists them; the first method is the default.
std::vector<EstimatorEntry> const& estimator_table();
std::vector<MethodEntry> const& method_table();

EstimatorEntry const* estimator_named(std::string_view name);
MethodEntry const* method_named(std::string_view name);
MethodEntry const& entry_of(Method method);
std::string_view name_of(Method method);

}  // namespace bbvi
