// Warnings for declarations nothing uses: legal, but a variational parameter
// that no guide factor reads is never fitted, and a data column the model
// never reads is usually a typo for one it does.
#include "grammar/check.hpp"
#include "grammar/checker.hpp"

#include <fmt/format.h>

#include <set>
#include <string>

namespace bbvi {

namespace {

using checker::Symbol;
using checker::SymbolKind;

void collect_names(ast::Expr const& e, std::set<std::string>& names) {
  if (e.kind == ast::ExprKind::name || e.kind == ast::ExprKind::index) names.insert(e.name);
  for (ast::Expr const& arg : e.args) collect_names(arg, names);
}

// The names each block's statements read. A declaration does not read its
// own name, and the left of a '~' reads it only for a data column (which
// the model then observes): a latent's or local's left side defines it.
struct Uses {
  std::set<std::string> model, guide, everywhere;

  explicit Uses(ast::Program const& program) {
    checker::for_each_statement(program, [&](ast::Block const& block, ast::Statement const& statement, int) {
      std::set<std::string>& into = block.kind == ast::BlockKind::model   ? model
                                    : block.kind == ast::BlockKind::guide ? guide
                                                                          : everywhere;
      if (auto const* d = std::get_if<ast::Declaration>(&statement)) {
        for (auto const* e : {&d->value, &d->size, &d->lower, &d->upper})
          if (*e) collect_names(**e, into);
      } else {
        auto const& s = std::get<ast::Sample>(statement);
        collect_names(s.lhs, into);
        for (ast::Expr const& arg : s.args) collect_names(arg, into);
      }
    });
  }

  bool any(std::string const& name) const {
    return model.count(name) || guide.count(name) || everywhere.count(name);
  }
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
  Uses const uses(program);
  std::vector<Diagnostic> warnings;
  for (Symbol const& s : c.symbols.all()) {
    if (!s.declaration) continue;  // N
    bool used = false;
    switch (s.kind) {
      case SymbolKind::parameter:
      case SymbolKind::guide_local: used = uses.guide.count(s.name) > 0; break;
      case SymbolKind::model_local: used = uses.model.count(s.name) > 0; break;
      case SymbolKind::data_column: used = uses.any(s.name); break;
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
