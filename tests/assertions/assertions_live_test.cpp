// The sanitizer build is where assert() and Eigen's checks (an index out of
// range, a size mismatch) run; a flag that brings NDEBUG back would turn them
// off without failing anything else. Each check runs in a child process and
// must abort it.
#include <Eigen/Core>

#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace {

// volatile: the compiler must not see that the check fails.
volatile int zero = 0;
volatile Eigen::Index past_the_end = 3;

// True if `action` in a child process ends it with SIGABRT.
template <typename Action>
bool aborts(Action action) {
  std::fflush(nullptr);
  pid_t const child = fork();
  if (child == 0) {
    action();
    std::_Exit(0);
  }
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child) return false;
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

}  // namespace

int main() {
#ifdef NDEBUG
  std::fprintf(stderr, "NDEBUG is defined: this build compiles assert() out\n");
  return 1;
#else
  int failures = 0;
  if (!aborts([] { assert(zero != 0); })) {
    std::fprintf(stderr, "a failing assert() did not abort\n");
    ++failures;
  }
  if (!aborts([] {
        Eigen::Vector3d v = Eigen::Vector3d::Zero();
        std::printf("%g\n", v(past_the_end));
      })) {
    std::fprintf(stderr, "Eigen's index check did not abort on v(3) of a 3-vector\n");
    ++failures;
  }
  if (!aborts([] {
        Eigen::VectorXd a = Eigen::VectorXd::Zero(2);
        Eigen::VectorXd b = Eigen::VectorXd::Zero(2 + zero + 1);
        std::printf("%g\n", a.dot(b));
      })) {
    std::fprintf(stderr, "Eigen's size check did not abort on a 2-vector dot a 3-vector\n");
    ++failures;
  }
  if (failures == 0) std::printf("assert() and Eigen's checks are live\n");
  return failures == 0 ? 0 : 1;
#endif
}
