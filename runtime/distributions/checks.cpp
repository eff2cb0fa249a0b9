#include "runtime/distributions/checks.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace bbvi {

void reject(std::string_view dist, std::string_view arg, double value, std::string_view requirement) {
  throw DomainError(fmt::format("{}: {} is {}, but must be {}", dist, arg, value, requirement));
}

void reject_simplex(std::string_view dist, std::string_view arg, std::vector<double> const& values) {
  double sum = 0;
  for (double v : values) sum += v;
  throw DomainError(fmt::format("{}: {} is {{{}}}, but must be a simplex: elements in [0, 1] summing to 1 (they sum "
                                "to {})",
                                dist, arg, fmt::join(values, ", "), sum));
}

void reject_not_greater(std::string_view dist, std::string_view arg, double value, std::string_view low_arg,
                        double low) {
  throw DomainError(fmt::format("{}: {} is {}, but must be greater than {} = {}", dist, arg, value, low_arg, low));
}

}  // namespace bbvi
