#include "runtime/bbvi/newton_direction.hpp"

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

// The mean over `probes` of ½ measure(ξ, y), y = M⁻¹ξ, ξ random signs times √V.
template <typename Measure>
double probed(Eigen::SparseMatrix<double> const& m, Eigen::VectorXd const& variance, RandomStream& rng, int probes,
              Measure measure) {
  double sum = 0;
  Eigen::VectorXd xi(variance.size()), y;
  for (int k = 0; k < probes; ++k) {
    for (Eigen::Index i = 0; i < xi.size(); ++i) xi[i] = (rng() & 1 ? 1.0 : -1.0) * std::sqrt(variance[i]);
    if (!solve(m, xi, y)) return HUGE_VAL;
    sum += 0.5 * measure(xi, y);
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
  return probed(m, variance, rng, probes, [](Eigen::VectorXd const& xi, Eigen::VectorXd const& y) { return xi.dot(y); });
}

double newton_noise(Eigen::SparseMatrix<double> const& m, Eigen::VectorXd const& variance,
                    Eigen::VectorXd const& fisher, RandomStream& rng, int probes) {
  return probed(m, variance, rng, probes,
                [&](Eigen::VectorXd const&, Eigen::VectorXd const& y) { return y.dot(fisher.cwiseProduct(y)); });
}

}  // namespace bbvi
