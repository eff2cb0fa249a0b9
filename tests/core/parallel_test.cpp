// The worker pool: every task runs once, and a failure is reported as the
// lowest-numbered failing task's, as if the range ran in order on one thread;
// a pool the system cannot give its threads says so.
#include "core/parallel.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

TEST_CASE("worker pool: past the system's limit on threads, an error that says so, not an abort") {
  // In a child held to one process of its user (a root child first becomes
  // nobody, since the limit does not bind root), where no thread can start.
  pid_t const child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::geteuid() == 0 && ::setuid(65534) != 0) ::_exit(3);
    struct ::rlimit const one {1, 1};
    if (::setrlimit(RLIMIT_NPROC, &one) != 0) ::_exit(3);
    try {
      WorkerPool pool(4);
    } catch (std::runtime_error const& e) {
      ::_exit(std::string(e.what()).rfind("cannot start 4 threads, only 1: ", 0) == 0 ? 0 : 2);
    }
    ::_exit(1);  // _exit: nothing of the parent's runs again here
  }
  int raw = 0;
  REQUIRE(::waitpid(child, &raw, 0) == child);
  REQUIRE(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 0);
}
