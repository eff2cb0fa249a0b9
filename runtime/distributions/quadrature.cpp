#include "runtime/distributions/quadrature.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
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

namespace {

// The rule's largest error on xᵖ e^{ax}, p = 0, 1, 2, relative to (1 + a²) e^{a²/2}.
double exp_error(int points, double a) {
  double const scale = std::exp(0.5 * a * a);
  double const exact[3] = {scale, a * scale, (1 + a * a) * scale};
  double sums[3] = {0, 0, 0};
  for (QuadraturePoint const& p : gauss_hermite(points)) {
    double const w = p.weight * std::exp(a * p.value);
    sums[0] += w;
    sums[1] += w * p.value;
    sums[2] += w * p.value * p.value;
  }
  double worst = 0;
  for (int k = 0; k < 3; ++k) worst = std::max(worst, std::abs(sums[k] - exact[k]));
  return worst / exact[2];
}

}  // namespace

int gauss_hermite_points_for_exp(double a) {
  if (!std::isfinite(a)) return default_gauss_hermite_points;
  double const good_enough = std::max(exp_error_tolerance, exp_error(default_gauss_hermite_points, a));
  for (int points = 3; points < default_gauss_hermite_points; ++points)
    if (exp_error(points, a) <= good_enough) return points;
  return default_gauss_hermite_points;
}

}  // namespace bbvi
