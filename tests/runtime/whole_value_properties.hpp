#pragma once
// The generic properties for a distribution whose value is a whole vector,
// on the simplex (Dirichlet's) or real (MultiNormal's; registry.hpp,
// `whole_value`), at its example
// arguments: the same properties as a scalar value's, stated for a K-vector
// (distribution_properties_test.cpp registers them).
#include "runtime/registry.hpp"

namespace bbvi::testing {

void whole_value_samples_follow_the_density(DistributionEntry const& d);
void whole_value_density_integrates_to_one(DistributionEntry const& d);
void whole_value_score_has_mean_zero(DistributionEntry const& d);
void whole_value_score_matches_finite_differences(DistributionEntry const& d);
void whole_value_invalid_arguments_are_rejected_by_name(DistributionEntry const& d);
void whole_value_outside_the_support_is_minus_infinity(DistributionEntry const& d);

}  // namespace bbvi::testing
