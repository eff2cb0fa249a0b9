#pragma once
// Every function of the language and of the distributions, once for double
// and once for Dual. Eigen's AutoDiff lacks lgamma, digamma, log1p, expm1 and
// pow(Dual, Dual); their derivatives come from Boost.Math here, in one place.
#include "runtime/dual.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

namespace bbvi::math {

// double ---------------------------------------------------------------------
inline double exp(double x) { return std::exp(x); }
inline double log(double x) { return std::log(x); }
inline double sqrt(double x) { return std::sqrt(x); }
inline double abs(double x) { return std::fabs(x); }
inline double square(double x) { return x * x; }
inline double pow(double x, double y) { return std::pow(x, y); }
inline double log1p(double x) { return std::log1p(x); }
inline double expm1(double x) { return std::expm1(x); }
// Boost.Math throws at a pole or an overflow by default; a model may take
// lgamma(0) (a user's expression) and must get a number the argument checks
// and the numerical-trouble handling then see, as with C's functions.
using quiet_policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;
// std::lgamma writes the global signgam: not thread-safe. Boost's is. At a
// pole (0, −1, −2, …) the value is +inf, as C's lgamma gives.
inline double lgamma(double x) {
  if (x <= 0 && x == std::floor(x)) return std::numeric_limits<double>::infinity();
  return boost::math::lgamma(x, quiet_policy());
}
// log x! of a count: a row's constant in a count's log density, which a
// local expectation evaluates again at each of its points (a changepoint's
// every period: a fifth of its fit was lgamma). Below 256 from a table of
// lgamma's own values, so the numbers are the same.
inline double log_factorial(double x) {
  static std::array<double, 256> const table = [] {
    std::array<double, 256> t{};
    for (std::size_t k = 0; k < t.size(); ++k) t[k] = lgamma(static_cast<double>(k) + 1);
    return t;
  }();
  if (x >= 0 && x < 256 && x == std::floor(x)) return table[static_cast<std::size_t>(x)];
  return lgamma(x + 1);
}
inline double digamma(double x) { return boost::math::digamma(x, quiet_policy()); }
inline double trigamma(double x) { return boost::math::trigamma(x, quiet_policy()); }
inline double inv_logit(double x) {
  // Split by sign so that exp never overflows.
  return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
}
// inv_logit(x) and inv_logit(−x), each as inv_logit computes it, from one
// exp: a log-odds likelihood's ℓ′ and −ℓ″ take both at every row.
struct InvLogitPair {
  double p, q;
};
inline InvLogitPair inv_logit_pair(double x) {
  double const e = std::exp(-std::abs(x));
  double const near = 1 / (1 + e), far = e / (1 + e);
  return x >= 0 ? InvLogitPair{near, far} : InvLogitPair{far, near};
}
inline double logit(double p) { return std::log(p) - std::log1p(-p); }
// log(1 + e^x) for any x: e^x would overflow beyond 709, and 1 + e^x rounds
// to 1 below −37. Its derivative is inv_logit(x).
inline double log1p_exp(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
// log(1 - x), accurate for small x (Stan's log1m).
inline double log1m(double x) { return std::log1p(-x); }
// The standard normal CDF; erfc keeps the lower tail accurate.
inline double Phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
// log of the binomial coefficient; only ever taken of counts, so double only.
inline double lchoose(double n, double k) { return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1); }

// Dual: value from the double version, derivative by the chain rule ------------
namespace detail {
inline Dual chain(Dual const& x, double value, double slope) {
  return Dual(value, slope * x.derivatives());
}
}  // namespace detail

inline Dual exp(Dual const& x) { double const e = std::exp(x.value()); return detail::chain(x, e, e); }
inline Dual log(Dual const& x) { return detail::chain(x, std::log(x.value()), 1 / x.value()); }
inline Dual sqrt(Dual const& x) {
  double const r = std::sqrt(x.value());
  return detail::chain(x, r, 0.5 / r);
}
inline Dual abs(Dual const& x) {
  return detail::chain(x, std::fabs(x.value()), x.value() < 0 ? -1.0 : 1.0);
}
inline Dual square(Dual const& x) { return detail::chain(x, x.value() * x.value(), 2 * x.value()); }
inline Dual log1p(Dual const& x) {
  return detail::chain(x, std::log1p(x.value()), 1 / (1 + x.value()));
}
inline Dual expm1(Dual const& x) {
  return detail::chain(x, std::expm1(x.value()), std::exp(x.value()));
}
inline Dual log1m(Dual const& x) {
  return detail::chain(x, std::log1p(-x.value()), -1 / (1 - x.value()));
}
inline Dual lgamma(Dual const& x) { return detail::chain(x, lgamma(x.value()), digamma(x.value())); }
inline Dual digamma(Dual const& x) {
  return detail::chain(x, digamma(x.value()), trigamma(x.value()));
}
inline Dual inv_logit(Dual const& x) {
  double const p = inv_logit(x.value());
  return detail::chain(x, p, p * (1 - p));
}
inline Dual Phi(Dual const& x) {
  double const v = x.value();
  return detail::chain(x, Phi(v), std::exp(-0.5 * v * v) / std::sqrt(2 * 3.14159265358979323846));
}
inline Dual log1p_exp(Dual const& x) { return detail::chain(x, log1p_exp(x.value()), inv_logit(x.value())); }
inline Dual logit(Dual const& p) {
  return detail::chain(p, logit(p.value()), 1 / (p.value() * (1 - p.value())));
}
inline Dual pow(Dual const& x, double y) {
  return detail::chain(x, std::pow(x.value(), y), y * std::pow(x.value(), y - 1));
}
inline Dual pow(double x, Dual const& y) {
  double const v = std::pow(x, y.value());
  return detail::chain(y, v, v * std::log(x));
}
inline Dual pow(Dual const& x, Dual const& y) {
  // d(x^y) = y x^(y-1) dx + x^y log(x) dy; the log term only where it is defined.
  double const v = std::pow(x.value(), y.value());
  double const dx = y.value() * std::pow(x.value(), y.value() - 1);
  double const dy = x.value() > 0 ? v * std::log(x.value()) : 0.0;
  return Dual(v, dx * x.derivatives() + dy * y.derivatives());
}

// The log density of a value outside the support: -infinity, with the
// derivative length of `like` so that it combines with the rest of the ELBO.
template <typename T>
T log_zero(T const& like) {
  return lift<T>(-std::numeric_limits<double>::infinity(), derivative_length(like));
}

// log B(a, b), the Beta function, for double and Dual alike: its derivative
// (digamma differences) follows from lgamma's.
template <typename T>
T lbeta(T const& a, T const& b) {
  T const sum = a + b;  // T, never auto: see runtime/dual.hpp
  return lgamma(a) + lgamma(b) - lgamma(sum);
}

}  // namespace bbvi::math
