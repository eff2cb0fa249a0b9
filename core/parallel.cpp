#include "core/parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <system_error>

namespace bbvi {

namespace {

// Tells the waiting workers to end, and waits for them.
void stop(std::vector<std::thread>& workers, std::mutex& mutex, bool& stopping, std::condition_variable& start) {
  {
    std::lock_guard<std::mutex> const lock(mutex);
    stopping = true;
  }
  start.notify_all();
  for (std::thread& t : workers) t.join();
}

}  // namespace

WorkerPool::WorkerPool(int threads) {
  std::size_t const blocks = static_cast<std::size_t>(std::max(threads, 1));
  failures_.resize(blocks);
  try {
    for (std::size_t b = 1; b < blocks; ++b) workers_.emplace_back([this, b] { work(b); });
  } catch (std::system_error const& e) {
    // Past the system's limit on threads (ulimit -u, kernel.threads-max, the
    // memory for their stacks): the ones started end, and the caller hears
    // why, where leaving them running would abort the process.
    std::size_t const started = workers_.size() + 1;
    stop(workers_, mutex_, stopping_, start_);
    throw std::runtime_error(
        fmt::format("cannot start {} threads, only {}: {}", blocks, started, e.code().message()));
  }
}

WorkerPool::~WorkerPool() { stop(workers_, mutex_, stopping_, start_); }

int WorkerPool::available_cores() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

void WorkerPool::run_block(std::size_t block) {
  std::size_t const blocks = failures_.size();
  std::size_t const begin = tasks_ * block / blocks, end = tasks_ * (block + 1) / blocks;
  failures_[block] = {end, nullptr};
  for (std::size_t i = begin; i < end; ++i) {
    try {
      (*task_)(i);
    } catch (...) {
      failures_[block] = {i, std::current_exception()};
      return;
    }
  }
}

void WorkerPool::work(std::size_t block) {
  std::size_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    run_block(block);
    {
      std::lock_guard<std::mutex> const lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

void WorkerPool::run(std::size_t n, std::function<void(std::size_t)> const& task) {
  task_ = &task;
  tasks_ = n;
  if (!workers_.empty()) {
    {
      std::lock_guard<std::mutex> const lock(mutex_);
      pending_ = workers_.size();
      ++generation_;
    }
    start_.notify_all();
  }
  run_block(0);
  if (!workers_.empty()) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
  }
  task_ = nullptr;
  // Blocks are contiguous and in order: the first block that failed holds
  // the lowest failing index.
  for (Failure const& f : failures_)
    if (f.error) std::rethrow_exception(f.error);
}

void WorkerPool::run_shares(std::size_t n, std::function<void(std::size_t, std::size_t)> const& task) {
  std::size_t const shares = std::min(n, static_cast<std::size_t>(threads()));
  run(shares, [&](std::size_t share) { task(share * n / shares, (share + 1) * n / shares); });
}

}  // namespace bbvi
