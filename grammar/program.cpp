// The one slow file: compiles the grammar's templates once, for config.hpp's
// iterator and context.
#include "grammar/config.hpp"
#include "grammar/program_def.hpp"

namespace bbvi::grammar {
BOOST_SPIRIT_INSTANTIATE(program_type, iterator_type, context_type)
}  // namespace bbvi::grammar
