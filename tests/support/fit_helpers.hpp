#pragma once
// Shared by the fit tests: a model text parsed, checked and compiled against
// data held in memory, as the command line would do it.
#include "grammar/check.hpp"
#include "core/diagnostic.hpp"
#include "grammar/parse.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/compile.hpp"
#include "runtime/data/csv.hpp"
#include "runtime/registry.hpp"
#include "tests/support/source_file.hpp"

#include <fmt/format.h>

#include <cstdint>
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

// A fit with the default options but its seed, on one thread: the fit of
// the tests that go seed by seed.
inline FitResult fit_on_seed(Program const& program, std::uint64_t seed) {
  FitOptions options;
  options.seed = seed;
  options.threads = 1;
  return fit(program, options);
}

// The smallest model with a guide: a Normal mean under a Normal prior, one
// Normal guide factor.
inline std::string const normal_mean_model = R"(
data { real x[N]; }
latent { real mu; }
model { mu ~ Normal(0, 10); x ~ Normal(mu, 1); }
guide { real m = 0; real<lower=0> s = 1; mu ~ Normal(m, s); }
)";

}  // namespace bbvi::testing
