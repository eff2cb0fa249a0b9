#include "grammar/check.hpp"

#include "grammar/checker.hpp"

#include <algorithm>
#include <tuple>

namespace bbvi {

namespace checker {

Diagnostic& Checker::error(Position pos, std::string message) {
  return diagnostics.emplace_back(error_at(program.file, pos, std::move(message)));
}

void Checker::note(Diagnostic& error, Position pos, std::string message) const {
  Diagnostic n = error_at(program.file, pos, std::move(message));
  n.severity = Severity::note;
  error.notes.push_back(std::move(n));
}

int statements_in(ast::Loop const& loop) {
  int n = 0;
  ast::for_each_nested(loop.body, [&](ast::Statement const&) { ++n; });
  return n;
}

void for_each_statement(ast::Program const& program,
                        std::function<void(ast::Block const&, ast::Statement const&, int)> const& visit) {
  int order = 0;
  auto visit_block = [&](ast::Block const& block) {
    ast::for_each_nested(block.statements, [&](ast::Statement const& statement) { visit(block, statement, order++); });
  };
  if (program.data) visit_block(*program.data);
  visit_block(program.latent);
  visit_block(program.model);
  visit_block(program.guide);
}

void run_rules(Checker& c) {
  declare_symbols(c);
  check_declarations(c);
  check_samples(c);
  check_sample_counts(c);
  check_guide_supports(c);
  check_loops(c);
  check_cycles(c);
}

}  // namespace checker

std::vector<Diagnostic> check_program(ast::Program const& program, DistributionCatalog const& catalog) {
  checker::Checker c{program, catalog, {}, {}};
  checker::run_rules(c);
  // The rules run one after another; the user reads the file top to bottom.
  std::stable_sort(c.diagnostics.begin(), c.diagnostics.end(), [](Diagnostic const& a, Diagnostic const& b) {
    return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
  });
  return std::move(c.diagnostics);
}

}  // namespace bbvi
