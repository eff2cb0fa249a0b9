// libFuzzer target: the front end as bbvi-ppl runs it on a .model file —
// parse, check against the real distribution catalog, look for unused
// declarations in a program the checker accepted, render every diagnostic.
//
// A DiagnosticError is the documented way to reject a bad program, so it is
// swallowed (after rendering it, which is user-visible code too). Anything
// else escaping, or a sanitizer report, is a bug. Diagnostics must also point
// into the file: a caret on a line that does not exist is a bug in the
// positions even when nothing crashes.
#include "grammar/check.hpp"
#include "core/diagnostic.hpp"
#include "grammar/parse.hpp"
#include "runtime/registry.hpp"
#include "tools/fuzz/diagnostic_contract.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::string const file_name = "fuzz.model";

void render_all(std::vector<bbvi::Diagnostic> const& ds, std::string_view source) {
  // Two past the end: the parser may point at the '\n' of a CRLF line end.
  for (bbvi::Diagnostic const& d : ds) bbvi::fuzz::check_diagnostic(d, source, file_name, 2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  // The catalog is built once, as in main.cpp; only the front end is under test.
  static bbvi::DistributionCatalog const catalog = bbvi::distributions().catalog();
  std::string_view const source(reinterpret_cast<char const*>(data), size);
  try {
    bbvi::ast::Program const program = bbvi::parse_program(source, file_name);
    std::vector<bbvi::Diagnostic> const problems = bbvi::check_program(program, catalog);
    render_all(problems, source);
    // main.cpp looks for unused declarations only in a program without errors.
    if (problems.empty()) render_all(bbvi::unused_declarations(program, catalog), source);
  } catch (bbvi::DiagnosticError const& e) {
    if (e.diagnostics().empty()) std::abort();  // an error with nothing to show the user
    render_all(e.diagnostics(), source);
  }
  return 0;
}
