#include "runtime/expression.hpp"

#include "core/row_blocks.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/cholesky.hpp"
#include "runtime/distributions/vector_argument.hpp"
#include "runtime/packed_arguments.hpp"
#include "runtime/registry.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace bbvi {

namespace {

// The implementation of each function of grammar/functions.hpp, by name.
struct FunctionName {
  std::string_view name;
  Function function;
};

constexpr std::array<FunctionName, 31> function_names{{
    {"exp", Function::exp},       {"log", Function::log},     {"sqrt", Function::sqrt},
    {"square", Function::square}, {"pow", Function::pow},     {"abs", Function::abs},
    {"log1p", Function::log1p},   {"expm1", Function::expm1}, {"logit", Function::logit},
    {"inv_logit", Function::inv_logit}, {"lgamma", Function::lgamma}, {"inv", Function::inv},
    {"Phi", Function::Phi},       {"step", Function::step},   {"fmin", Function::fmin},
    {"fmax", Function::fmax},     {"log_mix", Function::log_mix}, {"sum", Function::sum},
    {"mean", Function::mean},     {"log_sum_exp", Function::log_sum_exp},
    {"cumulative_sum", Function::cumulative_sum}, {"softmax", Function::softmax},
    {"log_softmax", Function::log_softmax}, {"dot_product", Function::dot_product},
    {"rows", Function::rows},     {"cols", Function::cols},   {"col", Function::col},
    {"gp_exp_quad_cov", Function::gp_exp_quad_cov}, {"add_diag", Function::add_diag},
    {"cholesky_decompose", Function::cholesky_decompose},
}};
static_assert(function_names.size() == functions.size(), "every function of the language has an implementation");

template <typename T, typename F>
Value<T> map(Value<T> x, F f) {
  for (T& e : x.elements) e = f(e);
  return x;
}

// Element-wise with broadcasting; sizes were checked when the model was lowered.
// `spare` is a temporary operand (a or b itself) whose storage the result
// may take, or null.
template <typename T, typename F>
Value<T> zip(Value<T> const& a, Value<T> const& b, F f, Value<T>* spare) {
  if constexpr (std::is_same_v<T, double>) {
    // Over data rows: one branch-free loop per broadcasting case, which the
    // compiler turns into SIMD for the arithmetic operators, written over
    // a temporary operand where there is one (element i is read before it
    // is written) to save an allocation per operation.
    if (a.is_vector || b.is_vector) {
      std::size_t const n = a.is_vector ? a.size() : b.size();
      std::vector<double> out;
      if (spare && spare->is_vector) out = std::move(spare->elements);
      else out.resize(n);
      double const* x = a.is_vector && &a == spare ? out.data() : a.elements.data();
      double const* y = b.is_vector && &b == spare ? out.data() : b.elements.data();
      double* const o = out.data();
      if (a.is_vector && b.is_vector)
        for (std::size_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
      else if (a.is_vector)
        for (std::size_t i = 0; i < n; ++i) o[i] = f(x[i], y[0]);
      else
        for (std::size_t i = 0; i < n; ++i) o[i] = f(x[0], y[i]);
      return Value<double>::vector(std::move(out));
    }
  }
  Value<T> out;
  out.is_vector = a.is_vector || b.is_vector;
  std::size_t const n = out.is_vector ? std::max(a.is_vector ? a.size() : 0, b.is_vector ? b.size() : 0) : 1;
  out.elements.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.elements.push_back(f(a.at(i), b.at(i)));
  return out;
}

template <typename T>
T pow_of(T const& x, T const& y) {
  // An integral constant exponent keeps the derivative defined for x <= 0.
  if constexpr (std::is_same_v<T, Dual>) {
    if (y.derivatives().isZero(0)) return math::pow(x, y.value());
  }
  return math::pow(x, y);
}

// log(eˣ + eʸ) without overflow; −inf when both are.
template <typename T>
T log_sum_exp_of(T const& x, T const& y) {
  if (value_of(x) == -std::numeric_limits<double>::infinity()) return y;
  if (value_of(y) == -std::numeric_limits<double>::infinity()) return x;
  return value_of(x) >= value_of(y) ? T(x + math::log1p(math::exp(y - x))) : T(y + math::log1p(math::exp(x - y)));
}

// The largest element's value, the shift that keeps exp from overflowing.
template <typename T>
double largest(Value<T> const& v) {
  double m = -std::numeric_limits<double>::infinity();
  for (T const& e : v.elements) m = std::max(m, value_of(e));
  return m;
}

// Σ term(v_i) in fixed row blocks (docs/method.md, 'Row blocks').
template <typename T, typename Term>
T total_of(Value<T> const& v, Eigen::Index derivatives, Term const& term) {
  return sum_by_row_blocks(v.size(), [&](std::size_t a, std::size_t b) {
    T block = lift<T>(0.0, derivatives);
    for (std::size_t i = a; i < b; ++i) block = block + term(v.elements[i]);
    return block;
  });
}

// log Σ exp(v − m) with m = largest(v), and m: the log normaliser's parts.
template <typename T>
T log_sum_exp_shifted(Value<T> const& v, double m, Eigen::Index derivatives) {
  return math::log(total_of(v, derivatives, [&](T const& e) -> T { return math::exp(e - m); }));
}

// The density of a distribution that reads arguments whole (Categorical's
// theta, Dirichlet's and MultiNormal's everything): by its row loop, with
// those arguments packed as a '~' of it packs them (packed_arguments.hpp).
// A whole value's is one number (its row loop's element 0; the others are
// 0), else one per element of the value. NaN where it rejects its arguments.
Value<double> whole_density(DistributionEntry const& d, std::vector<Value<double>> const& a) {
  std::vector<std::vector<double>> packed;
  std::vector<double const*> columns;
  unsigned const varies = row_columns(
      d.signature, a.size() - 1, [&](std::size_t k) -> Value<double> const& { return a[k + 1]; }, packed, columns);
  Value<double> const& x = a[0];
  Value<double> out;
  out.elements.resize(x.size());
  try {
    d.log_density_rows(x.elements.data(), x.size(), columns.data(), varies, out.elements.data());
  } catch (DomainError const&) {
    std::fill(out.elements.begin(), out.elements.end(), std::numeric_limits<double>::quiet_NaN());
  }
  if (d.signature.whole_value) out.elements.resize(1);
  out.is_vector = !d.signature.whole_value && x.is_vector;
  return out;
}

// A distribution's log density at each element, its value first: NaN
// where it rejects its arguments, so that a row a ?: does not choose, or a
// mixture weight of 0, does no harm (a NaN that reaches log p rejects the
// draw). The model's side only: a value must be a double.
template <typename T>
Value<T> density(DistributionEntry const& d, std::vector<Value<T>> const& a) {
  if (!d.signature.whole_vector.empty()) {
    if constexpr (std::is_same_v<T, double>) return whole_density(d, a);
    throw std::logic_error("a density is the model's only, and the model is evaluated in doubles");
  }
  Value<T> out;
  std::size_t n = 1;
  for (Value<T> const& v : a) {
    out.is_vector = out.is_vector || v.is_vector;
    n = std::max(n, v.size());
  }
  out.elements.reserve(n);
  std::vector<T> args(a.size() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 1; k < a.size(); ++k) args[k - 1] = a[k].at(i);
    double const x = value_of(a[0].at(i));
    try {
      if constexpr (std::is_same_v<T, double>)
        out.elements.push_back(d.log_density(x, args.data()));
      else
        out.elements.push_back(d.log_density_dual(x, args.data()));
    } catch (DomainError const&) {
      out.elements.push_back(T(std::numeric_limits<double>::quiet_NaN()));
    }
  }
  return out;
}

// alpha² exp(−(x_i − x_j)² / (2 rho²)), Stan's gp_exp_quad_cov (cov_exp_quad).
template <typename T>
Value<T> exponentiated_quadratic(Value<T> const& x, T const& alpha, T const& rho, Eigen::Index derivatives) {
  check_positive_finite("gp_exp_quad_cov", "alpha", alpha);
  check_positive_finite("gp_exp_quad_cov", "rho", rho);
  T const variance = alpha * alpha;
  T const inverse = lift<T>(-0.5, derivatives) / (rho * rho);
  Value<T> out;
  out.is_vector = true;
  out.elements.reserve(x.size() * x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = 0; j < x.size(); ++j) {
      T const d = x.at(i) - x.at(j);
      out.elements.push_back(variance * math::exp(d * d * inverse));
    }
  return out;
}

// S with d (a scalar, or a K-vector) added to its diagonal.
template <typename T>
Value<T> add_to_diagonal(Value<T> s, Value<T> const& d) {
  std::size_t const k = square_side(s.size());
  for (std::size_t i = 0; i < k; ++i) s.elements[i * k + i] = s.elements[i * k + i] + d.at(i);
  return s;
}

template <typename T>
Value<T> cholesky_factor_of(Value<T> const& s) {
  std::size_t const k = square_side(s.size());
  VectorArgument<T> const matrix{s.elements.data(), s.size()};
  check_covariance("cholesky_decompose", "its matrix", matrix, k);
  Value<T> out;
  out.is_vector = true;
  if (std::size_t const minor =
          cholesky_lower<T>(k, [&](std::size_t i, std::size_t j) -> T const& { return s.elements[i * k + j]; },
                            out.elements))
    reject_not_positive_definite("cholesky_decompose", "its matrix", minor);
  return out;
}

template <typename T>
Value<T> call(Function f, std::vector<Value<T>> const& a, Eigen::Index derivatives) {
  double const infinity = std::numeric_limits<double>::infinity();
  switch (f) {
    case Function::density: throw std::logic_error("a density is called through its node");
    case Function::dot_product:
    case Function::rows:
    case Function::cols:
    case Function::col: throw std::logic_error("a matrix function is replaced when the model is lowered");
    case Function::gp_exp_quad_cov: return exponentiated_quadratic(a[0], a[1].at(0), a[2].at(0), derivatives);
    case Function::add_diag: return add_to_diagonal(a[0], a[1]);
    case Function::cholesky_decompose: return cholesky_factor_of(a[0]);
    case Function::inv: return map(a[0], [derivatives](T const& x) -> T { return lift<T>(1.0, derivatives) / x; });
    case Function::Phi: return map(a[0], [](T const& x) -> T { return math::Phi(x); });
    case Function::step:
      return map(a[0], [derivatives](T const& x) -> T { return lift<T>(value_of(x) < 0 ? 0.0 : 1.0, derivatives); });
    case Function::fmin:
      return zip(a[0], a[1], [](T const& x, T const& y) -> T { return value_of(y) < value_of(x) ? y : x; },
                 static_cast<Value<T>*>(nullptr));
    case Function::fmax:
      return zip(a[0], a[1], [](T const& x, T const& y) -> T { return value_of(y) > value_of(x) ? y : x; },
                 static_cast<Value<T>*>(nullptr));
    case Function::log_mix: {
      // log(θ e^a + (1 − θ) e^b), element by element.
      Value<T> out;
      out.is_vector = a[0].is_vector || a[1].is_vector || a[2].is_vector;
      std::size_t const n = std::max({a[0].size(), a[1].size(), a[2].size()});
      out.elements.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        T const& theta = a[0].at(i);
        out.elements.push_back(log_sum_exp_of<T>(math::log(theta) + a[1].at(i), math::log1m(theta) + a[2].at(i)));
      }
      return out;
    }
    case Function::log_sum_exp: {
      if (a.size() == 2)
        return zip(a[0], a[1], [](T const& x, T const& y) -> T { return log_sum_exp_of(x, y); },
                   static_cast<Value<T>*>(nullptr));
      double const m = largest(a[0]);
      if (m == -infinity || m == infinity) return Value<T>::scalar(lift<T>(m, derivatives));
      return Value<T>::scalar(m + log_sum_exp_shifted(a[0], m, derivatives));
    }
    case Function::cumulative_sum: {
      Value<T> out = a[0];
      for (std::size_t i = 1; i < out.elements.size(); ++i) out.elements[i] = out.elements[i - 1] + out.elements[i];
      return out;
    }
    case Function::softmax:
    case Function::log_softmax: {
      double const m = largest(a[0]);
      T const log_total = m + log_sum_exp_shifted(a[0], m, derivatives);
      if (f == Function::log_softmax) return map(a[0], [&](T const& x) -> T { return x - log_total; });
      return map(a[0], [&](T const& x) -> T { return math::exp(x - log_total); });
    }
    case Function::exp: return map(a[0], [](T const& x) -> T { return math::exp(x); });
    case Function::log: return map(a[0], [](T const& x) -> T { return math::log(x); });
    case Function::sqrt: return map(a[0], [](T const& x) -> T { return math::sqrt(x); });
    case Function::square: return map(a[0], [](T const& x) -> T { return math::square(x); });
    case Function::abs: return map(a[0], [](T const& x) -> T { return math::abs(x); });
    case Function::log1p: return map(a[0], [](T const& x) -> T { return math::log1p(x); });
    case Function::expm1: return map(a[0], [](T const& x) -> T { return math::expm1(x); });
    case Function::logit: return map(a[0], [](T const& x) -> T { return math::logit(x); });
    case Function::inv_logit: return map(a[0], [](T const& x) -> T { return math::inv_logit(x); });
    case Function::lgamma: return map(a[0], [](T const& x) -> T { return math::lgamma(x); });
    case Function::pow:
      return zip(a[0], a[1], [](T const& x, T const& y) -> T { return pow_of(x, y); }, static_cast<Value<T>*>(nullptr));
    case Function::sum:
    case Function::mean: {
      T total = total_of(a[0], derivatives, [](T const& e) -> T const& { return e; });
      if (f == Function::mean) total = total / static_cast<double>(a[0].size());
      return Value<T>::scalar(total);
    }
  }
  throw std::logic_error("unknown function");
}

}  // namespace

std::optional<Function> implementation_of(std::string_view name) {
  for (auto const& f : function_names)
    if (f.name == name) return f.function;
  return std::nullopt;
}

// A slot's value where it is stored (a data column is not copied for each
// use), anything else evaluated into `scratch`.
template <typename T>
Value<T> const& operand(Node const& node, Slots<T> const& slots, Value<T>& scratch) {
  if (node.op == Node::Op::slot) return *slots.values[static_cast<std::size_t>(node.slot)];
  scratch = evaluate(node, slots);
  return scratch;
}

// X * v: row by row, every column of a row before the next row, as a loop
// written by hand would: the columns are read as parallel streams, once
// each (docs/language.md, 'Matrices').
template <typename T>
Value<T> matrix_vector(Node const& node, Slots<T> const& slots) {
  std::size_t const columns = node.args.size() / 2;
  std::vector<T> coefficients;
  std::vector<T const*> column;
  for (std::size_t k = 0; k < columns; ++k) {
    coefficients.push_back(evaluate(node.args[columns + k], slots).at(0));
    column.push_back(slots.values[static_cast<std::size_t>(node.args[k].slot)]->elements.data());
  }
  Value<T> out;
  out.is_vector = true;
  out.elements.reserve(node.size);
  for (std::size_t i = 0; i < node.size; ++i) {
    T sum = column[0][i] * coefficients[0];
    for (std::size_t k = 1; k < columns; ++k) sum += column[k][i] * coefficients[k];
    out.elements.push_back(sum);
  }
  return out;
}

template <typename T>
Value<T> covariance_vector(Node const& node, Slots<T> const& slots) {
  Value<T> matrix_scratch, vector_scratch;  // a stored matrix is read in place, not copied
  Value<T> const& s = operand(node.args[0], slots, matrix_scratch);
  Value<T> const& v = operand(node.args[1], slots, vector_scratch);
  std::size_t const k = node.size;
  Value<T> out;
  out.is_vector = true;
  out.elements.reserve(k);
  for (std::size_t i = 0; i < k; ++i) {
    T sum = lift<T>(0.0, slots.derivatives);
    for (std::size_t j = 0; j < k; ++j) sum += s.elements[i * k + j] * v.at(j);
    out.elements.push_back(sum);
  }
  return out;
}

template <typename T>
Value<T> evaluate(Node const& node, Slots<T> const& slots) {
  using Op = Node::Op;
  switch (node.op) {
    case Op::constant: return Value<T>::scalar(lift<T>(node.constant, slots.derivatives));
    case Op::slot: return *slots.values[static_cast<std::size_t>(node.slot)];
    case Op::negate: return map(evaluate(node.args[0], slots), [](T const& x) -> T { return -x; });
    case Op::add:
    case Op::subtract:
    case Op::multiply:
    case Op::divide:
    case Op::power:
    case Op::less:
    case Op::less_equal:
    case Op::greater:
    case Op::greater_equal:
    case Op::equal:
    case Op::not_equal:
    case Op::logical_and:
    case Op::logical_or: {
      Value<T> left, right;
      Value<T> const& a = operand(node.args[0], slots, left);
      Value<T> const& b = operand(node.args[1], slots, right);
      Value<T>* const spare = left.is_vector ? &left : right.is_vector ? &right : nullptr;
      Eigen::Index const d = slots.derivatives;
      // A truth value has no derivative: its inputs' values decide it.
      auto const truth = [d](bool t) -> T { return lift<T>(t ? 1.0 : 0.0, d); };
      auto const compare = [&](auto holds) {
        return zip(a, b, [&](T const& x, T const& y) -> T { return truth(holds(value_of(x), value_of(y))); }, spare);
      };
      switch (node.op) {
        case Op::add: return zip(a, b, [](T const& x, T const& y) -> T { return x + y; }, spare);
        case Op::subtract: return zip(a, b, [](T const& x, T const& y) -> T { return x - y; }, spare);
        case Op::multiply: return zip(a, b, [](T const& x, T const& y) -> T { return x * y; }, spare);
        case Op::divide: return zip(a, b, [](T const& x, T const& y) -> T { return x / y; }, spare);
        case Op::power: return zip(a, b, [](T const& x, T const& y) -> T { return pow_of(x, y); }, spare);
        case Op::less: return compare([](double x, double y) { return x < y; });
        case Op::less_equal: return compare([](double x, double y) { return x <= y; });
        case Op::greater: return compare([](double x, double y) { return x > y; });
        case Op::greater_equal: return compare([](double x, double y) { return x >= y; });
        case Op::equal: return compare([](double x, double y) { return x == y; });
        case Op::not_equal: return compare([](double x, double y) { return x != y; });
        case Op::logical_and: return compare([](double x, double y) { return x != 0 && y != 0; });
        default: return compare([](double x, double y) { return x != 0 || y != 0; });
      }
    }
    case Op::logical_not: {
      Eigen::Index const d = slots.derivatives;
      return map(evaluate(node.args[0], slots),
                 [d](T const& x) -> T { return lift<T>(value_of(x) == 0 ? 1.0 : 0.0, d); });
    }
    case Op::conditional: {
      // Both branches are evaluated in full and each element taken from one:
      // an element the condition does not choose may be NaN or infinite
      // without harm (rows where a branch is invalid are not an error).
      Value<T> c, t, f;
      Value<T> const& condition = operand(node.args[0], slots, c);
      Value<T> const& when_true = operand(node.args[1], slots, t);
      Value<T> const& when_false = operand(node.args[2], slots, f);
      Value<T> out;
      out.is_vector = condition.is_vector || when_true.is_vector || when_false.is_vector;
      std::size_t const n = out.is_vector ? node.size : 1;
      out.elements.reserve(n);
      for (std::size_t i = 0; i < n; ++i)
        out.elements.push_back(value_of(condition.at(i)) != 0 ? when_true.at(i) : when_false.at(i));
      return out;
    }
    case Op::call: {
      std::vector<Value<T>> args;
      for (Node const& a : node.args) args.push_back(evaluate(a, slots));
      if (node.function == Function::density) return density(*node.distribution, args);
      return call(node.function, args, slots.derivatives);
    }
    case Op::matrix_vector: return matrix_vector(node, slots);
    case Op::covariance_vector: return covariance_vector(node, slots);
    case Op::array: {
      Value<T> out;
      out.is_vector = true;
      for (Node const& element : node.args) out.elements.push_back(evaluate(element, slots).at(0));
      return out;
    }
    case Op::index: {
      // Indices are constants or int data columns, checked in range when
      // lowered: whole numbers, which a cast converts exactly (std::lround,
      // a library call, was 4% of a 10,000-group fit).
      Value<T> const& base = *slots.values[static_cast<std::size_t>(node.slot)];
      Value<T> scratch;
      Value<T> const& index = operand(node.args[0], slots, scratch);
      Value<T> out;
      out.is_vector = index.is_vector;
      out.elements.reserve(index.size());
      for (T const& i : index.elements)
        out.elements.push_back(base.elements[static_cast<std::size_t>(value_of(i)) - 1]);
      return out;
    }
  }
  throw std::logic_error("unknown expression node");
}

template Value<double> evaluate(Node const&, Slots<double> const&);
template Value<Dual> evaluate(Node const&, Slots<Dual> const&);

bool reads_slot(Node const& node, int slot) {
  if ((node.op == Node::Op::slot || node.op == Node::Op::index) && node.slot == slot) return true;
  return std::any_of(node.args.begin(), node.args.end(), [&](Node const& a) { return reads_slot(a, slot); });
}

}  // namespace bbvi
