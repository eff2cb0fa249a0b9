#include "grammar/convert.hpp"

#include "core/diagnostic.hpp"
#include "grammar/nesting.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <utility>

namespace bbvi::grammar {

namespace {

ast::ExprKind binary_kind(char op) {
  switch (op) {
    case '+': return ast::ExprKind::add;
    case '-': return ast::ExprKind::subtract;
    case '*': return ast::ExprKind::multiply;
    case '/': return ast::ExprKind::divide;
    case '<': return ast::ExprKind::less;
    case 'l': return ast::ExprKind::less_equal;
    case '>': return ast::ExprKind::greater;
    case 'g': return ast::ExprKind::greater_equal;
    case 'e': return ast::ExprKind::equal;
    case 'n': return ast::ExprKind::not_equal;
    case '&': return ast::ExprKind::logical_and;
    case '|': return ast::ExprKind::logical_or;
    default: return ast::ExprKind::power;
  }
}

ast::Expr binary(char op, Position pos, ast::Expr lhs, ast::Expr rhs) {
  ast::Expr e;
  e.kind = binary_kind(op);
  e.pos = pos;
  e.args.push_back(std::move(lhs));
  e.args.push_back(std::move(rhs));
  return e;
}

class Converter {
 public:
  explicit Converter(std::string const& file) : file_(file) {}

  ast::Expr expression(x3ast::Expression const& e) const {
    if (!e.branches) return chain(e.condition);
    x3ast::Conditional const& branches = e.branches->get();
    ast::Expr out;
    out.kind = ast::ExprKind::conditional;
    out.pos = branches.pos;
    out.args.push_back(chain(e.condition));
    out.args.push_back(expression(branches.when_true));
    out.args.push_back(expression(branches.when_false));
    return measured(std::move(out));
  }

  ast::Expr chain(x3ast::Chain const& chain) const {
    if (chain.rest.empty()) return operand(chain.first);
    // The grammar gives '^' a unary right operand, so a '^' chain has one
    // link; folding it from the right keeps '^' right associative anyway.
    if (chain.rest.front().op == '^') return fold_right(chain);
    ast::Expr result = operand(chain.first);
    for (x3ast::Operation const& link : chain.rest)
      result = measured(binary(link.op, link.pos, std::move(result), operand(link.operand)));
    return result;
  }

  ast::Statement statement(x3ast::Statement const& s) const {
    if (auto const* d = boost::get<x3ast::Declaration>(&s)) return declaration(*d);
    if (auto const* t = boost::get<x3ast::TargetIncrement>(&s)) return target_increment(*t);
    if (auto const* m = boost::get<x3ast::MatrixDeclaration>(&s)) return matrix_declaration(*m);
    if (auto const* x = boost::get<x3ast::ShapeDeclaration>(&s)) return shape_declaration(*x);
    if (auto const* a = boost::get<x3ast::Assignment>(&s)) return assignment(*a);
    if (auto const* l = boost::get<boost::spirit::x3::forward_ast<x3ast::Loop>>(&s)) return loop(l->get());
    return sample(boost::get<x3ast::Sample>(s));
  }

  ast::Assignment assignment(x3ast::Assignment const& a) const {
    ast::Assignment out;
    out.pos = a.pos;
    out.target = operand(a.target);
    out.value = expression(a.value);
    return out;
  }

  ast::Loop loop(x3ast::Loop const& l) const {
    ast::Loop out;
    out.pos = l.pos;
    out.variable.pos = l.pos;
    out.variable.type = ast::BaseType::integer;
    out.variable.name = l.variable.name;
    out.variable.name_pos = l.variable.pos;
    out.first = expression(l.first);
    out.last = expression(l.last);
    out.body.reserve(l.body.size());
    for (x3ast::Statement const& s : l.body) out.body.push_back(statement(s));
    return out;
  }

  ast::Sample target_increment(x3ast::TargetIncrement const& t) const {
    ast::Sample out;
    out.target_increment = true;
    out.pos = t.pos;
    out.lhs.kind = ast::ExprKind::name;
    out.lhs.pos = t.pos;
    out.lhs.name = "target";
    out.distribution_pos = t.pos;
    out.args.push_back(expression(t.value));
    return out;
  }

  ast::Expr operator()(x3ast::Number const& n) const { return number(n); }

  ast::Expr operator()(x3ast::Identifier const& id) const {
    ast::Expr e;
    e.kind = ast::ExprKind::name;
    e.pos = id.pos;
    e.name = id.name;
    return e;
  }

  ast::Expr operator()(x3ast::Call const& call) const {
    ast::Expr e;
    e.kind = ast::ExprKind::call;
    e.pos = call.pos;
    e.name = call.function;
    for (auto const& arg : call.args) e.args.push_back(expression(arg));
    return measured(std::move(e));
  }

  ast::Expr operator()(x3ast::Indexed const& indexed) const {
    ast::Expr e;
    e.kind = indexed.column ? ast::ExprKind::matrix_element : ast::ExprKind::index;
    e.pos = indexed.pos;
    e.name = indexed.name;
    e.args.push_back(expression(indexed.index));
    if (indexed.last && indexed.column)
      throw DiagnosticError(error_at(file_, indexed.pos,
                                     "a matrix cannot be sliced: take its element X[n, k] or its column col(X, k)"));
    if (indexed.last) e.args.push_back(expression(*indexed.last));
    if (indexed.column) e.args.push_back(expression(*indexed.column));
    return measured(std::move(e));
  }

  ast::Expr operator()(x3ast::ArrayLiteral const& literal) const {
    ast::Expr e;
    e.kind = ast::ExprKind::array;
    e.pos = literal.pos;
    for (auto const& element : literal.elements) e.args.push_back(expression(element));
    return measured(std::move(e));
  }

  ast::Expr operator()(x3ast::Negation const& negation) const {
    ast::Expr e;
    e.kind = negation.sign == '!' ? ast::ExprKind::logical_not : ast::ExprKind::negate;
    e.pos = negation.pos;
    e.args.push_back(operand(negation.operand));
    return measured(std::move(e));
  }

  ast::Expr operator()(x3ast::Expression const& parenthesised) const { return expression(parenthesised); }

  ast::Expr operator()(x3ast::Chain const& c) const { return chain(c); }

  template <typename T>
  ast::Expr operator()(boost::spirit::x3::forward_ast<T> const& node) const {
    return (*this)(node.get());
  }

 private:
  ast::Expr operand(x3ast::Operand const& o) const { return boost::apply_visitor(*this, o); }

  ast::Expr fold_right(x3ast::Chain const& chain) const {
    ast::Expr result = operand(chain.rest.back().operand);
    for (std::size_t i = chain.rest.size(); i-- > 0;) {
      x3ast::Operand const& left = i == 0 ? chain.first : chain.rest[i - 1].operand;
      result = measured(binary(chain.rest[i].op, chain.rest[i].pos, operand(left), std::move(result)));
    }
    return result;
  }

  // Sets e's height from its children's, and stops a tree that would grow
  // past the limit while it is still shallow enough to walk.
  ast::Expr measured(ast::Expr e) const {
    for (ast::Expr const& child : e.args) e.height = std::max(e.height, child.height + 1);
    if (e.height > max_expression_height)
      throw DiagnosticError(error_at(file_, e.pos,
                                     fmt::format("this expression nests more than {} operations deep: split it "
                                                 "with local definitions",
                                                 max_expression_height)));
    return e;
  }

  ast::Expr number(x3ast::Number const& n) const {
    ast::Expr e;
    e.kind = ast::ExprKind::number;
    e.pos = n.pos;
    e.integer_literal = n.text.find_first_of(".eE") == std::string::npos;
    auto const [end, error] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), e.number);
    if (error != std::errc() || end != n.text.data() + n.text.size())
      throw DiagnosticError(error_at(file_, n.pos, fmt::format("the number {} is out of range", n.text)));
    return e;
  }

  ast::Declaration declaration(x3ast::Declaration const& d) const {
    ast::Declaration out;
    out.pos = d.pos;
    out.type = d.type;
    constraints(d.constraints, out);
    out.name = d.name.name;
    out.name_pos = d.name.pos;
    if (d.size) out.size = expression(*d.size);
    if (d.value) out.value = expression(*d.value);
    return out;
  }

  ast::Declaration matrix_declaration(x3ast::MatrixDeclaration const& m) const {
    ast::Declaration out;
    out.pos = m.pos;
    constraints(m.constraints, out);
    out.name = m.name.name;
    out.name_pos = m.name.pos;
    out.matrix_rows = expression(m.rows);
    out.size = expression(m.columns);
    if (m.value) out.value = expression(*m.value);
    return out;
  }

  ast::Declaration shape_declaration(x3ast::ShapeDeclaration const& x) const {
    ast::Declaration out;
    out.pos = x.pos;
    out.simplex = x.shape == "simplex";
    out.cholesky_factor = !out.simplex;
    out.name = x.name.name;
    out.name_pos = x.name.pos;
    out.size = expression(x.size);
    if (x.value) out.value = expression(*x.value);
    return out;
  }

  void constraints(std::vector<x3ast::Constraint> const& given, ast::Declaration& out) const {
    x3ast::Constraint const* first_lower = nullptr;
    x3ast::Constraint const* first_upper = nullptr;
    for (x3ast::Constraint const& c : given) {
      bool const is_lower = c.bound == "lower";
      x3ast::Constraint const*& first = is_lower ? first_lower : first_upper;
      if (first) {
        Diagnostic twice = error_at(file_, c.pos, fmt::format("'{}' is given twice", c.bound));
        Diagnostic note = error_at(file_, first->pos, fmt::format("'{}' is first given here", c.bound));
        note.severity = Severity::note;
        twice.notes.push_back(std::move(note));
        throw DiagnosticError(std::move(twice));
      }
      first = &c;
      (is_lower ? out.lower : out.upper) = chain(c.value);
    }
  }

  ast::Sample sample(x3ast::Sample const& s) const {
    ast::Sample out;
    out.pos = s.pos;
    out.lhs = operand(s.lhs);
    out.distribution = s.distribution.name;
    out.distribution_pos = s.distribution.pos;
    for (auto const& arg : s.args) out.args.push_back(expression(arg));
    return out;
  }

  std::string const& file_;
};

}  // namespace

ast::Expr to_ast(x3ast::Expression const& expression, std::string const& file) {
  return Converter(file).expression(expression);
}

ast::Statement to_ast(x3ast::Statement const& statement, std::string const& file) {
  return Converter(file).statement(statement);
}

}  // namespace bbvi::grammar
