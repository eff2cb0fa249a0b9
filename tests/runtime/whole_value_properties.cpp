// Whole-value properties (whole_value_properties.hpp). The integrals run over
// the simplex of K = 3 for a simplex value: x_1 over [0, 1], x_2 over
// [0, 1 − x_1], x_3 = 1 − x_1 − x_2 (a density on the simplex is one in its
// first K − 1 coordinates); over the square [−15, 15]² for a real 2-vector
// (the examples' means and sds put it past 10 sds). Every threshold is a
// statement about fixed draws.
#include "tests/runtime/whole_value_properties.hpp"

#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/cholesky.hpp"
#include "runtime/random_stream.hpp"
#include "tests/support/property_helpers.hpp"

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace bbvi::testing {

namespace {

std::size_t const draw_count = 20000;

std::size_t length_of(DistributionEntry const& d) { return packed_length(d.example_arguments[0]); }

std::vector<std::vector<double>> draw(DistributionEntry const& d, std::uint64_t seed) {
  std::vector<std::vector<double>> xs(draw_count, std::vector<double>(length_of(d)));
  for (std::size_t i = 0; i < draw_count; ++i) {
    RandomStream rng(seed, 0, i);
    d.sample_vector(rng, d.example_arguments.data(), xs[i].data());
  }
  return xs;
}

double log_density_at(DistributionEntry const& d, std::vector<double> const& x, std::vector<double> const& args) {
  return d.log_density_vector(x.data(), x.size(), args.data());
}


bool on_simplex(DistributionEntry const& d) { return d.signature.support == Support::simplex; }

// ∫ g(x) p(x) over the simplex of K = 3, or over R² (the square).
template <typename G>
double expectation(DistributionEntry const& d, G const& g) {
  static boost::math::quadrature::tanh_sinh<double> finite;
  bool const simplex = on_simplex(d);
  REQUIRE(length_of(d) == (simplex ? 3u : 2u));
  double const edge = 15;
  auto const inner = [&](double x1) {
    return finite.integrate(
        [&](double x2) {
          std::vector<double> x{x1, x2};
          if (simplex) x.push_back(1 - x1 - x2);
          return g(x) * std::exp(log_density_at(d, x, d.example_arguments));
        },
        simplex ? 0.0 : -edge, simplex ? 1 - x1 : edge, 1e-10);
  };
  return simplex ? finite.integrate(inner, 0.0, 1.0, 1e-10) : finite.integrate(inner, -edge, edge, 1e-10);
}

// The derivative directions: e_j for each element of a whole-vector
// argument (after its length), a matrix's diagonal only (moving one
// element above it alone would leave a covariance unsymmetric).
std::vector<std::size_t> differentiable(DistributionEntry const& d) {
  std::vector<std::size_t> out;
  std::size_t at = 0;
  for (std::size_t p = 0; p < d.signature.parameters.size(); ++p) {
    std::size_t const length = packed_length(d.example_arguments[at]);
    std::size_t const side = d.signature.reads_matrix(p) ? square_side(length) : 0;
    for (std::size_t j = 0; j < length; ++j)
      if (side == 0 || j % (side + 1) == 0) out.push_back(at + 1 + j);
    at += 1 + length;
  }
  return out;
}

}  // namespace

void whole_value_samples_follow_the_density(DistributionEntry const& d) {
  // E[g(x)] for g = x_k, x_k² and log x_k (or x_1 x_2), by the draws and by the integral:
  // within 5 Monte-Carlo standard errors (a 6e-7 false alarm per moment). A
  // wrong parameterisation (alpha permuted, a rate for a shape) is off by far more.
  std::vector<std::vector<double>> const xs = draw(d, 1);
  for (std::size_t k = 0; k < length_of(d); ++k)
    for (int kind = 0; kind < 3; ++kind) {
      // On the simplex log x_k; over R² the cross moment x_1 x_2, which a wrong correlation misses.
      auto const g = [&](std::vector<double> const& x) {
        return kind == 0 ? x[k] : kind == 1 ? x[k] * x[k] : on_simplex(d) ? std::log(x[k]) : x[0] * x[1];
      };
      double mean = 0, square = 0;
      for (std::vector<double> const& x : xs) {
        mean += g(x) / draw_count;
        square += g(x) * g(x) / draw_count;
      }
      double const se = std::sqrt((square - mean * mean) / draw_count), exact = expectation(d, g);
      CAPTURE(k, kind, mean, exact, se);
      CHECK(std::fabs(mean - exact) < 5 * se);
    }
}

void whole_value_density_integrates_to_one(DistributionEntry const& d) {
  CHECK(std::fabs(expectation(d, [](std::vector<double> const&) { return 1.0; }) - 1) < 1e-6);
}

void whole_value_score_has_mean_zero(DistributionEntry const& d) {
  std::vector<std::vector<double>> const xs = draw(d, 2);
  std::vector<Dual> const args = seeded(d.example_arguments);
  for (std::size_t j : differentiable(d)) {
    double sum = 0, sum_sq = 0;
    for (std::vector<double> const& x : xs) {
      double const s = d.log_density_vector_dual(x.data(), x.size(), args.data()).derivatives()(
          static_cast<Eigen::Index>(j));
      sum += s;
      sum_sq += s * s;
    }
    double const n = draw_count, mean = sum / n, sd = std::sqrt(sum_sq / n - mean * mean);
    CAPTURE(j, mean, sd);
    CHECK(std::fabs(mean) < 5 * sd / std::sqrt(n));
  }
}

void whole_value_score_matches_finite_differences(DistributionEntry const& d) {
  // As for a scalar value: central differences, h = 1e-5 max(1, |alpha_j|).
  std::vector<std::vector<double>> const xs = draw(d, 3);
  std::vector<Dual> const args = seeded(d.example_arguments);
  for (std::size_t i = 0; i < 5; ++i) {
    std::vector<double> const& x = xs[i];
    Dual const lp = d.log_density_vector_dual(x.data(), x.size(), args.data());
    CHECK(lp.value() == Approx(log_density_at(d, x, d.example_arguments)));
    for (std::size_t j : differentiable(d)) {
      std::vector<double> up = d.example_arguments, down = d.example_arguments;
      double const h = 1e-5 * std::max(1.0, std::fabs(up[j]));
      up[j] += h;
      down[j] -= h;
      double const difference = (log_density_at(d, x, up) - log_density_at(d, x, down)) / (2 * h);
      CAPTURE(i, j);
      CHECK(lp.derivatives()(static_cast<Eigen::Index>(j)) == Approx(difference).epsilon(1e-6).margin(1e-8));
    }
  }
}

void whole_value_invalid_arguments_are_rejected_by_name(DistributionEntry const& d) {
  std::vector<double> const x = draw(d, 4).front();
  std::vector<double> const& bad = d.invalid_arguments;
  std::vector<Dual> const bad_duals = seeded(bad);
  std::vector<double> out(x.size());
  RandomStream rng(4, 0, 0);
  std::vector<std::string> const messages{
      domain_error_message([&] { d.log_density_vector(x.data(), x.size(), bad.data()); }),
      domain_error_message([&] { d.log_density_vector_dual(x.data(), x.size(), bad_duals.data()); }),
      domain_error_message([&] { d.sample_vector(rng, bad.data(), out.data()); }),
  };
  for (std::string const& message : messages) {
    bool names_a_parameter = false;
    for (std::string const& p : d.signature.parameters)
      names_a_parameter = names_a_parameter || message.rfind(d.signature.name + ": " + p + " is ", 0) == 0;
    CAPTURE(message);
    CHECK(names_a_parameter);
  }
  CHECK(domain_error_message([&] { log_density_at(d, x, d.example_arguments); }) == "(no DomainError)");
}

void whole_value_outside_the_support_is_minus_infinity(DistributionEntry const& d) {
  double const inf = std::numeric_limits<double>::infinity();
  std::vector<Dual> const args = seeded(d.example_arguments);
  // Off the simplex: a sum above 1, a negative element, a wrong length; a real vector: a wrong length.
  std::vector<std::vector<double>> const outside =
      on_simplex(d) ? std::vector<std::vector<double>>{{0.5, 0.3, 0.3}, {1.2, -0.1, -0.1}, {0.5, 0.5}}
                    : std::vector<std::vector<double>>{{0.5}, {0.5, 0.5, 0.5}};
  for (std::vector<double> const& x : outside) {
    CAPTURE(x);
    CHECK(log_density_at(d, x, d.example_arguments) == -inf);
    Dual const lp = d.log_density_vector_dual(x.data(), x.size(), args.data());
    CHECK(lp.value() == -inf);
    CHECK(lp.derivatives().size() == static_cast<Eigen::Index>(d.example_arguments.size()));
  }
}

}  // namespace bbvi::testing
