#pragma once
// The mean-field guide a model without a guide block gets (docs/language.md,
// 'Automatic guides'): one factor per latent, its family chosen by the
// latent's declared support, as source text the parser reads like a written
// guide, so that `explain` can print it for the user to paste and edit.
#include "core/diagnostic.hpp"
#include "grammar/ast.hpp"

#include <map>
#include <string>
#include <vector>

namespace bbvi {

struct AutomaticGuide {
  // The declarations and factors of the latents without a guide factor:
  // every latent where the file has no guide block.
  std::string statements;
  // Each variational parameter's name in them, with the latent it belongs
  // to and its role there ("mean", "sd", …): the report names it after the
  // latent, beta[2].mean.
  std::map<std::string, ast::AutomaticParameter> parameters;
  // Where the file has a guide block: a note at each latent given its
  // automatic factor.
  std::vector<Diagnostic> notes;
};

// Throws DiagnosticError at the declaration of a latent whose support has no
// guide family (an interval other than (0, 1), a lower bound other than 0,
// an array of categorical latents): its guide factor has to be written.
AutomaticGuide automatic_guide(ast::Program const& program);

// parse_program, and where the file has no guide block, the automatic guide
// appended to `source` (so that a diagnostic can show its lines) and parsed
// with it; where its guide block leaves latents without a factor, their
// automatic declarations and factors inserted at the end of that block.
// `notes` gets a note for each latent so given a factor.
ast::Program parse_with_guide(std::string& source, std::string const& file, std::vector<Diagnostic>& notes);

}  // namespace bbvi
