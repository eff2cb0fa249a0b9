#pragma once
// The functions a .model expression can call, with their arities. The
// checker rejects anything else; the runtime implements exactly these.
#include <array>
#include <string_view>

namespace bbvi {

struct FunctionSignature {
  std::string_view name;
  int arity = 1;
};

inline constexpr std::array<FunctionSignature, 13> functions = {{
    {"exp", 1}, {"log", 1}, {"sqrt", 1}, {"square", 1}, {"pow", 2}, {"abs", 1}, {"log1p", 1},
    {"expm1", 1}, {"logit", 1}, {"inv_logit", 1}, {"lgamma", 1},
    {"sum", 1}, {"mean", 1},  // reductions: a vector to a scalar
}};

// nullptr when `name` is not a function.
constexpr FunctionSignature const* find_function(std::string_view name) {
  for (FunctionSignature const& f : functions)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace bbvi
