#pragma once
// Argument checks that name the distribution and the argument they reject,
// as Stan Math's do: "Normal: sd is -1, but must be positive and finite".
#include "runtime/dual.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <string_view>

namespace bbvi {

// A value outside a distribution's domain. runtime/compile ties it to the
// statement of the model that produced it.
class DomainError : public std::domain_error {
 public:
  using std::domain_error::domain_error;
};

template <typename T>
void check_finite(std::string_view dist, std::string_view arg, T const& x) {
  double const v = value_of(x);
  if (!std::isfinite(v)) throw DomainError(fmt::format("{}: {} is {}, but must be finite", dist, arg, v));
}

template <typename T>
void check_positive_finite(std::string_view dist, std::string_view arg, T const& x) {
  double const v = value_of(x);
  if (!(v > 0) || !std::isfinite(v))
    throw DomainError(fmt::format("{}: {} is {}, but must be positive and finite", dist, arg, v));
}

}  // namespace bbvi
