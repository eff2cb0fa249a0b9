#pragma once
// A checked .model lowered once against its data: every name a slot, every
// expression a Node of known size, every `~` a Factor bound to a registry
// entry. The log-joint, the guide's sampler, log q and its score are
// evaluated from this (runtime/evaluate.hpp).
#include "core/position.hpp"
#include "core/support.hpp"
#include "runtime/affine_normal.hpp"
#include "runtime/constraint.hpp"
#include "runtime/expression.hpp"
#include "runtime/registry.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace bbvi {

struct LatentVariable {
  std::string name;
  int slot = -1;
  std::size_t size = 0;    // 0: a scalar
  std::size_t offset = 0;  // where its elements start in a draw z
  bool discrete = false;
  // No '~' of the model draws it: its prior is flat on its support, and the
  // log evidence is not defined (docs/language.md, 'Flat priors').
  bool flat_prior = false;
  Position pos;

  std::size_t length() const { return size == 0 ? 1 : size; }
};

struct Parameter {
  std::string name;
  int slot = -1;
  std::size_t size = 0;    // 0: a scalar
  std::size_t offset = 0;  // where its coordinates start in u
  Constraint constraint;
  std::vector<double> initial;  // on the unconstrained scale: one per coordinate
  Position pos;
  // A cholesky_factor_cov[K]'s K: its size is K², the elements row by row (constraint.hpp).
  std::size_t columns = 0;
  // A parameter of the automatic guide: the latent it belongs to and its
  // role; `name` is then "beta.mean", and its elements beta[2].mean.
  std::string latent;
  std::string role;

  std::size_t length() const { return size == 0 ? 1 : size; }
  // Its coordinates in u: one per element, but K − 1 for a simplex[K] and
  // K(K + 1)/2 for a cholesky_factor_cov[K] (constraint.hpp).
  std::size_t coordinates() const {
    if (columns != 0) return cholesky_coordinates(columns);
    return constraint.simplex ? length() - 1 : length();
  }
  // Each element is a function of one coordinate of its own, through `constraint`.
  bool elementwise() const { return !constraint.simplex && columns == 0; }
  // The coordinate element i is labelled with: its own, or a Cholesky
  // factor's (none above the diagonal); a simplex's element i < K − 1 its
  // i-th, though each reads them all, and its last none.
  std::optional<std::size_t> coordinate_of(std::size_t i) const {
    if (columns != 0) return cholesky_coordinate(columns, i);
    if (i < coordinates()) return i;
    return std::nullopt;
  }
  // The bounds of element i, which reads coordinate_of(i): a Cholesky
  // factor's diagonal is positive.
  Constraint const& element_constraint(std::size_t i) const {
    static Constraint const positive{0.0, std::nullopt, false};
    return columns != 0 && i / columns == i % columns ? positive : constraint;
  }
  // "s", "m[2]", "L[2, 1]", "beta[2].mean" for element i; and for
  // coordinate c, its element's.
  std::string element_name(std::size_t i) const;
  std::string coordinate_name(std::size_t c) const;
};

// `real eta[N] = a + b * x;` in model or guide.
struct Definition {
  int slot = -1;
  Node value;
  std::string name;
  Constraint bounds;  // checked at every evaluation, as an assertion of the model's author
};

// `lhs ~ Distribution(args);`
struct Factor {
  int lhs_slot = -1;
  std::size_t lhs_size = 0;  // 0: a scalar
  int latent = -1;           // index into latents, or -1 for an observed column
  DistributionEntry const* distribution = nullptr;
  std::vector<Node> args;
  Position pos;
  std::string lhs_name;
  // An observed column whose arguments do not vary by row, reduced to the
  // distribution's sufficient statistics when lowered (registry.hpp): its
  // log density is then one term, not one per row. Empty otherwise.
  std::vector<double> statistics;
  // A model's Normal over a data column whose mean is affine in a few
  // latents that every row reads (a dense regression), reduced likewise to
  // CᵀC, Cᵀr and rᵀr (runtime/affine_normal.hpp); nullopt otherwise. `args`
  // stay as written for every analysis of the model's structure, and for
  // the rows where a draw makes the reduced sum non-finite.
  std::optional<AffineNormal> affine;
  // A model's Bernoulli(inv_logit(E)) or Binomial(n, inv_logit(E)) is
  // evaluated from E in its log-odds form (registry.hpp's log_odds_form), so
  // that inv_logit(E) rounding to 0 or 1 does not make its log density −inf;
  // a Bernoulli(Phi(E)) likewise from E in its probit form (probit_form); a
  // Poisson(exp(E)) or NegBinomial2(exp(E), phi) from E in its log-rate form
  // (log_rate_form). Each form's derivatives in E make E a linear predictor
  // for the coupled step. The argument may name a model local defined as
  // the call (compile.cpp's through_local).
  // `distribution` and `args` stay as written, for every analysis of the
  // model's structure (Markov blankets, degrees, explain) and every message.
  // Null otherwise.
  DistributionEntry const* link_form = nullptr;
  std::vector<Node> link_args;  // `args` with that inv_logit(E), Phi(E) or exp(E) replaced by E
  // A subsampled fit's N/B on an observed factor read row by row: each of
  // its terms counts that many times (docs/method.md, 'Subsampled fits').
  // 1 elsewhere, and always 1 on a reduced factor, whose sums are exact.
  double weight = 1;

  // What the evaluator computes the density with (runtime/evaluate.cpp).
  DistributionEntry const& evaluated() const { return link_form ? *link_form : *distribution; }
  std::vector<Node> const& evaluated_args() const { return link_form ? link_args : args; }
  // Its log density is one term for all its rows.
  bool reduced() const { return !statistics.empty() || affine.has_value(); }
};

using Statement = std::variant<Definition, Factor>;

struct Program {
  std::string file;
  std::vector<std::string> slot_names;
  std::vector<Value<double>> data;  // by slot: columns' values; empty elsewhere
  std::vector<LatentVariable> latents;
  std::vector<Parameter> parameters;
  std::vector<Statement> model;  // in order: locals before their uses
  std::vector<Statement> guide;  // parameters' locals, then one Factor per latent
  std::string automatic_guide;   // the guide's text, where the file has none (grammar/automatic_guide.hpp)
  std::size_t latent_dimension = 0;     // length of a draw z
  std::size_t parameter_dimension = 0;  // length of u
  std::size_t rows = 0;                 // N
  // By model statement: what an evaluation of every factor runs
  // (statements_to_run.hpp), once the model is lowered; empty: all.
  std::vector<bool> statements_run;
};

}  // namespace bbvi
