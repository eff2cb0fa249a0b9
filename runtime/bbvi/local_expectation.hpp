#pragma once
// Local expectation gradients (Titsias & Lázaro-Gredilla 2015): for a group
// of the guide that is one latent element z_e under a family with a
// quadrature rule (distributions/quadrature.hpp), where that pays
// (plan_local), its gradient is taken exactly over z_e, given the other
// latents of the draw:
//   ∇_λe L = E_{q−e}[ Σ_k w_k s(z_k) f_e(z_k, z−e) ],
// with f_e its Markov blanket's terms less log q_e (blankets.hpp) and s the
// score at the point z_k. Only the blanket's other latents are left random,
// so a term such as τ² in eight schools' likelihood, whose heavy tail under
// a LogNormal guide dominates every score-function estimate, no longer adds
// noise to τ's own gradient. The cost: a log-joint evaluation per point, per
// colour: groups that share no term are moved to their points together; or,
// where a colour's blankets are Gaussian in its elements, one evaluation of
// the means for the colour (local_rows.hpp). A colour whose points cost
// more than a draw may be taken at some draws only (local_cost.hpp).
// A blanket that is a polynomial of degree D in z_e, under a guide affine in
// its standard normal, needs only max(3, (D + 4)/2) points for the rule to be
// exact (the score adds degree 2, the Fisher needs degree 4): the degree is
// read from the program. Under a guide whose log is affine in its standard
// normal (LogNormal), whose rule needs many points, a blanket of degree D
// in z_e is evaluated at only D + 1 of them and interpolated at the rest
// (docs/method.md, 'Local expectation gradients').
#include "core/parallel.hpp"
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/local_rows.hpp"
#include "runtime/bbvi/rows_coupling.hpp"
#include "runtime/distributions/quadrature.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <optional>
#include <vector>

namespace bbvi {

struct LocalPlan {
  std::vector<bool> is_local;                    // by group
  std::vector<int> groups;                       // the local groups
  std::vector<std::size_t> element;              // each one's latent element
  std::vector<std::vector<std::size_t>> colours;  // indices into `groups`, no two of one colour neighbours
  // By colour: its groups' blankets read no latent but their own, so their
  // gradient is the same at every draw of an iteration (at most one such
  // colour, the last).
  std::vector<bool> constant;
  // By colour, the model statements in some blanket of its groups, the only
  // ones its points change, and the definitions they read (statements_to_run).
  std::vector<std::vector<bool>> colour_statements;
  // By colour: whether its blankets' terms at the points come from the
  // rows' derivatives at the draw instead (local_rows.hpp).
  std::vector<RowsColour> rows;
  // Gauss–Hermite points by latent element: as few as make the rule exact
  // where the blanket is a polynomial in the element's standard normal (3
  // for a Gaussian blanket under a Normal guide), else the default.
  std::vector<int> points;
  // By latent element, under a guide whose log is affine in its standard
  // normal (LogNormal): the blanket's degree as a polynomial in the element
  // (PolynomialDegree::not_polynomial where it is not one). Its points are
  // chosen each iteration from the guide's sd (points_at): fewer than the
  // default where that is small.
  std::vector<int> log_degree;
  // The locations' cross-curvature from the rows, where the colours give it
  // (rows_coupling.hpp).
  RowsCoupling coupling;
  // By colour, the model's terms one of its points evaluates, where the
  // colour may be taken at some of the draws only (local_cost.hpp); 0 for
  // one that is constant, taken from the rows, or holds a location, whose
  // every draw the coupled step reads. And the terms of a draw's log-joint.
  std::vector<double> terms_per_point;
  double terms_per_draw = 0;
};

// `closed_form`, by latent element where not empty: the elements whose
// groups take their gradient in closed form instead (a dense regression's
// coefficients: linear_predictor_curvature.hpp), never local.
LocalPlan plan_local(Program const& program, Blankets const& blankets, std::vector<bool> const& closed_form = {});

// The points each latent element's rule takes at u: `plan.points`, but for
// an element with a finite log_degree D under a guide of log-sd s, the
// fewest whose rule integrates e^{kDs x} (k ≤ 1) as well as the default's
// (gauss_hermite_points_for_exp).
std::vector<int> points_at(Program const& program, LocalPlan const& plan, Eigen::VectorXd const& u);

// One iteration's points, the same for all its draws.
struct LocalPoints {
  std::vector<std::vector<QuadraturePoint>> points;  // by local group
  std::vector<std::vector<double>> log_q;            // log q_e at each point
  std::vector<Eigen::MatrixXd> scores;               // points × the group's coordinates
  std::vector<Eigen::MatrixXd> fisher;               // by local group, Σ_k w_k s_k s_kᵀ on its coordinates: exact
  // By local group, Σ_k w_k s_k² summed point by point: the Fisher's
  // diagonal, which the curvature (local_gradient) subtracts at every draw.
  std::vector<Eigen::RowVectorXd> fisher_diagonal;
  // By local group, where its blanket is a polynomial of degree D in its
  // element with D + 1 fewer than its points: the D + 1 points at which the
  // model is evaluated, and the Lagrange matrix (points × nodes) that gives
  // the blanket's terms at every point from theirs. Empty elsewhere.
  std::vector<std::vector<std::size_t>> nodes;
  std::vector<Eigen::MatrixXd> interpolation;
  // By colour, where not empty: it is taken at the draws whose index is a
  // multiple of this (colour_strides), at none for 0; at every draw
  // otherwise.
  std::vector<std::size_t> stride;
};

// `z`: any draw from q(·|u), whose other elements the guide's scores need.
// The points are made on `pool`'s threads; the result does not depend on
// their number.
LocalPoints local_points(Program const& program, Blankets const& blankets, LocalPlan const& plan,
                         Eigen::VectorXd const& u, std::vector<double> const& z, WorkerPool& pool);

// One draw's local gradient terms on the local groups' coordinates of `row`
// (the others untouched); `log_q` is the draw's guide term by element and
// `terms` its model terms (log_joint_terms with the blankets' summed_terms). With
// `curvature`, also Σ_k w_k f(z_k) (s_c(z_k)² − F_cc) on the same
// coordinates: for the location m of a Normal factor, where ∂s/∂m = −F,
// that is ∂²/∂m² E[f] given the rest of the draw (docs/method.md, 'The
// coupled step'). With `couplings` too, where the plan has them, the
// draw's cross-curvature by pair of plan.coupling (row_couplings).
// `scratch`: LocalScratch below. Only the first draw of an iteration
// (`draw_index` 0) evaluates the plan's constant colours: the caller copies
// their coordinates to the other draws' rows (draws.cpp). A colour with a
// stride is evaluated at the draws it divides, none for 0; its coordinates
// stay zero at the others.
struct LocalOutcome {
  int evaluations = 0;  // of the log-joint
  // By local group: a point where the model has no finite density (a Normal
  // guide's tail past a bounded prior) or rejects its arguments. The exact
  // expectation is then not finite, and the group's gradient has to come
  // from elsewhere this iteration.
  std::vector<bool> failed;
};
// Buffers one thread's draws reuse, so that a draw allocates nothing the
// last one had (a tenth of a hierarchical fit's local work was allocation).
struct LocalScratch {
  std::vector<std::vector<double>> change;
  std::vector<std::vector<std::vector<double>>> columns;
  std::vector<double> at, at_log_q;
  std::vector<Eigen::VectorXd> at_nodes;
  Eigen::RowVectorXd at_draw, f;
  RowsScratch rows;
  // Made on first use by a draw that needs them, then kept: a frame each.
  std::optional<RowsAtDraw> rows_at_draw;
  std::optional<TermUpdater> updater;
};
LocalOutcome local_gradient(Program const& program, Blankets const& blankets, LocalPlan const& plan,
                            LocalPoints const& points, std::vector<double> const& z, std::vector<double> const& log_q,
                            std::vector<std::vector<double>> terms, LocalScratch& scratch, std::size_t draw_index,
                            Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>> row,
                            Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>>* curvature = nullptr,
                            Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>>* couplings = nullptr);

}  // namespace bbvi
