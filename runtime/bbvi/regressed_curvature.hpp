#pragma once
// What the coupled step measures (location_curvature.hpp) for the locations
// of Normal guide factors whose gradient is not a local expectation: the
// coefficients of a logistic likelihood, say, or of a regression whose
// blankets are too costly to take point by point (docs/method.md, 'The
// coupled step'). With u_i = (z_i − m_i)/s_i the factor's standard normal,
// Stein's identities give
//   ∂L/∂m_i = E[f u_i]/s_i,
//   M_ii = −∂²L/∂m_i² = (1 − E[f (u_i² − 1)])/s_i²,
//   M_ij = −∂²L/∂m_i∂m_j = −E[f u_i u_j]/(s_i s_j),
// and one least-squares regression of f on (1, u_i, u_i² − 1, u_i u_j for
// the pairs that share a term, the other parameters' scores) estimates them
// all, each regressor a control variate for the others (they are
// orthogonal under q). Where log p is quadratic in the locations, given the
// other latents, the fit is exact.
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/location_curvature.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <cstddef>
#include <utility>
#include <vector>

namespace bbvi {

class RegressedCurvature {
 public:
  // The locations among the groups marked in `eligible`, by group.
  RegressedCurvature(Program const& program, Blankets const& blankets, std::vector<bool> const& eligible);

  bool empty() const { return rows_.empty(); }
  std::size_t locations() const { return rows_.size(); }
  // The locations' latent elements, in the order of M's rows.
  std::vector<std::size_t> elements() const;
  // The regressors with the intercept, or 0 where there are more than
  // max_regressors (a dense model with many locations): the draws must
  // outnumber them.
  std::size_t regressors() const;

  // Empty where the draws do not outnumber the regressors.
  LocationCoupling measure(Program const& program, Draws const& d) const;

  // The regression's cost grows with the square of the regressors in
  // memory and the cube in time; each pair of neighbouring locations is one.
  static constexpr std::size_t max_regressors = 400;

 private:
  Eigen::SparseMatrix<double> cautious(Eigen::SparseMatrix<double> const& m, Eigen::VectorXd const& sd,
                                       Eigen::MatrixXd const& covariance) const;

  struct Row {
    Eigen::Index coordinate = 0;  // the location, in u
    std::size_t element = 0;      // its latent element
  };
  std::vector<Row> rows_;
  std::vector<std::pair<std::size_t, std::size_t>> pairs_;  // rows that share a term, first < second
  std::vector<Eigen::Index> others_;                        // the coordinates of groups without a row
};

}  // namespace bbvi
