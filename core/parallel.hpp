#pragma once
// A fixed set of worker threads that split a range of independent tasks
// into contiguous blocks, one per thread: the one threading mechanism of the
// project (the CSV reader's shares of a file, the fit's draws, the chains).
// Which thread runs which task never changes a result: every draw of the fit
// has its own random stream and its own output row, every share of a file and
// every chain its own slot, and what is reduced over them is reduced
// afterwards in one order.
#include "core/ranks.hpp"

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace bbvi {

class WorkerPool {
 public:
  // threads ≤ 1: everything runs on the caller's thread.
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(WorkerPool const&) = delete;
  WorkerPool& operator=(WorkerPool const&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls task(i) for every i in [0, n), block b of the range on thread b.
  // If tasks throw, rethrows the exception of the lowest i that threw, as a
  // single thread running the range in order would; later tasks of a block
  // whose task threw are skipped.
  void run(std::size_t n, std::function<void(std::size_t)> const& task);

  // Calls task(begin, end) on contiguous shares of [0, n), in order, one per
  // thread at most: for tasks that keep state from one index to the next of
  // their share (a frame made once). Exceptions as run's.
  void run_shares(std::size_t n, std::function<void(std::size_t, std::size_t)> const& task);

  // All cores the machine reports (at least 1).
  static int available_cores();

  // The ranks this pool's draws are shared with (core/ranks.hpp,
  // rank_share.hpp); null for one process. Only the fit's draws and the
  // importance check's are shared: everything else a pool runs is run whole
  // on every rank.
  void share_draws_with(Ranks* ranks) { ranks_ = ranks; }
  Ranks* ranks() const { return ranks_; }

 private:
  struct Failure {
    std::size_t index;
    std::exception_ptr error;
  };
  void work(std::size_t block);
  void run_block(std::size_t block);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  std::function<void(std::size_t)> const* task_ = nullptr;
  std::size_t tasks_ = 0;
  std::size_t generation_ = 0;
  std::size_t pending_ = 0;
  bool stopping_ = false;
  std::vector<Failure> failures_;  // by block
  Ranks* ranks_ = nullptr;
};

}  // namespace bbvi
