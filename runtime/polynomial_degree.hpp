#pragma once
// The degree of a model expression's element as a polynomial in the latent
// elements, through locals, indexing and reductions (a ProgramWalk analysis,
// program_walk.hpp, reading them as the blankets do): in one element e, for
// the local expectations' rule (bbvi/local_expectation.cpp), or in all of
// them jointly, for an affine mean (affine_normal.cpp). A function of a
// latent (exp, log, inv_logit, ...) is not a polynomial; the degree
// saturates at not_polynomial.
#include "runtime/program.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <vector>

namespace bbvi {

struct PolynomialDegree {
  using Result = int;
  static constexpr int not_polynomial = 1000;

  std::optional<std::size_t> only;             // the element counted; none: every one
  std::vector<std::size_t>* reads = nullptr;  // where given, every latent element read

  static int add(int a, int b) { return std::min(a + b, not_polynomial); }

  int leaf(std::size_t, std::size_t element) const {
    if (reads) reads->push_back(element);
    return !only || element == *only ? 1 : 0;
  }
  int other() const { return 0; }  // data, or a constant
  void gather(int& so_far, int next) const { so_far = std::max(so_far, next); }

  template <typename Operand>
  int combine(Node const& n, Operand const& arg) const {
    switch (n.op) {
      case Node::Op::negate: return arg(0);
      case Node::Op::add:
      case Node::Op::subtract: return std::max(arg(0), arg(1));
      case Node::Op::multiply: return add(arg(0), arg(1));
      case Node::Op::divide: return arg(1) == 0 ? arg(0) : not_polynomial;
      case Node::Op::power: {
        int const base = arg(0);
        if (base == 0 && arg(1) == 0) return 0;
        Node const& exponent = n.args[1];
        bool const whole = exponent.op == Node::Op::constant && exponent.constant >= 0 &&
                           exponent.constant == std::floor(exponent.constant) && exponent.constant <= 16;
        return whole ? std::min(base * static_cast<int>(exponent.constant), not_polynomial) : not_polynomial;
      }
      case Node::Op::less:
      case Node::Op::less_equal:
      case Node::Op::greater:
      case Node::Op::greater_equal:
      case Node::Op::equal:
      case Node::Op::not_equal:
      case Node::Op::logical_and:
      case Node::Op::logical_or:
        return std::max(arg(0), arg(1)) == 0 ? 0 : not_polynomial;  // a step in a latent
      case Node::Op::logical_not: return arg(0) == 0 ? 0 : not_polynomial;
      case Node::Op::conditional: return arg(0) == 0 ? std::max(arg(1), arg(2)) : not_polynomial;
      case Node::Op::matrix_vector: {  // a sum of products of a column and an element
        std::size_t const columns = n.args.size() / 2;
        int degree = 0;
        for (std::size_t k = 0; k < columns; ++k) degree = std::max(degree, add(arg(k), arg(columns + k)));
        return degree;
      }
      case Node::Op::covariance_vector: return add(arg(0), arg(1));  // sums of products
      case Node::Op::call: {
        int degree = 0;
        for (std::size_t i = 0; i < n.args.size(); ++i) degree = std::max(degree, arg(i));
        return degree == 0 ? 0 : not_polynomial;  // exp, log, inv_logit, ... of a latent
      }
      default: return not_polynomial;  // constant, slot and index are the walk's
    }
  }
};

}  // namespace bbvi
