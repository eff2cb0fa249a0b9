// The worker pool: every task runs once, and a failure is reported as the
// lowest-numbered failing task's, as if the range ran in order on one thread.
#include "core/parallel.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace bbvi;

TEST_CASE("worker pool: each task runs exactly once, over many runs and any number of threads") {
  for (int threads : {1, 2, 3, 8}) {
    WorkerPool pool(threads);
    for (std::size_t n : {0, 1, 2, 7, 100}) {
      std::vector<int> runs(n, 0);
      pool.run(n, [&](std::size_t i) { ++runs[i]; });
      CAPTURE(threads, n);
      CHECK(runs == std::vector<int>(n, 1));
    }
  }
}

TEST_CASE("worker pool: the exception of the lowest failing task is the one rethrown") {
  for (int threads : {1, 2, 4}) {
    WorkerPool pool(threads);
    std::string message;
    try {
      pool.run(40, [](std::size_t i) {
        if (i == 13 || i == 31 || i == 38) throw std::runtime_error("task " + std::to_string(i));
      });
    } catch (std::runtime_error const& e) {
      message = e.what();
    }
    CAPTURE(threads);
    CHECK(message == "task 13");
    // The pool is still usable after a failure.
    int total = 0;
    pool.run(1, [&](std::size_t) { ++total; });
    CHECK(total == 1);
  }
}
