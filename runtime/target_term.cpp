#include "runtime/target_term.hpp"

#include <array>
#include <stdexcept>
#include <string_view>

namespace bbvi {

namespace {

struct TargetTerm {
  static constexpr std::string_view name = "target";
  static constexpr std::array<std::string_view, 1> parameters{"value"};
  static constexpr std::array<double, 1> example_arguments{-1.5};
  static constexpr std::array<double, 1> invalid_arguments{0.0};  // none is: no property test reads it
  static constexpr Support support = Support::real;

  template <typename T>
  static T log_density(double, T const& value) {
    return value;
  }

  template <typename Rng>
  static double sample(Rng&, double) {
    throw std::logic_error("a target += term is never drawn from");
  }
};

}  // namespace

DistributionEntry const& target_entry() {
  static Registry const registry = [] {
    Registry r;
    r.add<TargetTerm>();
    return r;
  }();
  return *registry.find(TargetTerm::name);
}

}  // namespace bbvi
