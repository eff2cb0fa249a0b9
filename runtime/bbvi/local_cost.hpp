#pragma once
// What a colour's points cost against a draw's own log-joint, and the draws
// of an iteration a costly colour is taken at (docs/method.md, 'Local
// expectations at some of the draws'). A colour whose points each evaluate
// every row (a Student-t's degrees of freedom, a changepoint's period inside
// a density call) would make an iteration many times a plain one's cost;
// taken at every k-th draw only, its gradient is the mean over those draws,
// with their covariance and their degrees of freedom: unbiased, and no less
// honest about its noise.
#include "runtime/bbvi/local_expectation.hpp"
#include "runtime/program.hpp"

#include <cstddef>
#include <vector>

namespace bbvi {

// The terms of the log-joint that the marked model statements evaluate: a
// row each, or one for a statement reduced to its statistics.
double terms_evaluated(Program const& program, std::vector<bool> const& statements);

// The fewest draws a costly colour is taken at: enough for its covariance.
inline constexpr std::size_t fewest_local_draws = 4;

// By colour, its stride k among an iteration's `samples` draws: it is taken
// at the draws whose index is a multiple of k. 1 for every colour while its
// points cost no more than the draws' own log-joints. Past that, the
// colours the plan lets thin (LocalPlan::terms_per_point) are thinned alike
// until they cost about that, but each keeps fewest_local_draws, and as
// many as `wanted` asks (by colour; empty: every draw, as at a fit's first
// iteration, which has measured no noise yet). A costly colour `wanted` at
// 0 draws has stride 0: it is taken at none, and its groups' slopes come
// from the regression.
std::vector<std::size_t> colour_strides(LocalPlan const& plan, LocalPoints const& points, int samples,
                                        std::vector<std::size_t> const& wanted);

// The draws of `samples` a colour of this stride is taken at: none for 0.
std::vector<Eigen::Index> draws_taken(int samples, std::size_t stride);

}  // namespace bbvi
