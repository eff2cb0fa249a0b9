#pragma once
// The coupled step's curvature M = −∂²L/∂m∂mᵀ in the locations m
// (location_curvature.hpp) read from the model's linear predictors, where
// the likelihood is not Gaussian in them (a logistic regression's):
// docs/method.md, 'The curvature from the linear predictor'. Or, in its
// `gaussian` mode, where every term is Gaussian in them and the likelihoods
// are reduced dense regressions: exactly, over the locations' own draws
// (docs/method.md, 'A dense regression in closed form').
//
// Under a Normal guide, ∂²E_q[log p]/∂m∂mᵀ = E_q[∇²_z log p] (the entropy
// does not depend on m). Where every term that reads the locations reads
// them through one argument η_n = a_n + C_n·z, affine in them with the same
// ones in every row, or is a prior on them of a distribution quadratic in
// its location,
//   M = Σ_terms Cᵀ diag(E_q[−ℓ_n''(η_n)]) C,
// ℓ_n the row's log density as a function of that argument, each draw's
// −ℓ'' a second difference of the density. Every draw's matrix has the
// ridge's near-null direction, so the estimate's error is relative in every
// direction: the regression of f on the scores (regressed_curvature.hpp)
// errs by an absolute amount, which a ridge of correlation ρ magnifies by
// 1/(1 − ρ²).
#include "runtime/affine_normal.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <cstddef>
#include <optional>
#include <vector>

namespace bbvi {

class LinearPredictorCurvature {
 public:
  // `locations`: the latent elements whose guide locations the coupled step
  // moves, in the order of its M. Left empty where some term reading them
  // is of neither kind, and, unless `gaussian`, where every term is Gaussian
  // in them (the draws' regressions measure that case without error). With
  // `gaussian`, left empty unless every term is Gaussian in them and every
  // likelihood among them is a reduced dense regression (AffineNormal).
  LinearPredictorCurvature(Program const& program, std::vector<std::size_t> const& locations, bool gaussian = false);

  bool empty() const { return terms_.empty(); }
  std::vector<std::size_t> const& locations() const { return locations_; }
  // Every term is a quadratic in the locations: measure() then takes each
  // draw's derivatives at their means, the exact expectation over the
  // locations' own draws given the other latents' (docs/method.md, 'A dense
  // regression in closed form'), each in O(K²) from the regression's
  // statistics.
  bool gaussian() const { return gaussian_ && !terms_.empty(); }

  // From the draws z_s, the rows of `latents`: g = ∂L/∂m = E_q[∇_z log p]
  // on the locations (Bonnet's theorem), its Monte-Carlo covariance, and M.
  // Nothing where some draw's arguments are rejected or a result is not
  // finite.
  //
  // With the guide's sds s, also ∂L/∂s = s E_q[∂²log p/∂z²] + 1/s by
  // location (Price's theorem; the 1/s is the entropy's), each draw's
  // second derivative the diagonal of the matrix M averages: the sds'
  // gradient with the relative error of M rather than the regressions'.
  struct Measured {
    Eigen::VectorXd gradient;
    Eigen::MatrixXd gradient_covariance;
    Eigen::SparseMatrix<double> curvature;
    Eigen::VectorXd scale_gradient;  // empty without the sds
    // Of (gradient, scale_gradient) stacked; empty without the sds.
    Eigen::MatrixXd joint_covariance;
    // By location, the draws' effective number in its second derivative,
    // (Σ|h_s|)²/Σh_s², over S: far below 1 where a few draws carry it (most
    // rows' inv_logit rounding to 0 or 1 at most draws), and then the
    // sample covariance above is no measure of its error.
    Eigen::VectorXd scale_sample_fraction;
  };
  // `means`: the locations' current values, in the same order; `sds`, if
  // not empty, their guide factors' sds.
  std::optional<Measured> measure(Program const& program, Eigen::MatrixXd const& latents, Eigen::VectorXd const& means,
                                  Eigen::VectorXd const& sds = {}) const;

 private:
  struct Term {
    std::size_t statement = 0;
    std::size_t argument = 0;  // the argument the locations enter through
    std::size_t rows = 1;
    bool prior = false;  // the locations are the term's value
    // A prior: by element of its value, the location's row in M or −1.
    // Otherwise: by column of C, the location's row.
    std::vector<int> location_row;
    std::vector<std::size_t> elements;  // the latent elements η reads (not a prior)
    AffineNormal const* affine = nullptr;  // a reduced dense regression: no columns
    Eigen::MatrixXd quadratic;              // its A (AffineNormal::quadratic_form)
    Eigen::VectorXd at_zero;            // η at z = 0
    Eigen::MatrixXd columns;            // C
    Eigen::MatrixXd squared_columns;    // C's elements squared: each draw's diagonal of Cᵀ diag(−ℓ'') C
    // By argument: where it reads no latent, its value, computed once;
    // empty where it is evaluated at each draw.
    std::vector<Value<double>> fixed;
    std::vector<bool> per_draw;
  };

  struct Workspace {
    std::vector<Value<double>> values;  // the arguments at the draw
    std::vector<double> eta, x, step, above, below, at, up, down;
    Eigen::VectorXd slope, curvature;  // by row: ℓ' and −ℓ''
    Eigen::VectorXd at_draw, by_location;  // a term's locations at the draw; a sum over its rows by location
    std::vector<double const*> pointers;   // the arguments' rows
  };
  void row_derivatives(Program const& program, Term const& t, std::vector<double> const& z, Workspace& w) const;

  // A dense regression's ℓ' summed into each location and its −ℓ'' into M,
  // by draw.
  void add_affine(Program const& program, Term const& t, std::vector<double> const& z, Eigen::Index draw,
                  Eigen::MatrixXd& per_draw, double& precision) const;

  std::vector<std::size_t> locations_;  // their latent elements
  std::vector<Term> terms_;
  bool gaussian_ = false;
};

}  // namespace bbvi
