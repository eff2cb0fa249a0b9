#pragma once
// A model's `y ~ Normal(E, S)` over a data column y, with E jointly affine in
// a few latent elements that every row reads (a dense linear regression) and
// S the same in every row: its log density over the N rows depends on the
// data only through N, CᵀC, Cᵀr and rᵀr (C: E's coefficient columns, r: the
// residuals at a reference point), taken once when the model is lowered. A
// draw then costs O(K²) for K coefficients, not O(N·K) (docs/method.md,
// 'Cost follows the graph').
#include <Eigen/Core>

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

namespace bbvi {

struct Program;
struct Node;

struct AffineNormal {
  std::vector<std::size_t> elements;  // the latent elements E reads: indices into a draw z
  // The statistics are taken about z̄, near the least-squares fit, and with
  // each column centred: Σ (y − E(z))² is then a small quadratic added to a
  // small residual sum, not a difference of sums of squares of the size of
  // y² and of the predictors' squares (x ≈ 2000: 4·10⁶ a row), which would
  // cancel away the digits that matter near the data.
  Eigen::VectorXd reference;         // z̄, by element
  double rows = 0;                   // N
  double mean_residual = 0;          // r̄, the mean of r_n = y_n − E_n(z̄)
  double residual_deviations = 0;    // Σ (r_n − r̄)²
  Eigen::VectorXd column_means;      // m_j, the mean of E's coefficient column j
  Eigen::VectorXd cross;             // Σ_n (C_nj − m_j)(r_n − r̄)
  Eigen::MatrixXd gram;              // Σ_n (C_ni − m_i)(C_nj − m_j)

  // Σ_n log Normal(y_n | E_n(z), sd). With d = z − z̄,
  //   Σ (y − E(z))² = Σ (r̃ − C̃d)² + N (r̄ − m·d)²,
  // r̃ and C̃ centred, so the cross terms are zero.
  double log_density_sum(std::vector<double> const& z, double sd) const;
  // What that sum reads of z: Normal's statistics of the column there,
  // {N, r̄, Σ (r̃ − C̃d)²}, and the mean m·d they are read against; so that
  // the sum at many sds and one z (a local expectation's points in the sd)
  // costs them once.
  struct Column {
    std::array<double, 3> statistics;
    double mean = 0;
  };
  Column column_at(std::vector<double> const& z) const;
  static double log_density_sum(Column const& column, double sd);
  // Its expectation over independent Normal elements, element j's mean
  // z[elements[j]] and sd sds[j]: E[dᵀAd] = d̄ᵀAd̄ + Σ_j A_jj s_j² with
  // A = C̃ᵀC̃ + N m mᵀ, so the sum at the means less ½ Σ_j A_jj s_j² / sd².
  double expected_log_density_sum(std::vector<double> const& z, Eigen::VectorXd const& sds, double sd) const;
  // The sum's gradient in the elements, (C̃ᵀr̃ − C̃ᵀC̃d + N m (r̄ − m·d)) / sd²,
  // by element in the order of `elements`.
  Eigen::VectorXd log_density_gradient(std::vector<double> const& z, double sd) const;
  // A = C̃ᵀC̃ + N m mᵀ: the sum's Hessian in the elements is −A / sd².
  Eigen::MatrixXd quadratic_form() const;
};

// The most latent elements a reduced statement's mean may read: CᵀC is
// K × K, and a mean reading more is not a dense regression worth it.
constexpr std::size_t max_affine_elements = 64;

// The latent elements `node` (an argument of a model statement, `rows`
// elements) reads, sorted, where it is affine in them in each element and
// every element reads the same ones, at most max_affine_elements.
std::optional<std::vector<std::size_t>> shared_affine_elements(Program const& program, Node const& node,
                                                               std::size_t rows);

// Such a node's value at z = 0 and its coefficient columns, one per element
// read: node_n(z) = at_zero_n + Σ_j columns_nj z_{elements[j]}, as the model
// statement `statement` computes it (its locals before it defined). Throws
// DomainError where a local's bounds reject those points.
struct AffineColumns {
  Eigen::VectorXd at_zero;
  Eigen::MatrixXd columns;
};
AffineColumns affine_columns(Program const& program, std::size_t statement, Node const& node, std::size_t rows,
                             std::vector<std::size_t> const& elements);

// Model statement `statement` reduced, or nullopt where it is not such a
// `~`: its left side not data, its distribution not Normal, its sd varying by
// row, its mean not affine in the latents (a product of two latent-dependent
// parts), reading more than max_affine_elements of them or not the same ones
// in every row (a hierarchical model's theta[group[n]]). The model's locals
// before it must be lowered; they are evaluated at a few draws here.
std::optional<AffineNormal> reduce_affine_normal(Program const& program, std::size_t statement);

}  // namespace bbvi
