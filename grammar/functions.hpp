#pragma once
// The functions a .model expression can call, with their arities. The
// checker rejects anything else; the runtime implements exactly these.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace bbvi {

struct FunctionSignature {
  std::string_view name;
  int arity = 1;
  int max_arity = 0;  // above arity where it takes either (log_sum_exp); 0 otherwise

  constexpr bool takes(std::size_t n) const {
    return static_cast<int>(n) >= arity && static_cast<int>(n) <= (max_arity > 0 ? max_arity : arity);
  }
};

inline constexpr std::array<FunctionSignature, 31> functions = {{
    {"exp", 1}, {"log", 1}, {"sqrt", 1}, {"square", 1}, {"pow", 2}, {"abs", 1}, {"log1p", 1},
    {"expm1", 1}, {"logit", 1}, {"inv_logit", 1}, {"lgamma", 1},
    {"inv", 1}, {"Phi", 1}, {"step", 1}, {"fmin", 2}, {"fmax", 2}, {"log_mix", 3},
    {"sum", 1}, {"mean", 1},  // reductions: a vector to a scalar
    {"log_sum_exp", 1, 2},    // of a vector's elements (a reduction), or of two operands element-wise
    {"cumulative_sum", 1}, {"softmax", 1}, {"log_softmax", 1},  // a vector to a vector of its length
    {"dot_product", 2}, {"rows", 1}, {"cols", 1}, {"col", 2},   // of vectors and matrices
    {"gp_exp_quad_cov", 3}, {"add_diag", 2}, {"cholesky_decompose", 1},  // covariance matrices
}};

// rows(X) and cols(X): a matrix's or a vector's size, a whole number that
// reads none of its values.
constexpr bool gives_a_size(std::string_view name) { return name == "rows" || name == "cols"; }

// The functions whose value is a K×K matrix (docs/language.md, 'Covariance
// matrices'): only a matrix local's value, or an argument that takes a matrix.
constexpr bool gives_a_matrix(std::string_view name) {
  return name == "gp_exp_quad_cov" || name == "add_diag" || name == "cholesky_decompose";
}

// Where a covariance matrix may stand, for the checker's message and the lowering's.
// `subject` is "'S' is" or "gp_exp_quad_cov gives".
inline std::string covariance_uses(std::string const& subject) {
  return subject + " a K×K matrix: it can be the value of a model local 'matrix[K, K] S = ...;', the first argument "
                "of add_diag or cholesky_decompose, MultiNormal's Sigma or MultiNormalCholesky's L, multiply a "
                "vector (S * v), or give an element S[i, j]";
}

// What a data matrix may be used as, for the checker's message and the lowering's.
inline std::string matrix_uses(std::string const& m) {
  return "the matrix '" + m + "' can be used only as " + m + " * v, " + m + "[n, k], col(" + m + ", k), rows(" + m +
         ") or cols(" + m + ")";
}

// nullptr when `name` is not a function.
constexpr FunctionSignature const* find_function(std::string_view name) {
  for (FunctionSignature const& f : functions)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace bbvi
