#include "runtime/distributions/quadrature.hpp"

#include <Eigen/Eigenvalues>

#include <cmath>

namespace bbvi {

std::vector<QuadraturePoint> const& gauss_hermite() {
  static std::vector<QuadraturePoint> const points = [] {
    // The probabilists' Hermite recurrence: the Jacobi matrix's eigenvalues
    // are the nodes, and the squared first components of its eigenvectors the
    // weights (Golub & Welsch 1969).
    int const K = gauss_hermite_points;
    Eigen::MatrixXd jacobi = Eigen::MatrixXd::Zero(K, K);
    for (int i = 0; i + 1 < K; ++i) jacobi(i, i + 1) = jacobi(i + 1, i) = std::sqrt(i + 1.0);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> const solver(jacobi);
    std::vector<QuadraturePoint> out(K);
    for (int k = 0; k < K; ++k)
      out[static_cast<std::size_t>(k)] = {solver.eigenvalues()[k], solver.eigenvectors()(0, k) * solver.eigenvectors()(0, k)};
    return out;
  }();
  return points;
}

}  // namespace bbvi
