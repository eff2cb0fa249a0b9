#pragma once
// Argument checks that name the distribution and the argument they reject,
// as Stan Math's do: "Normal: sd is -1, but must be positive and finite".
#include "runtime/dual.hpp"

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

// Out of line and cold, so that each check inlines to a comparison or two
// in the row loops (registry.hpp) and the message is built only on failure.
[[noreturn]] void reject(std::string_view dist, std::string_view arg, double value, std::string_view requirement);
[[noreturn]] void reject_not_greater(std::string_view dist, std::string_view arg, double value,
                                     std::string_view low_arg, double low);

template <typename T>
void check_finite(std::string_view dist, std::string_view arg, T const& x) {
  double const v = value_of(x);
  if (!std::isfinite(v)) reject(dist, arg, v, "finite");
}

template <typename T>
void check_positive_finite(std::string_view dist, std::string_view arg, T const& x) {
  double const v = value_of(x);
  if (!(v > 0) || !std::isfinite(v))
    reject(dist, arg, v, "positive and finite");
}

template <typename T>
void check_nonnegative_finite(std::string_view dist, std::string_view arg, T const& x) {
  double const v = value_of(x);
  if (!(v >= 0) || !std::isfinite(v))
    reject(dist, arg, v, "nonnegative and finite");
}

// A probability: p in [0, 1]. NaN fails every comparison, so it is rejected too.
template <typename T>
void check_probability(std::string_view dist, std::string_view arg, T const& p) {
  double const v = value_of(p);
  if (!(v >= 0 && v <= 1)) reject(dist, arg, v, "in [0, 1]");
}

// A count such as Binomial's n: the language has only doubles at run time, so
// integrality is a value check, not a type.
template <typename T>
void check_nonnegative_integer(std::string_view dist, std::string_view arg, T const& n) {
  double const v = value_of(n);
  if (!(v >= 0) || !std::isfinite(v) || v != std::floor(v))
    reject(dist, arg, v, "a nonnegative integer");
}

// An upper bound above its lower bound, as Uniform's hi above lo.
template <typename T>
void check_greater(std::string_view dist, std::string_view arg, T const& x, std::string_view low_arg, T const& low) {
  double const v = value_of(x), w = value_of(low);
  if (!(v > w))
    reject_not_greater(dist, arg, v, low_arg, w);
}

// Whether a discrete distribution's value is a count at all; a value that is
// not gets log density -infinity rather than an error (it is data, not an argument).
inline bool is_nonnegative_integer(double x) { return x >= 0 && std::isfinite(x) && x == std::floor(x); }

}  // namespace bbvi
