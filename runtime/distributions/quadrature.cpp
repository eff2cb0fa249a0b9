#include "runtime/distributions/quadrature.hpp"

#include <Eigen/Eigenvalues>

#include <cmath>
#include <map>
#include <mutex>

namespace bbvi {

namespace {

std::vector<QuadraturePoint> golub_welsch(int K) {
  // The probabilists' Hermite recurrence: the Jacobi matrix's eigenvalues
  // are the nodes, and the squared first components of its eigenvectors the
  // weights (Golub & Welsch 1969).
  Eigen::MatrixXd jacobi = Eigen::MatrixXd::Zero(K, K);
  for (int i = 0; i + 1 < K; ++i) jacobi(i, i + 1) = jacobi(i + 1, i) = std::sqrt(i + 1.0);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> const solver(jacobi);
  std::vector<QuadraturePoint> out(static_cast<std::size_t>(K));
  for (int k = 0; k < K; ++k)
    out[static_cast<std::size_t>(k)] = {solver.eigenvalues()[k], solver.eigenvectors()(0, k) * solver.eigenvectors()(0, k)};
  return out;
}

}  // namespace

std::vector<QuadraturePoint> const& gauss_hermite(int points) {
  // One rule per K, made at first use. A std::map keeps the rules it holds
  // where they are as others are added, so the references stay valid.
  static std::mutex lock;
  static std::map<int, std::vector<QuadraturePoint>> rules;
  std::lock_guard<std::mutex> const hold(lock);
  auto it = rules.find(points);
  if (it == rules.end()) it = rules.emplace(points, golub_welsch(points)).first;
  return it->second;
}

}  // namespace bbvi
