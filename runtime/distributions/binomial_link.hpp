#pragma once
// What Binomial's link forms (binomial_logit.hpp, binomial_probit.hpp)
// share: Binomial's n, and in place of its p the link's argument alpha, in
// which each states its derivatives.
#include "core/support.hpp"

#include <array>
#include <cstddef>
#include <string_view>

namespace bbvi {

struct BinomialLinkForm {
  static constexpr std::array<std::string_view, 2> parameters{"n", "alpha"};
  static constexpr std::array<double, 2> example_arguments{12.0, -0.8};
  static constexpr std::array<double, 2> invalid_arguments{2.5, -0.8};
  static constexpr std::array<bool, 2> differentiable{false, true};
  static constexpr Support support = Support::bounded_integer;
  static constexpr std::size_t derivative_argument = 1;
};

}  // namespace bbvi
