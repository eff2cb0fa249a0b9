// tests/runtime/block_diagonal_test.cpp tests runtime/bbvi/block_diagonal.hpp:
// every operation agrees with the same dense matrix, whose zeros it never holds.
#include "runtime/bbvi/block_diagonal.hpp"

#include <Eigen/Dense>  // the dense inverse to compare with
#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

using namespace bbvi;

namespace {

// Blocks {3, 0} and {1}, in 5 coordinates: 2 and 4 are in none, and a
// block's coordinates need not be in order.
std::shared_ptr<BlockLayout const> layout() {
  auto l = std::make_shared<BlockLayout>();
  l->dimension = 5;
  l->blocks = {{3, 0}, {1}};
  return l;
}

BlockDiagonal example(double scale) {
  BlockDiagonal m(layout());
  m.block(0) << 4 * scale, 1, 1, 3 * scale;  // rows and columns 3, 0
  m.block(1) << 2 * scale;
  return m;
}

Eigen::VectorXd vector5() { return (Eigen::VectorXd(5) << 1, -2, 3, 0.5, 7).finished(); }

}  // namespace

TEST_CASE("block diagonal: the dense matrix has each block at its coordinates and zeros elsewhere") {
  Eigen::MatrixXd const d = example(1).dense();
  CHECK(d(3, 3) == 4);
  CHECK(d(0, 0) == 3);
  CHECK(d(3, 0) == 1);
  CHECK(d(0, 3) == 1);
  CHECK(d(1, 1) == 2);
  CHECK(d(2, 2) == 0);
  CHECK(d(1, 0) == 0);
  CHECK(d.cwiseAbs().sum() == 11);
}

TEST_CASE("block diagonal: products, quadratic forms, diagonal and trace agree with the dense matrix") {
  BlockDiagonal const a = example(1), b = example(2);
  Eigen::VectorXd const v = vector5();
  CHECK((a * v).isApprox(a.dense() * v));
  CHECK(a.quadratic(v) == Approx(v.dot(a.dense() * v)));
  CHECK(a.diagonal() == a.dense().diagonal());
  CHECK(a.trace() == a.dense().trace());
  CHECK((a * b).dense().isApprox(a.dense() * b.dense()));
  CHECK((a + b).dense() == a.dense() + b.dense());
  CHECK((a * 3.0).dense() == 3 * a.dense());
  CHECK((a / 2.0).dense() == a.dense() / 2);
  CHECK(a.left_multiply(v.transpose()).isApprox(v.transpose() * a.dense()));
  BlockDiagonal sum = a.zero_like();
  sum += b;
  CHECK(sum.dense() == b.dense());
}

TEST_CASE("block diagonal: the inverse, inverse quadratic form and Cholesky factor, block by block") {
  BlockDiagonal const a = example(1);
  Eigen::MatrixXd const inverse = a.inverse(false).dense();
  // On the blocks' coordinates the inverse is the dense one's; elsewhere zero.
  Block const covered{0, 1, 3};
  Eigen::MatrixXd const expected = Eigen::MatrixXd(a.dense()(covered, covered)).inverse();
  CHECK(inverse(covered, covered).isApprox(expected));
  CHECK(inverse(2, 2) == 0);
  Eigen::VectorXd v = vector5();
  v[2] = v[4] = 0;  // a coordinate in no block has no information
  CHECK(a.inverse_quadratic(v) == Approx(v(covered).dot(expected * v(covered))));
  // A ridge of 10⁻¹⁰ of each diagonal barely moves it.
  CHECK(a.inverse(true).dense().isApprox(inverse, 1e-9));

  // Coordinates in no block have no Cholesky factor; with every coordinate
  // in a block, L Lᵀ is the matrix.
  BlockDiagonal lower;
  CHECK_FALSE(a.cholesky(lower));
  BlockDiagonal const full((Eigen::MatrixXd(2, 2) << 4, 1, 1, 3).finished());
  REQUIRE(full.cholesky(lower));
  CHECK((lower.dense() * lower.dense().transpose()).isApprox(full.dense()));
}

TEST_CASE("block diagonal: matrices of different blocks meet as one dense block") {
  BlockDiagonal const a = example(1);
  BlockDiagonal const whole(Eigen::MatrixXd(Eigen::MatrixXd::Constant(5, 5, 0.5)));
  BlockDiagonal const product = a * whole;
  CHECK(product.block_count() == 1);
  CHECK(product.dense().isApprox(a.dense() * whole.dense()));
  BlockDiagonal sum = a;
  sum += whole;
  CHECK(sum.dense() == a.dense() + whole.dense());
  CHECK(BlockDiagonal().empty());
  CHECK_FALSE(a.empty());
}
