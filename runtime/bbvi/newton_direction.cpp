#include "runtime/bbvi/newton_direction.hpp"

#include <Eigen/Eigenvalues>

#include <cmath>

namespace bbvi {

namespace {

// Conjugate gradients on M, preconditioned by its diagonal. Its vectors are
// kept from solve to solve: the stopping rule's probes solve many small
// systems, whose cost was otherwise mostly allocation.
class ConjugateGradients {
 public:
  explicit ConjugateGradients(Eigen::SparseMatrix<double> const& m) : m_(m) {
    Eigen::VectorXd const diagonal = m.diagonal();
    usable_ = (diagonal.array() > 0).all();
    if (usable_) inverse_diagonal_ = diagonal.cwiseInverse();
  }

  // x = M⁻¹g; false at a direction of non-positive curvature.
  bool solve(Eigen::VectorXd const& g, Eigen::VectorXd& x) {
    if (!usable_ || !g.allFinite()) return false;
    Eigen::Index const n = g.size();
    x = Eigen::VectorXd::Zero(n);
    r_ = g;
    z_ = inverse_diagonal_.cwiseProduct(r_);
    p_ = z_;
    double rz = r_.dot(z_);
    double const start = rz;
    // Exact arithmetic ends in n iterations; rounding on an ill-conditioned M
    // (a ridge) may take a few more.
    for (Eigen::Index k = 0; k < 2 * n + 20 && rz > 1e-24 * start && rz > 0; ++k) {
      mp_.noalias() = m_ * p_;
      double const curvature = p_.dot(mp_);
      if (!(curvature > 0)) return false;
      double const alpha = rz / curvature;
      x += alpha * p_;
      r_ -= alpha * mp_;
      z_ = inverse_diagonal_.cwiseProduct(r_);
      double const next = r_.dot(z_);
      p_ = z_ + (next / rz) * p_;
      rz = next;
    }
    return x.allFinite();
  }

 private:
  Eigen::SparseMatrix<double> const& m_;
  Eigen::VectorXd inverse_diagonal_, r_, z_, p_, mp_;
  bool usable_ = false;
};

// The mean over `probes` of ½ ξᵀM⁻¹ξ, ξ = A·(random signs): E ξξᵀ = AAᵀ.
template <typename Factor>
double probed(Eigen::SparseMatrix<double> const& m, Factor const& a, RandomStream& rng, int probes) {
  double sum = 0;
  ConjugateGradients solver(m);
  Eigen::VectorXd signs(a.cols()), xi, y;
  for (int k = 0; k < probes; ++k) {
    for (Eigen::Index i = 0; i < signs.size(); ++i) signs[i] = rng() & 1 ? 1.0 : -1.0;
    xi = a * signs;
    if (!solver.solve(xi, y)) return HUGE_VAL;
    sum += 0.5 * xi.dot(y);
  }
  return sum / probes;
}

}  // namespace

NewtonDirection newton_direction(Eigen::SparseMatrix<double> const& m, Eigen::VectorXd const& g) {
  NewtonDirection out;
  Eigen::VectorXd x;
  if (!ConjugateGradients(m).solve(g, x)) return out;
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
