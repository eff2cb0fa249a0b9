#include "runtime/bbvi/control_variates.hpp"

#include <Eigen/Dense>

#include <cmath>

namespace bbvi {

Eigen::MatrixXd control_variated(Eigen::MatrixXd const& controls, Eigen::MatrixXd const& values) {
  return control_variated(control_fit(controls, values.rows()), values);
}

ControlFit control_fit(Eigen::MatrixXd const& controls, Eigen::Index draws) {
  Eigen::Index const S = draws, k = controls.cols() + 1;
  ControlFit out;
  if (controls.cols() == 0 || S < k + 2) return out;
  out.x.resize(S, k);
  out.x.col(0).setOnes();
  out.x.rightCols(k - 1) = controls;
  // Coefficient by coefficient (lazyProduct): at these sizes (a few
  // controls, tens of draws) the blocked product's packing cost more than
  // the arithmetic, in every local group at every iteration.
  Eigen::LDLT<Eigen::MatrixXd> const gram(out.x.transpose().lazyProduct(out.x));
  if (gram.info() != Eigen::Success || !(gram.vectorD().array() > 0).all()) return out;
  out.spread = gram.solve(out.x.transpose()).transpose();
  out.leverage = out.spread.cwiseProduct(out.x).rowwise().sum().array();
  out.usable = (out.leverage < 1 - 1e-9).all();
  return out;
}

Eigen::MatrixXd control_variated(ControlFit const& f, Eigen::MatrixXd const& values) {
  if (!f.usable) return values;
  Eigen::MatrixXd const& x = f.x;
  Eigen::MatrixXd const& spread = f.spread;
  Eigen::ArrayXd const& leverage = f.leverage;
  Eigen::MatrixXd const fit = spread.transpose().lazyProduct(values);
  // The fit without draw s has residual e_s/(1 − h_s) at s, and intercept
  // a − (XᵀX)⁻¹x_s e_s/(1 − h_s) at its first entry: its value at s less the
  // controls' part is that intercept plus that residual.
  Eigen::MatrixXd const left_out = ((values - x * fit).array().colwise() / (1 - leverage)).matrix();
  Eigen::MatrixXd terms = left_out.array().colwise() * (1 - spread.col(0).array());
  terms.rowwise() += fit.row(0);
  // A value that is the same at every draw (a local expectation whose
  // blanket reads no other latent's draw) has nothing for the controls to
  // remove, and their fit would only add rounding.
  Eigen::RowVectorXd const mean = values.colwise().mean();
  for (Eigen::Index j = 0; j < values.cols(); ++j) {
    double const rounding = 1e-12 * (1 + std::abs(mean[j]));
    if ((values.col(j).array() - mean[j]).abs().maxCoeff() <= rounding) terms.col(j) = values.col(j);
  }
  return terms;
}

}  // namespace bbvi
