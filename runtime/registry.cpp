#include "runtime/registry.hpp"

#include "runtime/distributions/gamma.hpp"
#include "runtime/distributions/normal.hpp"

namespace bbvi {

namespace {
Registry make_registry() {
  Registry table;
  // A new distribution: one header under distributions/ and one line here.
  table.add<Normal>();
  table.add<Gamma>();
  return table;
}
}  // namespace

DistributionEntry const* Registry::find(std::string_view name) const {
  auto const it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

DistributionCatalog Registry::catalog() const {
  DistributionCatalog c;
  for (auto const& [name, entry] : entries_) c.emplace(name, entry.signature);
  return c;
}

Registry const& distributions() {
  static Registry const table = make_registry();
  return table;
}

}  // namespace bbvi
