#pragma once
// What the generic distribution property tests share
// (tests/runtime/distribution_properties_test.cpp and whole_value_properties.cpp).
#include "runtime/distributions/checks.hpp"
#include "runtime/dual.hpp"

#include <string>
#include <vector>

namespace bbvi::testing {

// The message of the DomainError that f throws, or a note that it threw none.
template <typename F>
std::string domain_error_message(F const& f) {
  try {
    f();
  } catch (DomainError const& e) {
    return e.what();
  }
  return "(no DomainError)";
}

// Dual arguments at `args`, the j-th seeded with the j-th unit derivative.
inline std::vector<Dual> seeded(std::vector<double> const& args) {
  std::vector<Dual> duals;
  for (std::size_t j = 0; j < args.size(); ++j)
    duals.emplace_back(args[j], static_cast<int>(args.size()), static_cast<int>(j));
  return duals;
}

}  // namespace bbvi::testing
