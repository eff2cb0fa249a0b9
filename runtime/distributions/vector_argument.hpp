#pragma once
// A parameter a distribution reads as a whole vector (Categorical's theta;
// later Dirichlet's alpha, MultiNormal's mean): not one value per row, but
// one K-vector for every row. A distribution names such parameters in
// `whole_vector` (registry.hpp), and its log_density and sample take each
// as a VectorArgument.
//
// Through the registry's entry points the arguments travel packed in one
// array: a scalar parameter is one value; a whole-vector parameter is its
// length K, then its K elements. K is known only once the model is bound to
// its data, so it travels with the values.
#include "runtime/dual.hpp"

#include <cmath>
#include <cstddef>
#include <vector>

namespace bbvi {

template <typename T>
struct VectorArgument {
  T const* data = nullptr;
  std::size_t size = 0;

  T const& operator[](std::size_t i) const { return data[i]; }
  T const* begin() const { return data; }
  T const* end() const { return data + size; }
};

// The packed length of a whole-vector argument that starts at `at`.
template <typename T>
std::size_t packed_length(T const& at) {
  return static_cast<std::size_t>(std::lround(value_of(at)));
}

// Appends a whole-vector argument to a packed array: its length, then its elements.
template <typename T, typename Elements>
void pack_vector(std::vector<T>& packed, Elements const& elements, std::size_t size) {
  packed.push_back(T(static_cast<double>(size)));
  for (std::size_t i = 0; i < size; ++i) packed.push_back(elements(i));
}

}  // namespace bbvi
