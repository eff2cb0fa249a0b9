#pragma once
// The mean-field guide a model without a guide block gets (docs/language.md,
// 'Automatic guides'): one factor per latent, its family chosen by the
// latent's declared support, as source text the parser reads like a written
// guide, so that `explain` can print it for the user to paste and edit.
#include "grammar/ast.hpp"

#include <map>
#include <string>

namespace bbvi {

struct AutomaticGuide {
  std::string source;  // "guide { … }", with its initial values
  // Each variational parameter's name in `source`, with the latent it
  // belongs to and its role there ("mean", "sd", …): the report names it
  // after the latent, beta[2].mean.
  std::map<std::string, ast::AutomaticParameter> parameters;
};

// Throws DiagnosticError at the declaration of a latent whose support has no
// guide family (an interval other than (0, 1), a lower bound other than 0,
// an array of categorical latents): its guide factor has to be written.
AutomaticGuide automatic_guide(ast::Program const& program);

// parse_program, and where the file has no guide block, the automatic guide
// appended to `source` (so that a diagnostic can show its lines) and parsed
// with it.
ast::Program parse_with_guide(std::string& source, std::string const& file);

}  // namespace bbvi
