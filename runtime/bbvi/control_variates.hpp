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

}  // namespace bbvi
