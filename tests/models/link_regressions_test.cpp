// A Poisson regression with a log link on an uncentred year, written the
// natural way: y ~ Poisson(exp(a + b * year)), year 1990–2020, no guide
// block. The posterior correlation of a and b is below −0.9999: the ridge
// the coupled step crosses where a likelihood's argument is a linear
// predictor, here through Poisson's log-rate form
// (runtime/distributions/poisson_log.hpp); the same counts under
// NegBinomial2(exp(a + b * year), phi) (neg_binomial2_log.hpp); and binary
// outcomes under Bernoulli(Phi(a + b * year)) (bernoulli_probit.hpp).
//
// Under a guide Normal(m_a, s_a) Normal(m_b, s_b), each row's η = a + b·x is
// Normal(m_a + m_b x, s_a² + s_b² x²) and E e^η = e^(mean + var/2), so the
// ELBO is closed-form; its optimum is found here by Newton's method with its
// exact derivatives, independently of the engine.
#include "grammar/automatic_guide.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/start_search.hpp"
#include "tests/support/fit_helpers.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <catch2/catch.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

constexpr double prior_sd_a = 100, prior_sd_b = 1;

// The two models share their data, a, b and the priors on them.
std::string const counts_data = "data {\n  real year[N];\n  int y[N];\n}\n";
std::string const coefficient_priors = "  a ~ Normal(0, 100);\n  b ~ Normal(0, 1);\n";

std::string poisson_model = counts_data + "latent {\n  real a;\n  real b;\n}\nmodel {\n" + coefficient_priors +
                            "  y ~ Poisson(exp(a + b * year));\n}\n";

std::string negative_binomial_model = counts_data + "latent {\n  real a;\n  real b;\n  real<lower=0> phi;\n}\n" +
                                      "model {\n" + coefficient_priors + "  phi ~ Gamma(2, 0.1);\n" +
                                      "  y ~ NegBinomial2(exp(a + b * year), phi);\n}\n";

struct Counts {
  std::vector<double> year, y;
};

// 200 rows, the log rate −40 + 0.021·year: about 8 counts a year in 2005.
Counts counts() {
  boost::random::mt19937_64 rng(17);
  boost::random::uniform_int_distribution<int> year(1990, 2020);
  Counts c;
  for (int n = 0; n < 200; ++n) {
    c.year.push_back(year(rng));
    c.y.push_back(boost::random::poisson_distribution<int, double>(std::exp(-40 + 0.021 * c.year.back()))(rng));
  }
  return c;
}

std::string csv_of(Counts const& c) {
  std::string out = "year,y\n";
  for (std::size_t n = 0; n < c.y.size(); ++n)
    out += std::to_string(static_cast<int>(c.year[n])) + "," + std::to_string(static_cast<int>(c.y[n])) + "\n";
  return out;
}

// θ = (m_a, m_b, s_a, s_b). The ELBO less the constants (Σ log y!, the
// priors' and entropy's 2π terms), which no difference of it needs.
struct Elbo {
  double value = 0;
  Eigen::Vector4d gradient = Eigen::Vector4d::Zero();
  Eigen::Matrix4d hessian = Eigen::Matrix4d::Zero();
};

Elbo elbo(Counts const& c, Eigen::Vector4d const& t) {
  double const ma = t[0], mb = t[1], sa = t[2], sb = t[3];
  double const va = 1 / (prior_sd_a * prior_sd_a), vb = 1 / (prior_sd_b * prior_sd_b);
  Elbo e;
  e.value = -0.5 * va * (ma * ma + sa * sa) - 0.5 * vb * (mb * mb + sb * sb) + std::log(sa) + std::log(sb);
  e.gradient << -va * ma, -vb * mb, -va * sa + 1 / sa, -vb * sb + 1 / sb;
  e.hessian.diagonal() << -va, -vb, -va - 1 / (sa * sa), -vb - 1 / (sb * sb);
  for (std::size_t n = 0; n < c.y.size(); ++n) {
    double const x = c.year[n];
    double const w = std::exp(ma + mb * x + 0.5 * (sa * sa + sb * sb * x * x));  // E e^η
    e.value += c.y[n] * (ma + mb * x) - w;
    // ∂w/∂θ = w d, with d = (1, x, s_a, s_b x²).
    Eigen::Vector4d const d(1, x, sa, sb * x * x);
    e.gradient += c.y[n] * Eigen::Vector4d(1, x, 0, 0) - w * d;
    e.hessian -= w * d * d.transpose();
    e.hessian(2, 2) -= w;
    e.hessian(3, 3) -= w * x * x;
  }
  return e;
}

// Newton's steps from a guide at 0 with narrow sds, each halved until the
// ELBO does not fall (nor an sd reach 0), to a decrement below 1e-12.
Eigen::Vector4d mean_field_optimum(Counts const& c) {
  Eigen::Vector4d t(0, 0, 1e-3, 1e-6);
  for (int i = 0; i < 500; ++i) {
    Elbo const e = elbo(c, t);
    Eigen::Vector4d step = -e.hessian.ldlt().solve(e.gradient);
    if (!(step.dot(e.gradient) > 0)) step = e.gradient * 1e-12;
    if (0.5 * step.dot(e.gradient) < 1e-12) return t;
    while (!((t + step).tail<2>().minCoeff() > 0 && elbo(c, t + step).value >= e.value) && step.norm() > 1e-300)
      step /= 2;
    t += step;
  }
  FAIL("the reference's Newton iterations did not converge");
  return t;
}

// As the command line prepares it: the automatic guide, its start searched.
Program prepared(std::string& model, data::CsvTable const& table) {
  std::vector<Diagnostic> notes;
  Program program = compile(parse_with_guide(model, "counts.model", notes), &table, {});
  search_start(program);
  return program;
}

double parameter(Program const& program, Eigen::VectorXd const& u, std::string const& name) {
  std::vector<std::vector<double>> const values = constrained_parameters(program, u);
  for (std::size_t i = 0; i < program.parameters.size(); ++i)
    if (program.parameters[i].name == name) return values[i].at(0);
  FAIL("no guide parameter " << name);
  return 0;
}

}  // namespace

TEST_CASE("Poisson regression with a log link on an uncentred year: the automatic guide reaches the mean-field optimum") {
  Counts const c = counts();
  data::CsvTable const table = data::CsvTable::from_text(csv_of(c), "counts.csv");
  Program const program = prepared(poisson_model, table);
  Eigen::Vector4d const best = mean_field_optimum(c);
  double const optimum = elbo(c, best).value;
  // The ridge: the Laplace approximation's correlation of a and b.
  Elbo const at_best = elbo(c, best);
  Eigen::Matrix2d const covariance = (-at_best.hessian.topLeftCorner<2, 2>()).inverse();
  double const correlation = covariance(0, 1) / std::sqrt(covariance(0, 0) * covariance(1, 1));
  INFO("the optimum: means " << best.head<2>().transpose() << ", sds " << best.tail<2>().transpose()
                             << "; the means' correlation " << correlation);
  REQUIRE(correlation < -0.9999);
  for (std::uint64_t seed : {1, 2, 3}) {
    FitOptions options;
    options.seed = seed;
    FitResult const result = fit(program, options);
    Eigen::Vector4d const fitted(parameter(program, result.u, "a.mean"), parameter(program, result.u, "b.mean"),
                                 parameter(program, result.u, "a.sd"), parameter(program, result.u, "b.sd"));
    double const gap = optimum - elbo(c, fitted).value;
    INFO("seed " << seed << ": " << result.iterations << " iterations, converged " << result.converged << "; means "
                 << fitted.head<2>().transpose() << ", sds " << fitted.tail<2>().transpose() << "; gap " << gap);
    CHECK(result.converged);
    CHECK(gap < 0.01);
    CHECK(std::fabs(fitted[2] / best[2] - 1) < 0.05);
    CHECK(std::fabs(fitted[3] / best[3] - 1) < 0.05);
  }
}

// The default fit against a long one, on seeds 1–3: each latent's mean within
// half its guide's sd of the long run's (along the ridge, where the seeds
// differ, the posterior is far wider than that), each sd within 10%. The
// long run: 100 draws an iteration (the default takes 14) and a tolerance
// of 10⁻⁴ nats (two such runs of the negative binomial at 400 draws, seeds
// 1 and 2, put a's mean 0.015 of its guide's sd apart).
static void agrees_with_long_run(Program const& program, std::vector<std::string> const& means,
                                 std::vector<std::string> const& sds) {
  auto const guide = [&](FitResult const& r, std::vector<std::string> const& names) {
    std::vector<double> out;
    for (std::string const& name : names) out.push_back(parameter(program, r.u, name));
    return out;
  };
  FitOptions long_run;
  long_run.seed = 11;
  long_run.samples = 100;
  long_run.tolerance = 1e-4;
  FitResult const reference = fit(program, long_run);
  std::vector<double> const reference_mean = guide(reference, means), reference_sd = guide(reference, sds);
  for (std::uint64_t seed : {1, 2, 3}) {
    FitOptions options;
    options.seed = seed;
    FitResult const result = fit(program, options);
    std::vector<double> const mean = guide(result, means), sd = guide(result, sds);
    CHECK(result.converged);
    for (std::size_t k = 0; k < means.size(); ++k) {
      INFO("seed " << seed << ", " << result.iterations << " iterations: " << means[k] << " " << mean[k] << " ± "
                   << sd[k] << ", the long run's " << reference_mean[k] << " ± " << reference_sd[k]);
      CHECK(std::fabs(mean[k] - reference_mean[k]) < 0.5 * reference_sd[k]);
      CHECK(std::fabs(sd[k] / reference_sd[k] - 1) < 0.1);
    }
  }
}

// `model` on `csv` (its likelihood, statement `likelihood`, evaluated in a
// link form) fits as agrees_with_long_run says: the means and sds of a and
// b, and of `others`.
static void link_form_agrees(std::string const& csv, std::string model, std::size_t likelihood,
                             std::vector<std::string> const& others = {}) {
  data::CsvTable const table = data::CsvTable::from_text(csv, "regression.csv");
  Program const program = prepared(model, table);
  REQUIRE(std::get<Factor>(program.model[likelihood]).link_form != nullptr);
  std::vector<std::string> means{"a.mean", "b.mean"}, sds{"a.sd", "b.sd"};
  for (std::string const& other : others) {
    means.push_back(other + ".log_mean");
    sds.push_back(other + ".log_sd");
  }
  agrees_with_long_run(program, means, sds);
}

TEST_CASE("negative binomial regression with a log link on an uncentred year: default fits agree with a long one") {
  link_form_agrees(csv_of(counts()), negative_binomial_model, 3, {"phi"});
}

TEST_CASE("probit regression on an uncentred year: default fits agree with a long one") {
  // 300 outcomes with P(y = 1) = Phi(−60 + 0.03 year): from 0.2 in 1990 to 0.8 in 2020.
  boost::random::mt19937_64 rng(23);
  boost::random::uniform_int_distribution<int> year(1990, 2020);
  boost::random::uniform_01<double> uniform;
  std::string csv = "year,y\n";
  for (int n = 0; n < 300; ++n) {
    int const x = year(rng);
    csv += std::to_string(x) + "," + (uniform(rng) < 0.5 * std::erfc(-(-60 + 0.03 * x) / std::sqrt(2.0)) ? "1" : "0") +
           "\n";
  }
  link_form_agrees(csv,
                   counts_data + "latent {\n  real a;\n  real b;\n}\nmodel {\n" + coefficient_priors +
                       "  y ~ Bernoulli(Phi(a + b * year));\n}\n",
                   2);
}

TEST_CASE("dose-response probit on an uncentred dose: default fits agree with a long one") {
  // 40 doses from 50 to 90, 20 subjects each, with P(response) =
  // Phi(−7 + 0.1 dose): from 0.02 at 50 to 0.98 at 90. The dose is not
  // centred, so a and b are correlated beyond −0.99.
  boost::random::mt19937_64 rng(29);
  boost::random::uniform_01<double> uniform;
  std::string csv = "dose,n,k\n";
  for (int d = 0; d < 40; ++d) {
    double const dose = 50 + d;
    double const p = 0.5 * std::erfc(-(-7 + 0.1 * dose) / std::sqrt(2.0));
    int k = 0;
    for (int s = 0; s < 20; ++s) k += uniform(rng) < p;
    csv += std::to_string(dose) + ",20," + std::to_string(k) + "\n";
  }
  link_form_agrees(csv,
                   "data {\n  real dose[N];\n  int n[N];\n  int k[N];\n}\nlatent {\n  real a;\n  real b;\n}\n"
                   "model {\n" +
                       coefficient_priors + "  k ~ Binomial(n, Phi(a + b * dose));\n}\n",
                   2);
}

TEST_CASE("Gamma regression with a log link on an uncentred year: default fits agree with a long one") {
  // 300 positive outcomes with mean exp(−50 + 0.026 year) and shape 3, the
  // shape a latent: y ~ Gamma(shape, shape / exp(a + b * year)).
  boost::random::mt19937_64 rng(31);
  boost::random::uniform_int_distribution<int> year(1990, 2020);
  std::string csv = "year,y\n";
  for (int n = 0; n < 300; ++n) {
    int const x = year(rng);
    double const mean = std::exp(-50 + 0.026 * x);
    csv += std::to_string(x) + "," + std::to_string(boost::random::gamma_distribution<double>(3, mean / 3)(rng)) +
           "\n";
  }
  link_form_agrees(csv,
                   "data {\n  real year[N];\n  real<lower=0> y[N];\n}\n"
                   "latent {\n  real a;\n  real b;\n  real<lower=0> shape;\n}\nmodel {\n" +
                       coefficient_priors +
                       "  shape ~ Gamma(2, 0.5);\n  y ~ Gamma(shape, shape / exp(a + b * year));\n}\n",
                   3, {"shape"});
}
