#include "runtime/constraint.hpp"

#include <fmt/format.h>

#include <cmath>

namespace bbvi {

double Constraint::unconstrain(double x) const {
  if (lower && upper) return math::logit((x - *lower) / (*upper - *lower));
  if (lower) return std::log(x - *lower);
  if (upper) return std::log(*upper - x);
  return x;
}

bool Constraint::holds(double x) const { return (!lower || x >= *lower) && (!upper || x <= *upper); }

bool Constraint::admits(double x) const {
  if (!std::isfinite(x)) return false;
  if (lower && !(x > *lower)) return false;
  if (upper && !(x < *upper)) return false;
  return true;
}

std::string Constraint::spelling() const {
  if (lower && upper) return fmt::format("<lower={}, upper={}>", *lower, *upper);
  if (lower) return fmt::format("<lower={}>", *lower);
  if (upper) return fmt::format("<upper={}>", *upper);
  return "";
}

}  // namespace bbvi
