#include "runtime/start_check.hpp"

#include "core/diagnostic.hpp"
#include "runtime/bbvi/initial_scale.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/start_search.hpp"
#include "runtime/target_term.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <variant>
#include <vector>

namespace bbvi {

namespace {

// "rate = 0", "theta = {0, 0, 0, …}": a latent's elements at z, the first
// few of a long one.
std::string latent_value(LatentVariable const& v, std::vector<double> const& z) {
  if (v.size == 0) return fmt::format("{} = {:.6g}", v.name, z[v.offset]);
  constexpr std::size_t shown = 4;
  std::vector<std::string> elements;
  for (std::size_t k = 0; k < v.length() && k < shown; ++k) elements.push_back(fmt::format("{:.6g}", z[v.offset + k]));
  if (v.length() > shown) elements.push_back("…");
  return fmt::format("{} = {{{}}}", v.name, fmt::join(elements, ", "));
}

// The latents statement `st` reads (a '~' also its own left side), at z.
std::string values_read(Program const& program, Statement const& st, std::vector<double> const& z) {
  std::vector<std::string> out;
  for (LatentVariable const& v : program.latents) {
    bool read = false;
    if (auto const* f = std::get_if<Factor>(&st)) {
      read = f->lhs_slot == v.slot;
      for (Node const& a : f->args) read = read || reads_slot(a, v.slot);
    } else {
      read = reads_slot(std::get<Definition>(st).value, v.slot);
    }
    if (read) out.push_back(latent_value(v, z));
  }
  return fmt::format("{}", fmt::join(out, ", "));
}

Diagnostic at_start(Program const& program, Position pos, std::string message, std::string const& values) {
  Diagnostic d = error_at(program.file, pos, std::move(message));
  if (!values.empty())
    d.message += fmt::format(" (at the guide's initial values, where the fit would start: {})", values);
  d.message += "; give the guide's parameters initial values where every term of the model is finite";
  return d;
}

}  // namespace

void check_start(Program const& program) {
  std::vector<double> const z = guide_centre(program, initial_parameters(program));
  std::vector<std::vector<double>> terms;
  try {
    log_joint_terms(program, z, terms);
  } catch (NumericalError const& e) {
    Diagnostic const& d = e.diagnostic();
    std::string values;
    for (Statement const& st : program.model)
      if (auto const* f = std::get_if<Factor>(&st); f && f->pos == d.pos) values = values_read(program, st, z);
    throw DiagnosticError(at_start(program, d.pos, d.message, values));
  }
  for (std::size_t i = 0; i < terms.size(); ++i) {
    auto const* f = std::get_if<Factor>(&program.model[i]);
    if (!f) continue;
    for (std::size_t k = 0; k < terms[i].size(); ++k) {
      if (std::isfinite(terms[i][k])) continue;
      std::string what;
      bool const by_row = !f->reduced() && terms[i].size() > 1;
      if (f->distribution == &target_entry())
        what = by_row ? fmt::format("'target +=' adds {} at its element {}", terms[i][k], k + 1)
                      : fmt::format("'target +=' adds {}", terms[i][k]);
      else if (f->latent >= 0)
        what = fmt::format("the prior of '{}' is {}", f->lhs_name, terms[i][k]);
      else if (by_row && f->lhs_slot >= 0 && k < program.data[static_cast<std::size_t>(f->lhs_slot)].size())
        what = fmt::format("row {} of '{}' ({:.6g}) has log density {}", k + 1, f->lhs_name,
                           program.data[static_cast<std::size_t>(f->lhs_slot)].elements[k], terms[i][k]);
      else
        what = fmt::format("the log density of '{}' is {}", f->lhs_name, terms[i][k]);
      throw DiagnosticError(at_start(program, f->pos, what, values_read(program, program.model[i], z)));
    }
  }
  if (!program.automatic_guide.empty())
    if (auto problem = initial_scale_problem(program, {})) throw DiagnosticError(std::move(*problem));
}

}  // namespace bbvi
