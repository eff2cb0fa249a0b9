#pragma once
// What a fit prints (a readable report on stdout) and writes (--output JSON).
#include "runtime/bbvi/fit.hpp"
#include "runtime/program.hpp"
#include "runtime/summary.hpp"

#include <nlohmann/json.hpp>

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
};

std::string format_report(FitReport const& r);
nlohmann::ordered_json report_json(FitReport const& r);

}  // namespace bbvi::cli
