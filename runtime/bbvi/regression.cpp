#include "runtime/bbvi/regression.hpp"

#include <Eigen/Cholesky>

#include <algorithm>
#include <stdexcept>

namespace bbvi {

void add_ridge(Eigen::MatrixXd& m) {
  if (m.size() == 0) return;  // no parameters: nothing to regress on
  // Each coordinate's own diagonal sets its ridge: one ridge from the
  // largest diagonal swamped a coordinate measured in other units.
  constexpr double relative = 1e-10;
  double const largest = std::max(m.diagonal().maxCoeff(), 1e-300);
  for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, i) += relative * (m(i, i) > 0 ? m(i, i) : largest);
}

RegressionEstimate regress(Eigen::MatrixXd const& scores, Eigen::VectorXd const& f) {
  Eigen::Index const S = scores.rows(), P = scores.cols();
  if (S <= P + 1) throw std::invalid_argument("regression needs more draws than parameters + 1");
  RegressionEstimate r;
  // Centring the scores makes the intercept the mean of f adjusted by the
  // fitted control variate, and separates it from the slope.
  Eigen::RowVectorXd const mean_score = scores.colwise().mean();
  Eigen::MatrixXd const centred = scores.rowwise() - mean_score;
  double const f_mean = f.mean();
  Eigen::MatrixXd gram = centred.transpose() * centred;
  r.fisher = gram / static_cast<double>(S);
  add_ridge(gram);
  Eigen::LDLT<Eigen::MatrixXd> const solver(gram);
  r.slope = solver.solve(centred.transpose() * (f.array() - f_mean).matrix());
  Eigen::VectorXd const residuals = (f.array() - f_mean).matrix() - centred * r.slope;
  r.residual_dof = static_cast<int>(S - P - 1);
  r.residual_variance = residuals.squaredNorm() / r.residual_dof;
  // The slope's covariance from the residuals draw by draw, each weighted by
  // 1/(1 − leverage) (the sandwich HC2, MacKinnon & White 1985): f's scatter
  // about the fit changes with z and the scores themselves are random, so
  // σ̂²(XᵀX)⁻¹ understated it 2–8 times at S = 2P + 2; HC3's 1/(1 − h)²
  // overstated it 3–4 times (tests/fit/estimators_test.cpp). The leverage
  // counts the centring (intercept) as 1/S.
  Eigen::MatrixXd const inverse = solver.solve(Eigen::MatrixXd::Identity(P, P));
  Eigen::VectorXd const leverage =
      (centred * inverse).cwiseProduct(centred).rowwise().sum().array() + 1.0 / static_cast<double>(S);
  Eigen::VectorXd const weight =
      residuals.array().square() / (1.0 - leverage.array()).max(1e-3);
  Eigen::MatrixXd const meat = centred.transpose() * weight.asDiagonal() * centred;
  r.slope_covariance = inverse * meat * inverse;
  // The model evaluated at s = 0, where E_q[s] = 0 puts the ELBO.
  r.intercept = f_mean - mean_score.dot(r.slope);
  r.intercept_variance =
      r.residual_variance / static_cast<double>(S) + mean_score * r.slope_covariance * mean_score.transpose();
  return r;
}

}  // namespace bbvi

namespace bbvi {

CovarianceGradient covariance_gradient(Eigen::MatrixXd const& scores, Eigen::VectorXd const& f) {
  double const S = static_cast<double>(scores.rows());
  Eigen::MatrixXd const centred = scores.rowwise() - scores.colwise().mean();
  // Row s: (s_s − s̄)(f_s − f̄) · S/(S − 1); their mean is the unbiased covariance.
  Eigen::MatrixXd const terms = (centred.array().colwise() * (f.array() - f.mean())).matrix() * (S / (S - 1));
  CovarianceGradient g;
  g.gradient = terms.colwise().mean().transpose();
  Eigen::MatrixXd const spread = terms.rowwise() - g.gradient.transpose();
  g.covariance = spread.transpose() * spread / (S * (S - 1));
  return g;
}

}  // namespace bbvi
