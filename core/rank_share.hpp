#pragma once
// n independent tasks, each filling its own slot, run as one process would
// run them whatever the number of ranks (core/ranks.hpp): this rank runs its
// share on the pool's threads, and a failure is agreed on by every rank.
#include "core/parallel.hpp"
#include "core/ranks.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>

namespace bbvi {

// The ranks the pool's draws are shared with where there are several; null
// for one process, or a launcher's single rank.
inline Ranks* sharing_ranks(WorkerPool const& pool) {
  return pool.ranks() && pool.ranks()->size() > 1 ? pool.ranks() : nullptr;
}

// Calls task(i, state) for every i of this rank's share of [0, n) (all of
// it for one process), each thread in order through a state of its own from
// make_state(). One process throws what the lowest failing i threw. Under
// ranks, the ranks agree on the lowest i that failed on any of them, and
// each runs that task again itself, with a fresh state, to throw its error:
// every rank fails as one process would (the task must be a function of i
// alone). Returns the share this rank ran, whose slots the caller then
// exchanges.
template <typename MakeState, typename Task>
RankShare run_rank_share(WorkerPool& pool, std::size_t n, MakeState const& make_state, Task const& task) {
  Ranks* const ranks = sharing_ranks(pool);
  RankShare const mine = ranks ? share_of(n, ranks->rank(), ranks->size()) : RankShare{0, n};
  std::uint64_t constexpr none = ~std::uint64_t{0};
  std::atomic<std::uint64_t> first_failure{none};
  try {
    pool.run_shares(mine.end - mine.begin, [&](std::size_t begin, std::size_t end) {
      auto state = make_state();
      for (std::size_t i = mine.begin + begin; i < mine.begin + end; ++i) try {
          task(i, state);
        } catch (...) {
          std::uint64_t seen = first_failure.load();
          while (i < seen && !first_failure.compare_exchange_weak(seen, i)) {
          }
          throw;
        }
    });
  } catch (...) {
    if (!ranks) throw;
  }
  if (!ranks) return mine;
  std::uint64_t const failed = ranks->least(first_failure.load());
  if (failed != none) {
    auto state = make_state();
    task(static_cast<std::size_t>(failed), state);
    throw std::runtime_error(fmt::format("task {} failed on another rank but not on this one", failed));
  }
  return mine;
}

}  // namespace bbvi
