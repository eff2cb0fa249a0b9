#pragma once
// The coupled step's cross-curvature between locations of two colours taken
// from the rows (docs/method.md, 'The cross-curvature from the rows'). Where
// a Normal row's mean η_n is affine in elements z_i and z_j of two such
// colours, jointly (no product of the two), the log-joint's cross second
// derivative is Σ_n ℓ″_n c_n^i c_n^j over the rows reading both, with the
// columns c = ∂η_n/∂z that the colours' own evaluations make already
// (local_rows.hpp); where z_i is the row's value instead, its density a
// function of value − mean, it is −ℓ″_n c_n^j. Its mean over the draws is M_ij: exact at each draw, its
// Monte-Carlo error only that of the other latents the columns and ℓ″ read
// (a group scale multiplying the element, a noise scale). A regression of
// the local gradients on the neighbours' scores measures the same M with
// the error of a regression, and needs twice its regressors in draws.
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/local_rows.hpp"
#include "runtime/program.hpp"
#include "runtime/program_walk.hpp"

#include <Eigen/Core>

#include <cstddef>
#include <utility>
#include <vector>

namespace bbvi {

struct RowsCoupling {
  // The pairs of local groups (indices into LocalPlan::groups, low first)
  // whose elements share a row; empty where some pair of `located` groups
  // shares a term that is not such a row, whose coupling the rows miss.
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  // A statement some of whose rows read an element of each of two colours:
  // in the mean for both, or one as the row's value (a prior such as
  // theta ~ Normal(mu, tau), its mean reading the other).
  struct Shared {
    enum class Value { neither, a, b };  // which element, if either, is the row's value
    std::size_t statement = 0;
    Value value = Value::neither;
    std::size_t colour_a = 0, likelihood_a = 0;  // its index in each colour's RowsColour::likelihoods
    std::size_t colour_b = 0, likelihood_b = 0;  // (unused for the value's colour)
    std::vector<std::pair<std::size_t, std::size_t>> rows;  // (row, index into pairs)
  };
  std::vector<Shared> shared;
  bool empty() const { return pairs.empty(); }
};

// `located`, by local group: the groups whose couplings are wanted (a
// Normal guide's location); `colours` and `rows` as in LocalPlan.
RowsCoupling plan_rows_coupling(Program const& program, ProgramWalk const& walk, Blankets const& blankets,
                                std::vector<int> const& groups, std::vector<std::size_t> const& element,
                                std::vector<std::vector<std::size_t>> const& colours,
                                std::vector<RowsColour> const& rows, std::vector<bool> const& located);

// One draw's −Σ_n ℓ″_n c_n^i c_n^j by pair into `out`. `columns`: by colour
// and by likelihood of it, each row's column (blanket_changes).
void row_couplings(RowsCoupling const& coupling, std::vector<std::vector<std::vector<double>>> const& columns,
                   RowsAtDraw& draw, Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>> out);

}  // namespace bbvi
