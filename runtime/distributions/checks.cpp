#include "runtime/distributions/checks.hpp"

#include <fmt/format.h>

namespace bbvi {

void reject(std::string_view dist, std::string_view arg, double value, std::string_view requirement) {
  throw DomainError(fmt::format("{}: {} is {}, but must be {}", dist, arg, value, requirement));
}

void reject_not_greater(std::string_view dist, std::string_view arg, double value, std::string_view low_arg,
                        double low) {
  throw DomainError(fmt::format("{}: {} is {}, but must be greater than {} = {}", dist, arg, value, low_arg, low));
}

}  // namespace bbvi
