// A model's Bernoulli(inv_logit(E)) and Binomial(n, inv_logit(E)), evaluated
// on the log-odds scale (runtime/distributions/log_odds.hpp): finite for any
// finite E, equal to the exact log density, unchanged to the bit where
// inv_logit(E) is far from 0 and 1, and seen by every analysis as written.
#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/local_expectation.hpp"
#include "runtime/distributions/bernoulli.hpp"
#include "runtime/distributions/binomial.hpp"
#include "runtime/dual_math.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

std::vector<double> const etas{-800, -40, -1, 0, 3, 40, 800};

// log(1 + e^eta) in long double, whose exponent reaches e^11356: e^800 is an
// ordinary number there, so the plain formula is exact to double precision.
long double softplus(double eta) { return std::log1p(std::exp(static_cast<long double>(eta))); }

double bernoulli_exact(double y, double eta) { return static_cast<double>(y * eta - softplus(eta)); }

double binomial_exact(double k, double n, double eta) {
  long double const choose = std::lgamma(static_cast<long double>(n) + 1) - std::lgamma(static_cast<long double>(k) + 1) -
                             std::lgamma(static_cast<long double>(n - k) + 1);
  return static_cast<double>(choose + k * eta - n * softplus(eta));
}

// d/d eta of y eta − n log(1 + e^eta): y − n inv_logit(eta).
double score_exact(double y, double n, double eta) {
  long double const e = static_cast<long double>(eta);
  return static_cast<double>(y - n / (1 + std::exp(-e)));
}

std::string const bernoulli_model = R"(
data { int<lower=0, upper=1> y[N]; }
latent { real eta; }
model { eta ~ Normal(0, 1000); y ~ Bernoulli(inv_logit(eta)); }
guide { real m = 0; real<lower=0> s = 1; eta ~ Normal(m, s); }
)";

std::string const binomial_model = R"(
data { int<lower=0, upper=12> k[N]; }
latent { real eta; }
model { eta ~ Normal(0, 1000); k ~ Binomial(12, inv_logit(eta)); }
guide { real m = 0; real<lower=0> s = 1; eta ~ Normal(m, s); }
)";

// The log density of the model's second statement (the likelihood) at eta.
double likelihood_term(Program const& program, double eta) {
  std::vector<std::vector<double>> terms;
  log_joint_terms(program, {eta}, terms);
  double total = 0;
  for (double t : terms[1]) total += t;
  return total;
}

Program compiled(std::string const& model, std::string const& column, std::vector<double> const& values,
                 bool sufficient_statistics = false) {
  data::CsvTable const table = testing::column_table(column, values);
  CompileOptions options;
  options.sufficient_statistics = sufficient_statistics;
  return testing::compile_model(model, &table, options);
}

std::string domain_error(void (*f)()) {
  try {
    f();
  } catch (DomainError const& e) {
    return e.what();
  }
  return "(no DomainError)";
}

}  // namespace

TEST_CASE("log-odds: Bernoulli(inv_logit(eta)) has log density y eta - log(1 + e^eta) at any finite eta") {
  for (double y : {0.0, 1.0}) {
    Program const program = compiled(bernoulli_model, "y", {y});
    for (double eta : etas) {
      CAPTURE(y, eta);
      double const lp = likelihood_term(program, eta);
      CHECK(std::isfinite(lp));
      CHECK(lp == Approx(bernoulli_exact(y, eta)).epsilon(1e-13).margin(1e-15));
    }
  }
}

TEST_CASE("log-odds: Binomial(n, inv_logit(eta)) has log density k eta - n log(1 + e^eta) + log C(n, k)") {
  for (double k : {0.0, 5.0, 12.0}) {
    Program const program = compiled(binomial_model, "k", {k});
    for (double eta : etas) {
      CAPTURE(k, eta);
      double const lp = likelihood_term(program, eta);
      CHECK(std::isfinite(lp));
      CHECK(lp == Approx(binomial_exact(k, 12, eta)).epsilon(1e-13).margin(1e-13));
    }
  }
}

TEST_CASE("log-odds: the derivative in the log-odds is y - n inv_logit(eta), finite at any finite eta") {
  DistributionEntry const& bernoulli = *log_odds_form(*distributions().find("Bernoulli"));
  DistributionEntry const& binomial = *log_odds_form(*distributions().find("Binomial"));
  for (double eta : etas) {
    Dual const at(eta, 1, 0);  // ∂/∂eta, as a latent's would be carried
    for (double y : {0.0, 1.0}) {
      CAPTURE(eta, y);
      Dual const lp = bernoulli.log_density_dual(y, &at);
      CHECK(lp.value() == Approx(bernoulli_exact(y, eta)).epsilon(1e-13).margin(1e-15));
      CHECK(std::isfinite(lp.derivatives()(0)));
      CHECK(lp.derivatives()(0) == Approx(score_exact(y, 1, eta)).epsilon(1e-13).margin(1e-15));
    }
    Dual const args[2] = {Dual(12.0, Eigen::VectorXd::Zero(1)), at};
    for (double k : {0.0, 5.0, 12.0}) {
      CAPTURE(eta, k);
      Dual const lp = binomial.log_density_dual(k, args);
      CHECK(lp.value() == Approx(binomial_exact(k, 12, eta)).epsilon(1e-13).margin(1e-13));
      CHECK(std::isfinite(lp.derivatives()(0)));
      CHECK(lp.derivatives()(0) == Approx(score_exact(k, 12, eta)).epsilon(1e-13).margin(1e-13));
    }
  }
}

TEST_CASE("log-odds: inv_logit_pair gives inv_logit(x) and inv_logit(-x) to the bit, from one exp") {
  for (double x : {-800.0, -40.0, -1.5, -1e-300, -0.0, 0.0, 1e-300, 0.3, 2.0, 36.0, 40.0, 800.0}) {
    CAPTURE(x);
    auto const [p, q] = math::inv_logit_pair(x);
    CHECK(p == math::inv_logit(x));
    CHECK(q == math::inv_logit(-x));
  }
}

TEST_CASE("log-odds: away from 0 and 1 the density is computed from inv_logit(eta) as before, to the bit") {
  // What keeps every fit that never comes near certainty unchanged.
  Program const ones = compiled(bernoulli_model, "y", {1.0}), zeros = compiled(bernoulli_model, "y", {0.0});
  Program const counts = compiled(binomial_model, "k", {5.0});
  for (double eta : {-40.0, -3.0, -1.0, 0.0, 0.5, 3.0, 12.0}) {
    CAPTURE(eta);
    double const p = math::inv_logit(eta);
    CHECK(likelihood_term(ones, eta) == Bernoulli::log_density(1.0, p));
    CHECK(likelihood_term(zeros, eta) == Bernoulli::log_density(0.0, p));
    CHECK(likelihood_term(counts, eta) == Binomial::log_density(5.0, 12.0, p));
  }
}

TEST_CASE("log-odds: a column reduced to its sufficient statistics gives the row-by-row sum") {
  std::vector<double> const y{0, 1, 1, 0, 1, 1, 1};
  Program const rows = compiled(bernoulli_model, "y", y, false);
  Program const reduced = compiled(bernoulli_model, "y", y, true);
  auto const& factor = std::get<Factor>(reduced.model[1]);
  REQUIRE(!factor.statistics.empty());
  for (double eta : etas) {
    CAPTURE(eta);
    double const sum = likelihood_term(rows, eta);
    CHECK(std::isfinite(sum));
    CHECK(likelihood_term(reduced, eta) == Approx(sum).epsilon(1e-14).margin(1e-15));
    CHECK(sum == Approx(5 * eta - 7 * static_cast<double>(softplus(eta))).epsilon(1e-13).margin(1e-13));
  }
}

TEST_CASE("log-odds: a probability that is not a number is rejected with Bernoulli's and Binomial's messages") {
  CHECK(domain_error([] {
          double const nan = std::numeric_limits<double>::quiet_NaN();
          log_odds_form(*distributions().find("Bernoulli"))->log_density(0.0, &nan);
        }) == "Bernoulli: p is nan, but must be in [0, 1]");
  CHECK(domain_error([] {
          double const args[2] = {12.0, std::numeric_limits<double>::quiet_NaN()};
          log_odds_form(*distributions().find("Binomial"))->log_density(3.0, args);
        }) == "Binomial: p is nan, but must be in [0, 1]");
  CHECK(log_odds_form(*distributions().find("Normal")) == nullptr);
}

TEST_CASE("log-odds: the analyses see Bernoulli(inv_logit(...)) as written") {
  data::CsvTable const table =
      data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/logistic_regression.csv");
  Program const program =
      testing::compile_model(testing::read_source_file("models/logistic_regression.model"), &table);
  auto const& likelihood = std::get<Factor>(program.model[2]);
  CHECK(likelihood.distribution->signature.name == "Bernoulli");
  REQUIRE(likelihood.args.size() == 1);
  CHECK(likelihood.args[0].op == Node::Op::call);
  CHECK(likelihood.args[0].function == Function::inv_logit);
  CHECK(likelihood.link_form != nullptr);
  CHECK(likelihood.evaluated_args()[0].op == Node::Op::add);  // alpha + beta * x
  for (Statement const& st : program.guide)
    if (auto const* f = std::get_if<Factor>(&st)) CHECK(f->link_form == nullptr);

  // The same program evaluated as written: blankets and local-expectation
  // plan identical; inv_logit(…) is no polynomial in either latent, so both
  // are left to the regression estimator.
  Program as_written = program;
  std::get<Factor>(as_written.model[2]).link_form = nullptr;
  Blankets const b = find_blankets(program), b_written = find_blankets(as_written);
  REQUIRE(b.groups.size() == b_written.groups.size());
  for (std::size_t g = 0; g < b.groups.size(); ++g) {
    CHECK(b.groups[g].latent_elements == b_written.groups[g].latent_elements);
    CHECK(b.groups[g].coordinates == b_written.groups[g].coordinates);
  }
  REQUIRE(b.terms.size() == b_written.terms.size());
  for (std::size_t i = 0; i < b.terms.size(); ++i) CHECK(b.terms[i].groups == b_written.terms[i].groups);
  CHECK(b.summed_terms == b_written.summed_terms);
  LocalPlan const plan = plan_local(program, b), plan_written = plan_local(as_written, b_written);
  CHECK(plan.is_local == plan_written.is_local);
  CHECK(plan.points == plan_written.points);
  CHECK(plan.is_local == std::vector<bool>(b.groups.size(), false));
}

// Poisson(exp(eta)), evaluated in its log-rate form
// (runtime/distributions/poisson_log.hpp) by the same mechanism.
namespace {

std::string const poisson_model = R"(
data { int y[N]; }
latent { real eta; }
model { eta ~ Normal(0, 1000); y ~ Poisson(exp(eta)); }
guide { real m = 0; real<lower=0> s = 1; eta ~ Normal(m, s); }
)";

double poisson_exact(double y, double eta) {
  long double const e = static_cast<long double>(eta);
  return static_cast<double>(y * e - std::exp(e) - std::lgamma(static_cast<long double>(y) + 1));
}

}  // namespace

TEST_CASE("log rate: Poisson(exp(eta)) has log density y eta - e^eta - log y!, finite where exp(eta) underflows") {
  for (double y : {0.0, 1.0, 7.0}) {
    Program const program = compiled(poisson_model, "y", {y});
    CHECK(std::get<Factor>(program.model[1]).link_form != nullptr);
    for (double eta : {-800.0, -40.0, -1.0, 0.0, 3.0, 40.0}) {
      CAPTURE(y, eta);
      double const lp = likelihood_term(program, eta);
      CHECK(std::isfinite(lp));
      CHECK(lp == Approx(poisson_exact(y, eta)).epsilon(1e-13).margin(1e-13));
    }
    // Past exp's range the rate is infinite: Poisson's own error.
    CAPTURE(y);
    CHECK_THROWS_WITH(likelihood_term(program, 800.0), Catch::Contains("rate"));
  }
  // Its derivatives in eta, as the linear predictor's curvature reads them.
  DistributionEntry const& form = *log_rate_form(*distributions().find("Poisson"));
  REQUIRE(form.argument_derivative_rows);
  double const x = 7, eta = 1.5;
  double const* const args[1] = {&eta};
  double slope = 0, curvature = 0;
  form.argument_derivative_rows(&x, 1, args, 0, &slope, &curvature);
  CHECK(slope == Approx(7 - std::exp(1.5)).epsilon(1e-15));
  CHECK(curvature == Approx(std::exp(1.5)).epsilon(1e-15));
  CHECK(log_rate_form(*distributions().find("Normal")) == nullptr);
}

TEST_CASE("link forms: a probability or rate named by a model local is read as its link too, as Stan models write it") {
  std::string const local_probability = R"(
data { int<lower=0, upper=1> y[N]; }
latent { real eta; }
model { eta ~ Normal(0, 1000); real p[N] = inv_logit(eta + 0 * y); y ~ Bernoulli(p); }
guide { real m = 0; real<lower=0> s = 1; eta ~ Normal(m, s); }
)";
  std::string const local_rate = R"(
data { int y[N]; }
latent { real eta; }
model { eta ~ Normal(0, 1000); real rate[N] = exp(eta + 0 * y); y ~ Poisson(rate); }
guide { real m = 0; real<lower=0> s = 1; eta ~ Normal(m, s); }
)";
  for (double y : {0.0, 1.0}) {
    Program const program = compiled(local_probability, "y", {y});
    auto const& likelihood = std::get<Factor>(program.model[2]);
    REQUIRE(likelihood.link_form != nullptr);
    CHECK(likelihood.args[0].op == Node::Op::slot);  // as written, for the analyses
    for (double eta : etas) {
      CAPTURE(y, eta);
      std::vector<std::vector<double>> terms;
      log_joint_terms(program, {eta}, terms);
      CHECK(terms[2].at(0) == Approx(bernoulli_exact(y, eta)).epsilon(1e-13).margin(1e-15));
    }
  }
  Program const program = compiled(local_rate, "y", {7.0});
  REQUIRE(std::get<Factor>(program.model[2]).link_form != nullptr);
  std::vector<std::vector<double>> terms;
  log_joint_terms(program, {-800.0}, terms);
  CHECK(terms[2].at(0) == Approx(poisson_exact(7, -800)).epsilon(1e-13));
}

// Bernoulli(Phi(eta)), evaluated in its probit form
// (runtime/distributions/bernoulli_probit.hpp).
namespace {

// log Phi(x) in long double, whose erfc reaches e^−11355: exact to double
// precision down to x = −150; below, the asymptotic series, whose next term
// there is below 10⁻¹⁸ relative.
double log_Phi_exact(double x) {
  long double const v = x;
  if (x > 0) return static_cast<double>(std::log1p(-0.5L * std::erfc(v / std::sqrt(2.0L))));
  if (x > -150) return static_cast<double>(std::log(0.5L * std::erfc(-v / std::sqrt(2.0L))));
  long double const inverse_square = 1 / (v * v);
  return static_cast<double>(-0.5L * v * v - std::log(-v) - 0.5L * std::log(2 * 3.14159265358979323846264L) +
                             std::log1p(-inverse_square + 3 * inverse_square * inverse_square));
}

// The Bernoulli model above with Phi for inv_logit.
std::string const probit_model = [] {
  std::string model = bernoulli_model;
  return model.replace(model.find("inv_logit"), 9, "Phi");
}();

}  // namespace

TEST_CASE("probit: Bernoulli(Phi(eta)) has log density log Phi(eta) or log Phi(-eta), accurate far into either tail") {
  for (double y : {0.0, 1.0}) {
    Program const program = compiled(probit_model, "y", {y});
    REQUIRE(std::get<Factor>(program.model[1]).link_form != nullptr);
    for (double eta : {-800.0, -100.0, -30.5, -30.0, -29.5, -5.0, 0.0, 3.0, 8.0, 20.0, 40.0}) {
      CAPTURE(y, eta);
      double const lp = likelihood_term(program, eta);
      CHECK(std::isfinite(lp));
      CHECK(lp == Approx(log_Phi_exact(y == 1 ? eta : -eta)).epsilon(1e-13).margin(1e-300));
    }
  }
  // Its derivatives in eta, against central differences of log Phi.
  DistributionEntry const& form = *probit_form(*distributions().find("Bernoulli"));
  for (double eta : {-40.0, -3.0, 0.5, 6.0}) {
    for (double y : {0.0, 1.0}) {
      CAPTURE(eta, y);
      double const* const args[1] = {&eta};
      double slope = 0, curvature = 0;
      form.argument_derivative_rows(&y, 1, args, 0, &slope, &curvature);
      double const h = 1e-4, sign = y == 1 ? 1 : -1;
      auto const at = [&](double e) { return log_Phi_exact(sign * e); };
      CHECK(slope == Approx((at(eta + h) - at(eta - h)) / (2 * h)).epsilon(1e-7));
      CHECK(curvature == Approx(-(at(eta + h) - 2 * at(eta) + at(eta - h)) / (h * h)).epsilon(1e-5).margin(1e-9));
    }
  }
}

TEST_CASE("probit: Binomial(n, Phi(eta)) has log density lchoose(n, k) + k log Phi(eta) + (n - k) log Phi(-eta), "
          "finite far into either tail") {
  std::string model = binomial_model;
  model.replace(model.find("inv_logit"), 9, "Phi");
  for (double k : {0.0, 5.0, 12.0}) {
    Program const program = compiled(model, "k", {k});
    REQUIRE(std::get<Factor>(program.model[1]).link_form != nullptr);
    for (double eta : {-800.0, -100.0, -30.5, -30.0, -29.5, -5.0, 0.0, 3.0, 8.0, 20.0, 40.0}) {
      CAPTURE(k, eta);
      double expected = std::lgamma(13.0) - std::lgamma(k + 1) - std::lgamma(13 - k);
      if (k > 0) expected += k * log_Phi_exact(eta);
      if (k < 12) expected += (12 - k) * log_Phi_exact(-eta);
      double const lp = likelihood_term(program, eta);
      CHECK(std::isfinite(lp));
      CHECK(lp == Approx(expected).epsilon(1e-13).margin(1e-300));
    }
  }
  // Its derivatives in eta, against central differences of the same.
  DistributionEntry const& form = *probit_form(*distributions().find("Binomial"));
  for (double eta : {-40.0, -3.0, 0.5, 6.0})
    for (double k : {0.0, 5.0, 12.0}) {
      CAPTURE(eta, k);
      double const n = 12;
      double const* const args[2] = {&n, &eta};
      double slope = 0, curvature = 0;
      form.argument_derivative_rows(&k, 1, args, 0, &slope, &curvature);
      double const h = 1e-4;
      auto const at = [&](double e) { return k * log_Phi_exact(e) + (n - k) * log_Phi_exact(-e); };
      CHECK(slope == Approx((at(eta + h) - at(eta - h)) / (2 * h)).epsilon(1e-7));
      CHECK(curvature == Approx(-(at(eta + h) - 2 * at(eta) + at(eta - h)) / (h * h)).epsilon(1e-5).margin(1e-9));
    }
}

// Gamma(shape, shape / exp(eta)), evaluated in its log-mean form
// (runtime/distributions/gamma_log.hpp).
namespace {

std::string gamma_model(std::string const& rate) {
  return "data { real<lower=0> y[N]; }\nlatent { real eta; }\nmodel { eta ~ Normal(0, 1000); y ~ Gamma(3, " + rate +
         "); }\nguide { real m = 0; real<lower=0> s = 1; eta ~ Normal(m, s); }\n";
}

double gamma_exact(double y, double shape, double eta) {
  long double const e = static_cast<long double>(eta), a = shape, x = y;
  return static_cast<double>(a * (std::log(a) - e) - std::lgamma(a) + (a - 1) * std::log(x) - a * std::exp(-e) * x);
}

}  // namespace

TEST_CASE("log mean: Gamma(shape, shape / exp(eta)) has the Gamma's log density of mean e^eta, finite where the "
          "rate underflows") {
  for (std::string const rate : {"3 / exp(eta)", "3 * exp(-eta)", "3 * exp(-1 * eta)"}) {
    Program const program = compiled(gamma_model(rate), "y", {2.5});
    CAPTURE(rate);
    REQUIRE(std::get<Factor>(program.model[1]).link_form != nullptr);
    for (double eta : {-40.0, -1.0, 0.0, 3.0, 40.0, 800.0}) {
      CAPTURE(eta);
      double const lp = likelihood_term(program, eta);
      CHECK(std::isfinite(lp));
      CHECK(lp == Approx(gamma_exact(2.5, 3, eta)).epsilon(1e-13));
    }
    // Past exp's range the rate is infinite: Gamma's own error.
    CHECK_THROWS_WITH(likelihood_term(program, -800.0), Catch::Contains("rate"));
  }
  // Through model locals, as Stan models write it: the mean, or the rate.
  for (std::string const local : {"real mu[N] = exp(eta + 0 * y); y ~ Gamma(3, 3 / mu);",
                                  "real rate[N] = 3 * exp(-eta + 0 * y); y ~ Gamma(3, rate);"}) {
    std::string model = gamma_model("3 / exp(eta)");
    model.replace(model.find("y ~ Gamma"), std::string("y ~ Gamma(3, 3 / exp(eta));").size(), local);
    Program const program = compiled(model, "y", {2.5});
    CAPTURE(local);
    REQUIRE(std::get<Factor>(program.model[2]).link_form != nullptr);
    std::vector<std::vector<double>> terms;
    log_joint_terms(program, {40.0}, terms);
    CHECK(terms[2].at(0) == Approx(gamma_exact(2.5, 3, 40.0)).epsilon(1e-13));
  }
  // Only where the rate's numerator is the shape: 2 / exp(eta) with shape 3
  // has mean 1.5 e^eta, not e^eta.
  for (std::string const rate : {"2 / exp(eta)", "3 + exp(eta)", "exp(-eta)", "3 / eta"}) {
    CAPTURE(rate);
    CHECK(std::get<Factor>(compiled(gamma_model(rate), "y", {2.5}).model[1]).link_form == nullptr);
  }
  // Its derivatives in eta, against differences of the same.
  DistributionEntry const& form = *log_mean_form(*distributions().find("Gamma"));
  for (double eta : {-3.0, 0.5, 4.0}) {
    CAPTURE(eta);
    double const x = 2.5, shape = 3;
    double const* const args[2] = {&shape, &eta};
    double slope = 0, curvature = 0;
    form.argument_derivative_rows(&x, 1, args, 0, &slope, &curvature);
    double const h = 1e-4;
    auto const at = [&](double e) { return gamma_exact(x, shape, e); };
    CHECK(slope == Approx((at(eta + h) - at(eta - h)) / (2 * h)).epsilon(1e-7));
    CHECK(curvature == Approx(-(at(eta + h) - 2 * at(eta) + at(eta - h)) / (h * h)).epsilon(1e-5));
  }
  CHECK(log_mean_form(*distributions().find("Poisson")) == nullptr);
}
