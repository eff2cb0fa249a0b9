#include "runtime/constraint.hpp"

#include <fmt/format.h>

#include <algorithm>
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
  if (simplex) return "simplex";
  if (lower && upper) return fmt::format("<lower={}, upper={}>", *lower, *upper);
  if (lower) return fmt::format("<lower={}>", *lower);
  if (upper) return fmt::format("<upper={}>", *upper);
  return "";
}

std::vector<double> simplex_from(double const* u, std::size_t elements) {
  double largest = 0;  // the pinned last coordinate
  for (std::size_t i = 0; i + 1 < elements; ++i) largest = std::max(largest, u[i]);
  std::vector<double> p(elements);
  double total = 0;
  for (std::size_t i = 0; i < elements; ++i) total += p[i] = std::exp((i + 1 < elements ? u[i] : 0.0) - largest);
  for (double& x : p) x /= total;
  return p;
}

std::vector<double> simplex_coordinates(std::vector<double> const& p) {
  std::vector<double> u;
  for (std::size_t i = 0; i + 1 < p.size(); ++i) u.push_back(std::log(p[i] / p.back()));
  return u;
}

std::optional<std::size_t> cholesky_coordinate(std::size_t side, std::size_t element) {
  std::size_t const i = element / side, j = element % side;
  if (j > i) return std::nullopt;
  return cholesky_coordinates(i) + j;
}

std::pair<std::size_t, std::size_t> cholesky_element(std::size_t coordinate) {
  std::size_t i = 0;
  while (cholesky_coordinates(i + 1) <= coordinate) ++i;
  return {i, coordinate - cholesky_coordinates(i)};
}

}  // namespace bbvi
