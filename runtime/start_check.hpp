#pragma once
// A fit never starts where log p is not finite (docs/language.md, 'Where a
// fit starts'): the model is evaluated at the centre of the guide's initial
// values, and a term that is −inf there, or an argument out of its
// distribution's domain, is an error at its statement, with the rows and the
// latents' values that make it so.
#include "runtime/program.hpp"

namespace bbvi {

// Throws DiagnosticError when the model is not finite at the guide's
// initial centre (start_search.hpp's guide_centre).
void check_start(Program const& program);

}  // namespace bbvi
