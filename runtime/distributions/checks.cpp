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

void reject_not_square(std::string_view dist, std::string_view arg, std::size_t elements, std::size_t k) {
  throw DomainError(fmt::format("{}: {} is a matrix of {} elements, but must be {}×{} (its mean has {} elements)", dist,
                                arg, elements, k, k, k));
}

void reject_not_symmetric(std::string_view dist, std::string_view arg, std::size_t i, std::size_t j, double above,
                          double below) {
  throw DomainError(fmt::format("{0}: {1} is not symmetric: {1}[{2}, {3}] is {4}, but {1}[{3}, {2}] is {5}", dist, arg,
                                i + 1, j + 1, below, above));
}

void reject_not_positive_definite(std::string_view dist, std::string_view arg, std::size_t minor) {
  throw DomainError(fmt::format("{}: {} is not positive definite (its leading minor of order {} is not positive)", dist,
                                arg, minor));
}

void reject_factor_diagonal(std::string_view dist, std::string_view arg, std::size_t i, double value) {
  throw DomainError(fmt::format("{0}: {1} is a Cholesky factor whose diagonal must be positive and finite, but "
                                "{1}[{2}, {2}] is {3}",
                                dist, arg, i + 1, value));
}

void reject_not_greater(std::string_view dist, std::string_view arg, double value, std::string_view low_arg,
                        double low) {
  throw DomainError(fmt::format("{}: {} is {}, but must be greater than {} = {}", dist, arg, value, low_arg, low));
}

}  // namespace bbvi
