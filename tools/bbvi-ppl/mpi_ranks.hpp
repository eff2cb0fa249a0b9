#pragma once
// The ranks of a run an MPI launcher started (`mpirun -np K bbvi-ppl …`;
// README.md, 'Ranks'), for core/ranks.hpp. Built with Boost.MPI where the
// build found it (mpi_ranks.cpp), and without it otherwise
// (single_process_ranks.cpp): the single-process build needs no MPI.
#include "core/ranks.hpp"

#include <memory>

namespace bbvi::cli {

// The ranks this process is one of, MPI started, where a launcher's
// environment says it started several processes or was asked for one (then
// null: one process). Throws DiagnosticError where it started several and
// this build has no MPI. Lives until the end of main: MPI ends with it.
std::unique_ptr<Ranks> join_ranks(int& argc, char**& argv);

// How many processes the launcher's environment says it started; 0 where
// none did (OpenMPI's mpirun, and launchers that speak PMI: MPICH's, Slurm's).
int launched_processes();

}  // namespace bbvi::cli
