#pragma once
// The processes of one run started by an MPI launcher (`mpirun -np K
// bbvi-ppl …`; README.md, 'Ranks'). Every rank runs the same fit on the same
// files; each makes its share of an iteration's draws, and every rank then
// holds all of them (docs/method.md, 'Draws shared between ranks'). Draw s
// comes from its own stream and fills its own row whichever rank makes it,
// so the result is that of one process, to the bit, for any number of ranks.
// This header knows nothing of MPI: the command line implements it where the
// build found Boost.MPI (tools/bbvi-ppl/mpi_ranks.hpp).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bbvi {

class Ranks {
 public:
  virtual ~Ranks() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Every rank's `mine` in rank order, one after another, on every rank;
  // `sizes` holds every rank's length, the same on every rank.
  virtual std::vector<double> gather(std::vector<double> const& mine, std::vector<int> const& sizes) = 0;
  // The least of every rank's `mine`, on every rank.
  virtual std::uint64_t least(std::uint64_t mine) = 0;
  // Rank 0's `value`, on every rank: for what one process decides for all
  // (a signal asking the run to stop arrives at each rank at its own time).
  virtual bool from_first(bool value) = 0;
};

// Rank r's share of n tasks: [begin, end), contiguous and in rank order.
struct RankShare {
  std::size_t begin = 0, end = 0;
};
inline RankShare share_of(std::size_t n, int rank, int ranks) {
  auto const r = static_cast<std::size_t>(rank), k = static_cast<std::size_t>(ranks);
  return {r * n / k, (r + 1) * n / k};
}

// Rows of `width` numbers, n in all, each rank holding those of its share
// (share_of) in `mine`, one after another: all n of them, in order, on
// every rank.
inline std::vector<double> gather_rows(Ranks& ranks, std::vector<double> const& mine, std::size_t n,
                                       std::size_t width) {
  std::vector<int> sizes;
  for (int r = 0; r < ranks.size(); ++r) {
    RankShare const share = share_of(n, r, ranks.size());
    sizes.push_back(static_cast<int>((share.end - share.begin) * width));
  }
  return ranks.gather(mine, sizes);
}

}  // namespace bbvi
