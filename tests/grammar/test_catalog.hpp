#pragma once
// The four distributions the grammar tests check against; the real catalog
// comes from the runtime's registry.
#include "grammar/catalog.hpp"

namespace bbvi::test {

inline DistributionCatalog small_catalog() {
  DistributionCatalog catalog;
  auto add = [&](DistributionSignature s) { catalog.emplace(s.name, std::move(s)); };
  add({"Normal", {"mean", "sd"}, Support::real, {}});
  add({"Gamma", {"shape", "rate"}, Support::positive, {}});
  add({"Bernoulli", {"p"}, Support::binary, {}});
  add({"Poisson", {"rate"}, Support::nonnegative_integer, {}});
  return catalog;
}

}  // namespace bbvi::test
