#include "grammar/declared_support.hpp"

#include "grammar/expr_source.hpp"

namespace bbvi {

std::optional<double> literal_value(ast::Expr const& e) {
  if (e.kind == ast::ExprKind::number) return e.number;
  if (e.kind == ast::ExprKind::negate) {
    if (auto const v = literal_value(e.args[0])) return -*v;
  }
  return std::nullopt;
}

namespace {

bool is_literal(std::optional<ast::Expr> const& bound, double value) {
  if (!bound) return false;
  std::optional<double> const v = literal_value(*bound);
  return v && *v == value;
}

}  // namespace

std::optional<Support> declared_support(ast::Declaration const& d) {
  if (d.simplex) return Support::simplex;
  bool const lower_zero = is_literal(d.lower, 0);
  if (d.type == ast::BaseType::integer) {
    if (is_literal(d.lower, 1) && d.upper) return Support::categorical;
    if (!lower_zero) return std::nullopt;
    if (!d.upper) return Support::nonnegative_integer;
    return is_literal(d.upper, 1) ? Support::binary : Support::bounded_integer;
  }
  if (!d.lower && !d.upper) return Support::real;
  if (lower_zero && !d.upper) return Support::positive;
  if (lower_zero && is_literal(d.upper, 1)) return Support::unit_interval;
  if (!d.upper) return Support::lower_bounded;
  if (!d.lower) return Support::upper_bounded;
  return Support::interval;
}

std::string declared_type(ast::Declaration const& d) {
  if (d.simplex) return "simplex[K]";
  std::string out = d.type == ast::BaseType::real ? "real" : "int";
  if (!d.lower && !d.upper) return out;
  out += "<";
  if (d.lower) out += "lower=" + to_source(*d.lower);
  if (d.lower && d.upper) out += ", ";
  if (d.upper) out += "upper=" + to_source(*d.upper);
  return out + ">";
}

}  // namespace bbvi
