#include "grammar/symbols.hpp"

#include <functional>

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

namespace {

std::size_t hash_of(std::string_view name) { return std::hash<std::string_view>{}(name); }

}  // namespace

void SymbolTable::grow_names(std::size_t slots) {
  std::vector<SameName> old(slots);
  old.swap(by_name_);
  std::size_t const mask = by_name_.size() - 1;
  for (SameName const& entry : old) {
    if (entry.first == std::string_view::npos) continue;
    std::size_t i = entry.hash & mask;
    while (by_name_[i].first != std::string_view::npos) i = (i + 1) & mask;
    by_name_[i] = entry;
  }
}

// The slot holding `name`, or the empty slot where it would go.
std::size_t SymbolTable::slot_of(std::string_view name, std::size_t hash) const {
  std::size_t const mask = by_name_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    SameName const& slot = by_name_[i];
    if (slot.first == std::string_view::npos) return i;
    if (slot.hash == hash && symbols_[slot.first].name == name) return i;
  }
}

SymbolTable::SameName const* SymbolTable::named(std::string_view name) const {
  if (by_name_.empty()) return nullptr;  // never: N is always there
  SameName const& slot = by_name_[slot_of(name, hash_of(name))];
  return slot.first == std::string_view::npos ? nullptr : &slot;
}

void SymbolTable::reserve(std::size_t symbols) {
  std::size_t slots = 16;
  while (slots < 2 * symbols) slots *= 2;
  if (slots > by_name_.size()) grow_names(slots);
  by_declaration_.reserve(symbols);
  next_same_name_.reserve(symbols);
}

Symbol const& SymbolTable::add(Symbol symbol) {
  Symbol const& s = symbols_.emplace_back(std::move(symbol));
  std::size_t const index = symbols_.size() - 1;
  next_same_name_.push_back(std::string_view::npos);
  if (2 * (names_ + 1) > by_name_.size()) grow_names(by_name_.empty() ? 16 : 2 * by_name_.size());
  std::size_t const hash = hash_of(s.name);
  SameName* const same = &by_name_[slot_of(s.name, hash)];
  if (same->first == std::string_view::npos) {
    *same = SameName{hash, index, index};
    ++names_;
  } else {
    next_same_name_[same->last] = index;
    same->last = index;
  }
  if (s.declaration) by_declaration_.emplace(s.declaration, &s);
  return s;
}

template <typename Visit>
Symbol const* SymbolTable::first_named(std::string_view name, Visit const& visit) const {
  SameName const* const same = named(name);
  if (!same) return nullptr;
  for (std::size_t i = same->first; i != std::string_view::npos; i = next_same_name_[i]) {
    ++examined_;
    if (visit(symbols_[i])) return &symbols_[i];
  }
  return nullptr;
}

std::size_t SymbolTable::first_index_of(std::string_view name) const {
  SameName const* const same = named(name);
  return same ? same->first : std::string_view::npos;
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

Symbol const* SymbolTable::loop_variable_at(std::string_view name, int order) const {
  return first_named(name, [&](Symbol const& s) { return s.is_loop_variable() && s.order < order && order < s.scope_end; });
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
    if (s.order < order && order < s.scope_end && (is_global(s.block) || s.block == block)) names.push_back(s.name);
  return names;
}

}  // namespace bbvi::checker
