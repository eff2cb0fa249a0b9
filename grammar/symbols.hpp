#pragma once
// The checker's symbol table: every declared name, what kind of thing it is,
// and where it may be seen. Names resolve in declaration order, as in Stan:
// data and latent declarations are seen in every later block, model and
// guide declarations only in their own block (so the model and the guide may
// each have a local of the same name).
#include "grammar/ast.hpp"

#include <cstddef>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bbvi::checker {

enum class SymbolKind {
  rows,         // N, the number of CSV rows: always declared, an int
  data_column,  // data declaration without "= E"
  constant,     // data declaration with "= E": a scalar
  latent,
  parameter,    // guide declaration whose value uses only literals and constants
  model_local,  // model declaration: a deterministic definition
  guide_local,  // guide declaration whose value uses a parameter or guide local
};

// "a data column", "the number of data rows", ...: for messages.
std::string_view described(SymbolKind kind);

struct Symbol {
  std::string name;
  SymbolKind kind = SymbolKind::rows;
  ast::Declaration const* declaration = nullptr;  // nullptr for N
  ast::BlockKind block = ast::BlockKind::data;
  int order = -1;  // the declaring statement's place in the file; N comes first
  // A loop's variable is seen only by the statements before this one (its
  // body's); every other name from its declaration on.
  int scope_end = std::numeric_limits<int>::max();

  bool is_loop_variable() const { return scope_end != std::numeric_limits<int>::max(); }
};

inline constexpr std::string_view rows_name = "N";

class SymbolTable {
 public:
  SymbolTable();
  // The indexes point into symbols_: a copy would point into the original.
  SymbolTable(SymbolTable const&) = delete;
  SymbolTable& operator=(SymbolTable const&) = delete;
  SymbolTable(SymbolTable&&) = default;  // a deque's move keeps its elements where they are
  SymbolTable& operator=(SymbolTable&&) = default;

  Symbol const& add(Symbol symbol);
  // Room for this many symbols, so that adding them does not rehash.
  void reserve(std::size_t symbols);

  // What `name` means in `block`: a declaration of that block first, then a
  // data or latent one, then one of another block (the caller says why that
  // one cannot be used there). nullptr when nothing has that name.
  Symbol const* find(std::string_view name, ast::BlockKind block) const;

  // The variable of a loop whose body holds statement `order`, named `name`; nullptr if none.
  Symbol const* loop_variable_at(std::string_view name, int order) const;

  // A declaration that `name` would clash with in `block`, or nullptr.
  Symbol const* find_in_scope(std::string_view name, ast::BlockKind block) const;

  // The symbol a declaration introduced (nullptr for a rejected duplicate).
  Symbol const* of(ast::Declaration const& declaration) const;

  // Names usable in `block` before statement `order`, for "did you mean".
  std::vector<std::string_view> visible_names(ast::BlockKind block, int order) const;

  std::deque<Symbol> const& all() const { return symbols_; }

  // The place in all() of the first symbol named `name`, npos when none is:
  // one number per name, for callers that note something of each name.
  std::size_t first_index_of(std::string_view name) const;

  // How many symbols find, find_in_scope and of have looked at so far: a
  // lookup looks only at the symbols of its name (or at its declaration's),
  // so a model of n declarations is checked in O(n) looks, not O(n^2).
  std::size_t symbols_examined() const { return examined_; }

 private:
  // visit(symbol) for every symbol named `name`, in declaration order, until it returns true.
  template <typename Visit>
  Symbol const* first_named(std::string_view name, Visit const& visit) const;

  std::deque<Symbol> symbols_;  // a deque: Symbol addresses stay valid
  // The symbols of a name, in declaration order: a list through
  // next_same_name_ from the first to the last. (A list, not a vector per
  // name: most names have one symbol, and a vector each would cost an
  // allocation each.)
  struct SameName {
    std::size_t hash = 0;
    std::size_t first = std::string_view::npos;  // npos: an empty slot
    std::size_t last = std::string_view::npos;
  };
  // By name: an open-addressing table, linear probing, at most half full, a
  // power of two in size. A lookup reads neighbouring slots of one array
  // rather than a chain of separately allocated nodes; the name itself is
  // the first symbol's, compared only when the hashes agree.
  std::vector<SameName> by_name_;
  std::size_t names_ = 0;
  std::size_t slot_of(std::string_view name, std::size_t hash) const;  // its slot, or the empty one where it goes
  SameName const* named(std::string_view name) const;
  void grow_names(std::size_t slots);
  std::vector<std::size_t> next_same_name_;  // by symbol index; npos ends a list
  std::unordered_map<ast::Declaration const*, Symbol const*> by_declaration_;
  mutable std::size_t examined_ = 0;
};

bool is_global(ast::BlockKind block);  // data and latent declarations are seen everywhere

}  // namespace bbvi::checker
