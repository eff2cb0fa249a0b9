#pragma once
// Running the bbvi-ppl binary as a user does, for the end-to-end tests:
// with its standard output and error in files (not a terminal), or with
// both on a pseudo-terminal.
#include "tests/support/scratch_dir.hpp"

#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace bbvi::testing {

struct Run {
  int status = -1;
  std::string out, err;  // on a terminal both are in `out`
};

inline std::string slurp(std::filesystem::path const& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline int exit_status(int raw) { return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1; }

// `arguments` as a shell would split them (quote paths with spaces), run
// from `directory` when one is given (so that messages name files as the
// arguments do).
inline Run run_binary(std::string const& arguments, std::filesystem::path const& directory = {}) {
  std::filesystem::path const out = scratch_dir() / "stdout", err = scratch_dir() / "stderr";
  std::string const cd = directory.empty() ? "" : "cd '" + directory.string() + "' && ";
  std::string const command = cd + "'" + BBVI_BINARY + "' " + arguments + " >'" + out.string() + "' 2>'" +
                              err.string() + "'";
  Run r;
  r.status = exit_status(std::system(command.c_str()));
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// The same on a pseudo-terminal: what a user at a terminal sees, standard
// output and error together.
inline Run run_in_terminal(std::string const& arguments) {
  int terminal = -1;
  pid_t const child = ::forkpty(&terminal, nullptr, nullptr, nullptr);
  Run r;
  if (child < 0) return r;
  if (child == 0) {
    std::string const command = std::string("exec '") + BBVI_BINARY + "' " + arguments;
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  char buffer[4096];
  for (;;) {
    ssize_t const n = ::read(terminal, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO once the child has closed its side
    r.out.append(buffer, static_cast<std::size_t>(n));
  }
  int raw = 0;
  ::waitpid(child, &raw, 0);
  ::close(terminal);
  r.status = exit_status(raw);
  return r;
}

}  // namespace bbvi::testing
