// Warnings for declarations nothing uses: legal, but a variational parameter
// that no guide factor reads is never fitted, and a data column the model
// never reads is usually a typo for one it does.
#include "grammar/check.hpp"
#include "grammar/checker.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

namespace bbvi {

namespace {

using checker::Symbol;
using checker::SymbolKind;

// Where a name is read, by the place in the symbol table of its first
// symbol (names nothing declares cannot make a declaration used).
enum UseFlag : unsigned char { in_model = 1, in_guide = 2, elsewhere = 4 };

void collect_names(ast::Expr const& e, checker::SymbolTable const& symbols, unsigned char flag,
                   std::vector<unsigned char>& uses) {
  if (ast::reads_variable(e)) {
    std::size_t const first = symbols.first_index_of(e.name);
    if (first != std::string_view::npos) uses[first] = static_cast<unsigned char>(uses[first] | flag);
  }
  for (ast::Expr const& arg : e.args) collect_names(arg, symbols, flag, uses);
}

// The blocks that read each name. A declaration does not read its own name,
// nor an assignment its target's, and the left of a '~' reads it only for a
// data column (which the model then observes): a latent's or local's left
// side defines it.
class Uses {
 public:
  Uses(ast::Program const& program, checker::SymbolTable const& symbols)
      : symbols_(symbols), uses_(symbols.all().size(), 0) {
    checker::for_each_statement(program, [&](ast::Block const& block, ast::Statement const& statement, int) {
      unsigned char const flag = block.kind == ast::BlockKind::model   ? in_model
                                 : block.kind == ast::BlockKind::guide ? in_guide
                                                                       : elsewhere;
      if (auto const* d = std::get_if<ast::Declaration>(&statement)) {
        for (auto const* e : {&d->value, &d->size, &d->lower, &d->upper})
          if (*e) collect_names(**e, symbols_, flag, uses_);
      } else if (auto const* s = std::get_if<ast::Sample>(&statement)) {
        collect_names(s->lhs, symbols_, flag, uses_);
        for (ast::Expr const& arg : s->args) collect_names(arg, symbols_, flag, uses_);
      } else if (auto const* a = std::get_if<ast::Assignment>(&statement)) {
        // An assignment sets its target: only its index and value read.
        for (ast::Expr const& index : a->target.args) collect_names(index, symbols_, flag, uses_);
        collect_names(a->value, symbols_, flag, uses_);
      } else {
        auto const& loop = std::get<ast::Loop>(statement);
        collect_names(loop.first, symbols_, flag, uses_);
        collect_names(loop.last, symbols_, flag, uses_);
      }
    });
  }

  // Whether `name` is read in a block of `flags`.
  bool any(std::string_view name, unsigned char flags) const {
    return (uses_[symbols_.first_index_of(name)] & flags) != 0;
  }

 private:
  checker::SymbolTable const& symbols_;
  std::vector<unsigned char> uses_;
};

std::string unused_message(Symbol const& s) {
  switch (s.kind) {
    case SymbolKind::parameter:
      return fmt::format("variational parameter '{}' is never used: no guide factor depends on it, so fitting "
                         "cannot change it",
                         s.name);
    case SymbolKind::data_column:
      return fmt::format("data column '{}' is never used by the model", s.name);
    default: return fmt::format("local '{}' is never used", s.name);
  }
}

}  // namespace

std::vector<Diagnostic> unused_declarations(ast::Program const& program, DistributionCatalog const& catalog) {
  checker::Checker c{program, catalog, {}, {}};
  checker::declare_symbols(c);
  Uses const uses(program, c.symbols);
  std::vector<Diagnostic> warnings;
  for (Symbol const& s : c.symbols.all()) {
    if (!s.declaration) continue;  // N
    bool used = false;
    switch (s.kind) {
      case SymbolKind::parameter:
      case SymbolKind::guide_local: used = uses.any(s.name, in_guide); break;
      case SymbolKind::model_local: used = uses.any(s.name, in_model); break;
      case SymbolKind::data_column: used = uses.any(s.name, in_model | in_guide | elsewhere); break;
      default: used = true;  // constants document defaults; latents are checked for priors
    }
    if (used) continue;
    Diagnostic w = error_at(program.file, s.declaration->name_pos, unused_message(s));
    w.severity = Severity::warning;
    warnings.push_back(std::move(w));
  }
  return warnings;
}

}  // namespace bbvi
