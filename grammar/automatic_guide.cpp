#include "grammar/automatic_guide.hpp"

#include "core/diagnostic.hpp"
#include "grammar/declared_support.hpp"
#include "grammar/expr_source.hpp"
#include "grammar/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <vector>

namespace bbvi {

namespace {

// A variational parameter of one latent's factor: its declared type, role
// and initial value ("" for none: a simplex starts uniform).
struct Role {
  std::string type;
  std::string role;
  std::string initial;
};

// One latent's factor: its parameters, then the distribution they are the
// arguments of, after any leading arguments (a Binomial's n).
struct Family {
  std::vector<Role> roles;
  std::string distribution;
  std::string leading;  // "" or "n, "
};

// The family for a declared support (docs/language.md, 'Automatic guides').
// Each starts where the fit has room to move: a Normal of sd 1 on the
// latent's unconstrained scale, a uniform Beta, Dirichlet or Categorical, a
// Bernoulli at 1/2.
std::optional<Family> family_for(ast::Declaration const& d, Support support) {
  switch (support) {
    case Support::real: return Family{{{"real", "mean", "0"}, {"real<lower=0>", "sd", "1"}}, "Normal", ""};
    case Support::positive:
      return Family{{{"real", "log_mean", "0"}, {"real<lower=0>", "log_sd", "1"}}, "LogNormal", ""};
    case Support::unit_interval:
      return Family{{{"real<lower=0>", "a", "1"}, {"real<lower=0>", "b", "1"}}, "Beta", ""};
    case Support::simplex: return Family{{{"real<lower=0>", "alpha", "1"}}, "Dirichlet", ""};
    case Support::binary: return Family{{{"real<lower=0, upper=1>", "p", "0.5"}}, "Bernoulli", ""};
    case Support::nonnegative_integer: return Family{{{"real<lower=0>", "rate", "1"}}, "Poisson", ""};
    case Support::bounded_integer:
      return Family{{{"real<lower=0, upper=1>", "p", "0.5"}}, "Binomial", to_source(*d.upper) + ", "};
    case Support::categorical:
      if (d.size) return std::nullopt;  // one simplex per element: the language has no array of simplexes
      return Family{{{fmt::format("simplex[{}]", to_source(*d.upper)), "probs", ""}}, "Categorical", ""};
    case Support::lower_bounded:
      return Family{{{"real", "log_mean", "0"}, {"real<lower=0>", "log_sd", "1"}}, "ShiftedLogNormal",
                    to_source(*d.lower) + ", "};
    case Support::upper_bounded:
      return Family{{{"real", "log_mean", "0"}, {"real<lower=0>", "log_sd", "1"}}, "ReflectedLogNormal",
                    to_source(*d.upper) + ", "};
    case Support::interval:
      return Family{{{"real", "logit_mean", "0"}, {"real<lower=0>", "logit_sd", "1"}}, "LogitNormal",
                    to_source(*d.lower) + ", " + to_source(*d.upper) + ", "};
  }
  return std::nullopt;
}

// The latents a guide factor of the file's guide block is for.
std::set<std::string> latents_with_factors(ast::Program const& program) {
  std::set<std::string> out;
  if (!program.has_guide) return out;
  ast::for_each_nested(program.guide.statements, [&](ast::Statement const& s) {
    if (auto const* sample = std::get_if<ast::Sample>(&s); sample && !sample->target_increment)
      out.insert(sample->lhs.name);
  });
  return out;
}

// The byte offset of a position in the source.
std::size_t offset_of(std::string const& source, Position at) {
  std::size_t offset = 0;
  for (int line = 1; line < at.line && offset < source.size(); ++line) {
    std::size_t const newline = source.find('\n', offset);
    if (newline == std::string::npos) return source.size();
    offset = newline + 1;
  }
  return std::min(source.size(), offset + static_cast<std::size_t>(std::max(0, at.column - 1)));
}

// Every name the model file declares, which a generated one must not take;
// with `latent` false, every name but the latent block's.
std::set<std::string> declared_names(ast::Program const& program, bool latent = true) {
  std::set<std::string> names;
  auto const add = [&](std::vector<ast::Statement> const& statements) {
    ast::for_each_nested(statements, [&](ast::Statement const& s) {
      if (auto const* d = std::get_if<ast::Declaration>(&s)) names.insert(d->name);
      if (auto const* loop = std::get_if<ast::Loop>(&s)) names.insert(loop->variable.name);
    });
  };
  if (program.data) add(program.data->statements);
  if (latent) add(program.latent.statements);
  add(program.model.statements);
  add(program.guide.statements);
  return names;
}

}  // namespace

AutomaticGuide automatic_guide(ast::Program const& program) {
  AutomaticGuide out;
  std::set<std::string> taken = declared_names(program);
  std::set<std::string> const written = latents_with_factors(program);
  // A latent's name declared elsewhere too is the checker's to report: a
  // factor for it would only add an error about the other declaration.
  std::set<std::string> const elsewhere = declared_names(program, false);
  std::string declarations, factors;
  for (ast::Statement const& s : program.latent.statements) {
    auto const* d = std::get_if<ast::Declaration>(&s);
    if (!d || written.count(d->name) || elsewhere.count(d->name)) continue;
    std::optional<Support> const support = declared_support(*d);
    std::optional<Family> const family = support ? family_for(*d, *support) : std::nullopt;
    if (!family)
      throw DiagnosticError(error_at(
          program.file, d->name_pos,
          fmt::format("latent '{}' is declared {}{}, for which there is no automatic guide factor: write its "
                      "factor in the guide block (docs/language.md, 'The guide block')",
                      d->name, declared_type(*d), d->size ? " with one element per index" : "")));
    // A vector latent's parameters are vectors of its size; a simplex's
    // Dirichlet takes one vector for the whole.
    std::string const dimensions = d->size ? fmt::format("[{}]", to_source(*d->size)) : "";
    std::vector<std::string> arguments;
    for (Role const& r : family->roles) {
      std::string name = d->name + "_" + r.role;
      while (taken.count(name)) name += "_";
      taken.insert(name);
      out.parameters[name] = ast::AutomaticParameter{d->name, r.role};
      std::string const initial = r.initial.empty() ? "" : " = " + r.initial;
      declarations += fmt::format("  {} {}{}{};\n", r.type, name, dimensions, initial);
      arguments.push_back(name);
    }
    std::string const factor =
        fmt::format("{} ~ {}({}{})", d->name, family->distribution, family->leading, fmt::join(arguments, ", "));
    factors += "  " + factor + ";\n";
    if (program.has_guide) {
      Diagnostic note = error_at(program.file, d->name_pos,
                                 fmt::format("latent '{}' has no factor in the guide block, so the fit gives it the "
                                             "automatic one, {} (docs/language.md, 'Automatic guides'; `bbvi-ppl "
                                             "explain` prints it)",
                                             d->name, factor));
      note.severity = Severity::note;
      out.notes.push_back(std::move(note));
    }
  }
  out.statements = declarations + factors;
  return out;
}

ast::Program parse_with_guide(std::string& source, std::string const& file, std::vector<Diagnostic>& notes) {
  ast::Program program = parse_program(source, file);
  AutomaticGuide guide = automatic_guide(program);
  if (guide.parameters.empty() && program.has_guide) return program;
  std::string shown;
  if (program.has_guide) {
    // Before the written block's closing brace, so that every line the
    // user wrote keeps its number.
    std::string const added =
        "  // The automatic guide's factors for the latents above without one\n"
        "  // (docs/language.md, 'Automatic guides'):\n" +
        guide.statements;
    std::size_t const brace = offset_of(source, program.guide_end) - 1;
    source.insert(brace, added);
    shown = guide.statements;
  } else {
    if (program.guide_auto) {
      // Blanked rather than removed, so that every line keeps its number
      // and the appended block is the file's only guide.
      std::size_t const from = offset_of(source, program.guide_auto_pos), to = offset_of(source, program.guide_end);
      for (std::size_t i = from; i < to; ++i)
        if (source[i] != '\n') source[i] = ' ';
    }
    shown = "guide {\n" + guide.statements + "}\n";
    source += "\n// The automatic guide (docs/language.md, 'Automatic guides'): this file has no guide block.\n" +
              shown;
  }
  program = parse_program(source, file);
  program.automatic_guide = std::move(shown);
  program.automatic_parameters = std::move(guide.parameters);
  notes = std::move(guide.notes);
  return program;
}

}  // namespace bbvi
