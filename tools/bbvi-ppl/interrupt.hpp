#pragma once
// SIGINT and SIGTERM during a run: the handler only records the signal; the
// fit and the writing of the output files look at that record at safe points
// and stop by throwing Interrupted, which removes every temporary file on
// its way out. A second signal ends the process at once: the handler itself
// removes the temporary files that exist then (unlink is async-signal-safe)
// and exits 128 + the signal, as a shell reports a process it stopped.
#include <signal.h>  // sigset_t

#include <stdexcept>
#include <string>

namespace bbvi::cli {

// While one lives, SIGINT and SIGTERM are recorded instead of ending the
// process (unless they were ignored when it began, as in a background job
// of a shell script: then they stay ignored). Blocking calls (writing to a FIFO, waiting for its reader) return
// early with EINTR, so that the signal is seen there too.
class StopOnSignals {
 public:
  StopOnSignals();
  ~StopOnSignals();
  StopOnSignals(StopOnSignals const&) = delete;
  StopOnSignals& operator=(StopOnSignals const&) = delete;
};

// The signal that asked the run to stop, or 0.
int stop_signal();

class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(int signal);
  int signal() const { return signal_; }
  int exit_status() const { return 128 + signal_; }

 private:
  int signal_;
};

// Throws Interrupted when a signal has asked the run to stop.
void stop_if_asked();

// "SIGINT", "SIGTERM".
std::string signal_name(int signal);

// While one lives, SIGINT and SIGTERM wait on this thread: around steps that
// must happen together (a file created and then tracked, a rename and then
// forgotten), so that a second signal never finds them half done.
class SignalsHeld {
 public:
  SignalsHeld();
  ~SignalsHeld();
  SignalsHeld(SignalsHeld const&) = delete;
  SignalsHeld& operator=(SignalsHeld const&) = delete;

  // The mask from before: the one to wait under (ppoll), so that only the
  // wait itself lets the signals in.
  sigset_t const& before() const { return previous_; }

 private:
  sigset_t previous_;
};

// Waits until `fd` is ready for `events` (or, with fd < 0, until `timeout_ms`
// has passed; a negative timeout waits for the descriptor alone), and throws
// Interrupted when a signal asks the run to stop, even one that came just
// before the wait began: the check and the wait happen with the signals
// held, and the wait lets them in atomically. A blocking call in their place
// would miss a signal arriving between the check and the call, and wait on.
void wait_unless_stopped(int fd, short events, int timeout_ms);

// A temporary file that a second signal removes before ending the process.
// Tracking takes no lock and allocates nothing the handler reads: a fixed
// table of paths, each published by an atomic flag.
class TrackedTemporary {
 public:
  explicit TrackedTemporary(std::string const& path);  // throws std::length_error past the table's room
  ~TrackedTemporary();                                 // forgets it (the file itself is the owner's business)
  TrackedTemporary(TrackedTemporary const&) = delete;
  TrackedTemporary& operator=(TrackedTemporary const&) = delete;

 private:
  int slot_;
};

// Removes every tracked temporary file; async-signal-safe.
void remove_tracked_temporaries();

}  // namespace bbvi::cli
