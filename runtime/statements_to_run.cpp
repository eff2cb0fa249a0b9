#include "runtime/statements_to_run.hpp"

#include <set>

namespace bbvi {

namespace {

void add_reads(Node const& n, std::set<int>& slots) {
  if (n.op == Node::Op::slot || n.op == Node::Op::index) slots.insert(n.slot);
  for (Node const& a : n.args) add_reads(a, slots);
}

}  // namespace

std::vector<bool> statements_to_run(Program const& program, std::vector<bool> const& factors) {
  std::vector<bool> run(program.model.size(), false);
  std::set<int> read;  // slots that a statement already marked reads
  // Backwards: a definition comes before every statement that reads it.
  for (std::size_t i = program.model.size(); i-- > 0;) {
    Statement const& st = program.model[i];
    if (auto const* d = std::get_if<Definition>(&st)) {
      if (!read.count(d->slot) && !d->bounds.lower && !d->bounds.upper) continue;
      run[i] = true;
      add_reads(d->value, read);
      continue;
    }
    if (!factors[i]) continue;
    run[i] = true;
    Factor const& f = std::get<Factor>(st);
    if (f.affine) {
      add_reads(f.args[1], read);
      continue;
    }
    if (f.latent >= 0) read.insert(f.lhs_slot);
    for (Node const& a : f.evaluated_args()) add_reads(a, read);
  }
  return run;
}

std::vector<bool> statements_to_run(Program const& program) {
  return statements_to_run(program, std::vector<bool>(program.model.size(), true));
}

}  // namespace bbvi
