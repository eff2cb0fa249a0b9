#include "grammar/expr_source.hpp"

#include <fmt/format.h>

namespace bbvi {

namespace {

// Binding strength, loosest first, as in the grammar.
int precedence(ast::Expr const& e) {
  switch (e.kind) {
    case ast::ExprKind::conditional: return 0;
    case ast::ExprKind::logical_or: return 1;
    case ast::ExprKind::logical_and: return 2;
    case ast::ExprKind::equal:
    case ast::ExprKind::not_equal: return 3;
    case ast::ExprKind::less:
    case ast::ExprKind::less_equal:
    case ast::ExprKind::greater:
    case ast::ExprKind::greater_equal: return 4;
    case ast::ExprKind::add:
    case ast::ExprKind::subtract: return 5;
    case ast::ExprKind::multiply:
    case ast::ExprKind::divide: return 6;
    case ast::ExprKind::negate:
    case ast::ExprKind::logical_not: return 7;
    case ast::ExprKind::power: return 8;
    default: return 9;
  }
}

std::string wrapped(ast::Expr const& e, bool parenthesise) {
  return parenthesise ? "(" + to_source(e) + ")" : to_source(e);
}

char const* operator_text(ast::ExprKind kind) {
  switch (kind) {
    case ast::ExprKind::add: return " + ";
    case ast::ExprKind::subtract: return " - ";
    case ast::ExprKind::multiply: return " * ";
    case ast::ExprKind::divide: return " / ";
    case ast::ExprKind::less: return " < ";
    case ast::ExprKind::less_equal: return " <= ";
    case ast::ExprKind::greater: return " > ";
    case ast::ExprKind::greater_equal: return " >= ";
    case ast::ExprKind::equal: return " == ";
    case ast::ExprKind::not_equal: return " != ";
    case ast::ExprKind::logical_and: return " && ";
    case ast::ExprKind::logical_or: return " || ";
    default: return "^";
  }
}

}  // namespace

std::string to_source(ast::Expr const& e) {
  int const p = precedence(e);
  switch (e.kind) {
    case ast::ExprKind::number: return fmt::format("{}", e.number);
    case ast::ExprKind::name: return e.name;
    case ast::ExprKind::index:
      return e.name + "[" + to_source(e.args[0]) + (e.args.size() == 2 ? ":" + to_source(e.args[1]) : "") + "]";
    case ast::ExprKind::matrix_element: return e.name + "[" + to_source(e.args[0]) + ", " + to_source(e.args[1]) + "]";
    case ast::ExprKind::array: {
      std::string out = "{";
      for (std::size_t i = 0; i < e.args.size(); ++i) out += (i ? ", " : "") + to_source(e.args[i]);
      return out + "}";
    }
    case ast::ExprKind::call: {
      std::string out = e.name + "(";
      for (std::size_t i = 0; i < e.args.size(); ++i) out += (i ? ", " : "") + to_source(e.args[i]);
      return out + ")";
    }
    case ast::ExprKind::negate: return "-" + wrapped(e.args[0], precedence(e.args[0]) < p);
    case ast::ExprKind::logical_not: return "!" + wrapped(e.args[0], precedence(e.args[0]) < p);
    case ast::ExprKind::conditional:
      return wrapped(e.args[0], precedence(e.args[0]) <= p) + " ? " + to_source(e.args[1]) + " : " +
             to_source(e.args[2]);
    case ast::ExprKind::power:
      // Right associative, and its right operand may be a negation (2^-1).
      return wrapped(e.args[0], precedence(e.args[0]) <= p) + "^" +
             wrapped(e.args[1], precedence(e.args[1]) < precedence(e) - 1);
    default:
      // Left associative: a - (b - c) needs its parentheses, (a - b) - c not.
      return wrapped(e.args[0], precedence(e.args[0]) < p) + operator_text(e.kind) +
             wrapped(e.args[1], precedence(e.args[1]) <= p);
  }
}

}  // namespace bbvi
