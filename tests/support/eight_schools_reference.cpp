#include "tests/support/eight_schools_reference.hpp"

#include "tests/support/newton.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <cmath>

namespace bbvi::reference {

namespace {

double const log_2pi = std::log(2 * M_PI);

double expected_log_normal(double second_moment_of_difference, double sd) {
  return -0.5 * log_2pi - std::log(sd) - second_moment_of_difference / (2 * sd * sd);
}

double normal_entropy(double sd) { return 0.5 * (1 + log_2pi) + std::log(sd); }

// KL(N(m1, s1²) ‖ N(m2, s2²)), by the precision form of normal_gamma_reference.
double kl_normal_sd(double m1, double s1, double m2, double s2) {
  return kl_normal(m1, 1 / (s1 * s1), m2, 1 / (s2 * s2));
}

// θ: the unconstrained coordinates (sds on the log scale).
EightSchoolsGuide from_unconstrained(Eigen::VectorXd const& theta, int J) {
  EightSchoolsGuide q{theta[0], std::exp(theta[1]), theta[2], std::exp(theta[3]), {}, {}};
  for (int j = 0; j < J; ++j) {
    q.eta_mean.push_back(theta[4 + j]);
    q.eta_sd.push_back(std::exp(theta[4 + J + j]));
  }
  return q;
}

}  // namespace

double eight_schools_elbo(EightSchools const& d, EightSchoolsGuide const& q) {
  double const tau_mean = std::exp(q.log_tau_mean + q.log_tau_sd * q.log_tau_sd / 2);
  double const tau_square = std::exp(2 * q.log_tau_mean + 2 * q.log_tau_sd * q.log_tau_sd);
  double const mu_square = q.mu_mean * q.mu_mean + q.mu_sd * q.mu_sd;
  // Priors: mu ~ Normal(0, 5), tau ~ HalfNormal(5) (twice a Normal on tau ≥ 0).
  double total = expected_log_normal(mu_square, d.mu_prior_sd);
  total += std::log(2.0) + expected_log_normal(tau_square, d.tau_prior_sd);
  for (int j = 0; j < d.J; ++j) {
    auto const k = static_cast<std::size_t>(j);
    double const eta_square = q.eta_mean[k] * q.eta_mean[k] + q.eta_sd[k] * q.eta_sd[k];
    total += expected_log_normal(eta_square, 1.0) + normal_entropy(q.eta_sd[k]);
  }
  // Likelihood: E (y − mu − tau eta)² = (y − E mu − E tau E eta)² + Var mu + Var(tau eta).
  for (std::size_t n = 0; n < d.y.size(); ++n) {
    auto const k = static_cast<std::size_t>(d.school[n] - 1);
    double const e = q.eta_mean[k], eta_square = e * e + q.eta_sd[k] * q.eta_sd[k];
    double const residual = d.y[n] - q.mu_mean - tau_mean * e;
    double const second = residual * residual + q.mu_sd * q.mu_sd + tau_square * eta_square - tau_mean * tau_mean * e * e;
    total += expected_log_normal(second, d.sigma[n]);
  }
  // Entropies of q(mu) and of the LogNormal q(tau): that of its log plus E log tau.
  total += normal_entropy(q.mu_sd) + normal_entropy(q.log_tau_sd) + q.log_tau_mean;
  return total;
}

EightSchoolsGuide eight_schools_optimum_jointly(EightSchools const& d) {
  Eigen::VectorXd const start = Eigen::VectorXd::Zero(4 + 2 * d.J);
  auto const objective = [&](Eigen::VectorXd const& theta) {
    return eight_schools_elbo(d, from_unconstrained(theta, d.J));
  };
  return from_unconstrained(testing::newton_maximise(objective, start), d.J);
}

EightSchoolsGuide with_best_schools(EightSchools const& d, EightSchoolsGuide q) {
  double const tau_mean = std::exp(q.log_tau_mean + q.log_tau_sd * q.log_tau_sd / 2);
  double const tau_square = std::exp(2 * q.log_tau_mean + 2 * q.log_tau_sd * q.log_tau_sd);
  // Given the rest, the ELBO is quadratic in eta_mean[j] and linear in
  // eta_sd[j]² plus log eta_sd[j]: precision 1 + E tau² Σ 1/σ², and the
  // residuals' pull E tau Σ (y − E mu)/σ².
  std::vector<double> precision(static_cast<std::size_t>(d.J), 1.0), pull(static_cast<std::size_t>(d.J), 0.0);
  for (std::size_t n = 0; n < d.y.size(); ++n) {
    auto const k = static_cast<std::size_t>(d.school[n] - 1);
    double const weight = 1 / (d.sigma[n] * d.sigma[n]);
    precision[k] += tau_square * weight;
    pull[k] += tau_mean * (d.y[n] - q.mu_mean) * weight;
  }
  q.eta_mean.assign(static_cast<std::size_t>(d.J), 0);
  q.eta_sd.assign(static_cast<std::size_t>(d.J), 0);
  for (std::size_t k = 0; k < precision.size(); ++k) {
    q.eta_mean[k] = pull[k] / precision[k];
    q.eta_sd[k] = 1 / std::sqrt(precision[k]);
  }
  return q;
}

EightSchoolsGuide eight_schools_optimum(EightSchools const& d) {
  // The ELBO maximised over the schools in closed form is a smooth function
  // of the four population parameters (mu's and log tau's mean and log sd):
  // Newton on those four costs O(N) an evaluation, whatever J.
  auto const guide = [&](Eigen::VectorXd const& theta) {
    EightSchoolsGuide q{theta[0], std::exp(theta[1]), theta[2], std::exp(theta[3]), {}, {}};
    return with_best_schools(d, q);
  };
  auto const objective = [&](Eigen::VectorXd const& theta) { return eight_schools_elbo(d, guide(theta)); };
  return guide(testing::newton_maximise(objective, Eigen::VectorXd::Zero(4)));
}

double kl(EightSchoolsGuide const& fit, EightSchoolsGuide const& optimum) {
  double total = kl_normal_sd(fit.mu_mean, fit.mu_sd, optimum.mu_mean, optimum.mu_sd) +
                 kl_normal_sd(fit.log_tau_mean, fit.log_tau_sd, optimum.log_tau_mean, optimum.log_tau_sd);
  for (std::size_t j = 0; j < fit.eta_mean.size(); ++j)
    total += kl_normal_sd(fit.eta_mean[j], fit.eta_sd[j], optimum.eta_mean[j], optimum.eta_sd[j]);
  return total;
}

}  // namespace bbvi::reference
