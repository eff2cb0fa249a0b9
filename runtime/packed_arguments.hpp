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

// The columns a distribution's row loop reads (registry.hpp's
// log_density_rows): argument k where `value(k)` stores it, or, where the
// distribution reads it whole, packed into whole[k]. value(k) is called once
// for each k. The result has bit k set where argument k is a vector read row
// by row.
template <typename Values>
unsigned row_columns(DistributionSignature const& d, std::size_t count, Values const& value,
                     std::vector<std::vector<double>>& whole, std::vector<double const*>& columns) {
  whole.assign(count, {});
  columns.assign(count, nullptr);
  unsigned varies = 0;
  for (std::size_t k = 0; k < count; ++k) {
    Value<double> const& v = value(k);
    columns[k] = v.elements.data();
    if (d.reads_whole(k)) {
      pack_vector(whole[k], [&](std::size_t j) { return v.at(j); }, v.size());
      columns[k] = whole[k].data();
    } else if (v.is_vector) {
      varies |= 1u << k;
    }
  }
  return varies;
}

}  // namespace bbvi
