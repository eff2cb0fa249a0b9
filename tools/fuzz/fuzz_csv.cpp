// libFuzzer target: the CSV reader as bbvi-ppl uses it — split the file, then
// ask for every named column both as reals and as integers (compile.cpp asks
// for one or the other depending on the declaration, so both parsers are
// reachable from any column), and render every diagnostic against the text.
//
// DiagnosticError is the reader's documented error; anything else escaping,
// a sanitizer report, or a diagnostic that points outside the file is a bug.
#include "core/diagnostic.hpp"
#include "runtime/data/csv.hpp"
#include "tools/fuzz/diagnostic_contract.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace {

std::string const file_name = "fuzz.csv";

// A column ends at the last cell's character; one past it is where an
// empty last cell starts.
void check_diagnostic(bbvi::Diagnostic const& d, std::string_view text) {
  bbvi::fuzz::check_diagnostic(d, text, file_name, 1);
}

void check_error(bbvi::DiagnosticError const& e, std::string_view text) {
  if (e.diagnostics().empty()) bbvi::fuzz::contract_broken("DiagnosticError without a diagnostic");
  for (bbvi::Diagnostic const& d : e.diagnostics()) check_diagnostic(d, text);
}

void request_column(bbvi::data::CsvTable const& table, std::string const& name) {
  bool const present = table.has_column(name);
  bbvi::Position const where = table.header_position(name);
  if (present != (where.line > 0)) bbvi::fuzz::contract_broken("has_column and header_position disagree");
  try {
    if (table.real_column(name).size() != table.rows()) bbvi::fuzz::contract_broken("real column length != rows()");
  } catch (bbvi::DiagnosticError const& e) {
    check_error(e, table.text());
  }
  try {
    if (table.int_column(name).size() != table.rows()) bbvi::fuzz::contract_broken("int column length != rows()");
  } catch (bbvi::DiagnosticError const& e) {
    check_error(e, table.text());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string text(reinterpret_cast<char const*>(data), size);
  std::optional<bbvi::data::CsvTable> table;
  try {
    table = bbvi::data::CsvTable::from_text(text, file_name);
  } catch (bbvi::DiagnosticError const& e) {
    // Positions are relative to the text without its byte-order mark.
    std::string_view body = text;
    if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
    check_error(e, body);
    return 0;
  }
  for (std::string const& name : table->header()) request_column(*table, name);
  // The error path of a model naming a column the file lacks (and the empty
  // name, which an unnamed column must not answer to).
  request_column(*table, "no_such_column");
  request_column(*table, "");
  return 0;
}
