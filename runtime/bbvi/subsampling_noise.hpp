#pragma once
// A subsampled iteration's estimate with the batch's own noise in its
// covariances (docs/method.md, 'Subsampled fits'). All the draws read the
// same batch, so their spread says nothing of how another batch would move
// the estimate. So the batch is split at random into K groups, each the
// model on its rows standing for all N, and the estimator is run on each at
// the iteration's own draws: the spread of the K estimates, over K, is the
// batch's noise. It is added to the estimate's covariances, so that the
// step's tests of noise and the stopping rule see it.
#include "runtime/bbvi/estimators/estimator.hpp"
#include "runtime/bbvi/options.hpp"
#include "runtime/bbvi/plan.hpp"
#include "runtime/bbvi/row_batches.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace bbvi {

// The groups a batch is split into: enough for the spread to be measured
// with K − 1 degrees of freedom, each of at least two rows.
std::size_t batch_groups(std::size_t batch);

// An estimator on one batch whose estimates carry that noise.
class SubsampledEstimator final : public GradientEstimator {
 public:
  // `inner` estimates on batches.program_on(rows), iteration t's batch
  // drawn with `seed`; the groups are planned with `planning`, which names
  // the fit's estimator and draws. `inner` and `batches` outlive this.
  SubsampledEstimator(GradientEstimator& inner, RowBatches const& batches, std::vector<std::size_t> const& rows,
                      FitOptions const& planning, std::uint64_t seed, std::uint64_t iteration);
  ~SubsampledEstimator() override;

  DrawNeeds needs() const override { return inner_.needs(); }
  std::size_t largest_block() const override { return inner_.largest_block(); }
  bool regresses() const override { return inner_.regresses(); }
  std::size_t curvature_regressors() const override { return inner_.curvature_regressors(); }
  std::size_t coupled_locations() const override { return inner_.coupled_locations(); }
  std::string describe() const override { return inner_.describe(); }
  std::string_view group_note(std::size_t group) const override { return inner_.group_note(group); }
  GradientEstimate estimate(Draws const& d) override;
  GradientEstimate unbiased(Draws const& d, GradientEstimate first, BlockDiagonal const& fisher) override;
  void end_iteration() override { inner_.end_iteration(); }
  // The log-joint evaluations its groups have made so far, which the draws'
  // own count leaves out.
  long evaluations() const { return evaluations_; }

 private:
  struct Group;
  // The groups' estimates at the draws' own points, and their spread.
  void measure(Draws const& d);
  void add_noise(GradientEstimate& e) const;

  GradientEstimator& inner_;
  std::vector<std::unique_ptr<Group>> groups_;
  double sampled_ = 0;  // B/N
  std::string file_;
  Eigen::MatrixXd natural_noise_;   // of the natural gradient, P × P
  Eigen::MatrixXd location_noise_;  // of the locations' gradient, where the estimates have one
  double elbo_noise_ = 0;
  long evaluations_ = 0;
  GradientEstimate without_;  // the last estimate, without the batch's noise
};

}  // namespace bbvi
