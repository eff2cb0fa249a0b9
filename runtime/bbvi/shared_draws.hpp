#pragma once
// An iteration's draws made on several ranks (core/ranks.hpp; docs/method.md,
// 'Draws shared between ranks'): each rank fills the rows of its share, and
// these give every rank the rows of all the others, in draw order.
#include "core/ranks.hpp"
#include "runtime/bbvi/draws.hpp"
#include "runtime/bbvi/local_expectation.hpp"

#include <vector>

namespace bbvi {

// `d` and `outcomes` hold this rank's share of the draws
// (share_of(draws, rank, ranks)); afterwards they hold every draw's. The
// rows of the matrices that have any are exchanged, and so are the
// outcomes' evaluations and failed groups.
void share_draws(Ranks& ranks, Draws& d, std::vector<LocalOutcome>& outcomes);

}  // namespace bbvi
