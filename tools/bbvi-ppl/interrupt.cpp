#include "tools/bbvi-ppl/interrupt.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <utility>

namespace bbvi::cli {

namespace {

// Read and written by the handler, so lock-free atomics only.
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<int> recorded_signal{0};

// A slot is free, being filled (the handler must not read it yet), or
// published (the handler may remove its file).
enum SlotState : int { free_slot, filling, published };

struct Slot {
  std::atomic<int> state{free_slot};
  std::array<char, 4096> path{};  // PATH_MAX: a longer path cannot be opened anyway
};

// A run writes four outputs at most, one temporary each.
std::array<Slot, 16> temporaries;

struct sigaction previous_interrupt, previous_terminate;

extern "C" void record_signal(int signal) {
  int none = 0;
  if (recorded_signal.compare_exchange_strong(none, signal)) return;
  // Asked twice: the run has not stopped yet (a long iteration, a slow
  // disk), and the user means it.
  remove_tracked_temporaries();
  ::_exit(128 + signal);
}

}  // namespace

StopOnSignals::StopOnSignals() {
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked open or write returns EINTR and the stop is seen there
  // A signal ignored from the start stays ignored (nohup, a background job
  // of a script): whoever started bbvi-ppl so did not want it to stop.
  for (auto const& [signal, previous] : {std::pair{SIGINT, &previous_interrupt}, std::pair{SIGTERM, &previous_terminate}}) {
    ::sigaction(signal, nullptr, previous);
    if (previous->sa_handler != SIG_IGN) ::sigaction(signal, &action, nullptr);
  }
}

StopOnSignals::~StopOnSignals() {
  ::sigaction(SIGINT, &previous_interrupt, nullptr);
  ::sigaction(SIGTERM, &previous_terminate, nullptr);
}

int stop_signal() { return recorded_signal.load(); }

std::string signal_name(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal);
}

Interrupted::Interrupted(int signal) : std::runtime_error("stopped by " + signal_name(signal)), signal_(signal) {}

void stop_if_asked() {
  if (int const signal = stop_signal()) throw Interrupted(signal);
}

SignalsHeld::SignalsHeld() {
  sigset_t held;
  sigemptyset(&held);
  sigaddset(&held, SIGINT);
  sigaddset(&held, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &held, &previous_);
}

SignalsHeld::~SignalsHeld() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

void wait_unless_stopped(int fd, short events, int timeout_ms) {
  {
    SignalsHeld const held;
    stop_if_asked();
    ::pollfd ready{fd, events, 0};
    ::timespec const timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
    // EINTR is the expected way out when a signal comes; any other failure
    // leaves the caller to retry its call and meet the error there.
    ::ppoll(fd >= 0 ? &ready : nullptr, fd >= 0 ? 1 : 0, timeout_ms >= 0 ? &timeout : nullptr, &held.before());
  }
  stop_if_asked();
}

TrackedTemporary::TrackedTemporary(std::string const& path) : slot_(-1) {
  if (path.size() >= temporaries.front().path.size()) return;  // its open fails with ENAMETOOLONG
  for (std::size_t i = 0; i < temporaries.size(); ++i) {
    int expected = free_slot;
    if (!temporaries[i].state.compare_exchange_strong(expected, filling)) continue;
    std::memcpy(temporaries[i].path.data(), path.c_str(), path.size() + 1);
    temporaries[i].state.store(published);
    slot_ = static_cast<int>(i);
    return;
  }
  throw std::logic_error("more temporary files than the table of them holds");
}

TrackedTemporary::~TrackedTemporary() {
  if (slot_ >= 0) temporaries[static_cast<std::size_t>(slot_)].state.store(free_slot);
}

void remove_tracked_temporaries() {
  for (Slot& slot : temporaries)
    if (slot.state.load() == published) ::unlink(slot.path.data());
}

}  // namespace bbvi::cli
