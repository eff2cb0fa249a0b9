// models/logistic_regression.model against a reference optimum computed
// independently here: the mean-field ELBO in closed form but for the
// likelihood, whose expectation per row is one-dimensional (a + b x_n is
// Normal under the guide) and is taken by Gauss-Legendre quadrature; the ELBO
// is then maximised by damped Newton steps (tests/support/newton.hpp).
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_bounds.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/newton.hpp"
#include "tests/support/normal_gamma_reference.hpp"

#include <Eigen/Dense>
#include <boost/math/quadrature/gauss.hpp>
#include <catch2/catch.hpp>

#include <cmath>

using namespace bbvi;

namespace {

double log_inv_logit(double t) { return t >= 0 ? -std::log1p(std::exp(-t)) : t - std::log1p(std::exp(t)); }

struct Data {
  std::vector<double> x;
  std::vector<std::int64_t> y;
  double prior_sd = 2.5;  // the model's constant
};

// θ = (alpha_mean, log alpha_sd, beta_mean, log beta_sd).
double elbo(Eigen::VectorXd const& theta, Data const& d) {
  double const ma = theta[0], sa = std::exp(theta[1]), mb = theta[2], sb = std::exp(theta[3]);
  double total = 0;
  for (std::size_t n = 0; n < d.x.size(); ++n) {
    double const m = ma + mb * d.x[n], s = std::sqrt(sa * sa + sb * sb * d.x[n] * d.x[n]);
    double const sign = d.y[n] == 1 ? 1.0 : -1.0;
    // E[log inv_logit(±t)], t ~ N(m, s²): t = m + s u, u standard normal, |u| ≤ 12.
    auto const integrand = [&](double u) {
      return std::exp(-0.5 * u * u) / std::sqrt(2 * M_PI) * log_inv_logit(sign * (m + s * u));
    };
    total += boost::math::quadrature::gauss<double, 60>::integrate(integrand, -12.0, 12.0);
  }
  double const v = d.prior_sd * d.prior_sd, log_norm = -0.5 * std::log(2 * M_PI * v);
  total += 2 * log_norm - (ma * ma + sa * sa + mb * mb + sb * sb) / (2 * v);  // E log prior
  total += std::log(sa) + std::log(sb) + 1 + std::log(2 * M_PI);              // entropy of q
  return total;
}

}  // namespace

TEST_CASE("logistic_regression: default fit within KL 0.01 of a reference optimum found by quadrature") {
  data::CsvTable const table =
      data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/logistic_regression.csv");
  Data const d{table.real_column("x"), table.int_column("y")};
  Eigen::VectorXd const opt =
      testing::newton_maximise([&](Eigen::VectorXd const& theta) { return elbo(theta, d); }, Eigen::VectorXd::Zero(4));

  Program const program =
      testing::compile_model(testing::read_source_file("models/logistic_regression.model"), &table);
  FitResult const r = fit(program, FitOptions{});
  auto const p = constrained_parameters(program, r.u);
  auto const precision = [](double sd) { return 1 / (sd * sd); };
  double const kl =
      reference::kl_normal(p[0][0], precision(p[1][0]), opt[0], precision(std::exp(opt[1]))) +
      reference::kl_normal(p[2][0], precision(p[3][0]), opt[2], precision(std::exp(opt[3])));
  INFO("KL " << kl << " after " << r.iterations << " iterations; reference " << opt.transpose());
  CHECK(r.converged);
  CHECK(kl < testing::promised_kl);
}
