#pragma once
// The tests' reference optima: a smooth objective maximised by damped Newton
// steps, gradient and Hessian by central differences. Deterministic, and
// independent of everything the engine does.
#include <Eigen/Dense>

#include <stdexcept>

namespace bbvi::testing {

// The Hessian of `objective` at `theta` by central differences of step h.
template <class Objective>
Eigen::MatrixXd central_hessian(Objective const& objective, Eigen::VectorXd const& theta, double h = 1e-4) {
  Eigen::Index const P = theta.size();
  auto const unit = [&](Eigen::Index i) { return Eigen::VectorXd(Eigen::VectorXd::Unit(P, i) * h); };
  Eigen::MatrixXd hessian(P, P);
  for (Eigen::Index i = 0; i < P; ++i)
    for (Eigen::Index j = 0; j <= i; ++j)
      hessian(i, j) = hessian(j, i) =
          (objective(theta + unit(i) + unit(j)) - objective(theta + unit(i) - unit(j)) -
           objective(theta - unit(i) + unit(j)) + objective(theta - unit(i) - unit(j))) / (4 * h * h);
  return hessian;
}

// Maximises `objective` from `start` until the gradient's norm is below
// `gradient_tolerance`, or Newton's step would gain less than 10⁻¹² (the
// objective's rounding, its size times 10⁻¹⁶ over h, keeps the differenced
// gradient from a fixed tolerance on a sum of thousands of terms); throws if
// 200 steps do not get there.
template <class Objective>
Eigen::VectorXd newton_maximise(Objective const& objective, Eigen::VectorXd theta, double gradient_tolerance = 1e-8) {
  Eigen::Index const P = theta.size();
  double const h = 1e-4;
  auto const unit = [&](Eigen::Index i) { return Eigen::VectorXd(Eigen::VectorXd::Unit(P, i) * h); };
  for (int iteration = 0; iteration < 200; ++iteration) {
    Eigen::VectorXd gradient(P);
    for (Eigen::Index i = 0; i < P; ++i)
      gradient[i] = (objective(theta + unit(i)) - objective(theta - unit(i))) / (2 * h);
    Eigen::MatrixXd const hessian = central_hessian(objective, theta, h);
    if (gradient.norm() < gradient_tolerance) return theta;
    // Far from the optimum the Hessian need not be negative definite: fall
    // back to the gradient then. Either way, halve until the objective does not fall.
    Eigen::VectorXd step = -hessian.ldlt().solve(gradient);
    bool const newton = step.allFinite() && step.dot(gradient) > 0;
    if (newton && 0.5 * step.dot(gradient) < 1e-12) return theta;
    if (!newton) step = gradient;
    double const current = objective(theta);
    while (!(objective(theta + step) >= current) && step.norm() > 1e-14) step /= 2;
    theta += step;
  }
  throw std::runtime_error("the reference optimisation did not converge");
}

}  // namespace bbvi::testing
