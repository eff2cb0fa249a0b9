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

template <typename T>
void check_nonnegative_finite(std::string_view dist, std::string_view arg, T const& x) {
  double const v = value_of(x);
  if (!(v >= 0) || !std::isfinite(v))
    throw DomainError(fmt::format("{}: {} is {}, but must be nonnegative and finite", dist, arg, v));
}

// A probability: p in [0, 1]. NaN fails every comparison, so it is rejected too.
template <typename T>
void check_probability(std::string_view dist, std::string_view arg, T const& p) {
  double const v = value_of(p);
  if (!(v >= 0 && v <= 1)) throw DomainError(fmt::format("{}: {} is {}, but must be in [0, 1]", dist, arg, v));
}

// A count such as Binomial's n: the language has only doubles at run time, so
// integrality is a value check, not a type.
template <typename T>
void check_nonnegative_integer(std::string_view dist, std::string_view arg, T const& n) {
  double const v = value_of(n);
  if (!(v >= 0) || !std::isfinite(v) || v != std::floor(v))
    throw DomainError(fmt::format("{}: {} is {}, but must be a nonnegative integer", dist, arg, v));
}

// An upper bound above its lower bound, as Uniform's hi above lo.
template <typename T>
void check_greater(std::string_view dist, std::string_view arg, T const& x, std::string_view low_arg, T const& low) {
  double const v = value_of(x), w = value_of(low);
  if (!(v > w))
    throw DomainError(fmt::format("{}: {} is {}, but must be greater than {} = {}", dist, arg, v, low_arg, w));
}

// Whether a discrete distribution's value is a count at all; a value that is
// not gets log density -infinity rather than an error (it is data, not an argument).
inline bool is_nonnegative_integer(double x) { return x >= 0 && std::isfinite(x) && x == std::floor(x); }

}  // namespace bbvi
