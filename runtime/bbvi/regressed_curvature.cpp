#include "runtime/bbvi/regressed_curvature.hpp"

#include "runtime/evaluate.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <Eigen/SparseCore>

#include <algorithm>
#include <cmath>

namespace bbvi {

// M̂ with each eigenvalue λ raised to 2 se(λ) where it is below that. vᵀM̂v
// is linear in the regression's curvature coefficients c (M_ii =
// (1 − 2c_ii)/s_i², M_ij = −c_ij/(s_i s_j)), so its variance is aᵀ Cov(c) a.
// `covariance`: of every coefficient, in the regression's order.
Eigen::SparseMatrix<double> RegressedCurvature::cautious(Eigen::SparseMatrix<double> const& m, Eigen::VectorXd const& sd,
                                                       Eigen::MatrixXd const& covariance) const {
  Eigen::Index const L = m.rows(), first = 1 + L;
  Eigen::Index const curvature_coefficients = L + static_cast<Eigen::Index>(pairs_.size());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> const eigen{Eigen::MatrixXd(m)};
  Eigen::VectorXd values = eigen.eigenvalues();
  Eigen::MatrixXd const& vectors = eigen.eigenvectors();
  Eigen::MatrixXd const c = covariance.block(first, first, curvature_coefficients, curvature_coefficients);
  for (Eigen::Index e = 0; e < L; ++e) {
    Eigen::VectorXd a(curvature_coefficients);
    for (Eigen::Index i = 0; i < L; ++i) a[i] = -2 * vectors(i, e) * vectors(i, e) / (sd[i] * sd[i]);
    for (std::size_t p = 0; p < pairs_.size(); ++p) {
      Eigen::Index const i = static_cast<Eigen::Index>(pairs_[p].first), j = static_cast<Eigen::Index>(pairs_[p].second);
      a[L + static_cast<Eigen::Index>(p)] = -2 * vectors(i, e) * vectors(j, e) / (sd[i] * sd[j]);
    }
    values[e] = std::max(values[e], 2 * std::sqrt(std::max(0.0, a.dot(c * a))));
  }
  return (vectors * values.asDiagonal() * vectors.transpose()).sparseView();
}

RegressedCurvature::RegressedCurvature(Program const& program, Blankets const& blankets,
                                       std::vector<bool> const& eligible) {
  std::vector<int> row_of(blankets.groups.size(), -1);
  for (std::size_t g = 0; g < blankets.groups.size(); ++g) {
    FactorGroup const& group = blankets.groups[g];
    if (!eligible[g] || group.latent_elements.size() != 1) continue;
    if (auto const c = location_of(program, group.latent_elements[0])) {
      row_of[g] = static_cast<int>(rows_.size());
      rows_.push_back(Row{*c, group.latent_elements[0]});
    }
  }
  if (rows_.empty()) return;
  std::vector<std::vector<int>> const near = neighbours(blankets);
  for (std::size_t g = 0; g < blankets.groups.size(); ++g) {
    if (row_of[g] < 0) {
      for (Eigen::Index c : blankets.groups[g].coordinates) others_.push_back(c);
      continue;
    }
    for (int h : near[g])
      if (int const other = row_of[static_cast<std::size_t>(h)]; other > row_of[g])
        pairs_.emplace_back(static_cast<std::size_t>(row_of[g]), static_cast<std::size_t>(other));
  }
  std::sort(pairs_.begin(), pairs_.end());
  pairs_.erase(std::unique(pairs_.begin(), pairs_.end()), pairs_.end());
}

std::vector<std::size_t> RegressedCurvature::elements() const {
  std::vector<std::size_t> out;
  for (Row const& r : rows_) out.push_back(r.element);
  return out;
}

std::size_t RegressedCurvature::regressors() const {
  std::size_t const k = 1 + 2 * rows_.size() + pairs_.size() + others_.size();
  return rows_.empty() || k > max_regressors ? 0 : k;
}

LocationCoupling RegressedCurvature::measure(Program const& program, Draws const& d) const {
  LocationCoupling out;
  Eigen::Index const S = d.scores.rows();
  Eigen::Index const k = static_cast<Eigen::Index>(regressors());
  if (k == 0 || k + 2 > S) return out;
  std::size_t const L = rows_.size();
  // Each factor's sd, from its two-point rule (m ± s).
  std::vector<std::vector<QuadraturePoint>> const rules =
      guide_quadrature(program, d.u, std::vector<int>(program.latent_dimension, 2));
  Eigen::VectorXd sd(static_cast<Eigen::Index>(L));
  Eigen::MatrixXd x(S, k);
  x.col(0).setOnes();
  for (std::size_t i = 0; i < L; ++i) {
    Eigen::Index const at = static_cast<Eigen::Index>(i);
    double mean = 0, variance = 0;
    for (QuadraturePoint const& p : rules[rows_[i].element]) mean += p.weight * p.value;
    for (QuadraturePoint const& p : rules[rows_[i].element]) variance += p.weight * (p.value - mean) * (p.value - mean);
    sd[at] = std::sqrt(variance);
    // The location's score is u_i/s_i.
    x.col(1 + at) = d.scores.col(rows_[i].coordinate) * sd[at];
    x.col(1 + static_cast<Eigen::Index>(L) + at) = x.col(1 + at).array().square() - 1;
  }
  Eigen::Index col = 1 + 2 * static_cast<Eigen::Index>(L);
  for (auto const& [i, j] : pairs_)
    x.col(col++) = x.col(1 + static_cast<Eigen::Index>(i)).cwiseProduct(x.col(1 + static_cast<Eigen::Index>(j)));
  for (Eigen::Index o : others_) x.col(col++) = d.scores.col(o);

  Eigen::VectorXd const f = d.elbo_terms();
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> const qr(x);
  Eigen::VectorXd const fit = qr.solve(f);
  Eigen::VectorXd const residual = f - x * fit;
  Eigen::MatrixXd const gram_inverse = (x.transpose() * x).ldlt().solve(Eigen::MatrixXd::Identity(k, k));
  // The slopes of least squares carry an O(1/S) bias that would decide
  // where averaged steps settle. Each draw's control variates taken from the
  // fit without it make the gradient unbiased: with β₋ₛ that fit, E[f uᵢ] is
  // the mean of (f_s − x_sᵀβ₋ₛ) u_si + β₋ₛ,ᵢ (E[uᵢ²] = 1, and uᵢ is
  // orthogonal to every other regressor), and f_s − x_sᵀβ₋ₛ = e_s/(1 − h_s)
  // with h_s the draw's leverage.
  Eigen::MatrixXd const spread = x * gram_inverse;  // row s: (XᵀX)⁻¹x_s
  Eigen::ArrayXd const leverage = spread.cwiseProduct(x).rowwise().sum().array();
  bool const unbiased = (leverage < 1 - 1e-9).all();
  Eigen::ArrayXd const left_out = residual.array() / (1 - leverage);

  out.dof = static_cast<double>(S - k);
  out.gradient.resize(static_cast<Eigen::Index>(L));
  out.gradient_variance.resize(static_cast<Eigen::Index>(L));
  double const residual_variance = residual.squaredNorm() / out.dof;
  std::vector<Eigen::Triplet<double>> entries;
  for (std::size_t i = 0; i < L; ++i) {
    Eigen::Index const at = static_cast<Eigen::Index>(i), c = 1 + at;
    out.coordinates.push_back(rows_[i].coordinate);
    if (unbiased) {
      Eigen::ArrayXd const terms = left_out * x.col(c).array() + (fit[c] - spread.col(c).array() * left_out);
      double const mean = terms.mean();
      out.gradient[at] = mean / sd[at];
      out.gradient_variance[at] =
          (terms - mean).square().sum() / static_cast<double>(S - 1) / static_cast<double>(S) / (sd[at] * sd[at]);
    } else {
      out.gradient[at] = fit[c] / sd[at];
      out.gradient_variance[at] = residual_variance * gram_inverse(c, c) / (sd[at] * sd[at]);
    }
    // E[f (u² − 1)] is twice the coefficient: E[(u² − 1)²] = 2.
    entries.emplace_back(at, at, (1 - 2 * fit[1 + static_cast<Eigen::Index>(L) + at]) / (sd[at] * sd[at]));
  }
  col = 1 + 2 * static_cast<Eigen::Index>(L);
  for (auto const& [i, j] : pairs_) {
    Eigen::Index const a = static_cast<Eigen::Index>(i), b = static_cast<Eigen::Index>(j);
    double const value = -fit[col++] / (sd[a] * sd[b]);
    entries.emplace_back(a, b, value);
    entries.emplace_back(b, a, value);
  }
  out.curvature.resize(static_cast<Eigen::Index>(L), static_cast<Eigen::Index>(L));
  out.curvature.setFromTriplets(entries.begin(), entries.end());
  out.cautious_curvature = cautious(out.curvature, sd, residual_variance * gram_inverse);
  return out;
}

}  // namespace bbvi
