// Properties every distribution of the registry must have, checked with no
// per-distribution code: each entry's example and invalid arguments, support
// and differentiable flags drive everything. Each (distribution, property)
// pair is its own Catch2 test, so it is its own CTest test ("Weibull: samples
// follow the density"), and a new registry line brings its tests along.
#include "runtime/distributions/checks.hpp"
#include "runtime/random_stream.hpp"
#include "runtime/registry.hpp"
#include "tests/runtime/whole_value_properties.hpp"
#include "tests/support/property_helpers.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <deque>      // stable addresses for the test names Catch2 refers to
#include <limits>
#include <string>
#include <utility>
#include <vector>

using namespace bbvi;
using testing::domain_error_message;
using testing::seeded;

namespace {

double const inf = std::numeric_limits<double>::infinity();
std::size_t const draw_count = 20000;

std::string const& name_of(DistributionEntry const& d) { return d.signature.name; }
std::size_t arity_of(DistributionEntry const& d) { return d.example_arguments.size(); }

// Draw i comes from its own stream (seed, 0, i): fixed, so every run sees the
// same numbers, and a threshold is a statement about these draws.
std::vector<double> draw(DistributionEntry const& d, std::uint64_t seed) {
  std::vector<double> xs(draw_count);
  for (std::size_t i = 0; i < draw_count; ++i) {
    RandomStream rng(seed, 0, i);
    xs[i] = d.sample(rng, d.example_arguments.data());
  }
  return xs;
}

double log_density_at(DistributionEntry const& d, double x, std::vector<double> const& args) {
  return d.log_density(x, args.data());
}

// The support's closure as an interval. By the convention of core/support.hpp,
// an `interval` support's bounds are the first two arguments.
std::pair<double, double> support_bounds(DistributionEntry const& d) {
  switch (d.signature.support) {
    case Support::real: return {-inf, inf};
    case Support::positive: return {0, inf};
    case Support::unit_interval: return {0, 1};
    case Support::interval: return {d.example_arguments[0], d.example_arguments[1]};
    case Support::lower_bounded: return {d.example_arguments[0], inf};
    case Support::upper_bounded: return {-inf, d.example_arguments[0]};
    default: return {0, inf};  // discrete: summed, never integrated
  }
}

// Values that no draw can take, for each kind of support; bounded_integer's
// bound is the first argument (Binomial's n).
std::vector<double> outside_support(DistributionEntry const& d) {
  std::vector<double> const& a = d.example_arguments;
  switch (d.signature.support) {
    case Support::real: return {-inf, inf};
    case Support::positive: return {-1, -inf};
    case Support::unit_interval: return {-0.5, 1.5};
    case Support::interval: return {a[0] - 1, a[1] + 1};
    case Support::lower_bounded: return {a[0] - 1, -inf};
    case Support::upper_bounded: return {a[0] + 1, inf};
    case Support::nonnegative_integer: return {-1, 0.5, 2.5};
    case Support::binary: return {-1, 0.5, 2};
    case Support::bounded_integer: return {-1, 0.5, a[0] + 1};
    case Support::categorical: return {0, 1.5, a[0] + 1};  // K: theta's packed length (registry.hpp)
    case Support::simplex: return {};  // a whole value: whole_value_properties.cpp
  }
  return {};
}

// ∫ pdf over [a, b], either end possibly infinite: exp_sinh for a half-line,
// tanh_sinh for a finite end (it copes with endpoint singularities), adaptive
// Gauss–Kronrod between two interior points (it copes with Laplace's kink).
template <typename F>
double integrate(F const& pdf, double a, double b, bool interior) {
  using namespace boost::math::quadrature;
  static exp_sinh<double> half_line;  // integrate() is not const: it refines its tables
  static tanh_sinh<double> finite;
  if (std::isinf(a) || std::isinf(b)) return half_line.integrate(pdf, a, b, 1e-12);
  if (interior) return gauss_kronrod<double, 31>::integrate(pdf, a, b, 15, 1e-12);
  return finite.integrate(pdf, a, b, 1e-12);
}

// The CDF at every 100th order statistic of the draws (and the total mass),
// by integrating exp(log_density) piece by piece between those points.
struct PiecewiseCdf {
  std::vector<std::size_t> ranks;  // k: the k-th smallest draw
  std::vector<double> cdf;         // F(x_(k))
  double total = 0;
};

PiecewiseCdf integrate_density(DistributionEntry const& d, std::vector<double> sorted) {
  std::sort(sorted.begin(), sorted.end());
  auto const pdf = [&](double x) { return std::exp(log_density_at(d, x, d.example_arguments)); };
  auto const [lower, upper] = support_bounds(d);
  PiecewiseCdf result;
  double left = lower, mass = 0;
  for (std::size_t k = 100; k < sorted.size(); k += 100) {
    double const right = sorted[k - 1];
    mass += integrate(pdf, left, right, left != lower);
    result.ranks.push_back(k);
    result.cdf.push_back(mass);
    left = right;
  }
  result.total = mass + integrate(pdf, left, upper, false);
  return result;
}

// Σ pmf(k) from 0 until past the largest draw and the pmf is below 1e-16,
// where every tail of ours (Poisson, Binomial) has long since decayed
// geometrically.
std::vector<double> pmf_table(DistributionEntry const& d, double largest_draw) {
  std::vector<double> pmf;
  for (double k = 0; k < 1e6; ++k) {
    pmf.push_back(std::exp(log_density_at(d, k, d.example_arguments)));
    if (k > largest_draw && pmf.back() < 1e-16) break;
  }
  return pmf;
}

// Chi-square of the draws against the pmf: adjacent values pooled until each
// bin expects at least 5 draws (the usual rule for the chi-square
// approximation); the last bin also takes the remainder and the tail beyond
// the table.
double chi_square_p_value(std::vector<double> const& pmf, std::vector<double> const& xs) {
  double const n = static_cast<double>(xs.size());
  std::vector<double> expected;
  std::vector<std::size_t> bin_of(pmf.size());
  double pending = 0, tabled = 0;
  for (std::size_t k = 0; k < pmf.size(); ++k) {
    bin_of[k] = expected.size();
    pending += n * pmf[k];
    tabled += pmf[k];
    if (pending >= 5) {
      expected.push_back(pending);
      pending = 0;
    }
  }
  double const rest = pending + n * std::max(0.0, 1 - tabled);
  if (expected.empty()) expected.push_back(rest);
  else expected.back() += rest;
  std::size_t const last = expected.size() - 1;
  std::vector<double> observed(expected.size(), 0);
  for (double x : xs) observed[x < static_cast<double>(pmf.size()) ? std::min(bin_of[static_cast<std::size_t>(x)], last) : last] += 1;
  double statistic = 0;
  for (std::size_t b = 0; b < expected.size(); ++b)
    statistic += (observed[b] - expected[b]) * (observed[b] - expected[b]) / expected[b];
  REQUIRE(expected.size() >= 2);
  boost::math::chi_squared const chi2(static_cast<double>(last));  // degrees of freedom: bins - 1
  double const p_value = boost::math::cdf(boost::math::complement(chi2, statistic));
  CAPTURE(statistic, expected.size(), p_value);
  return p_value;
}



// A direction in the packed arguments (registry.hpp), with a name for messages.
struct Direction {
  std::string name;
  std::vector<double> v;
};

// The directions of the differentiable arguments: a scalar parameter's own
// unit vector; for a whole-vector one (packed as its length, then its K
// elements) e_j − e_K for j < K, which move any vector and keep a simplex
// on the simplex, where a single element's could not. The length is no
// direction.
std::vector<Direction> differentiable_directions(DistributionEntry const& d) {
  std::vector<Direction> out;
  std::size_t at = 0;
  for (std::size_t p = 0; p < d.signature.parameters.size(); ++p) {
    std::string const& name = d.signature.parameters[p];
    std::vector<double> v(arity_of(d), 0.0);
    if (!d.signature.reads_whole(p)) {
      v[at] = 1;
      if (d.differentiable[p]) out.push_back({name, v});
      ++at;
      continue;
    }
    std::size_t const k = packed_length(d.example_arguments[at]);
    for (std::size_t j = 1; j < k && d.differentiable[p]; ++j) {
      std::vector<double> w = v;
      w[at + j] = 1;
      w[at + k] = -1;
      out.push_back({name + "[" + std::to_string(j) + "] - " + name + "[" + std::to_string(k) + "]", w});
    }
    at += 1 + k;
  }
  return out;
}

// The derivative of a log density along a direction.
double along(Dual const& lp, Direction const& v) {
  double s = 0;
  for (std::size_t i = 0; i < v.v.size(); ++i) s += v.v[i] * lp.derivatives()(static_cast<Eigen::Index>(i));
  return s;
}

// The directions along which the score E[∂ log p / ∂θ] = ∂/∂θ ∫ p = 0 must
// hold: the differentiable ones, except bounds of an `interval` support,
// where moving θ moves the support and the boundary term breaks the identity.
std::vector<Direction> score_arguments(DistributionEntry const& d) {
  std::vector<Direction> out = differentiable_directions(d);
  if (d.signature.support == Support::interval)
    out.erase(std::remove_if(out.begin(), out.end(),
                             [](Direction const& v) { return v.v.at(0) != 0 || v.v.at(1) != 0; }),
              out.end());
  return out;
}

// --- the properties ---------------------------------------------------------------

void samples_follow_the_density(DistributionEntry const& d) {
  std::vector<double> const xs = draw(d, 1);
  if (!is_discrete(d.signature.support)) {
    // Kolmogorov–Smirnov distance, taken at every 100th order statistic (a
    // subset, so it is at most the full supremum). By the Dvoretzky–Kiefer–
    // Wolfowitz inequality (Massart's constant), P(sup |F_n - F| > eps) ≤
    // 2 exp(-2 n eps²): eps below makes a false alarm a 1e-6 event, and the
    // seeds are fixed. A wrong parameterisation moves F by far more.
    PiecewiseCdf const f = integrate_density(d, xs);
    double distance = 0;
    for (std::size_t i = 0; i < f.ranks.size(); ++i) {
      double const k = static_cast<double>(f.ranks[i]), n = draw_count;
      distance = std::max({distance, std::fabs(f.cdf[i] - k / n), std::fabs(f.cdf[i] - (k - 1) / n)});
    }
    double const eps = std::sqrt(std::log(2 / 1e-6) / (2.0 * draw_count));
    CHECK(distance < eps);
    return;
  }
  // Discrete: a chi-square test, p-value cut at 1e-6 for the same reason.
  std::vector<double> const pmf = pmf_table(d, *std::max_element(xs.begin(), xs.end()));
  CHECK(chi_square_p_value(pmf, xs) > 1e-6);
}

void density_integrates_to_one(DistributionEntry const& d) {
  if (!is_discrete(d.signature.support)) {
    double const error = integrate_density(d, draw(d, 1)).total - 1;
    CHECK(std::fabs(error) < 1e-6);
    return;
  }
  std::vector<double> const xs = draw(d, 1);
  std::vector<double> const pmf = pmf_table(d, *std::max_element(xs.begin(), xs.end()));
  double sum = 0;
  for (double p : pmf) sum += p;
  CHECK(std::fabs(sum - 1) < 1e-12);
}

void score_has_mean_zero(DistributionEntry const& d) {
  // The score's sample mean within 5 of its own Monte-Carlo standard errors
  // (sd / √n): a false alarm is a 6e-7 event per argument, seeds fixed.
  std::vector<double> const xs = draw(d, 2);
  std::vector<Dual> const args = seeded(d.example_arguments);
  for (Direction const& j : score_arguments(d)) {
    double sum = 0, sum_sq = 0;
    for (double x : xs) {
      double const s = along(d.log_density_dual(x, args.data()), j);
      sum += s;
      sum_sq += s * s;
    }
    double const n = draw_count, mean = sum / n, sd = std::sqrt(sum_sq / n - mean * mean);
    CAPTURE(j.name, mean, sd);
    CHECK(std::fabs(mean) < 5 * sd / std::sqrt(n));
  }
}

void score_matches_finite_differences(DistributionEntry const& d) {
  // Central differences with h = 1e-5 max(1, |θ|): truncation ~h² ≈ 1e-10 and
  // rounding ~1e-16 |log p| / h ≈ 1e-11, far inside 1e-6 relative; the 1e-8
  // margin covers a derivative that happens to be near zero.
  std::vector<double> const xs = draw(d, 3);
  std::vector<Dual> const args = seeded(d.example_arguments);
  for (std::size_t i = 0; i < 5; ++i) {
    double const x = xs[i];
    Dual const lp = d.log_density_dual(x, args.data());
    for (Direction const& j : differentiable_directions(d)) {
      std::vector<double> up = d.example_arguments, down = d.example_arguments;
      double largest = 0;
      for (std::size_t a = 0; a < up.size(); ++a)
        if (j.v[a] != 0) largest = std::max(largest, std::fabs(up[a]));
      double const h = 1e-5 * std::max(1.0, largest);
      for (std::size_t a = 0; a < up.size(); ++a) {
        up[a] += h * j.v[a];
        down[a] -= h * j.v[a];
      }
      double const difference = (log_density_at(d, x, up) - log_density_at(d, x, down)) / (2 * h);
      CAPTURE(x, j.name);
      CHECK(lp.value() == Approx(log_density_at(d, x, d.example_arguments)));
      CHECK(along(lp, j) == Approx(difference).epsilon(1e-6).margin(1e-8));
    }
  }
}

void invalid_arguments_are_rejected_by_name(DistributionEntry const& d) {
  double const x = draw(d, 4).front();  // a value in the support
  std::vector<double> const& bad = d.invalid_arguments;
  std::vector<Dual> const bad_duals = seeded(bad);
  RandomStream rng(4, 0, 0);
  std::vector<std::string> const messages{
      domain_error_message([&] { d.log_density(x, bad.data()); }),
      domain_error_message([&] { d.log_density_dual(x, bad_duals.data()); }),
      domain_error_message([&] { d.sample(rng, bad.data()); }),
  };
  for (std::string const& message : messages) {
    // "<Name>: <parameter> is <value>, but must be ..."
    bool const names_a_parameter =
        std::any_of(d.signature.parameters.begin(), d.signature.parameters.end(),
                    [&](std::string const& p) { return message.rfind(name_of(d) + ": " + p + " is ", 0) == 0; });
    CAPTURE(message);
    CHECK(names_a_parameter);
  }
  CHECK(domain_error_message([&] { d.log_density(x, d.example_arguments.data()); }) == "(no DomainError)");
}

void outside_the_support_is_minus_infinity(DistributionEntry const& d) {
  std::vector<Dual> const args = seeded(d.example_arguments);
  for (double x : outside_support(d)) {
    CAPTURE(x);
    CHECK(log_density_at(d, x, d.example_arguments) == -inf);
    Dual const lp = d.log_density_dual(x, args.data());
    CHECK(lp.value() == -inf);
    // A derivative of the right length, so it combines with the rest of the ELBO.
    CHECK(lp.derivatives().size() == static_cast<Eigen::Index>(arity_of(d)));
  }
}

void statistics_give_the_row_by_row_sum(DistributionEntry const& d) {
  // Summing 20,000 terms in another order differs by at most ~4 n ε Σ|term|
  // ≈ 1e-11 relative (n ε = 2.2e-12); a wrong formula is off by O(1).
  std::vector<double> const xs = draw(d, 5);
  std::vector<double> const statistics = d.statistics(xs.data(), xs.size());
  std::vector<double> elsewhere = d.example_arguments;  // the same data under other arguments
  for (double& a : elsewhere) a = d.signature.support == Support::binary ? a * 0.8 : a + 0.3 * std::max(1.0, std::fabs(a));
  for (std::vector<double> const& args : {d.example_arguments, elsewhere}) {
    double sum = 0, magnitude = 0;
    for (double x : xs) {
      double const term = d.log_density(x, args.data());
      sum += term;
      magnitude += std::fabs(term);
    }
    CAPTURE(args);
    CHECK(d.log_density_sum(statistics.data(), args.data()) == Approx(sum).epsilon(0).margin(1e-11 * magnitude));
  }
  std::vector<double> const& bad = d.invalid_arguments;
  CHECK(domain_error_message([&] { d.log_density_sum(statistics.data(), bad.data()); }) ==
        domain_error_message([&] { d.log_density(xs.front(), bad.data()); }));
}

// --- one Catch2 test per distribution and property -----------------------------

struct Property {
  char const* title;
  void (*check)(DistributionEntry const&);
  bool (*applies)(DistributionEntry const&);
};

// The rule's expectations of 1, z and z² against the sampler's: the weights
// sum to one to rounding, and each moment lies within 5 Monte-Carlo standard
// errors of the draws' mean (a wrong node map is off by far more).
void quadrature_gives_the_moments(DistributionEntry const& d) {
  std::vector<QuadraturePoint> rule;
  d.quadrature(d.example_arguments.data(), default_gauss_hermite_points, rule);
  double weights = 0;
  for (QuadraturePoint const& p : rule) weights += p.weight;
  CHECK(std::abs(weights - 1) < 1e-12);
  std::vector<double> const xs = draw(d, 6);
  for (int power : {1, 2}) {
    double by_rule = 0, mean = 0, square = 0;
    for (QuadraturePoint const& p : rule) by_rule += p.weight * std::pow(p.value, power);
    for (double x : xs) {
      mean += std::pow(x, power) / static_cast<double>(xs.size());
      square += std::pow(x, 2 * power) / static_cast<double>(xs.size());
    }
    double const se = std::sqrt((square - mean * mean) / static_cast<double>(xs.size()));
    CAPTURE(power, by_rule, mean, se);
    CHECK(std::abs(by_rule - mean) < 5 * se);
  }
}

void argument_derivatives_match_the_dual_numbers(DistributionEntry const& d) {
  // ℓ′ against the dual numbers' derivative, to rounding; −ℓ″ against central
  // differences of it with h = 1e-4 max(1, |θ|): truncation ~h² |ℓ⁗| ≈ 1e-8,
  // rounding ~1e-16 / h ≈ 1e-12, far inside 1e-6 relative. Five rows, θ
  // varying by row, so that the rows are read as log_density_rows reads them.
  std::size_t const j = d.derivative_argument, rows = 5;
  std::vector<double> const xs = draw(d, 5);
  std::vector<std::vector<double>> columns;
  for (double a : d.example_arguments) columns.emplace_back(rows, a);
  for (std::size_t i = 0; i < rows; ++i) columns[j][i] += 0.1 * static_cast<double>(i);
  std::vector<double const*> pointers;
  for (std::vector<double> const& c : columns) pointers.push_back(c.data());
  std::vector<double> slope(rows), curvature(rows);
  d.argument_derivative_rows(xs.data(), rows, pointers.data(), 1u << j, slope.data(), curvature.data());
  auto const derivative_at = [&](double x, std::vector<double> args) {
    return d.log_density_dual(x, seeded(args).data()).derivatives()(static_cast<Eigen::Index>(j));
  };
  for (std::size_t i = 0; i < rows; ++i) {
    std::vector<double> args = d.example_arguments, up = args, down = args;
    args[j] = columns[j][i];
    double const h = 1e-4 * std::max(1.0, std::fabs(args[j]));
    up[j] = args[j] + h;
    down[j] = args[j] - h;
    double const second = (derivative_at(xs[i], up) - derivative_at(xs[i], down)) / (2 * h);
    CAPTURE(xs[i], args[j]);
    CHECK(slope[i] == Approx(derivative_at(xs[i], args)).epsilon(1e-12).margin(1e-14));
    CHECK(curvature[i] == Approx(-second).epsilon(1e-6).margin(1e-8));
  }
}

// A whole value (Dirichlet's) has its own forms of the first six (whole_value_properties.hpp).
bool always(DistributionEntry const& d) { return !d.signature.whole_value; }
bool whole_value(DistributionEntry const& d) { return d.signature.whole_value; }
bool has_score_arguments(DistributionEntry const& d) { return always(d) && !score_arguments(d).empty(); }
bool has_statistics(DistributionEntry const& d) { return d.statistics != nullptr; }
bool has_quadrature(DistributionEntry const& d) { return d.quadrature != nullptr; }
// A log-odds form's messages name the language's distribution (Bernoulli's p).
bool named_in_messages(DistributionEntry const& d) { return always(d) && distributions().find(name_of(d)) == &d; }
bool has_argument_derivatives(DistributionEntry const& d) { return d.argument_derivative_rows != nullptr; }

Property const properties[] = {
    {"samples follow the density", &samples_follow_the_density, &always},
    {"the density sums or integrates to one", &density_integrates_to_one, &always},
    {"the score has mean zero under the sampler", &score_has_mean_zero, &has_score_arguments},
    {"the score matches finite differences", &score_matches_finite_differences, &always},
    {"invalid arguments are rejected by name", &invalid_arguments_are_rejected_by_name, &named_in_messages},
    {"values outside the support have log density -inf", &outside_the_support_is_minus_infinity, &always},
    {"sufficient statistics give the row-by-row sum", &statistics_give_the_row_by_row_sum, &has_statistics},
    {"the quadrature rule gives the sampler's moments", &quadrature_gives_the_moments, &has_quadrature},
    {"argument derivatives match the dual numbers", &argument_derivatives_match_the_dual_numbers,
     &has_argument_derivatives},
    {"samples follow the density", &testing::whole_value_samples_follow_the_density, &whole_value},
    {"the density integrates to one", &testing::whole_value_density_integrates_to_one, &whole_value},
    {"the score has mean zero under the sampler", &testing::whole_value_score_has_mean_zero, &whole_value},
    {"the score matches finite differences", &testing::whole_value_score_matches_finite_differences, &whole_value},
    {"invalid arguments are rejected by name", &testing::whole_value_invalid_arguments_are_rejected_by_name,
     &whole_value},
    {"values outside the support have log density -inf", &testing::whole_value_outside_the_support_is_minus_infinity,
     &whole_value},
};

class PropertyTest : public Catch::ITestInvoker {
 public:
  PropertyTest(Property const& p, DistributionEntry const& d) : property_(p), distribution_(d) {}
  void invoke() const override { property_.check(distribution_); }

 private:
  Property const& property_;
  DistributionEntry const& distribution_;
};

// Registered during static initialisation, as TEST_CASE does; Catch2 owns the
// invokers, and its StringRef does not own the names, hence the deque.
[[maybe_unused]] bool const registered = [] {
  static std::deque<std::string> names;
  // With the forms models' Bernoulli(inv_logit(…)), Binomial(n, inv_logit(…)),
  // Bernoulli(Phi(…)), Binomial(n, Phi(…)), Poisson(exp(…)),
  // NegBinomial2(exp(…), phi) and Gamma(shape, shape / exp(…)) are evaluated in.
  std::vector<DistributionEntry const*> entries = distributions().all();
  for (DistributionEntry const* d : distributions().all()) {
    if (DistributionEntry const* form = log_odds_form(*d)) entries.push_back(form);
    if (DistributionEntry const* form = log_rate_form(*d)) entries.push_back(form);
    if (DistributionEntry const* form = probit_form(*d)) entries.push_back(form);
    if (DistributionEntry const* form = log_mean_form(*d)) entries.push_back(form);
  }
  for (DistributionEntry const* d : entries)
    for (Property const& p : properties) {
      if (!p.applies(*d)) continue;
      names.push_back(name_of(*d) + ": " + p.title);
      Catch::AutoReg const registration(new PropertyTest(p, *d), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                                        Catch::NameAndTags(names.back(), "[distribution][properties]"));
    }
  return true;
}();

}  // namespace
