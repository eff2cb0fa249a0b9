#pragma once
// A counter-based random stream (Random123's Philox4x64) as a Boost.Random
// engine. Every (seed, iteration, draw) triple names its own stream, so the
// draws of an iteration do not depend on the order or the thread that makes
// them, and Boost.Random's distributions give the same numbers everywhere.
#include <Random123/philox.h>

#include <cstdint>
#include <limits>

namespace bbvi {

class RandomStream {
 public:
  using result_type = std::uint64_t;

  RandomStream(std::uint64_t seed, std::uint64_t iteration, std::uint64_t draw)
      : key_{{seed, iteration}}, counter_{{draw, 0, 0, 0}} {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    if (used_ == block_.size()) {
      block_ = philox_(counter_, key_);
      counter_[1] += 1;  // next block of the same stream
      used_ = 0;
    }
    return block_[used_++];
  }

 private:
  r123::Philox4x64 philox_;
  r123::Philox4x64::key_type key_;
  r123::Philox4x64::ctr_type counter_;
  r123::Philox4x64::ctr_type block_{};
  std::size_t used_ = 4;
};

}  // namespace bbvi
