// A latent that no '~' of the model draws has a flat prior on its declared
// support, as in Stan: legal, so a note rather than an error, but the user
// who forgot a prior should hear of it, and the log evidence is then not
// defined (docs/language.md, 'Flat priors').
#include "grammar/check.hpp"
#include "grammar/declared_support.hpp"

#include <fmt/format.h>

#include <set>
#include <string_view>
#include <vector>

namespace bbvi {

std::vector<Diagnostic> flat_priors(ast::Program const& program) {
  std::set<std::string_view> drawn;
  ast::for_each_nested(program.model.statements, [&](ast::Statement const& statement) {
    if (auto const* sample = std::get_if<ast::Sample>(&statement)) drawn.insert(sample->lhs.name);
  });
  std::vector<Diagnostic> notes;
  for (ast::Statement const& statement : program.latent.statements) {
    auto const* d = std::get_if<ast::Declaration>(&statement);
    if (!d || drawn.count(d->name) != 0) continue;
    bool const bounded = d->lower && d->upper;
    Diagnostic n = error_at(program.file, d->name_pos,
                            fmt::format("latent '{}' has no '~' in the model block: its prior is flat on {} ({}, "
                                        "as in Stan), so the ELBO is defined up to a constant and the log "
                                        "evidence is not estimated",
                                        d->name, declared_type(*d), bounded ? "uniform, unnormalised" : "improper"));
    n.severity = Severity::note;
    notes.push_back(std::move(n));
  }
  return notes;
}

}  // namespace bbvi
