#pragma once
// Expressions lowered from the syntax tree: names resolved to slots, sizes
// known, and one evaluator generic over the scalar type (double for the
// log-joint, Dual for the guide's score).
#include "grammar/functions.hpp"
#include "core/position.hpp"
#include "runtime/dual_math.hpp"
#include "runtime/value.hpp"

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace bbvi {

enum class Function {
  exp, log, sqrt, square, pow, abs, log1p, expm1, logit, inv_logit, lgamma, inv, Phi, step, fmin, fmax, log_mix,
  sum, mean, log_sum_exp, cumulative_sum, softmax, log_softmax,
  // A matrix's functions: the model's lowering replaces them (dot_product by
  // a sum of products, rows and cols by numbers, col by the column).
  dot_product, rows, cols, col,
  // K×K matrices, their K² elements row by row (docs/language.md, 'Covariance matrices').
  gp_exp_quad_cov, add_diag, cholesky_decompose,
  density,  // Normal_lpdf(y | mu, sigma): Node::distribution's log density, element by element
};

// A function whose value is one number for a whole vector: sum, mean, and
// log_sum_exp of one argument.
inline bool is_reduction(Function f, std::size_t arguments) {
  return f == Function::sum || f == Function::mean || (f == Function::log_sum_exp && arguments == 1);
}
inline bool gives_a_matrix(Function f) {
  return f == Function::gp_exp_quad_cov || f == Function::add_diag || f == Function::cholesky_decompose;
}
// A function each element of whose value reads every element of its
// arguments: the reductions, cumulative_sum, softmax and log_softmax, and
// the covariance matrices' functions.
inline bool reads_whole_vector(Function f, std::size_t arguments) {
  return is_reduction(f, arguments) || f == Function::cumulative_sum || f == Function::softmax ||
         f == Function::log_softmax || gives_a_matrix(f);
}

// The matrix functions, which the model's lowering replaces.
inline bool is_replaced_when_lowered(Function f) {
  return f == Function::dot_product || f == Function::rows || f == Function::cols || f == Function::col;
}

// The implementation of a function of grammar/functions.hpp; nullopt for
// a name that is not one.
std::optional<Function> implementation_of(std::string_view name);

struct DistributionEntry;

struct Node {
  enum class Op {
    constant, slot, negate, add, subtract, multiply, divide, power, call, index,
    // 1 or 0, element by element; conditional's args are condition, then, else
    less, less_equal, greater, greater_equal, equal, not_equal, logical_and, logical_or, logical_not, conditional,
    // X * v: args are X's K columns, then v's K elements; element n is
    // sum over k of column k's element n times v's element k.
    matrix_vector,
    // S * v for a K×K matrix S (args[0], row by row) and a K-vector v
    // (args[1]): element i is the sum over j of S_ij v_j.
    covariance_vector,
    array,  // {args[0], ...}: a vector of scalars
  };
  Op op = Op::constant;
  double constant = 0;          // constant
  int slot = -1;                // slot; index: the indexed slot
  Function function = Function::exp;  // call
  DistributionEntry const* distribution = nullptr;  // a density call
  std::vector<Node> args;       // operands; call arguments; index: the index
  std::size_t size = 0;         // 0 for a scalar, else the vector's length (K² for a K×K matrix)
  std::size_t columns = 0;      // a K×K matrix's K, its elements row by row; 0 for anything else
  // A factor's argument its distribution reads as one whole vector
  // (Categorical's theta): each of its elements reads all of it
  // (program_walk.hpp).
  bool whole = false;
  Position pos;
};

// Whether the expression reads the slot anywhere in it (a name or an index).
bool reads_slot(Node const& node, int slot);

// The values an expression can refer to, by slot number.
template <typename T>
struct Slots {
  std::vector<Value<T> const*> values;
  Eigen::Index derivatives = 0;  // the Dual length constants must take
};

template <typename T>
Value<T> evaluate(Node const& node, Slots<T> const& slots);

extern template Value<double> evaluate(Node const&, Slots<double> const&);
extern template Value<Dual> evaluate(Node const&, Slots<Dual> const&);

}  // namespace bbvi
