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

void SymbolTable::reserve(std::size_t symbols) {
  by_name_.reserve(symbols);
  by_declaration_.reserve(symbols);
  next_same_name_.reserve(symbols);
}

Symbol const& SymbolTable::add(Symbol symbol) {
  Symbol const& s = symbols_.emplace_back(std::move(symbol));
  std::size_t const index = symbols_.size() - 1;
  next_same_name_.push_back(std::string_view::npos);
  auto const [same, first_of_name] = by_name_.try_emplace(s.name, SameName{index, index});
  if (!first_of_name) {
    next_same_name_[same->second.last] = index;
    same->second.last = index;
  }
  if (s.declaration) by_declaration_.emplace(s.declaration, &s);
  return s;
}

template <typename Visit>
Symbol const* SymbolTable::first_named(std::string_view name, Visit const& visit) const {
  auto const same = by_name_.find(name);
  if (same == by_name_.end()) return nullptr;
  for (std::size_t i = same->second.first; i != std::string_view::npos; i = next_same_name_[i]) {
    ++examined_;
    if (visit(symbols_[i])) return &symbols_[i];
  }
  return nullptr;
}

Symbol const* SymbolTable::find(std::string_view name, ast::BlockKind block) const {
  Symbol const* global = nullptr;
  Symbol const* elsewhere = nullptr;
  Symbol const* own = first_named(name, [&](Symbol const& s) {
    if (s.block == block && !is_global(block)) return true;
    if (is_global(s.block)) global = global ? global : &s;
    else elsewhere = elsewhere ? elsewhere : &s;
    return false;
  });
  if (own) return own;
  return global ? global : elsewhere;
}

Symbol const* SymbolTable::find_in_scope(std::string_view name, ast::BlockKind block) const {
  return first_named(name, [&](Symbol const& s) { return is_global(s.block) || s.block == block; });
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
