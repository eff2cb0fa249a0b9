#pragma once
// A colour's local expectations without a log-joint evaluation per point
// (docs/method.md, 'Local expectations from the rows'). Where every term in
// the blankets of a colour's groups is either the element's own factor,
// whose arguments do not read it, or a row of a Normal whose mean η is
// affine in it (eight schools' theta[school[n]] = mu + tau * eta[school[n]],
// in mu, in tau and in each eta), a group's blanket terms at any point t of
// its element e are, exactly,
//   T(t) = T(z_e) + A (t − z_e) + ½ B (t − z_e)² + Σ_own [log p(t | ·) − log p(z_e | ·)],
// with A = Σ_n ℓ′_n c_n and B = Σ_n ℓ″_n c_n² over the rows reading e, ℓ′
// and ℓ″ the row's log density's derivatives in η at the draw and c_n =
// ∂η_n/∂z_e. The derivatives come once a draw for every colour; a colour's
// columns from one evaluation of the means with its elements moved by one
// (affine, and no row reads two elements of one colour). An own factor that
// is a Normal whose arguments read other latents joins A and B instead of
// the last sum, as a row with c = −1: its density is quadratic in t − η.
// A row whose sd is the element adds −n log(t/z_e) − Q (1/t² − 1/z_e²)
// (RowsColour::scales); a dense regression reduced to its statistics, its
// sum's change (RowsColour::affine_scales). A row that reads the element
// only in the condition of a `?:`, comparing it with what reads no other of
// the colour's elements (a changepoint's y ~ Poisson(t < tau ? e : l), or
// its rate a local with that value),
// takes one of two values whatever the point: each is evaluated once a draw,
// and a point's sum is a prefix sum over the points in order
// (RowsColour::thresholds).
#include "runtime/bbvi/blankets.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/distributions/quadrature.hpp"
#include "runtime/program.hpp"
#include "runtime/program_walk.hpp"

#include <cstddef>
#include <deque>
#include <map>
#include <utility>
#include <vector>

namespace bbvi {

struct RowsColour {
  bool by_rows = false;  // false: its points are evaluated, a log-joint evaluation each
  // A Normal some of whose rows' means read one of the colour's elements:
  // by row, the local group (an index into LocalPlan::groups) whose element
  // it reads, or −1.
  struct Likelihood {
    std::size_t statement = 0;
    std::vector<int> local_of_row;
  };
  std::vector<Likelihood> likelihoods;
  // A Normal some of whose rows' sd is one of the colour's elements itself, a
  // scalar latent (y ~ Normal(mu, sigma); a centred hierarchy's theta ~
  // Normal(mu, tau)), the mean not reading it: by row, as above. Its terms
  // in σ are −log σ − k r²/σ² (DistributionEntry::scale_argument), so a
  // point needs only the draw's Σ k r².
  std::vector<Likelihood> scales;
  // A Normal reduced to a dense regression's statistics (Factor::affine)
  // whose sd is one of the colour's elements, a scalar latent, the mean not
  // reading it (an autoregression's y[2:N] ~ Normal(alpha + beta * y[1:(N -
  // 1)], sigma)): (statement, local group). A point's terms are its
  // log_density_sum there, O(K²) for K coefficients.
  std::vector<std::pair<std::size_t, std::size_t>> affine_scales;
  // A factor whose value is some of the colour's elements: (row, local group).
  struct Own {
    std::size_t statement = 0;
    std::vector<std::pair<std::size_t, std::size_t>> rows;
    // Its arguments where they read no latent (a fixed prior's), evaluated
    // once; empty where they are evaluated at each draw.
    std::vector<Value<double>> fixed;
  };
  std::vector<Own> own;
  // A factor that reads one of the colour's elements only in the condition
  // of one `?:`, reached through element-wise operations, the condition
  // comparing the element with a bound that reads none of the colour, the
  // branches none either: each row's term is one of two values at any point.
  struct Threshold {
    std::size_t statement = 0;
    std::size_t local = 0;     // the local group whose element it reads
    std::size_t argument = 0;  // the evaluated argument holding the `?:`
    Node when_true, when_false;  // that argument with the `?:` replaced by each branch
    Node::Op comparison = Node::Op::less;  // element `comparison` bound
    Node bound;
  };
  std::vector<Threshold> thresholds;
};

// Whether the colour (indices into `groups`, whose elements are `element`)
// can be taken from the rows, and how; `statements` are the ones its points
// change (LocalPlan::colour_statements), `model` the model's walk.
RowsColour plan_rows(Program const& program, ProgramWalk const& model, Blankets const& blankets,
                     std::vector<int> const& groups, std::vector<std::size_t> const& element,
                     std::vector<std::size_t> const& colour, std::vector<bool> const& statements);

// One draw's η, ℓ′ and −ℓ″ by row of each likelihood, made on first use.
// Kept from draw to draw (start() begins the next), so that its frame and
// buffers are made once, not at every draw.
class RowsAtDraw {
 public:
  explicit RowsAtDraw(Program const& program) : program_(program), evaluator_(program) {}

  // The draw whose rows at() reads from now on; `z` outlives its use.
  void start(std::vector<double> const& z) {
    z_ = &z;
    used_ = 0;
  }

  struct Likelihood {
    Value<double> eta;
    std::vector<double> slope, curvature;  // ℓ′ and −ℓ″ in η
  };
  // Throws DomainError where the model rejects the draw's arguments.
  Likelihood const& at(std::size_t statement);

  // evaluate_in_model at this draw or near it, on one frame kept for all.
  Value<double> evaluate(std::vector<double> const& z, std::size_t statement, Node const& node) {
    return evaluator_(z, statement, node);
  }

 private:
  Program const& program_;
  std::vector<double> const* z_ = nullptr;
  // By statement, in the order this draw first asked: the first used_ are
  // this draw's; the rest keep their buffers for the next. A deque: what
  // at() returned stays where it is while later statements are made.
  std::deque<std::pair<std::size_t, Likelihood>> made_;
  std::size_t used_ = 0;
  std::vector<Value<double>> computed_;
  std::vector<Value<double> const*> values_;
  std::vector<double const*> pointers_;
  ModelEvaluator evaluator_;
};

// The buffers blanket_changes fills, kept by the caller from draw to draw.
struct RowsScratch {
  std::vector<double> moved, slope, second, count, squares;
  std::vector<Value<double>> arguments;
  std::vector<double> when_true, when_false, sorted, steps;
  std::vector<std::size_t> order;
  std::vector<int> rejected;
  // A factor's terms at a group's points where its arguments are fixed (a
  // Categorical prior's), by (statement, row): the same at every draw of an
  // iteration, whose points are the same, so made at the first draw that
  // meets these points and kept. A Categorical's check of its simplex at each
  // point was an eighth of a changepoint's iteration.
  struct AtPoints {
    std::vector<double> points, terms;
  };
  std::map<std::pair<std::size_t, std::size_t>, AtPoints> fixed_at_points;
};

// T(t) − T(z_e) at each of its points, by local group of the colour, into
// `change` (indexed as LocalPlan::groups; the colour's entries resized);
// with `columns`, each likelihood's column c_n by row too (zero where the
// row reads none of the colour's elements). Throws DomainError where the
// model rejects a point.
void blanket_changes(Program const& program, RowsColour const& colour_rows, std::vector<std::size_t> const& colour,
                     std::vector<std::size_t> const& element,
                     std::vector<std::vector<QuadraturePoint>> const& points, std::vector<double> const& z,
                     RowsAtDraw& draw, RowsScratch& scratch, std::vector<std::vector<double>>& change,
                     std::vector<std::vector<double>>* columns = nullptr);

}  // namespace bbvi
