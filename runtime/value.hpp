#pragma once
// What an expression evaluates to: a scalar, or a vector that broadcasts
// element-wise against scalars.
#include <cstddef>
#include <vector>

namespace bbvi {

template <typename T>
struct Value {
  std::vector<T> elements;  // one element for a scalar
  bool is_vector = false;

  std::size_t size() const { return elements.size(); }
  // Element i of a vector, or the scalar whatever i is: broadcasting.
  T const& at(std::size_t i) const { return elements[is_vector ? i : 0]; }

  static Value scalar(T x) { return Value{{std::move(x)}, false}; }
  static Value vector(std::vector<T> xs) { return Value{std::move(xs), true}; }
};

}  // namespace bbvi
