// Ranks over MPI, with Boost.MPI for the environment, the communicator and
// the gathering of the draws, and MPI's own calls for a minimum and a
// broadcast: Boost.MPI 1.81's all_reduce with minimum<std::uint64_t> gave
// every rank the identity rather than the least value here. Only the main
// thread of each rank calls it (the fit's draws are exchanged between
// iterations, and chains run one after another: runtime/bbvi/chains.cpp).
#include "tools/bbvi-ppl/mpi_ranks.hpp"

#include <boost/mpi/collectives/all_gatherv.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>

#include <mpi.h>

#include <numeric>

namespace bbvi::cli {

namespace {

class MpiRanks final : public Ranks {
 public:
  MpiRanks(int& argc, char**& argv) : environment_(argc, argv, boost::mpi::threading::funneled) {}

  int rank() const override { return world_.rank(); }
  int size() const override { return world_.size(); }

  std::vector<double> gather(std::vector<double> const& mine, std::vector<int> const& sizes) override {
    std::vector<double> all(static_cast<std::size_t>(std::accumulate(sizes.begin(), sizes.end(), 0L)));
    boost::mpi::all_gatherv(world_, mine, all, sizes);
    return all;
  }

  std::uint64_t least(std::uint64_t mine) override {
    std::uint64_t out = 0;
    MPI_Allreduce(&mine, &out, 1, MPI_UINT64_T, MPI_MIN, world_);
    return out;
  }

  bool from_first(bool value) override {
    int flag = value ? 1 : 0;
    MPI_Bcast(&flag, 1, MPI_INT, 0, world_);
    return flag != 0;
  }

 private:
  boost::mpi::environment environment_;
  boost::mpi::communicator world_;
};

}  // namespace

std::unique_ptr<Ranks> join_ranks(int& argc, char**& argv) {
  if (launched_processes() == 0) return nullptr;
  return std::make_unique<MpiRanks>(argc, argv);
}

}  // namespace bbvi::cli
