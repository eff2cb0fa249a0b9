#pragma once
// The natural gradient by regression (docs/method.md, 'The natural gradient
// by regression'; Salimans & Knowles 2013):
// least squares of f = log p − log q on (1, scores) over the S draws. Since
// E_q[s] = 0 and E_q[s sᵀ] = F, the slope estimates F⁻¹∇L (the natural
// gradient) and the intercept estimates L (the ELBO), with control variates
// built in and no Fisher formula per family.
#include <Eigen/Core>

namespace bbvi {

struct RegressionEstimate {
  double intercept = 0;           // the ELBO estimate
  double intercept_variance = 0;  // its sampling variance
  Eigen::VectorXd slope;          // the natural gradient δ
  Eigen::MatrixXd slope_covariance;  // of δ, from the residuals
  Eigen::MatrixXd fisher;         // (1/S) Σ (s − s̄)(s − s̄)ᵀ, the empirical Fisher
  double residual_variance = 0;
  int residual_dof = 0;
};

// A tiny ridge that keeps a singular Gram or Fisher matrix M (a degenerate
// draw set) solvable: M_ii ← M_ii (1 + 10⁻¹⁰). Scaled by each coordinate's
// own diagonal, it is the same ridge whatever units the coordinates are in
// (a location's Fisher is its precision, 10⁻¹⁶ for a mean near 10⁹, beside ½
// for a log precision), so it never decides a step. A zero diagonal (a
// score that is constant over the draws) gets 10⁻¹⁰ of the largest.
void add_ridge(Eigen::MatrixXd& m);

// Needs S > P + 1 rows; add_ridge keeps a degenerate draw set solvable.
RegressionEstimate regress(Eigen::MatrixXd const& scores, Eigen::VectorXd const& f);

}  // namespace bbvi

namespace bbvi {

// The plain covariance estimate of the Euclidean gradient, ∇L ≈ Ĉov(s, f)
// with the 1/(S − 1) normaliser: unbiased, unlike the regression's slope,
// whose ratio form carries an O(1/S) bias. Near the optimum that bias, not
// the noise, would decide where averaged steps settle.
struct CovarianceGradient {
  Eigen::VectorXd gradient;
  Eigen::MatrixXd covariance;  // of `gradient`
};

CovarianceGradient covariance_gradient(Eigen::MatrixXd const& scores, Eigen::VectorXd const& f);

}  // namespace bbvi
