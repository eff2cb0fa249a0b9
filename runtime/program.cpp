#include "runtime/program.hpp"

#include <fmt/format.h>

namespace bbvi {

std::string Parameter::element_name(std::size_t i) const {
  if (!role.empty()) return size == 0 ? name : fmt::format("{}[{}].{}", latent, i + 1, role);
  if (columns != 0) return fmt::format("{}[{}, {}]", name, i / columns + 1, i % columns + 1);
  return size == 0 ? name : fmt::format("{}[{}]", name, i + 1);
}

std::string Parameter::coordinate_name(std::size_t c) const {
  if (columns == 0) return element_name(c);
  auto const [i, j] = cholesky_element(c);
  return element_name(i * columns + j);
}

}  // namespace bbvi
