// A subsampled fit (--batch B; docs/method.md, 'Subsampled fits'): the
// weight that makes B rows stand for N, the batches and the programs on
// them, the noise a batch adds to an estimate, and a whole fit held against
// the mean-field optimum computed without the engine.
#include "core/row_blocks.hpp"
#include "grammar/automatic_guide.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/row_batches.hpp"
#include "runtime/bbvi/subsampling_noise.hpp"
#include "runtime/bbvi/draws.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/logistic_regression_reference.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <set>
#include <sstream>

using namespace bbvi;

namespace {

// As the command line reads a model: a file without a guide block gets the automatic guide.
ast::Program checked(std::string source) {
  std::vector<Diagnostic> notes;
  ast::Program syntax = parse_with_guide(source, "test.model", notes);
  std::vector<Diagnostic> problems = check_program(syntax, distributions().catalog());
  if (!problems.empty()) throw DiagnosticError(std::move(problems));
  return syntax;
}

// Each data row of the CSV text `times` over, in place.
std::string rows_repeated(std::string const& csv, int times = 2) {
  std::istringstream in(csv);
  std::string line, out;
  std::getline(in, line);
  out = line + "\n";
  while (std::getline(in, line))
    for (int k = 0; k < times && !line.empty(); ++k) out += line + "\n";
  return out;
}

// Every observed factor with a term per row counts `weight` times.
Program weighted(Program p, double weight) {
  for (Statement& s : p.model)
    if (auto* f = std::get_if<Factor>(&s); f && f->latent < 0 && f->lhs_size == p.rows) f->weight = weight;
  return p;
}

GradientEstimate estimate_at(Program const& program, Eigen::VectorXd const& u, std::uint64_t iteration) {
  FitOptions options;
  options.threads = 1;
  FitPlan plan = plan_fit(program, options);
  WorkerPool pool(1);
  Draws const d = draw(program, u, plan.settings.samples, 7, iteration, pool, plan.estimator->needs());
  return plan.estimator->estimate(d);
}

double largest_difference(Eigen::MatrixXd const& a, Eigen::MatrixXd const& b) {
  return (a - b).cwiseAbs().maxCoeff() / (1 + b.cwiseAbs().maxCoeff());
}

std::string logistic_csv(std::size_t rows, double centre, std::uint64_t seed) {
  RandomStream rng(seed, 0, 0);
  std::string csv = "x,y\n";
  for (std::size_t r = 0; r < rows; ++r) {
    double const u1 = (static_cast<double>(rng() >> 11) + 0.5) / 9007199254740992.0;
    double const u2 = (static_cast<double>(rng() >> 11) + 0.5) / 9007199254740992.0;
    double const x = centre + std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    double const p = 1 / (1 + std::exp(-(0.3 + 0.8 * (x - centre))));
    double const u3 = (static_cast<double>(rng() >> 11) + 0.5) / 9007199254740992.0;
    csv += fmt::format("{:.17g},{}\n", x, u3 < p ? 1 : 0);
  }
  return csv;
}

std::string const logistic = R"(
data { real x[N]; int<lower=0, upper=1> y[N]; }
latent { real a; real b; }
model { a ~ Normal(0, 10); b ~ Normal(0, 10); y ~ Bernoulli(inv_logit(a + b * x)); }
)";

std::string const regression = R"(
data { real x[N]; real y[N]; }
latent { real a; real b; real<lower=0> s; }
model { a ~ Normal(0, 10); b ~ Normal(0, 10); s ~ HalfNormal(3); y ~ Normal(a + b * x, s); }
)";

std::string const mixture = R"(
data { real x[N]; }
latent { real m1; real m2; real<lower=0, upper=1> w; real<lower=0> s; }
model {
  m1 ~ Normal(-2, 1.5); m2 ~ Normal(2, 1.5); w ~ Beta(2, 2); s ~ HalfNormal(2);
  target += log_mix(w, Normal_lpdf(x | m1, s), Normal_lpdf(x | m2, s));
}
)";

// A change of rate at one of 8 periods; the rows are days, several a period.
std::string const changepoint = R"(
data { int<lower=0> y[N]; int t[N]; real uniform[8] = 0.125; }
latent { real<lower=0> e; real<lower=0> l; int<lower=1, upper=8> tau; }
model { e ~ Gamma(2, 0.5); l ~ Gamma(2, 0.5); tau ~ Categorical(uniform); y ~ Poisson(t < tau ? e : l); }
guide {
  real<lower=0> e_shape = 2; real<lower=0> e_rate = 1; real<lower=0> l_shape = 2; real<lower=0> l_rate = 1;
  simplex[8] p;
  e ~ Gamma(e_shape, e_rate); l ~ Gamma(l_shape, l_rate); tau ~ Categorical(p);
}
)";

std::string changepoint_csv() {
  std::string csv = "y,t\n";
  for (int r = 0; r < 40; ++r) csv += fmt::format("{},{}\n", r < 20 ? 1 + r % 3 : 4 + r % 4, 1 + r / 5);
  return csv;
}

std::string mixture_csv() {
  std::string csv = "x\n";
  for (int r = 0; r < 60; ++r) csv += fmt::format("{}\n", (r % 2 == 0 ? -2 : 2) + 0.05 * (r % 7 - 3));
  return csv;
}

// The model on each row repeated `times` over in place, and on its rows
// once with the weight `times`: the same log-joint and estimates, to rounding.
void weighted_like_repeated(std::string const& source, std::string const& csv, int times) {
  CompileOptions rows_only;
  rows_only.sufficient_statistics = false;  // the regression's rows, not its sums
  data::CsvTable const once = data::CsvTable::from_text(csv, "once.csv");
  data::CsvTable const repeated = data::CsvTable::from_text(rows_repeated(csv, times), "repeated.csv");
  Program const many = compile(checked(source), &repeated, rows_only);
  Program const heavy = weighted(compile(checked(source), &once, rows_only), times);
  REQUIRE(many.rows == static_cast<std::size_t>(times) * heavy.rows);
  FitOptions short_fit;
  short_fit.threads = 1;
  short_fit.max_iterations = 15;
  Eigen::VectorXd const u = fit(many, short_fit).u;
  RandomStream rng(3, 0, 0);
  std::vector<double> const z = sample_guide(many, u, rng);
  CHECK(log_joint(heavy, z) == Approx(log_joint(many, z)).epsilon(1e-12));
  for (std::uint64_t iteration : {1, 2}) {
    GradientEstimate const a = estimate_at(heavy, u, iteration), b = estimate_at(many, u, iteration);
    CHECK(largest_difference(a.gradient, b.gradient) < 1e-7);
    CHECK(largest_difference(a.natural, b.natural) < 1e-7);
    CHECK(a.elbo == Approx(b.elbo).epsilon(1e-10));
    REQUIRE((a.coupling == nullptr) == (b.coupling == nullptr));
    if (a.coupling) {
      CHECK(largest_difference(a.coupling->gradient, b.coupling->gradient) < 1e-7);
      CHECK(largest_difference(Eigen::MatrixXd(a.coupling->curvature), Eigen::MatrixXd(b.coupling->curvature)) <
            1e-7);
    }
  }
}

}  // namespace

TEST_CASE("a factor weighted 2 gives the model on its rows twice over, in the log-joint and in every estimate") {
  struct Case {
    char const* name;
    std::string source, csv;
  };
  for (Case const& c : {Case{"logistic", logistic, logistic_csv(60, 5, 1)},
                        Case{"regression", regression, "x,y\n1,2.1\n2,2.9\n3,4.2\n4,5.1\n5,5.8\n6,7.2\n"},
                        Case{"mixture", mixture, mixture_csv()}, Case{"changepoint", changepoint, changepoint_csv()}}) {
    INFO(c.name);
    weighted_like_repeated(c.source, c.csv, 2);
  }
}

TEST_CASE("rows repeated 4 times over 2.5 row blocks give the model on its rows weighted 4, in every estimate",
          "[long]") {
  // docs/method.md, 'Row blocks': every sum over the rows that an estimate
  // reads, past the first block too. A block left out, or added twice,
  // moves an estimate by a quarter of its rows' terms.
  std::size_t const rows = (2 * row_block + row_block / 2) / 4;
  std::string schools_csv = "school,y,sigma\n";
  std::string changepoint_rows = "y,t\n";
  for (std::size_t r = 0; r < rows; ++r) {
    double const t = static_cast<double>(r);
    schools_csv += fmt::format("{},{:.17g},{:.17g}\n", r % 20 + 1, 3 + 10 * std::sin(t), 5 + std::cos(t));
    changepoint_rows += fmt::format("{},{}\n", r < rows / 2 ? 1 + r % 3 : 4 + r % 4, 1 + 8 * r / rows);
  }
  struct Case {
    char const* name;
    std::string source, csv;
  };
  std::string eight_schools = testing::read_source_file("models/eight_schools.model");
  eight_schools.replace(eight_schools.find("int J = 8;"), 10, "int J = 20;");
  for (Case const& c : {Case{"logistic", logistic, logistic_csv(rows, 5, 1)},
                        Case{"regression", regression, logistic_csv(rows, 5, 2)},
                        Case{"eight schools at J = 20", eight_schools, schools_csv},
                        Case{"changepoint", changepoint, changepoint_rows}}) {
    INFO(c.name);
    weighted_like_repeated(c.source, c.csv, 4);
  }
}

TEST_CASE("a batch's program is the prior and N/B times its rows' terms, and a reduced column keeps all its rows") {
  std::string const source = R"(
data { real x[N]; real y[N]; real<lower=0> sigma = 1.5; }
latent { real a; real b; real mu; }
model { a ~ Normal(0, 10); b ~ Normal(0, 10); mu ~ Normal(0, 10);
        y ~ Normal(a + b * x, sigma); x ~ Normal(mu, 2); }
)";
  std::string const csv = logistic_csv(200, 3, 2);  // y is 0 or 1: any numbers do
  data::CsvTable const table = data::CsvTable::from_text(csv, "rows.csv");
  ast::Program const syntax = checked(source);
  Program const full = compile(syntax, &table, {});
  REQUIRE(std::get<Factor>(full.model[3]).affine);          // the regression's sums
  REQUIRE(!std::get<Factor>(full.model[4]).statistics.empty());  // x's
  RowBatches const batches(syntax, full, {}, 30);
  CHECK(batches.row_statements().empty());
  // Without the reductions, both likelihoods are sampled.
  CompileOptions rows_only;
  rows_only.sufficient_statistics = false;
  Program const by_rows = compile(syntax, &table, rows_only);
  RowBatches const sampled(syntax, by_rows, rows_only, 30);
  CHECK(sampled.row_statements() == std::vector<std::size_t>{3, 4});

  std::vector<std::size_t> const rows = batches.rows_of(1, 4);
  RandomStream rng(5, 0, 0);
  std::vector<double> const z = sample_guide(full, initial_parameters(full), rng);
  // Reduced: the batch's log-joint is the full one.
  CHECK(log_joint(batches.program_on(rows), z) == Approx(log_joint(full, z)).epsilon(1e-12));
  // Sampled: the priors, and the batch's rows of each likelihood times 200/30.
  std::vector<std::vector<double>> terms;
  log_joint_terms(by_rows, z, terms);
  double expected = terms[0][0] + terms[1][0] + terms[2][0];
  for (std::size_t r : rows) expected += 200.0 / 30 * (terms[3][r] + terms[4][r]);
  CHECK(log_joint(sampled.program_on(rows), z) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("a batch's rows are B distinct rows in order, the same for a seed and iteration, each row as often as any") {
  data::CsvTable const table = data::CsvTable::from_text(logistic_csv(50, 0, 3), "rows.csv");
  ast::Program const syntax = checked(logistic);
  Program const full = compile(syntax, &table, {});
  RowBatches const batches(syntax, full, {}, 10);
  std::vector<int> chosen(50, 0);
  constexpr int iterations = 2000;
  for (int t = 1; t <= iterations; ++t) {
    std::vector<std::size_t> const rows = batches.rows_of(9, static_cast<std::uint64_t>(t));
    REQUIRE(rows.size() == 10);
    REQUIRE(std::is_sorted(rows.begin(), rows.end()));
    REQUIRE(std::adjacent_find(rows.begin(), rows.end()) == rows.end());
    REQUIRE(rows.back() < 50);
    for (std::size_t r : rows) ++chosen[r];
  }
  CHECK(batches.rows_of(9, 3) == batches.rows_of(9, 3));
  CHECK(batches.rows_of(9, 3) != batches.rows_of(9, 4));
  CHECK(batches.rows_of(9, 3) != batches.rows_of(10, 3));
  // Each row is in Binomial(2000, 0.2) batches: 400 ± 17.9; five sds for
  // each of 50 rows leaves a chance of 3·10⁻⁵ that a fair sample fails.
  for (int c : chosen) CHECK(std::abs(c - 400) < 5 * 17.9);
}

TEST_CASE("a model a batch cannot stand for is refused, naming what reads the rows") {
  data::CsvTable const table = data::CsvTable::from_text(logistic_csv(40, 0, 4), "rows.csv");
  auto const refusal = [&](std::string const& source, std::size_t batch) {
    ast::Program const syntax = checked(source);
    Program const full = compile(syntax, &table, {});
    try {
      RowBatches const batches(syntax, full, {}, batch);
    } catch (DiagnosticError const& e) {
      REQUIRE(e.diagnostics().front().setting == Setting::batch);
      return e.diagnostics().front().message;
    }
    return std::string("accepted");
  };
  CHECK(refusal(logistic, 40) == "a batch is 4 to N − 1 rows, and the data has N = 40");
  CHECK(refusal(logistic, 3) == "a batch is 4 to N − 1 rows, and the data has N = 40");
  CHECK(refusal(logistic, 39) == "accepted");
  // Each model, after the data block, with what its refusal says.
  std::string const data = "data { real x[N]; int<lower=0, upper=1> y[N]; }\n";
  for (auto const& [rest, says] : std::vector<std::pair<std::string, std::string>>{
           {"latent { real a; } model { a ~ Normal(mean(x), 10); y ~ Bernoulli(inv_logit(a)); }",
            "reads many rows at once"},
           {"latent { real a; } model { a ~ Normal(x[1], 10); y ~ Bernoulli(inv_logit(a)); }",
            "reads a row by its number"},
           {"latent { real a; } model { a ~ Normal(0, N); y ~ Bernoulli(inv_logit(a)); }", "reads the number of rows"},
           {"latent { real a; real e[N]; }\n"
            "model { a ~ Normal(0, 1); e ~ Normal(0, 1); y ~ Bernoulli(inv_logit(a + e)); }",
            "latent 'e' has an element per row"}}) {
    INFO(rest);
    CHECK_THAT(refusal(data + rest, 10), Catch::Contains(says));
  }
}

TEST_CASE("the noise added to an estimate is the spread of the estimates of other batches at the same draws") {
  data::CsvTable const table = data::CsvTable::from_text(logistic_csv(2000, 4, 5), "rows.csv");
  ast::Program const syntax = checked(logistic);
  Program const full = compile(syntax, &table, {});
  FitOptions options;
  options.threads = 1;
  Eigen::VectorXd const u = fit(full, options).u;  // near the optimum, where the fit measures it
  RowBatches const batches(syntax, full, {}, 100);
  WorkerPool pool(1);
  constexpr int count = 400;
  Eigen::MatrixXd natural(count, u.size());
  Eigen::VectorXd added = Eigen::VectorXd::Zero(u.size()), elbos(count);
  double added_elbo = 0;
  for (int k = 0; k < count; ++k) {
    std::uint64_t const t = static_cast<std::uint64_t>(k + 1);
    std::vector<std::size_t> const rows = batches.rows_of(1, t);
    Program const batch = batches.program_on(rows);
    FitPlan plan = plan_fit(batch, options);
    SubsampledEstimator estimator(*plan.estimator, batches, rows, options, 1, t);
    // The same draws at every batch: only the batch moves the estimate.
    Draws const d = draw(batch, u, plan.settings.samples, 7, 1, pool, estimator.needs());
    GradientEstimate const without = plan.estimator->estimate(d);
    GradientEstimate const with = estimator.estimate(d);
    natural.row(k) = without.natural.transpose();
    elbos[k] = without.elbo;
    added += (with.natural_covariance.diagonal() - without.natural_covariance.diagonal()) / count;
    added_elbo += (with.elbo_variance - without.elbo_variance) / count;
  }
  Eigen::MatrixXd const centred = natural.rowwise() - natural.colwise().mean();
  Eigen::VectorXd const spread = centred.colwise().squaredNorm().transpose() / (count - 1);
  double const elbo_spread = (elbos.array() - elbos.mean()).square().sum() / (count - 1);
  // A variance from 400 batches has a relative sd of √(2/399) = 7%, more
  // for a heavy-tailed coordinate: within 30%, four such sds.
  for (Eigen::Index c = 0; c < u.size(); ++c) {
    INFO("coordinate " << c << ": spread " << spread[c] << ", added " << added[c]);
    CHECK(added[c] == Approx(spread[c]).epsilon(0.3));
  }
  INFO("ELBO: spread " << elbo_spread << ", added " << added_elbo);
  CHECK(added_elbo == Approx(elbo_spread).epsilon(0.3));
}

// The batches grow fourfold each time the gradient is down to their noise,
// and the fit ends on every row, where the stopping rule certifies it.
// Measured on seeds 1–3: KL 4·10⁻⁵, 7·10⁻⁵ and 10⁻⁶ from the optimum, every
// row from iteration 49, 29 and 20. 0.01 is the KL the batches are asked to
// come within of the fit on every row (docs/method.md, 'Subsampled fits').
TEST_CASE("a subsampled fit of an uncentred logistic regression ends within 0.01 nats of KL of the mean-field optimum") {
  using namespace reference;
  LogisticRegression const r = correlated_logistic_regression(2, 20000, 0.99, 3);
  MeanFieldNormal const optimum = mean_field_optimum(r);
  data::CsvTable const table = data::CsvTable::from_text(logistic_csv(r), "large.csv");
  ast::Program const syntax = checked(logistic_model(r));
  Program const full = compile(syntax, &table, {});
  RowBatches const batches(syntax, full, {}, 1000);
  FitOptions options;
  options.threads = 1;
  options.batches = &batches;
  FitResult const result = fit(full, options);
  CHECK(result.settings.batch == 1000);
  CHECK(result.settings.rows == 20000);
  CHECK(result.converged);
  CHECK(result.all_rows_from > 1);  // the batches took the first iterations
  std::vector<std::vector<double>> const p = constrained_parameters(full, result.u);
  double kl = 0;
  for (std::size_t k = 0; k < 2; ++k) {
    Eigen::Index const i = static_cast<Eigen::Index>(k);
    double const m = p[0][k], s = p[1][k], m0 = optimum.mean[i], s0 = optimum.sd[i];
    kl += std::log(s0 / s) + (s * s + (m - m0) * (m - m0)) / (2 * s0 * s0) - 0.5;
  }
  INFO("after " << result.iterations << " iterations, every row from " << result.all_rows_from << ": KL " << kl);
  CHECK(kl < 0.01);
}
