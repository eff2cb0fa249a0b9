#pragma once
// A fit never starts where log p is not finite (docs/language.md, 'Where a
// fit starts'): the model is evaluated at the centre of the guide's initial
// values, and a term that is −inf there, or an argument out of its
// distribution's domain, is an error at its statement, with the rows and the
// latents' values that make it so. Where the guide is the automatic one,
// whose start is searched, this is also where its terms' scale is checked
// (runtime/bbvi/initial_scale.hpp), rather than at the table's values.
#include "runtime/program.hpp"

namespace bbvi {

// Throws DiagnosticError when the model is not finite at the guide's
// initial centre (start_search.hpp's guide_centre), or, for the automatic
// guide, a term is too large for the fit at its initial draws.
void check_start(Program const& program);

}  // namespace bbvi
