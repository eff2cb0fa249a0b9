#include "tools/bbvi-ppl/progress.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <cmath>

namespace bbvi::cli {

namespace {

constexpr std::size_t trend_window = 20;            // iterations the trend is fitted over
constexpr std::chrono::milliseconds interval{100};  // between redraws: a terminal need not see every iteration

// The least-squares slope of `ys` against 0, 1, …: nats per iteration.
double slope(std::deque<double> const& ys) {
  double const n = static_cast<double>(ys.size());
  if (ys.size() < 2) return 0;
  double const x_bar = (n - 1) / 2;
  double y_bar = 0;
  for (double y : ys) y_bar += y / n;
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < ys.size(); ++i) {
    double const dx = static_cast<double>(i) - x_bar;
    sxy += dx * (ys[i] - y_bar);
    sxx += dx * dx;
  }
  return sxy / sxx;
}

}  // namespace

bool is_terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

ProgressLine::ProgressLine(std::FILE* out, bool enabled)
    : out_(out), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_shown_(start_) {}

ProgressLine::~ProgressLine() { erase(); }

void ProgressLine::update(IterationRecord const& r) {
  if (!enabled_) return;
  if (std::isfinite(r.elbo)) {
    recent_.push_back(r.elbo);
    if (recent_.size() > trend_window) recent_.pop_front();
  }
  auto const now = std::chrono::steady_clock::now();
  if (shown_ && now - last_shown_ < interval) return;
  last_shown_ = now;
  shown_ = true;
  double const seconds = std::chrono::duration<double>(now - start_).count();
  std::string const elbo = recent_.empty() ? "—" : fmt::format("{:.6g} ± {:.2g}", recent_.back(), r.elbo_se);
  // "\r\033[K": back to the start of the line and clear it (ANSI, which
  // every terminal emulator in use understands).
  std::fputs(fmt::format("\r\033[Kiteration {:>6}  ELBO {}  trend {:+.2g}/iteration  {:.1f} s", r.iteration, elbo,
                         slope(recent_), seconds)
                 .c_str(),
             out_);
  std::fflush(out_);
}

void ProgressLine::erase() {
  if (!shown_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  shown_ = false;
}

}  // namespace bbvi::cli
