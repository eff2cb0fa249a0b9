#pragma once
// What the checker needs to know of distributions, without knowing how they
// are computed: the runtime's registry fills this in (runtime/registry.hpp).
#include "core/support.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bbvi {

struct DistributionSignature {
  std::string name;                     // "Normal"
  std::vector<std::string> parameters;  // {"mean", "sd"}: arity and names for messages
  Support support = Support::real;
};

using DistributionCatalog = std::map<std::string, DistributionSignature, std::less<>>;

}  // namespace bbvi
