#pragma once
// The set of values a latent variable or a distribution lives on. The checker
// compares a latent's declared support with its guide factor's; the runtime
// maps supports to checks on data.
#include <string_view>

namespace bbvi {

enum class Support {
  real,                 // (-inf, inf)
  positive,             // (0, inf)
  unit_interval,        // (0, 1)
  interval,             // (lo, hi): the distribution's first two arguments (Uniform)
  lower_bounded,        // (lo, inf): lo the distribution's first argument (ShiftedLogNormal)
  upper_bounded,        // (-inf, hi): hi the distribution's first argument (ReflectedLogNormal)
  nonnegative_integer,  // 0, 1, 2, ...
  binary,               // 0 or 1
  bounded_integer,      // 0, 1, ..., n: n the distribution's first argument (Binomial)
  categorical,          // 1, 2, ..., K: K the length of the distribution's first argument (Categorical)
  simplex,              // K positive elements summing to 1, drawn jointly (Dirichlet): K the length of its first argument
};

constexpr bool is_discrete(Support s) {
  return s == Support::nonnegative_integer || s == Support::binary || s == Support::bounded_integer ||
         s == Support::categorical;
}

// As the user would write it in a declaration, for messages:
// "real", "real<lower=0>", "real<lower=0, upper=1>", "int<lower=0>", ...
constexpr std::string_view support_spelling(Support s) {
  switch (s) {
    case Support::real: return "real";
    case Support::positive: return "real<lower=0>";
    case Support::unit_interval: return "real<lower=0, upper=1>";
    case Support::interval: return "real<lower=a, upper=b>";
    case Support::lower_bounded: return "real<lower=a>";
    case Support::upper_bounded: return "real<upper=b>";
    case Support::nonnegative_integer: return "int<lower=0>";
    case Support::binary: return "int<lower=0, upper=1>";
    case Support::bounded_integer: return "int<lower=0, upper=n>";
    case Support::categorical: return "int<lower=1, upper=K>";
    case Support::simplex: return "simplex[K]";
  }
  return "real";
}

}  // namespace bbvi
