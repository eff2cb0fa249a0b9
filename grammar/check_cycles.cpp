// The model's '~' statements must form a DAG over the variables.
//
// Only '~' statements can close a cycle. A model local is defined from names
// declared before it (anything else is already "used before it is declared"
// or "used in its own definition"), so definitions alone always point
// backwards in the file. A '~' does not define its left side: it adds an edge
// from every latent or data column its arguments use (directly or through
// model locals) to the variable it draws, and those edges may point either
// way: `mu ~ Normal(tau, 1); tau ~ Normal(mu, 1);` is a cycle, and so is
// `mu ~ Normal(mu, 1);`.
#include "grammar/checker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace bbvi::checker {

namespace {

using Variables = std::set<Symbol const*>;

class DependencyGraph {
 public:
  explicit DependencyGraph(Checker const& c) : c_(c) {
    for (ast::Statement const& statement : c.program.model.statements) {
      auto const* sample = std::get_if<ast::Sample>(&statement);
      if (!sample) continue;
      Symbol const* drawn = c.symbols.find(sample->lhs.name, ast::BlockKind::model);
      if (!drawn || (drawn->kind != SymbolKind::latent && drawn->kind != SymbolKind::data_column)) continue;
      if (!first_sample_.emplace(drawn, sample).second) continue;  // a second prior: reported elsewhere
      nodes_.push_back(drawn);
      Variables& parents = parents_[drawn];
      for (ast::Expr const& arg : sample->args) add_uses(arg, parents);
      if (sample->lhs.kind == ast::ExprKind::index) add_uses(sample->lhs.args[0], parents);
    }
  }

  // The variables drawn by a '~', in file order.
  std::vector<Symbol const*> const& nodes() const { return nodes_; }
  ast::Sample const& sample_of(Symbol const* v) const { return *first_sample_.at(v); }

  // A path v, p1, ..., v where each depends on the next; empty without one.
  std::vector<Symbol const*> cycle_through(Symbol const* v) const {
    std::map<Symbol const*, Symbol const*> reached_from;  // breadth-first search over parents
    std::vector<Symbol const*> frontier{v};
    while (!frontier.empty()) {
      std::vector<Symbol const*> next;
      for (Symbol const* u : frontier) {
        auto const parents = parents_.find(u);
        if (parents == parents_.end()) continue;
        for (Symbol const* p : parents->second) {
          if (p == v) return path_back(v, u, reached_from);
          if (reached_from.emplace(p, u).second) next.push_back(p);
        }
      }
      frontier = std::move(next);
    }
    return {};
  }

 private:
  // The latents and data columns `e` uses, looking through model locals.
  void add_uses(ast::Expr const& e, Variables& out) const {
    if (e.kind == ast::ExprKind::name || e.kind == ast::ExprKind::index) {
      Symbol const* s = c_.symbols.find(e.name, ast::BlockKind::model);
      if (s && (s->kind == SymbolKind::latent || s->kind == SymbolKind::data_column)) out.insert(s);
      // Definitions point backwards (see above), so this recursion ends.
      if (s && s->kind == SymbolKind::model_local && s->declaration->value && !expanding_.count(s)) {
        expanding_.insert(s);
        add_uses(*s->declaration->value, out);
        expanding_.erase(s);
      }
    }
    for (ast::Expr const& arg : e.args) add_uses(arg, out);
  }

  static std::vector<Symbol const*> path_back(Symbol const* v, Symbol const* last,
                                              std::map<Symbol const*, Symbol const*> const& reached_from) {
    std::vector<Symbol const*> reversed{v, last};
    while (reversed.back() != v) reversed.push_back(reached_from.at(reversed.back()));
    return {reversed.rbegin(), reversed.rend()};
  }

  Checker const& c_;
  std::vector<Symbol const*> nodes_;
  std::map<Symbol const*, ast::Sample const*> first_sample_;
  std::map<Symbol const*, Variables> parents_;
  // A guard for the error case of a local used in its own definition.
  mutable Variables expanding_;
};

std::string describe(std::vector<Symbol const*> const& cycle) {
  if (cycle.size() == 2) return fmt::format("'{}' depends on itself", cycle[0]->name);
  std::string out = fmt::format("'{}' depends on '{}'", cycle[0]->name, cycle[1]->name);
  for (std::size_t i = 2; i < cycle.size(); ++i) out += fmt::format(", which depends on '{}'", cycle[i]->name);
  return out;
}

}  // namespace

void check_cycles(Checker& c) {
  DependencyGraph const graph(c);
  std::set<Variables> reported;
  for (Symbol const* v : graph.nodes()) {
    std::vector<Symbol const*> cycle = graph.cycle_through(v);
    if (cycle.empty() || !reported.insert(Variables(cycle.begin(), cycle.end())).second) continue;
    // Report at the '~' that closes the cycle: the last one in the file.
    cycle.pop_back();
    auto const latest = std::max_element(cycle.begin(), cycle.end(), [&](Symbol const* a, Symbol const* b) {
      Position const pa = graph.sample_of(a).pos, pb = graph.sample_of(b).pos;
      return std::tie(pa.line, pa.column) < std::tie(pb.line, pb.column);
    });
    std::rotate(cycle.begin(), latest, cycle.end());
    cycle.push_back(cycle.front());
    Diagnostic& e = c.error(graph.sample_of(cycle.front()).pos,
                            fmt::format("the model's '~' statements form a cycle: {}", describe(cycle)));
    for (std::size_t i = 1; i + 1 < cycle.size(); ++i)
      c.note(e, graph.sample_of(cycle[i]).pos, fmt::format("'{}' is drawn here", cycle[i]->name));
  }
}

}  // namespace bbvi::checker
