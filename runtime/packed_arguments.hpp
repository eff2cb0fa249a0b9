#pragma once
// A factor's arguments at one element, packed as the registry's entry
// points read them (distributions/vector_argument.hpp): element i of each
// argument, except that an argument the distribution reads whole
// (Categorical's theta) is its length and then all its elements.
#include "runtime/registry.hpp"
#include "runtime/value.hpp"

#include <cstddef>
#include <vector>

namespace bbvi {

// `value(k)` is argument k as a Value<T> (or a pointer-like to one).
template <typename T, typename Values>
void pack_arguments(DistributionSignature const& d, std::size_t count, Values const& value, std::size_t i,
                    std::vector<T>& out) {
  if (d.whole_vector.empty()) {
    // Assigned in place: a Dual's derivatives keep their storage from one
    // element to the next, as the row loops rely on.
    out.resize(count);
    for (std::size_t k = 0; k < count; ++k) out[k] = value(k).at(i);
    return;
  }
  out.clear();
  for (std::size_t k = 0; k < count; ++k) {
    Value<T> const& v = value(k);
    if (d.reads_whole(k))
      pack_vector(out, [&](std::size_t j) { return v.at(j); }, v.size());
    else
      out.push_back(v.at(i));
  }
}

}  // namespace bbvi
