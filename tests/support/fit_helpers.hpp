#pragma once
// Shared by the fit tests: a model text parsed, checked and compiled against
// data held in memory, as the command line would do it.
#include "grammar/check.hpp"
#include "core/diagnostic.hpp"
#include "grammar/parse.hpp"
#include "runtime/compile.hpp"
#include "runtime/data/csv.hpp"
#include "runtime/registry.hpp"
#include "tests/support/source_file.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

namespace bbvi::testing {

inline data::CsvTable column_table(std::string const& name, std::vector<double> const& values) {
  std::string csv = name + "\n";
  for (double v : values) csv += fmt::format("{:.17g}\n", v);
  return data::CsvTable::from_text(std::move(csv), "memory.csv");
}

// Throws DiagnosticError with every problem the checker finds.
inline Program compile_model(std::string const& source, data::CsvTable const* table,
                             CompileOptions const& options = {}) {
  ast::Program const syntax = parse_program(source, "test.model");
  std::vector<Diagnostic> problems = check_program(syntax, distributions().catalog());
  if (!problems.empty()) throw DiagnosticError(std::move(problems));
  return compile(syntax, table, options);
}

}  // namespace bbvi::testing
