// A build without MPI: a run is one process, and a launcher's several
// processes would each fit alone and write the same files.
#include "core/diagnostic.hpp"
#include "tools/bbvi-ppl/mpi_ranks.hpp"

#include <fmt/format.h>

namespace bbvi::cli {

std::unique_ptr<Ranks> join_ranks(int&, char**&) {
  int const processes = launched_processes();
  if (processes > 1) {
    Diagnostic d;
    d.message = fmt::format(
        "started as {} processes, but this bbvi-ppl was built without MPI: install libboost-mpi1.81-dev and "
        "rebuild to run as ranks (README.md, 'Ranks')",
        processes);
    throw DiagnosticError(d);
  }
  return nullptr;
}

}  // namespace bbvi::cli
