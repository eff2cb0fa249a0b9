#pragma once
// The one table of distributions. Each distribution is a struct with
// `name`, `parameters`, `support`, a `log_density` template over the scalar
// type, a `sample`, and `example_arguments` and `invalid_arguments` for the
// generic property test; `add<D>()` turns it into the entry the runtime calls
// through, and into the signature the checker sees. A distribution with an
// integer argument (Binomial's n) also declares `differentiable`.
//
// Optionally, a distribution reduces a data column to sufficient statistics:
// `Statistics` (a std::array), `statistics(x, n)` and
// `log_density_sum(statistics, args...)`, equal to Σ_i log_density(x_i |
// args) for arguments that do not vary by row. A likelihood over N rows with
// such arguments then costs O(1) per draw instead of O(N). The generic
// property test holds the two equal to rounding.
//
// Optionally, a guide family gives a quadrature rule for expectations under
// it (`from_standard_normal` or `finite_support`, distributions/quadrature.hpp),
// which local expectation gradients use.
//
// Optionally, a distribution states its log density's first two derivatives
// in one argument: `derivative_argument` (its index) and
// `argument_derivatives(x, args...)`, returning {ℓ′, −ℓ″}
// (distributions/argument_derivatives.hpp) at arguments the density accepts.
// The generic property test holds them to the dual numbers.
//
// Optionally, a distribution reads some parameters as whole vectors
// (Categorical's theta): `whole_vector`, one flag per parameter. Its
// log_density and sample take those as VectorArgument<T>, and every entry
// point below takes its arguments packed (distributions/vector_argument.hpp):
// a scalar parameter one value, a whole-vector one its length then its
// elements; `example_arguments` and `invalid_arguments` are packed too. Such a
// distribution states its finite support, if any, as `support_values(args...)`
// (the enumeration depends on the arguments' lengths); it has no sufficient
// statistics or argument derivatives.
//
// Optionally, a distribution's value is a whole vector (Dirichlet's):
// `whole_value = true`, with whole-vector parameters; its log_density takes
// the value as a VectorArgument<double> and its sample writes the K elements
// to an array (K the length of its first argument). Through the entry points
// the log density is log_density_vector and the draw sample_vector; over the
// rows of a left side (log_density_rows), the one term is element 0's and the
// other elements' terms are 0. The scalar log_density and sample throw. Its
// parameters are all whole vectors; `matrix_argument` flags those that are
// K×K matrices, K² elements row by row (MultiNormal's Sigma).
#include "grammar/catalog.hpp"
#include "runtime/distributions/argument_derivatives.hpp"
#include "runtime/distributions/quadrature.hpp"
#include "runtime/distributions/vector_argument.hpp"
#include "runtime/dual.hpp"
#include "runtime/random_stream.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace bbvi {

struct DistributionEntry {
  DistributionSignature signature;
  double (*log_density)(double x, double const* args);
  Dual (*log_density_dual)(double x, Dual const* args);
  double (*sample)(RandomStream& rng, double const* args);
  // Σ_i log_density(x[i] | args) over n values, argument k read as
  // args[k][i] if bit k of `varies` is set, else args[k][0]; each term also
  // goes to out[i] unless `out` is null. There is one loop per pattern of
  // varying arguments, with the density inlined, so that what does not vary
  // by row (a scale's log) is computed once.
  double (*log_density_rows)(double const* x, std::size_t n, double const* const* args, unsigned varies, double* out);
  // For tests/runtime/distribution_properties_test.cpp: a typical valid point,
  // a point the argument checks reject, and which arguments the density is
  // differentiable in (not a count such as Binomial's n).
  std::vector<double> example_arguments, invalid_arguments;
  std::vector<bool> differentiable;
  // Both null when the distribution has no sufficient statistics.
  std::vector<double> (*statistics)(double const* x, std::size_t n) = nullptr;
  double (*log_density_sum)(double const* statistics, double const* args) = nullptr;
  // Null when the distribution has no quadrature rule; else the points of
  // E[g(z)] ≈ Σ_k w_k g(z_k) at these arguments (`points` of them for a
  // Gauss–Hermite rule; an enumeration has its own), weight 0 left out.
  void (*quadrature)(double const* args, int points, std::vector<QuadraturePoint>& out) = nullptr;
  // The rule's z is affine in its standard normal (quadrature.hpp), or its
  // log is (LogNormal's: then a blanket polynomial in z is a sum of
  // exponentials in x, and few points do where the sd is small).
  bool affine_in_standard_normal = false;
  bool log_affine_in_standard_normal = false;
  // As a function of its value or its first argument (the location), the log
  // density is a quadratic in their difference whenever the other arguments
  // are fixed (the Normal's): what local expectations need to know to use
  // fewer quadrature points, and whether to use them at all
  // (runtime/bbvi/local_expectation.cpp).
  bool quadratic_in_location = false;
  // The log density is a quadratic in the value for fixed arguments, on the
  // support (HalfNormal's): likewise.
  bool quadratic_in_value = false;
  // With quadratic_in_location, where the distribution states it: the
  // argument that is its scale σ, so that the log density is
  // −log σ − k (x − location)²/σ² + c (the Normal's sd, k = ½); −1 where
  // none. A latent sd's local expectation then needs only Σ k (x − η)² at
  // the draw (runtime/bbvi/local_rows.hpp).
  int scale_argument = -1;
  // Null unless the distribution states them: by row, as log_density_rows
  // reads its arguments, ℓ′ into slope[i] and −ℓ″ into curvature[i] in the
  // argument numbered `derivative_argument`.
  void (*argument_derivative_rows)(double const* x, std::size_t n, double const* const* args, unsigned varies,
                                   double* slope, double* curvature) = nullptr;
  std::size_t derivative_argument = 0;
  // Null unless the value is a whole vector (signature.whole_value): the log
  // density of the k-vector x, and a draw of all its elements into out.
  double (*log_density_vector)(double const* x, std::size_t k, double const* args) = nullptr;
  Dual (*log_density_vector_dual)(double const* x, std::size_t k, Dual const* args) = nullptr;
  void (*sample_vector)(RandomStream& rng, double const* args, double* out) = nullptr;
};

class Registry {
 public:
  template <typename D>
  void add() {
    constexpr std::size_t arity = D::parameters.size();
    static_assert(arity > 0, "a distribution takes at least one argument");
    static_assert((D::example_arguments.size() == arity || has_whole_vectors<D>()) &&
                      D::invalid_arguments.size() == D::example_arguments.size(),
                  "one example and one invalid value per parameter (packed, for whole vectors)");
    static_assert(!has_whole_vectors<D>() ||
                      !(has<D, statistics_member>::value || has<D, argument_derivatives_member>::value),
                  "whole-vector parameters have no sufficient statistics or argument derivatives yet");
    DistributionEntry entry{signature_of<D>(),
                            &erased_log_density<D, double>,
                            &erased_log_density<D, Dual>,
                            &erased_sample<D>,
                            &log_density_rows<D>,
                            {D::example_arguments.begin(), D::example_arguments.end()},
                            {D::invalid_arguments.begin(), D::invalid_arguments.end()},
                            differentiable_of<D>()};
    if constexpr (whole_value<D>()) {
      static_assert(has_whole_vectors<D>() && all_whole<D>(), "a whole value's parameters are all whole vectors, and "
                                                                "its length is its first argument's");
      entry.log_density_vector = &erased_vector_density<D, double>;
      entry.log_density_vector_dual = &erased_vector_density<D, Dual>;
      entry.sample_vector = &erased_vector_sample<D>;
    }
    if constexpr (has<D, statistics_member>::value) {
      entry.statistics = &erased_statistics<D>;
      entry.log_density_sum = &erased_log_density_sum<D>;
    }
    if constexpr (has<D, standard_normal_member>::value || has<D, finite_support_member>::value ||
                  has<D, support_values_member>::value)
      entry.quadrature = &erased_quadrature<D>;
    if constexpr (has<D, affine_member>::value) entry.affine_in_standard_normal = D::affine_in_standard_normal;
    if constexpr (has<D, quadratic_member>::value) entry.quadratic_in_location = D::quadratic_in_location;
    if constexpr (has<D, log_affine_member>::value)
      entry.log_affine_in_standard_normal = D::log_affine_in_standard_normal;
    if constexpr (has<D, quadratic_value_member>::value) entry.quadratic_in_value = D::quadratic_in_value;
    if constexpr (has<D, scale_argument_member>::value) entry.scale_argument = D::scale_argument;
    if constexpr (has<D, argument_derivatives_member>::value) {
      static_assert(D::derivative_argument < arity, "the derivatives' argument is one of the parameters");
      entry.argument_derivative_rows = &argument_derivative_rows<D>;
      entry.derivative_argument = D::derivative_argument;
    }
    entries_.emplace(entry.signature.name, std::move(entry));
  }

  DistributionEntry const* find(std::string_view name) const;
  DistributionCatalog catalog() const;
  std::vector<DistributionEntry const*> all() const;  // by name

 private:
  // Whether D has the optional member Member<D> names (the detection idiom).
  template <typename D, template <typename> class Member, typename = void>
  struct has : std::false_type {};
  template <typename D, template <typename> class Member>
  struct has<D, Member, std::void_t<Member<D>>> : std::true_type {};
  template <typename D> using differentiable_member = decltype(D::differentiable);
  template <typename D> using statistics_member = typename D::Statistics;
  template <typename D> using standard_normal_member = decltype(&D::from_standard_normal);
  template <typename D> using finite_support_member = decltype(D::finite_support);
  template <typename D> using affine_member = decltype(D::affine_in_standard_normal);
  template <typename D> using quadratic_member = decltype(D::quadratic_in_location);
  template <typename D> using log_affine_member = decltype(D::log_affine_in_standard_normal);
  template <typename D> using quadratic_value_member = decltype(D::quadratic_in_value);
  template <typename D> using scale_argument_member = decltype(D::scale_argument);
  template <typename D> using argument_derivatives_member = decltype(&D::argument_derivatives);
  template <typename D> using whole_vector_member = decltype(D::whole_vector);
  template <typename D> using support_values_member = decltype(&D::support_values);

  template <typename D> using whole_value_member = decltype(D::whole_value);
  template <typename D> using matrix_argument_member = decltype(D::matrix_argument);

  template <typename D>
  static constexpr bool whole_value() {
    if constexpr (has<D, whole_value_member>::value)
      return D::whole_value;
    else
      return false;
  }
  template <typename D>
  static constexpr bool has_whole_vectors() {
    return has<D, whole_vector_member>::value;
  }
  template <typename D>
  static constexpr bool is_whole(std::size_t parameter) {
    if constexpr (has_whole_vectors<D>()) {
      static_assert(D::whole_vector.size() == D::parameters.size(), "one flag per parameter");
      return D::whole_vector[parameter];
    } else {
      return false;
    }
  }
  template <typename D>
  static constexpr bool all_whole() {
    for (bool w : D::whole_vector)
      if (!w) return false;
    return true;
  }
  // Where each parameter starts in a packed array of arguments.
  template <typename D, typename T>
  static std::array<std::size_t, D::parameters.size()> packed_offsets(T const* args) {
    std::array<std::size_t, D::parameters.size()> at{};
    std::size_t next = 0;
    for (std::size_t i = 0; i < at.size(); ++i) {
      at[i] = next;
      next += is_whole<D>(i) ? 1 + packed_length(args[next]) : 1;
    }
    return at;
  }
  // Parameter I of a packed array, as the distribution takes it.
  template <typename D, std::size_t I, typename T>
  static auto packed_argument(T const* args, std::size_t at) {
    if constexpr (is_whole<D>(I))
      return VectorArgument<T>{args + at + 1, packed_length(args[at])};
    else
      return args[at];
  }

  template <typename D, std::size_t... I>
  static void quadrature_with(double const* args, [[maybe_unused]] int points, std::vector<QuadraturePoint>& out,
                              std::index_sequence<I...>) {
    out.clear();
    if constexpr (has<D, support_values_member>::value) {
      [[maybe_unused]] auto const at = packed_offsets<D>(args);
      for (double z : D::support_values(packed_argument<D, I>(args, at[I])...))
        if (double const w = std::exp(erased_log_density<D, double>(z, args)); w > 0) out.push_back({z, w});
    } else if constexpr (has<D, standard_normal_member>::value) {
      for (QuadraturePoint const& p : gauss_hermite(points))
        out.push_back({D::from_standard_normal(p.value, args[I]...), p.weight});
    } else {
      for (double z : D::finite_support)
        if (double const w = std::exp(D::log_density(z, args[I]...)); w > 0) out.push_back({z, w});
    }
  }
  template <typename D>
  static void erased_quadrature(double const* args, int points, std::vector<QuadraturePoint>& out) {
    quadrature_with<D>(args, points, out, std::make_index_sequence<D::parameters.size()>{});
  }

  template <typename D>
  static std::vector<double> erased_statistics(double const* x, std::size_t n) {
    typename D::Statistics const s = D::statistics(x, n);
    return std::vector<double>(s.begin(), s.end());
  }
  template <typename D, std::size_t... I>
  static double call_log_density_sum(typename D::Statistics const& s, double const* args, std::index_sequence<I...>) {
    return D::log_density_sum(s, args[I]...);
  }
  template <typename D>
  static double erased_log_density_sum(double const* statistics, double const* args) {
    typename D::Statistics s;
    std::copy(statistics, statistics + s.size(), s.begin());
    return call_log_density_sum<D>(s, args, std::make_index_sequence<D::parameters.size()>{});
  }

  // Every argument, unless the distribution says otherwise.
  template <typename D>
  static std::vector<bool> differentiable_of() {
    if constexpr (has<D, differentiable_member>::value) {
      static_assert(D::differentiable.size() == D::parameters.size(), "one flag per parameter");
      return std::vector<bool>(D::differentiable.begin(), D::differentiable.end());
    } else {
      return std::vector<bool>(D::parameters.size(), true);
    }
  }

  template <typename D>
  static DistributionSignature signature_of() {
    DistributionSignature s;
    s.name = std::string(D::name);
    for (auto p : D::parameters) s.parameters.emplace_back(p);
    s.support = D::support;
    if constexpr (has_whole_vectors<D>()) s.whole_vector.assign(D::whole_vector.begin(), D::whole_vector.end());
    s.whole_value = whole_value<D>();
    if constexpr (has<D, matrix_argument_member>::value) {
      static_assert(D::matrix_argument.size() == D::parameters.size(), "one flag per parameter");
      for (std::size_t i = 0; i < D::parameters.size(); ++i)
        if (D::matrix_argument[i] && !D::whole_vector[i]) throw std::logic_error("a matrix argument is read whole");
      s.matrix_argument.assign(D::matrix_argument.begin(), D::matrix_argument.end());
    }
    return s;
  }

  template <typename D, typename T, std::size_t... I>
  static T call_log_density([[maybe_unused]] double x, [[maybe_unused]] T const* args, std::index_sequence<I...>) {
    if constexpr (whole_value<D>()) {
      throw std::logic_error(std::string(D::name) + "'s value is a whole vector: use log_density_vector");
    } else if constexpr (has_whole_vectors<D>()) {
      auto const at = packed_offsets<D>(args);
      return D::log_density(x, packed_argument<D, I>(args, at[I])...);
    } else {
      return D::log_density(x, args[I]...);
    }
  }
  template <typename D, typename T>
  static T erased_log_density(double x, T const* args) {
    return call_log_density<D>(x, args, std::make_index_sequence<D::parameters.size()>{});
  }
  template <typename D, typename T, std::size_t... I>
  static T call_vector_density(double const* x, std::size_t k, T const* args, std::index_sequence<I...>) {
    auto const at = packed_offsets<D>(args);
    return D::log_density(VectorArgument<double>{x, k}, packed_argument<D, I>(args, at[I])...);
  }
  template <typename D, typename T>
  static T erased_vector_density(double const* x, std::size_t k, T const* args) {
    return call_vector_density<D>(x, k, args, std::make_index_sequence<D::parameters.size()>{});
  }
  template <typename D, std::size_t... I>
  static void call_vector_sample(RandomStream& rng, double const* args, double* out, std::index_sequence<I...>) {
    auto const at = packed_offsets<D>(args);
    D::sample(rng, packed_argument<D, I>(args, at[I])..., out);
  }
  template <typename D>
  static void erased_vector_sample(RandomStream& rng, double const* args, double* out) {
    call_vector_sample<D>(rng, args, out, std::make_index_sequence<D::parameters.size()>{});
  }
  // A whole value over the n elements of a left side: one term, element 0's.
  template <typename D>
  static double whole_value_rows(double const* x, std::size_t n, double const* const* args, double* out) {
    std::vector<double> packed;
    for (std::size_t k = 0; k < D::parameters.size(); ++k) {
      packed.insert(packed.end(), args[k], args[k] + 1 + packed_length(args[k][0]));
    }
    double const term = erased_vector_density<D, double>(x, n, packed.data());
    if (out) {
      std::fill(out, out + n, 0.0);
      if (n > 0) out[0] = term;
    }
    return term;
  }

  template <typename D, unsigned Varies, std::size_t... I>
  static double rows_with(double const* x, std::size_t n, double const* const* args, double* out,
                          std::index_sequence<I...>) {
    // Locals, so that the compiler knows no store to `out` changes them.
    [[maybe_unused]] std::array<double, sizeof...(I)> const fixed{args[I][0]...};
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      double const term = D::log_density(x[i], (((Varies >> I) & 1u) ? args[I][i] : fixed[I])...);
      if (out) out[i] = term;
      total += term;
    }
    return total;
  }
  template <typename D, unsigned Varies>
  static double rows_for(double const* x, std::size_t n, double const* const* args, double* out) {
    return rows_with<D, Varies>(x, n, args, out, std::make_index_sequence<D::parameters.size()>{});
  }
  template <typename D, unsigned... Varies>
  static double rows_dispatch(double const* x, std::size_t n, double const* const* args, unsigned varies,
                              double* out, std::integer_sequence<unsigned, Varies...>) {
    using Loop = double (*)(double const*, std::size_t, double const* const*, double*);
    static constexpr Loop loops[] = {&rows_for<D, Varies>...};
    return loops[varies](x, n, args, out);
  }
  // With whole-vector parameters: args[k] of such a parameter is its packed
  // form (its length, then its elements), the same for every row.
  template <typename D>
  static double packed_rows(double const* x, std::size_t n, double const* const* args, unsigned varies,
                            double* out) {
    std::vector<double> packed;
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      packed.clear();
      for (std::size_t k = 0; k < D::parameters.size(); ++k) {
        if (is_whole<D>(k))
          packed.insert(packed.end(), args[k], args[k] + 1 + packed_length(args[k][0]));
        else
          packed.push_back(((varies >> k) & 1u) ? args[k][i] : args[k][0]);
      }
      double const term = erased_log_density<D, double>(x[i], packed.data());
      if (out) out[i] = term;
      total += term;
    }
    return total;
  }
  template <typename D>
  static double log_density_rows(double const* x, std::size_t n, double const* const* args, unsigned varies,
                                 double* out) {
    if constexpr (whole_value<D>())
      return whole_value_rows<D>(x, n, args, out);
    else if constexpr (has_whole_vectors<D>())
      return packed_rows<D>(x, n, args, varies, out);
    else
      return rows_dispatch<D>(x, n, args, varies, out,
                              std::make_integer_sequence<unsigned, 1u << D::parameters.size()>{});
  }

  // As rows_with, for the argument derivatives.
  template <typename D, unsigned Varies, std::size_t... I>
  static void derivative_rows_with(double const* x, std::size_t n, double const* const* args, double* slope,
                                   double* curvature, std::index_sequence<I...>) {
    [[maybe_unused]] std::array<double, sizeof...(I)> const fixed{args[I][0]...};
    for (std::size_t i = 0; i < n; ++i) {
      ArgumentDerivatives const d =
          D::argument_derivatives(x[i], (((Varies >> I) & 1u) ? args[I][i] : fixed[I])...);
      slope[i] = d.slope;
      curvature[i] = d.curvature;
    }
  }
  template <typename D, unsigned Varies>
  static void derivative_rows_for(double const* x, std::size_t n, double const* const* args, double* slope,
                                  double* curvature) {
    derivative_rows_with<D, Varies>(x, n, args, slope, curvature, std::make_index_sequence<D::parameters.size()>{});
  }
  template <typename D, unsigned... Varies>
  static void derivative_rows_dispatch(double const* x, std::size_t n, double const* const* args, unsigned varies,
                                       double* slope, double* curvature, std::integer_sequence<unsigned, Varies...>) {
    using Loop = void (*)(double const*, std::size_t, double const* const*, double*, double*);
    static constexpr Loop loops[] = {&derivative_rows_for<D, Varies>...};
    loops[varies](x, n, args, slope, curvature);
  }
  template <typename D>
  static void argument_derivative_rows(double const* x, std::size_t n, double const* const* args, unsigned varies,
                                       double* slope, double* curvature) {
    derivative_rows_dispatch<D>(x, n, args, varies, slope, curvature,
                                std::make_integer_sequence<unsigned, 1u << D::parameters.size()>{});
  }

  template <typename D, std::size_t... I>
  static double call_sample([[maybe_unused]] RandomStream& rng, [[maybe_unused]] double const* args,
                            std::index_sequence<I...>) {
    if constexpr (whole_value<D>()) {
      throw std::logic_error(std::string(D::name) + "'s value is a whole vector: use sample_vector");
    } else if constexpr (has_whole_vectors<D>()) {
      auto const at = packed_offsets<D>(args);
      return D::sample(rng, packed_argument<D, I>(args, at[I])...);
    } else {
      return D::sample(rng, args[I]...);
    }
  }
  template <typename D>
  static double erased_sample(RandomStream& rng, double const* args) {
    return call_sample<D>(rng, args, std::make_index_sequence<D::parameters.size()>{});
  }

  std::map<std::string, DistributionEntry, std::less<>> entries_;
};

// Every distribution bbvi-ppl knows; built once.
Registry const& distributions();

// The form of Bernoulli or Binomial that takes its last argument, p, as the
// log-odds alpha with p = inv_logit(alpha) (distributions/log_odds.hpp), in
// which a model's Bernoulli(inv_logit(E)) and Binomial(n, inv_logit(E)) are
// evaluated; null for every other distribution. Not in distributions(): the
// language has no such distribution.
DistributionEntry const* log_odds_form(DistributionEntry const& distribution);

// Likewise the form of Bernoulli or Binomial that takes p as its probit,
// alpha with p = Phi(alpha) (distributions/bernoulli_probit.hpp,
// binomial_probit.hpp), in which a model's Bernoulli(Phi(E)) or
// Binomial(n, Phi(E)) is evaluated; null for every other distribution.
DistributionEntry const* probit_form(DistributionEntry const& distribution);

// Likewise the forms of Poisson and NegBinomial2 that take their rate or
// mean as its log, eta with rate = exp(eta) (distributions/poisson_log.hpp,
// neg_binomial2_log.hpp), in which a model's Poisson(exp(E)) and
// NegBinomial2(exp(E), phi) are evaluated: their derivatives in eta make E
// a linear predictor for the coupled step; null for every other
// distribution. A form's derivative_argument is the argument it replaces.
DistributionEntry const* log_rate_form(DistributionEntry const& distribution);

// Likewise the form of Gamma that takes its mean shape/rate as its log, eta
// with rate = shape·exp(−eta) (distributions/gamma_log.hpp), in which a
// model's Gamma(shape, shape / exp(E)) is evaluated (a Gamma regression
// with a log link); null for every other distribution.
DistributionEntry const* log_mean_form(DistributionEntry const& distribution);

}  // namespace bbvi
