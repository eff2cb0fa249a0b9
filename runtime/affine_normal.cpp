#include "runtime/affine_normal.hpp"

#include "core/row_blocks.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/distributions/normal.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/polynomial_degree.hpp"
#include "runtime/program_walk.hpp"

#include <Eigen/QR>  // CompleteOrthogonalDecomposition

#include <algorithm>
#include <cmath>

namespace bbvi {

std::optional<std::vector<std::size_t>> shared_affine_elements(Program const& program, Node const& node,
                                                               std::size_t rows) {
  ProgramWalk const walk = ProgramWalk::of_model(program);
  std::vector<std::size_t> first;
  for (std::size_t k = 0; k < rows; ++k) {
    std::vector<std::size_t> reads;
    PolynomialDegree degree{std::nullopt, &reads};
    if (walk.operand(node, k, degree) > 1) return std::nullopt;
    std::sort(reads.begin(), reads.end());
    reads.erase(std::unique(reads.begin(), reads.end()), reads.end());
    if (k == 0) {
      if (reads.empty() || reads.size() > max_affine_elements) return std::nullopt;
      first = std::move(reads);
    } else if (reads != first) {
      return std::nullopt;
    }
  }
  return first;
}

AffineColumns affine_columns(Program const& program, std::size_t statement, Node const& node, std::size_t rows,
                             std::vector<std::size_t> const& elements) {
  std::vector<double> z(program.latent_dimension, 0.0);
  Eigen::Index const N = static_cast<Eigen::Index>(rows);
  auto const here = [&] {
    Value<double> const at = evaluate_in_model(program, z, statement, node);
    Eigen::VectorXd e(N);
    for (Eigen::Index n = 0; n < N; ++n) e[n] = at.at(static_cast<std::size_t>(n));
    return e;
  };
  // From the node at 0 and at each unit vector: it is affine, so these are
  // exact to its own rounding.
  AffineColumns out{here(), Eigen::MatrixXd(N, static_cast<Eigen::Index>(elements.size()))};
  for (std::size_t j = 0; j < elements.size(); ++j) {
    z[elements[j]] = 1;
    out.columns.col(static_cast<Eigen::Index>(j)) = here() - out.at_zero;
    z[elements[j]] = 0;
  }
  return out;
}

namespace {

// The point near the least-squares fit where the residuals are taken: any
// point gives the same quadratic in exact arithmetic, and one near the fit
// keeps its terms small. Solved with the columns scaled to unit size, which
// an uncentred predictor's column is far from.
Eigen::VectorXd near_fit(AffineNormal const& s, double mean_residual, Eigen::VectorXd const& cross) {
  Eigen::MatrixXd normal = s.gram + s.rows * s.column_means * s.column_means.transpose();
  Eigen::VectorXd scale(normal.rows());
  for (Eigen::Index j = 0; j < normal.rows(); ++j) scale[j] = normal(j, j) > 0 ? 1 / std::sqrt(normal(j, j)) : 1;
  normal = scale.asDiagonal() * normal * scale.asDiagonal();
  Eigen::VectorXd const rhs = scale.asDiagonal() * (cross + s.rows * mean_residual * s.column_means);
  Eigen::VectorXd fit = scale.asDiagonal() * Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd>(normal).solve(rhs);
  if (!fit.allFinite()) fit.setZero();
  return fit;
}

// The columns' means, C̃ᵀC̃, the residuals' mean and Σ r̃², and C̃ᵀr̃, in
// fixed row blocks (docs/method.md, 'Row blocks'). One block is centred on
// its own means; past one, every row is read against the first block's
// means, c₀ and r₀, in plain sums over the rows, and those are moved to the
// whole column's means: C̃ᵀC̃ = Σ (c − c₀)(c − c₀)ᵀ − n δ δᵀ with δ = c̄ − c₀,
// and alike for the others.
struct CentredSums {
  Eigen::VectorXd column_means;
  Eigen::MatrixXd gram;
  double mean_residual = 0;
  double residual_deviations = 0;
  Eigen::VectorXd cross;
};

CentredSums centred_sums(Eigen::MatrixXd const& columns, Eigen::VectorXd const& r) {
  Eigen::Index const n = columns.rows();
  Eigen::Index const first = std::min<Eigen::Index>(n, static_cast<Eigen::Index>(row_block));
  Eigen::RowVectorXd const c0 = columns.topRows(first).colwise().mean();
  double const r0 = r.head(first).mean();
  CentredSums out;
  out.column_means = Eigen::VectorXd::Zero(columns.cols());
  out.gram = Eigen::MatrixXd::Zero(columns.cols(), columns.cols());
  out.cross = Eigen::VectorXd::Zero(columns.cols());
  double residual_sum = 0;
  for (Eigen::Index a = 0; a < n; a += static_cast<Eigen::Index>(row_block)) {
    Eigen::Index const length = std::min<Eigen::Index>(n - a, static_cast<Eigen::Index>(row_block));
    Eigen::MatrixXd const c = columns.middleRows(a, length).rowwise() - c0;
    Eigen::VectorXd const d = r.segment(a, length).array() - r0;
    Eigen::MatrixXd const gram = c.transpose() * c;
    Eigen::VectorXd const cross = c.transpose() * d;
    if (a == 0) {
      out.column_means = c.colwise().sum().transpose();
      out.gram = gram;
      out.cross = cross;
      residual_sum = d.sum();
      out.residual_deviations = d.squaredNorm();
      continue;
    }
    out.column_means += c.colwise().sum().transpose();
    out.gram += gram;
    out.cross += cross;
    residual_sum += d.sum();
    out.residual_deviations += d.squaredNorm();
  }
  if (n <= first) {  // one block, centred on its own means: nothing to move
    out.column_means = c0.transpose();
    out.mean_residual = r0;
    return out;
  }
  double const rows = static_cast<double>(n);
  Eigen::VectorXd const delta = out.column_means / rows;
  double const residual_delta = residual_sum / rows;
  out.gram -= rows * delta * delta.transpose();
  out.cross -= rows * residual_delta * delta;
  out.residual_deviations -= rows * residual_delta * residual_delta;
  out.column_means = c0.transpose() + delta;
  out.mean_residual = r0 + residual_delta;
  return out;
}

}  // namespace

AffineNormal::Column AffineNormal::column_at(std::vector<double> const& z) const {
  Eigen::VectorXd d(reference.size());
  for (Eigen::Index j = 0; j < d.size(); ++j) d[j] = z[elements[static_cast<std::size_t>(j)]] - reference[j];
  double const deviations = residual_deviations - 2 * cross.dot(d) + d.dot(gram * d);
  return {{rows, mean_residual, deviations}, column_means.dot(d)};
}

// Normal's own sum over a column, {N, r̄, Σ (r̃ − C̃d)²} against m·d: the
// same checks of the sd, and the same constants, as the rows'.
double AffineNormal::log_density_sum(Column const& column, double sd) {
  return Normal::log_density_sum(column.statistics, column.mean, sd);
}

double AffineNormal::log_density_sum(std::vector<double> const& z, double sd) const {
  return log_density_sum(column_at(z), sd);
}

double AffineNormal::expected_log_density_sum(std::vector<double> const& z, Eigen::VectorXd const& sds,
                                              double sd) const {
  double const spread =
      (gram.diagonal().array() + rows * column_means.array().square()).matrix().dot(sds.array().square().matrix());
  return log_density_sum(z, sd) - 0.5 * spread / (sd * sd);
}

Eigen::VectorXd AffineNormal::log_density_gradient(std::vector<double> const& z, double sd) const {
  Eigen::VectorXd d(reference.size());
  for (Eigen::Index j = 0; j < d.size(); ++j) d[j] = z[elements[static_cast<std::size_t>(j)]] - reference[j];
  return (cross - gram * d + rows * (mean_residual - column_means.dot(d)) * column_means) / (sd * sd);
}

Eigen::MatrixXd AffineNormal::quadratic_form() const {
  return gram + rows * column_means * column_means.transpose();
}

std::optional<AffineNormal> reduce_affine_normal(Program const& program, std::size_t statement) {
  auto const* f = std::get_if<Factor>(&program.model[statement]);
  if (!f || f->latent >= 0 || f->link_form || !f->statistics.empty() || f->distribution->signature.name != Normal::name)
    return std::nullopt;
  Node const& mean = f->args[0];
  Node const& sd = f->args[1];
  std::size_t const N = f->lhs_size;
  if (N == 0 || mean.size == 0 || sd.size != 0) return std::nullopt;
  std::optional<std::vector<std::size_t>> elements = shared_affine_elements(program, mean, N);
  if (!elements) return std::nullopt;

  AffineNormal s;
  s.elements = std::move(*elements);
  Eigen::Index const K = static_cast<Eigen::Index>(s.elements.size());
  Eigen::Index const rows = static_cast<Eigen::Index>(N);
  s.rows = static_cast<double>(N);
  std::vector<double> const& y = program.data[static_cast<std::size_t>(f->lhs_slot)].elements;
  std::vector<double> z(program.latent_dimension, 0.0);
  auto const place = [&](Eigen::VectorXd const& at) {
    for (Eigen::Index j = 0; j < K; ++j) z[s.elements[static_cast<std::size_t>(j)]] = at[j];
  };
  // E at the draw in z, as the rows compute it.
  auto const mean_here = [&] {
    Value<double> const at = evaluate_in_model(program, z, statement, mean);
    Eigen::VectorXd e(rows);
    for (Eigen::Index n = 0; n < rows; ++n) e[n] = at.at(static_cast<std::size_t>(n));
    return e;
  };
  Eigen::Map<Eigen::VectorXd const> const observed(y.data(), rows);
  try {
    auto [at_zero, columns] = affine_columns(program, statement, mean, N, s.elements);
    if (!at_zero.allFinite() || !columns.allFinite()) return std::nullopt;
    Eigen::VectorXd r = observed - at_zero;
    CentredSums const first = centred_sums(columns, r);
    s.column_means = first.column_means;
    s.gram = first.gram;
    s.reference = near_fit(s, first.mean_residual, first.cross);
    place(s.reference);
    r = observed - mean_here();
    if (!r.allFinite()) return std::nullopt;
    CentredSums const at_reference = centred_sums(columns, r);
    s.mean_residual = at_reference.mean_residual;
    s.residual_deviations = at_reference.residual_deviations;
    s.cross = at_reference.cross;
  } catch (DomainError const&) {
    return std::nullopt;  // a local's bounds reject these draws: the rows keep it
  }
  return s;
}

}  // namespace bbvi
