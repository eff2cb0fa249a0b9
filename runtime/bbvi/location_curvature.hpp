#pragma once
// What the coupled step measures in each iteration's draws (docs/method.md,
// 'The coupled step'): for the locations m of the Normal guide factors whose
// gradient is a local expectation, the gradient ∂L/∂m and the curvature
// M = −∂²L/∂m∂mᵀ of the ELBO in them, M as sparse as the Markov blankets.
//
// Location i's local gradient G_i(z₋ᵢ) (the exact expectation over its own
// element, given the rest of the draw) varies with its neighbours' draws.
// Regressed on their scores, and on the products of a location neighbour's
// score with the scores of a neighbour that is not a location (a noise
// scale), its intercept is ∂L/∂mᵢ with those variations taken out, and
// the slope β_j on a neighbour location's score gives the cross-curvature,
// Cov(G_i, s_j) = β_j F_jj = ∂²L/∂mᵢ∂mⱼ, with F_jj the exact Fisher. Where
// the log-joint is Gaussian in the locations (with any noise precision
// whose guide's score is linear in it) the regression fits exactly and
// neither has Monte-Carlo error; only then can the Newton step cross a
// ridge of correlation ρ, which needs M to relative accuracy 1 − ρ².
// Where the local plan's rows give every coupling (rows_coupling.hpp), M's
// off-diagonal is their mean over the draws instead, and each location's
// regression, on its neighbours' scores without the products, is for its
// gradient and M's diagonal alone (docs/method.md, 'The cross-curvature
// from the rows').
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/local_expectation.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace bbvi {

// The coordinate of u that is the location of latent element e's guide
// factor: a Normal whose mean is an unconstrained parameter, element by
// element for a vector latent; nothing elsewhere (a constrained or computed
// mean, another family), where ∂s/∂m = −F, which the curvature relies on,
// does not hold.
std::optional<Eigen::Index> location_of(Program const& program, std::size_t e);

// Likewise the coordinate of its sd, where that is a parameter of its own
// (under any constraint, which gives s as a function of u).
struct ScaleCoordinate {
  Eigen::Index coordinate = 0;
  Constraint constraint;
};
std::optional<ScaleCoordinate> scale_of(Program const& program, std::size_t e);

// Both, where e's guide factor is a Normal or a LogNormal (`of_log`: a
// Normal in log z) whose location is an unconstrained parameter and whose
// scale is a parameter; `guide` is that factor's distribution.
struct LocationScale {
  Eigen::Index location = 0;
  ScaleCoordinate scale;
  bool of_log = false;
  DistributionEntry const* guide = nullptr;
};
std::optional<LocationScale> location_scale_of(Program const& program, std::size_t e);

// Latent element e's guide factor, or null.
Factor const* guide_factor_of(Program const& program, std::size_t e);

struct LocationCoupling {
  std::vector<Eigen::Index> coordinates;  // the locations, in u
  Eigen::VectorXd gradient;               // ∂L/∂m at u, by location
  // Each gradient's Monte-Carlo variance (the regression's intercept
  // variance, or the mean's), and the fewest residual degrees of freedom.
  Eigen::VectorXd gradient_variance;
  // Their full covariance where it is known (L × L), else empty: a pathwise
  // gradient's errors are correlated along a ridge.
  Eigen::MatrixXd gradient_covariance;
  double dof = 0;
  Eigen::SparseMatrix<double> curvature;  // M, symmetric
  // Where M̂ has Monte-Carlo error of its own (regressed_curvature.hpp): M̂
  // with each eigenvalue raised to at least twice its standard error, for
  // the steps of the approach, which would otherwise go as far as an
  // eigenvalue that is noise allows. Empty where M̂ is exact.
  Eigen::SparseMatrix<double> cautious_curvature;
  // M is the curvature at this guide only, not on the way to the optimum (a
  // likelihood that is not Gaussian in the locations): the step is bounded
  // by its change of q too (docs/method.md, 'The curvature from the linear
  // predictor').
  bool local_curvature = false;
};

class LocationCurvature {
 public:
  LocationCurvature(Program const& program, Blankets const& blankets, LocalPlan const& plan);

  bool empty() const { return rows_.empty(); }
  std::size_t locations() const { return rows_.size(); }
  // Whether the couplings come from the rows (rows_coupling.hpp).
  bool from_rows() const { return !from_rows_.empty(); }
  // The locations' latent elements, in the order of M's rows.
  std::vector<std::size_t> elements() const;
  // The most regressors (with the intercept) of a location that regresses
  // (one whose neighbourhood is small enough to, at most max_regressors):
  // the draws must outnumber it for the curvature to be measured.
  std::size_t largest_regression() const;

  // `previous`: the last iteration's M, if any, whose couplings make the
  // control variate of a location with too many neighbours to regress on.
  LocationCoupling measure(Draws const& d, Eigen::SparseMatrix<double> const* previous = nullptr) const;

  // A location with more regressors than this uses its neighbours'
  // regressions for its cross-curvature, and plain means for the rest: in a
  // hierarchical model the population mean neighbours every group, each of
  // which neighbours only it and the spread.
  static constexpr std::size_t max_regressors = 80;

 private:
  struct Row {
    Eigen::Index coordinate = 0;                   // the location, in u
    std::size_t plan_index = 0;                    // its group's, in LocalPlan::groups
    std::size_t position = 0;                      // its place among the group's coordinates
    std::size_t element = 0;                       // its latent element
    std::vector<std::size_t> location_neighbours;  // indices into rows_
    std::vector<Eigen::Index> other_scores;        // the other neighbours' coordinates
    // The exact Fisher of the location, 1/sd².
    double fisher(Draws const& d) const {
      Eigen::Index const k = static_cast<Eigen::Index>(position);
      return d.local.fisher[plan_index](k, k);
    }
    std::size_t regressors() const {
      return 1 + location_neighbours.size() * (1 + other_scores.size()) + other_scores.size();
    }
    // With the couplings from the rows: the intercept, the other
    // neighbours' scores and the last coupling's control.
    std::size_t controls() const { return 2 + other_scores.size(); }
  };
  std::vector<Row> rows_;
  // Where the plan's rows give every coupling (rows_coupling.hpp): by pair
  // of LocalPlan::coupling, its two locations (indices into rows_). Each
  // location's regression is then on its other neighbours' scores and one
  // control alone, for its gradient.
  std::vector<std::pair<std::size_t, std::size_t>> from_rows_;
  // With them, the distinct sets of neighbours' score coordinates the
  // locations regress on where the draws allow (every group of a
  // hierarchical model has the same), and by location its set or −1.
  std::vector<std::vector<Eigen::Index>> shared_sets_;
  std::vector<int> shared_set_;
};

}  // namespace bbvi
