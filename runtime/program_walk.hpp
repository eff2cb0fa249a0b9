#pragma once
// Element k of a lowered expression, resolved as every analysis of the
// program's graph reads it: through the block's locals (Definition slots),
// `index` nodes (a constant index, or element k of an int data column; both
// 1-based) and the functions that read a whole vector (sum, mean,
// log_sum_exp of one vector, cumulative_sum, softmax, log_softmax: every
// element of their argument). Element k of
// an operand of size 0, a scalar, is its only element.
//
// An analysis supplies only what it computes:
//   using Result = ...;
//   Result leaf(std::size_t leaf, std::size_t element);  // a leaf variable's element is read
//   Result other();                                      // a constant or a data value
//   void gather(Result& so_far, Result const& next);     // sum, mean: one more element
//   template <typename Operand>
//   Result combine(Node const& n, Operand const& operand);  // negate ... power, and
//                                                           // other calls: operand(i)
//                                                           // is n.args[i] at element k
// The leaves are the variables the block's factors are functions of: the
// latents in the model (leaf: its place in Program::latents; element: its
// index into a draw z), the parameters in the guide (Program::parameters; u).
// The Markov blankets (which leaf elements a term reads) and the quadrature
// degree (a term's degree in one latent element) are such analyses.
#include "runtime/program.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace bbvi {

class ProgramWalk {
 public:
  static ProgramWalk of_model(Program const& program);
  static ProgramWalk of_guide(Program const& program);

  template <typename Analysis>
  typename Analysis::Result slot(int s, std::size_t k, Analysis& a) const {
    Role const& role = roles_[static_cast<std::size_t>(s)];
    switch (role.kind) {
      case Role::Kind::leaf:
        if (role.shared > 0) {  // a simplex or a Cholesky factor: every element reads all its coordinates
          typename Analysis::Result all = a.other();
          for (std::size_t c = 0; c < role.shared; ++c) a.gather(all, a.leaf(role.which, role.offset + c));
          return all;
        }
        return a.leaf(role.which, role.offset + (role.size == 0 ? 0 : k));
      case Role::Kind::local: return element(*role.value, k, a);
      case Role::Kind::other: break;
    }
    return a.other();
  }

  template <typename Analysis>
  typename Analysis::Result element(Node const& n, std::size_t k, Analysis& a) const {
    switch (n.op) {
      case Node::Op::constant: return a.other();
      case Node::Op::slot: return slot(n.slot, k, a);
      case Node::Op::array: return element(n.args[k], 0, a);  // its elements are scalars
      case Node::Op::index: {
        Node const& index = n.args[0];
        double const i = index.op == Node::Op::constant
                             ? index.constant
                             : program_->data[static_cast<std::size_t>(index.slot)].elements[k];
        return slot(n.slot, static_cast<std::size_t>(std::lround(i)) - 1, a);
      }
      case Node::Op::call:
        if (reads_whole_vector(n.function, n.args.size())) {
          typename Analysis::Result all = a.other();
          for (Node const& argument : n.args)
            for (std::size_t j = 0; j < elements_to_walk(argument); ++j) a.gather(all, element(argument, j, a));
          // Sums are linear in the elements; the rest are functions of them.
          bool const linear = n.function == Function::sum || n.function == Function::mean ||
                              n.function == Function::cumulative_sum;
          return linear ? all : a.combine(n, [&](std::size_t) { return all; });
        }
        break;
      case Node::Op::covariance_vector: {
        // Row k of the matrix, and all of the vector.
        Node const& matrix = n.args[0];
        Node const& vector = n.args[1];
        typename Analysis::Result row = a.other(), all = a.other();
        if (reads_the_same_everywhere(matrix))
          a.gather(row, element(matrix, 0, a));
        else
          for (std::size_t j = 0; j < n.size; ++j) a.gather(row, element(matrix, k * n.size + j, a));
        for (std::size_t j = 0; j < elements_to_walk(vector); ++j) a.gather(all, element(vector, j, a));
        return a.combine(n, [&](std::size_t i) { return i == 0 ? row : all; });
      }
      default: break;
    }
    return a.combine(n, [&](std::size_t i) { return operand(n.args[i], k, a); });
  }

  // Element k of an operand or of a factor's argument; of an argument read
  // whole (Node::whole), all its elements.
  template <typename Analysis>
  typename Analysis::Result operand(Node const& n, std::size_t k, Analysis& a) const {
    if (!n.whole) return element(n, n.size == 0 ? 0 : k, a);
    typename Analysis::Result all = a.other();
    for (std::size_t j = 0; j < elements_to_walk(n); ++j) a.gather(all, element(n, j, a));
    return all;
  }

  // The elements of n a walk of all of them must visit: one where each
  // element of n is a function of the same whole vectors (a covariance
  // matrix and the locals holding one), which element() resolves the same
  // whatever the element; else all of them. Without this, a Cholesky factor
  // of a kernel of K points would be walked K² × K² × K times.
  std::size_t elements_to_walk(Node const& n) const {
    return reads_the_same_everywhere(n) ? 1 : std::max<std::size_t>(n.size, 1);
  }
  bool reads_the_same_everywhere(Node const& n) const {
    if (n.op == Node::Op::call) return reads_whole_vector(n.function, n.args.size());
    if (n.op != Node::Op::slot) return false;
    Role const& role = roles_[static_cast<std::size_t>(n.slot)];
    return role.kind == Role::Kind::local && reads_the_same_everywhere(*role.value);
  }

  // visit(leaf, element) for each leaf element that element k of `n` reads
  // (a leaf read twice is visited twice).
  template <typename Visit>
  void visit_leaves(Node const& n, std::size_t k, Visit const& visit) const {
    LeafVisitor<Visit> v{visit};
    operand(n, k, v);
  }
  // Element k of a model factor's left side, as its term reads it: all of
  // it for a whole value (MultiNormal's, one term over every element).
  template <typename Analysis>
  typename Analysis::Result left_side(Factor const& f, std::size_t k, Analysis& a) const {
    if (!f.distribution->signature.whole_value) return slot(f.lhs_slot, k, a);
    typename Analysis::Result all = a.other();
    for (std::size_t j = 0; j < std::max<std::size_t>(f.lhs_size, 1); ++j) a.gather(all, slot(f.lhs_slot, j, a));
    return all;
  }
  template <typename Visit>
  void visit_leaves_of_left_side(Factor const& f, std::size_t k, Visit const& visit) const {
    LeafVisitor<Visit> v{visit};
    left_side(f, k, v);
  }

 private:
  struct Role {
    enum class Kind { other, leaf, local };
    Kind kind = Kind::other;
    std::size_t which = 0;   // leaf: its place among the leaves
    std::size_t offset = 0;  // leaf: where its elements start
    std::size_t size = 0;    // leaf: 0 for a scalar
    std::size_t shared = 0;  // leaf: the coordinates every element reads (program_walk.cpp), or 0
    Node const* value = nullptr;  // local: its definition
  };

  template <typename Visit>
  struct LeafVisitor {
    struct Nothing {};
    using Result = Nothing;
    Visit const& visit;
    Result leaf(std::size_t which, std::size_t element) const {
      visit(which, element);
      return {};
    }
    Result other() const { return {}; }
    void gather(Result&, Result) const {}
    template <typename Operand>
    Result combine(Node const& n, Operand const& operand) const {
      for (std::size_t i = 0; i < n.args.size(); ++i) operand(i);
      return {};
    }
  };

  template <typename Leaves>
  ProgramWalk(Program const& program, std::vector<Statement> const& block, Leaves const& leaves);

  Program const* program_;
  std::vector<Role> roles_;  // by slot
};

}  // namespace bbvi
