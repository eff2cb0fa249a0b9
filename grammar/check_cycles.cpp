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
#include "grammar/functions.hpp"

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
    ast::for_each_nested(c.program.model.statements, [&](ast::Statement const& statement) {
      if (auto const* a = std::get_if<ast::Assignment>(&statement)) {
        Symbol const* local = c.symbols.find(a->target.name, ast::BlockKind::model);
        if (local && local->kind == SymbolKind::model_local) assignments_[local].push_back(&a->value);
      }
    });
    ast::for_each_nested(c.program.model.statements, [&](ast::Statement const& statement) {
      if (auto const* sample = std::get_if<ast::Sample>(&statement)) add(*sample);
    });
    mark_cycles();
  }

  // Whether `v` lies on a cycle: only those are searched for one, so that a
  // model without cycles is checked in time linear in its size.
  bool on_a_cycle(Symbol const* v) const { return on_cycle_.count(v) > 0; }

  // The variables drawn by a '~', in file order.
  std::vector<Symbol const*> const& nodes() const { return nodes_; }
  ast::Sample const& sample_of(Symbol const* v) const { return *first_sample_.at(v); }

  // A path v, p1, ..., v where each depends on the next; empty without one.
  // Breadth-first, so the shortest such path.
  std::vector<Symbol const*> cycle_through(Symbol const* v, std::size_t& steps) const {
    std::map<Symbol const*, Symbol const*> reached_from;  // breadth-first search over parents
    std::vector<Symbol const*> frontier{v};
    while (!frontier.empty()) {
      std::vector<Symbol const*> next;
      for (Symbol const* u : frontier) {
        auto const parents = parents_.find(u);
        if (parents == parents_.end()) continue;
        for (Symbol const* p : parents->second) {
          ++steps;
          if (p == v) return path_back(v, u, reached_from);
          if (reached_from.emplace(p, u).second) next.push_back(p);
        }
      }
      frontier = std::move(next);
    }
    return {};
  }

 private:
  // A '~' of the model: the variable it draws, and what that depends on.
  void add(ast::Sample const& sample) {
    Symbol const* drawn = c_.symbols.find(sample.lhs.name, ast::BlockKind::model);
    if (!drawn || (drawn->kind != SymbolKind::latent && drawn->kind != SymbolKind::data_column)) return;
    bool const part = sample.lhs.kind == ast::ExprKind::index;
    // A latent's element or slice adds a term, as target += does: it draws nothing.
    if (drawn->kind == SymbolKind::latent && part) return;
    // A column's parts may each have a '~' (a loop's y[t]); a second prior is reported elsewhere.
    bool const first = first_sample_.emplace(drawn, &sample).second;
    if (!first && drawn->kind != SymbolKind::data_column) return;
    if (first) nodes_.push_back(drawn);
    Variables& parents = parents_[drawn];
    for (ast::Expr const& arg : sample.args) add_uses(arg, parents);
    if (part)
      for (ast::Expr const& index : sample.lhs.args) add_uses(index, parents);
    // y[2:N] ~ f(y[1:(N - 1)]), y[t] ~ f(y[t - 1]), or y ~ f(sigma) with
    // sigma[t] reading y[t - 1]: a series observed given its own past is no
    // cycle (its rows are data, none drawn from another).
    if (drawn->kind == SymbolKind::data_column) parents.erase(drawn);
  }

  // The latents and data columns `e` uses, looking through model locals.
  void add_uses(ast::Expr const& e, Variables& out) const {
    if (e.kind == ast::ExprKind::call && gives_a_size(e.name)) return;
    if (ast::reads_variable(e)) {
      Symbol const* s = c_.symbols.find(e.name, ast::BlockKind::model);
      if (s && (s->kind == SymbolKind::latent || s->kind == SymbolKind::data_column)) out.insert(s);
      if (s && s->kind == SymbolKind::model_local) {
        Variables const& through = uses_of_local(s);
        out.insert(through.begin(), through.end());
      }
    }
    for (ast::Expr const& arg : e.args) add_uses(arg, out);
  }

  // What a model local's value uses, found once per local: expanding it at
  // every use would take time quadratic in a chain of locals, and
  // exponential when each uses the one before twice.
  Variables const& uses_of_local(Symbol const* local) const {
    auto const [it, first_time] = local_uses_.try_emplace(local);
    // Definitions point backwards (see above), so this recursion ends; the
    // entry is empty while it is filled, for the error case of a local used
    // in its own definition.
    if (first_time) {
      Variables uses;
      if (local->declaration->value) add_uses(*local->declaration->value, uses);
      // A local assigned by elements uses what its assignments do.
      if (auto const assigned = assignments_.find(local); assigned != assignments_.end())
        for (ast::Expr const* value : assigned->second) add_uses(*value, uses);
      it->second = std::move(uses);
    }
    return it->second;
  }

  Variables const& parents_of(Symbol const* v) const {
    static Variables const none;
    auto const found = parents_.find(v);
    return found == parents_.end() ? none : found->second;
  }

  // Fills on_cycle_: the variables of a strongly connected component of more
  // than one, or with an edge to themselves. Tarjan's algorithm, with its own
  // stack of frames, so that a long chain of '~' cannot overflow the call stack.
  void mark_cycles() {
    struct Visit {
      std::size_t index, low;
      bool on_stack;
    };
    struct Frame {
      Symbol const* v;
      Variables::const_iterator next, end;
    };
    std::map<Symbol const*, Visit> visits;
    std::vector<Symbol const*> component_stack;
    std::vector<Frame> frames;
    auto const open = [&](Symbol const* v) {
      std::size_t const index = visits.size();
      visits.emplace(v, Visit{index, index, true});
      component_stack.push_back(v);
      Variables const& parents = parents_of(v);
      frames.push_back(Frame{v, parents.begin(), parents.end()});
    };
    for (Symbol const* root : nodes_) {
      if (visits.count(root)) continue;
      open(root);
      while (!frames.empty()) {
        Frame& top = frames.back();
        if (top.next != top.end) {
          Symbol const* const p = *top.next++;
          Symbol const* const v = top.v;  // `top` dangles once open() pushes a frame
          if (p == v) on_cycle_.insert(v);
          auto const seen = visits.find(p);
          if (seen == visits.end()) open(p);
          else if (seen->second.on_stack) visits.at(v).low = std::min(visits.at(v).low, seen->second.index);
          continue;
        }
        Symbol const* const v = top.v;
        frames.pop_back();
        Visit const done = visits.at(v);
        if (!frames.empty()) {
          Visit& caller = visits.at(frames.back().v);
          caller.low = std::min(caller.low, done.low);
        }
        if (done.low != done.index) continue;
        std::size_t const first = static_cast<std::size_t>(
            std::find(component_stack.rbegin(), component_stack.rend(), v).base() - component_stack.begin()) - 1;
        for (std::size_t i = first; i < component_stack.size(); ++i) {
          visits.at(component_stack[i]).on_stack = false;
          if (component_stack.size() - first > 1) on_cycle_.insert(component_stack[i]);
        }
        component_stack.resize(first);
      }
    }
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
  std::map<Symbol const*, std::vector<ast::Expr const*>> assignments_;  // a local's elements' values
  std::map<Symbol const*, Variables> parents_;
  Variables on_cycle_;
  mutable std::map<Symbol const*, Variables> local_uses_;
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
    if (!graph.on_a_cycle(v)) continue;
    std::vector<Symbol const*> cycle = graph.cycle_through(v, c.cycle_search_steps);
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
