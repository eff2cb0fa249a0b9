#include "grammar/symbols.hpp"

namespace bbvi::checker {

std::string_view described(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::rows: return "the number of data rows";
    case SymbolKind::data_column: return "a data column";
    case SymbolKind::constant: return "a constant";
    case SymbolKind::latent: return "a latent";
    case SymbolKind::parameter: return "a variational parameter";
    case SymbolKind::model_local: return "a model local";
    case SymbolKind::guide_local: return "a guide local";
  }
  return "a name";
}

bool is_global(ast::BlockKind block) {
  return block == ast::BlockKind::data || block == ast::BlockKind::latent;
}

SymbolTable::SymbolTable() { add(Symbol{std::string(rows_name), SymbolKind::rows, nullptr, ast::BlockKind::data, -1}); }

Symbol const& SymbolTable::add(Symbol symbol) {
  Symbol const& s = symbols_.emplace_back(std::move(symbol));
  by_name_[s.name].push_back(&s);
  if (s.declaration) by_declaration_.emplace(s.declaration, &s);
  return s;
}

std::vector<Symbol const*> const& SymbolTable::named(std::string_view name) const {
  static std::vector<Symbol const*> const none;
  auto const it = by_name_.find(name);
  return it == by_name_.end() ? none : it->second;
}

Symbol const* SymbolTable::find(std::string_view name, ast::BlockKind block) const {
  Symbol const* global = nullptr;
  Symbol const* elsewhere = nullptr;
  for (Symbol const* s : named(name)) {
    ++examined_;
    if (s->block == block && !is_global(block)) return s;
    if (is_global(s->block)) global = global ? global : s;
    else elsewhere = elsewhere ? elsewhere : s;
  }
  return global ? global : elsewhere;
}

Symbol const* SymbolTable::find_in_scope(std::string_view name, ast::BlockKind block) const {
  for (Symbol const* s : named(name)) {
    ++examined_;
    if (is_global(s->block) || s->block == block) return s;
  }
  return nullptr;
}

Symbol const* SymbolTable::of(ast::Declaration const& declaration) const {
  ++examined_;
  auto const it = by_declaration_.find(&declaration);
  return it == by_declaration_.end() ? nullptr : it->second;
}

std::vector<std::string_view> SymbolTable::visible_names(ast::BlockKind block, int order) const {
  std::vector<std::string_view> names;
  for (Symbol const& s : symbols_)
    if (s.order < order && (is_global(s.block) || s.block == block)) names.push_back(s.name);
  return names;
}

}  // namespace bbvi::checker
