#pragma once
// The one table of distributions. Each distribution is a struct with
// `name`, `parameters`, `support`, a `log_density` template over the scalar
// type and a `sample`; `add<D>()` turns it into the entry the runtime calls
// through, and into the signature the checker sees.
#include "grammar/catalog.hpp"
#include "runtime/dual.hpp"
#include "runtime/random_stream.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <utility>

namespace bbvi {

struct DistributionEntry {
  DistributionSignature signature;
  double (*log_density)(double x, double const* args);
  Dual (*log_density_dual)(double x, Dual const* args);
  double (*sample)(RandomStream& rng, double const* args);
};

class Registry {
 public:
  template <typename D>
  void add() {
    constexpr std::size_t arity = D::parameters.size();
    DistributionEntry entry{signature_of<D>(), &erased_log_density<D, double>,
                            &erased_log_density<D, Dual>, &erased_sample<D>};
    static_assert(arity > 0, "a distribution takes at least one argument");
    entries_.emplace(entry.signature.name, std::move(entry));
  }

  DistributionEntry const* find(std::string_view name) const;
  DistributionCatalog catalog() const;

 private:
  template <typename D>
  static DistributionSignature signature_of() {
    DistributionSignature s;
    s.name = std::string(D::name);
    for (auto p : D::parameters) s.parameters.emplace_back(p);
    s.support = D::support;
    return s;
  }

  template <typename D, typename T, std::size_t... I>
  static T call_log_density(double x, T const* args, std::index_sequence<I...>) {
    return D::log_density(x, args[I]...);
  }
  template <typename D, typename T>
  static T erased_log_density(double x, T const* args) {
    return call_log_density<D>(x, args, std::make_index_sequence<D::parameters.size()>{});
  }

  template <typename D, std::size_t... I>
  static double call_sample(RandomStream& rng, double const* args, std::index_sequence<I...>) {
    return D::sample(rng, args[I]...);
  }
  template <typename D>
  static double erased_sample(RandomStream& rng, double const* args) {
    return call_sample<D>(rng, args, std::make_index_sequence<D::parameters.size()>{});
  }

  std::map<std::string, DistributionEntry, std::less<>> entries_;
};

// Every distribution bbvi-ppl knows; built once.
Registry const& distributions();

}  // namespace bbvi
