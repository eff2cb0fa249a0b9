// Loops and assignments (docs/language.md, 'Loops'): a loop's range is known
// before the fit, its body declares nothing, and an assignment sets an
// element of a model local declared without a value.
#include "grammar/checker.hpp"

#include <fmt/format.h>

namespace bbvi::checker {

namespace {

void check_loop(Checker& c, ast::Loop const& loop, int order) {
  for (ast::Expr const* bound : {&loop.first, &loop.last}) {
    std::size_t const before = c.diagnostics.size();
    check_expression(c, *bound, Use{ast::BlockKind::model, order, UseContext::slice_bound, loop.variable.name});
    if (c.diagnostics.size() == before && !is_integer_valued(c, *bound, ast::BlockKind::model))
      c.error(first_position(*bound), "a loop's bounds must be integers: N, int literals and int constants, with "
                                      "+ - *");
  }
  for (ast::Statement const& statement : loop.body)
    if (auto const* d = std::get_if<ast::Declaration>(&statement))
      c.error(d->pos, fmt::format("'{0}' is declared inside a loop: declare it before the loop ('real {0}[N];') "
                                  "and assign its elements in the loop",
                                  d->name));
}

void check_assignment(Checker& c, ast::Assignment const& a, int order) {
  Use const use{ast::BlockKind::model, order, UseContext::model, a.target.name};
  Symbol const* target = check_name(c, a.target.name, a.target.pos, use);
  if (!target) return;
  bool const assignable = target->kind == SymbolKind::model_local && target->declaration &&
                          target->declaration->size && !target->declaration->value;
  if (!assignable) {
    Diagnostic& e = c.error(a.target.pos, fmt::format("{} cannot be assigned: only the elements of a model local "
                                                      "declared without a value can ('real h[N];', then "
                                                      "'h[t] = …;')",
                                                      named(*target)));
    if (target->declaration)
      c.note(e, target->declaration->name_pos, fmt::format("'{}' is declared here", target->name));
    return;
  }
  if (a.target.kind != ast::ExprKind::index || a.target.args.size() != 1) {
    c.error(a.target.pos, fmt::format("assign one element at a time: '{}[t] = …;'", target->name));
    return;
  }
  std::size_t const before = c.diagnostics.size();
  check_expression(c, a.target.args[0], use);
  if (c.diagnostics.size() == before && !is_integer_valued(c, a.target.args[0], ast::BlockKind::model))
    c.error(first_position(a.target.args[0]), "an assigned element's index must be an int: the loop's variable, "
                                              "int literals and int constants, with + - *");
  check_expression(c, a.value, use);
}

}  // namespace

void check_loops(Checker& c) {
  for_each_statement(c.program, [&](ast::Block const&, ast::Statement const& statement, int order) {
    if (auto const* loop = std::get_if<ast::Loop>(&statement))
      check_loop(c, *loop, order);
    else if (auto const* a = std::get_if<ast::Assignment>(&statement))
      check_assignment(c, *a, order);
  });
}

}  // namespace bbvi::checker
