#include "runtime/bbvi/newton_direction.hpp"

#include <Eigen/Eigenvalues>

#include <cmath>

namespace bbvi {

namespace {

// x = M⁻¹g by conjugate gradients; false at a direction of non-positive
// curvature.
bool solve(Eigen::SparseMatrix<double> const& m, Eigen::VectorXd const& g, Eigen::VectorXd& x) {
  Eigen::Index const n = g.size();
  Eigen::VectorXd const diagonal = m.diagonal();
  if (!(diagonal.array() > 0).all() || !g.allFinite()) return false;
  Eigen::VectorXd const inverse_diagonal = diagonal.cwiseInverse();
  x = Eigen::VectorXd::Zero(n);
  Eigen::VectorXd r = g;
  Eigen::VectorXd z = inverse_diagonal.cwiseProduct(r), p = z;
  double rz = r.dot(z);
  double const start = rz;
  // Exact arithmetic ends in n iterations; rounding on an ill-conditioned M
  // (a ridge) may take a few more.
  for (Eigen::Index k = 0; k < 2 * n + 20 && rz > 1e-24 * start && rz > 0; ++k) {
    Eigen::VectorXd const mp = m * p;
    double const curvature = p.dot(mp);
    if (!(curvature > 0)) return false;
    double const alpha = rz / curvature;
    x += alpha * p;
    r -= alpha * mp;
    z = inverse_diagonal.cwiseProduct(r);
    double const next = r.dot(z);
    p = z + (next / rz) * p;
    rz = next;
  }
  return x.allFinite();
}

// The mean over `probes` of ½ ξᵀM⁻¹ξ, ξ = A·(random signs): E ξξᵀ = AAᵀ.
template <typename Factor>
double probed(Eigen::SparseMatrix<double> const& m, Factor const& a, RandomStream& rng, int probes) {
  double sum = 0;
  Eigen::VectorXd signs(a.cols()), xi, y;
  for (int k = 0; k < probes; ++k) {
    for (Eigen::Index i = 0; i < signs.size(); ++i) signs[i] = rng() & 1 ? 1.0 : -1.0;
    xi = a * signs;
    if (!solve(m, xi, y)) return HUGE_VAL;
    sum += 0.5 * xi.dot(y);
  }
  return sum / probes;
}

}  // namespace

NewtonDirection newton_direction(Eigen::SparseMatrix<double> const& m, Eigen::VectorXd const& g) {
  NewtonDirection out;
  Eigen::VectorXd x;
  if (!solve(m, g, x)) return out;
  out.positive_definite = true;
  out.decrement = 0.5 * g.dot(x);
  out.step = std::move(x);
  return out;
}

double decrement_noise(Eigen::SparseMatrix<double> const& m, Eigen::VectorXd const& variance, RandomStream& rng,
                       int probes) {
  return probed(m, variance.cwiseSqrt().asDiagonal(), rng, probes);
}

double decrement_noise(Eigen::SparseMatrix<double> const& m, Eigen::MatrixXd const& covariance, RandomStream& rng,
                       int probes) {
  // A = V√Λ: a covariance estimated from few draws may be singular.
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> const eigen(covariance);
  Eigen::MatrixXd const a = eigen.eigenvectors() * eigen.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
  return probed(m, a, rng, probes);
}

}  // namespace bbvi
