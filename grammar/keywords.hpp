#pragma once
// The reserved words of the language: they cannot name a variable. The
// grammar and the syntax-error messages both read this list.
#include <array>
#include <string_view>

namespace bbvi::grammar {

inline constexpr std::array<std::string_view, 14> keywords = {
    "real",  "int",   "matrix", "simplex", "cholesky_factor_cov", "data", "latent", "model", "guide",
    "lower", "upper", "target", "for",     "in"};

}  // namespace bbvi::grammar
