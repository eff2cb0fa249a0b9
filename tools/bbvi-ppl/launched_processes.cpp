#include "tools/bbvi-ppl/mpi_ranks.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <string>

namespace bbvi::cli {

int launched_processes() {
  for (char const* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (char const* value = std::getenv(variable)) {
      try {
        return std::max(1, std::stoi(value));
      } catch (std::exception const&) {
        return 1;
      }
    }
  return 0;
}

}  // namespace bbvi::cli
