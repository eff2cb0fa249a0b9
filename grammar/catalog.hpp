#pragma once
// What the checker needs to know of distributions, without knowing how they
// are computed: the runtime's registry fills this in (runtime/registry.hpp).
#include "core/support.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <string>
#include <vector>

namespace bbvi {

struct DistributionSignature {
  std::string name;                     // "Normal"
  std::vector<std::string> parameters;  // {"mean", "sd"}: arity and names for messages
  Support support = Support::real;
  // By parameter: read as one whole vector, not one value per row
  // (Categorical's theta; runtime/distributions/vector_argument.hpp). Empty
  // when the distribution has none.
  std::vector<bool> whole_vector;
  // Its value is a whole vector (Dirichlet's K-vector on the simplex): one
  // density and one joint draw for all the elements of the left side.
  bool whole_value = false;
  // By parameter: a K×K matrix (MultiNormal's Sigma), read whole as its K²
  // elements row by row. Empty when the distribution has none.
  std::vector<bool> matrix_argument{};

  bool reads_whole(std::size_t parameter) const {
    return parameter < whole_vector.size() && whole_vector[parameter];
  }
  bool reads_matrix(std::size_t parameter) const {
    return parameter < matrix_argument.size() && matrix_argument[parameter];
  }
};

using DistributionCatalog = std::map<std::string, DistributionSignature, std::less<>>;

// `Normal_lpdf`, `Poisson_lpmf` (and Stan's `_lupdf`, `_lupmf`, the same
// here): a distribution's log density called as a function, its value first.
struct DensityCall {
  std::string_view distribution;  // "Normal"
  bool mass = false;              // written _lpmf or _lupmf
};

inline std::optional<DensityCall> density_call(std::string_view function) {
  for (auto const& [suffix, mass] : {std::pair{"_lpdf", false}, std::pair{"_lupdf", false}, std::pair{"_lpmf", true},
                                     std::pair{"_lupmf", true}}) {
    std::string_view const s = suffix;
    if (function.size() > s.size() && function.substr(function.size() - s.size()) == s)
      return DensityCall{function.substr(0, function.size() - s.size()), mass};
  }
  return std::nullopt;
}

}  // namespace bbvi
