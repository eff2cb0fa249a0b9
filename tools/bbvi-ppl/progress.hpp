#pragma once
// The progress line a fit shows on a terminal: iteration, ELBO estimate, its
// trend, elapsed time, rewritten in place a few times a second and erased
// when the fit ends, so that what stays on the screen is the report.
#include "runtime/bbvi/fit.hpp"

#include <chrono>
#include <cstdio>
#include <deque>

namespace bbvi::cli {

class ProgressLine {
 public:
  // Shows nothing unless `enabled` (stderr is a terminal and not --quiet).
  ProgressLine(std::FILE* out, bool enabled);
  ~ProgressLine();  // erases the line
  ProgressLine(ProgressLine const&) = delete;
  ProgressLine& operator=(ProgressLine const&) = delete;

  void update(IterationRecord const& r);
  void erase();

 private:
  std::FILE* out_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_, last_shown_;
  std::deque<double> recent_;  // the last iterations' ELBO estimates, for the trend
};

// Whether the progress line belongs on this stream: a terminal.
bool is_terminal(std::FILE* stream);

}  // namespace bbvi::cli
