#pragma once
// Lowers a checked syntax tree against its data into a runtime Program.
#include "grammar/ast.hpp"
#include "runtime/data/csv.hpp"
#include "runtime/program.hpp"

#include <map>
#include <string>

namespace bbvi {

struct CompileOptions {
  // --set NAME=VALUE: overrides a data constant's default.
  std::map<std::string, double, std::less<>> overrides;
  // Reduce observed columns to sufficient statistics where the distribution
  // has them and the arguments do not vary by row (Factor::statistics), and
  // dense regressions' Normal likelihoods to CᵀC, Cᵀr and rᵀr (Factor::affine).
  bool sufficient_statistics = true;
};

// `data` may be null when the model declares no data columns. Throws
// DiagnosticError for anything the checker cannot see: a column missing from
// the CSV, a size mismatch, an index out of range, an initial value outside
// its constraint, an override of a name that is not a constant.
Program compile(ast::Program const& syntax, data::CsvTable const* data, CompileOptions const& options);

}  // namespace bbvi
