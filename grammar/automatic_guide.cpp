#include "grammar/automatic_guide.hpp"

#include "core/diagnostic.hpp"
#include "grammar/declared_support.hpp"
#include "grammar/expr_source.hpp"
#include "grammar/parse.hpp"

#include <fmt/format.h>

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
    case Support::interval: return std::nullopt;
  }
  return std::nullopt;
}

// Every name the model file declares, which a generated one must not take.
std::set<std::string> declared_names(ast::Program const& program) {
  std::set<std::string> names;
  auto const add = [&](std::vector<ast::Statement> const& statements) {
    ast::for_each_nested(statements, [&](ast::Statement const& s) {
      if (auto const* d = std::get_if<ast::Declaration>(&s)) names.insert(d->name);
      if (auto const* loop = std::get_if<ast::Loop>(&s)) names.insert(loop->variable.name);
    });
  };
  if (program.data) add(program.data->statements);
  add(program.latent.statements);
  add(program.model.statements);
  return names;
}

}  // namespace

AutomaticGuide automatic_guide(ast::Program const& program) {
  AutomaticGuide out;
  std::set<std::string> taken = declared_names(program);
  std::string declarations, factors;
  for (ast::Statement const& s : program.latent.statements) {
    auto const* d = std::get_if<ast::Declaration>(&s);
    if (!d) continue;
    std::optional<Support> const support = declared_support(*d);
    std::optional<Family> const family = support ? family_for(*d, *support) : std::nullopt;
    if (!family)
      throw DiagnosticError(error_at(
          program.file, d->name_pos,
          fmt::format("latent '{}' is declared {}{}, for which there is no automatic guide factor: write a guide "
                      "block with its factor (docs/language.md, 'The guide block')",
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
    factors += fmt::format("  {} ~ {}({}{});\n", d->name, family->distribution, family->leading,
                           fmt::join(arguments, ", "));
  }
  out.source = "guide {\n" + declarations + factors + "}\n";
  return out;
}

ast::Program parse_with_guide(std::string& source, std::string const& file) {
  ast::Program program = parse_program(source, file);
  if (program.has_guide) return program;
  AutomaticGuide guide = automatic_guide(program);
  source += "\n// The automatic guide (docs/language.md, 'Automatic guides'): this file has no guide block.\n" +
            guide.source;
  program = parse_program(source, file);
  program.automatic_guide = std::move(guide.source);
  program.automatic_parameters = std::move(guide.parameters);
  return program;
}

}  // namespace bbvi
