#pragma once
// The mean-field optimum of models/eight_schools.model, found independently of
// the engine: under the guide Normal(mu) × LogNormal(tau) × Π Normal(eta_j)
// every expectation in the ELBO has a closed form, because tau's moments are
// E tau^k = exp(k m + k² s² / 2); the ELBO is then maximised by Newton steps.
#include <Eigen/Core>

#include <vector>

namespace bbvi::reference {

struct EightSchools {
  std::vector<int> school;  // 1-based
  std::vector<double> y, sigma;
  int J = 8;
  double mu_prior_sd = 5, tau_prior_sd = 5;
};

// The guide's parameters, constrained, in the model's order: mu_mean, mu_sd,
// log_tau_mean, log_tau_sd, eta_mean[J], eta_sd[J].
struct EightSchoolsGuide {
  double mu_mean = 0, mu_sd = 1, log_tau_mean = 0, log_tau_sd = 1;
  std::vector<double> eta_mean, eta_sd;
};

double eight_schools_elbo(EightSchools const& d, EightSchoolsGuide const& q);
// The optimum by Newton on the four population parameters, each school's
// eta at its own optimum given them (with_best_schools): O(N) an ELBO
// evaluation, so J = 10,000 takes well under a second.
EightSchoolsGuide eight_schools_optimum(EightSchools const& d);
// The same by Newton on all 4 + 2J parameters at once: O(J²) evaluations a
// step; for checking the other on a few schools.
EightSchoolsGuide eight_schools_optimum_jointly(EightSchools const& d);
// q with every school's eta_mean and eta_sd at their optimum given q's mu and tau.
EightSchoolsGuide with_best_schools(EightSchools const& d, EightSchoolsGuide q);
double kl(EightSchoolsGuide const& fit, EightSchoolsGuide const& optimum);  // KL(fit ‖ optimum)

}  // namespace bbvi::reference
