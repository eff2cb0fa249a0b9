#pragma once
// Control variates for a mean over the draws (docs/method.md, 'Local
// expectation gradients' and 'The coupled step'): a local expectation's value
// at each draw moves with its neighbours' draws, and controls built from
// them (their scores; for a population mean, one weighted sum of them), with
// mean zero under q, take most of that out.
#include <Eigen/Core>

namespace bbvi {

// Per-draw terms whose column means estimate the column means of `values`
// (S × m), each draw's value less the controls (S × c, mean zero under q)
// times the coefficients fitted by least squares without that draw: the
// estimate stays unbiased where coefficients fitted on every draw would not.
// `values` itself where the draws cannot fit the coefficients so (fewer than
// c + 3 draws, or a draw with leverage 1).
Eigen::MatrixXd control_variated(Eigen::MatrixXd const& controls, Eigen::MatrixXd const& values);

// The part of control_variated that depends on the controls alone, made
// once for every set of values that shares them: in a hierarchical model
// every group's controls are the same population parameters' scores.
struct ControlFit {
  bool usable = false;     // false: the values are returned as they are
  Eigen::MatrixXd x;       // S × (c + 1): the intercept, then the controls
  Eigen::MatrixXd spread;  // row s: (XᵀX)⁻¹x_s
  Eigen::ArrayXd leverage;
};
ControlFit control_fit(Eigen::MatrixXd const& controls, Eigen::Index draws);
Eigen::MatrixXd control_variated(ControlFit const& fit, Eigen::MatrixXd const& values);

}  // namespace bbvi
