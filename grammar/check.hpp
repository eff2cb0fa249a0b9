#pragma once
// The semantic checks of a parsed .model program: names, declarations,
// distributions and their arguments, one prior and one guide factor per
// latent, supports, the mean-field rule and cycles. docs/language.md is
// the contract; docs on each rule are in grammar/check_*.cpp.
#include "grammar/ast.hpp"
#include "grammar/catalog.hpp"
#include "core/diagnostic.hpp"

#include <vector>

namespace bbvi {

// Every error found, in source order (empty: the program is valid). Each has
// file = program.file, the position of the offending token, and notes that
// point at related declarations.
std::vector<Diagnostic> check_program(ast::Program const& program, DistributionCatalog const& catalog);

// Warnings for a program check_program accepted: declarations nothing uses
// (a variational parameter, a local, a data column), in source order.
std::vector<Diagnostic> unused_declarations(ast::Program const& program, DistributionCatalog const& catalog);

// A note at the declaration of each latent that no '~' of the model draws:
// it has a flat prior on its declared support (grammar/flat_priors.cpp).
std::vector<Diagnostic> flat_priors(ast::Program const& program);

}  // namespace bbvi
