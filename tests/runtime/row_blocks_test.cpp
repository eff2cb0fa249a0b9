// Sums over the rows are taken in fixed blocks of rows and the blocks' sums
// added in block order (docs/method.md, 'Row blocks'): a statement's log
// density on all the rows is, to the bit, the sum of its log densities on
// each block's rows alone; the blankets' and the statistics' sums over many
// blocks are those of exact arithmetic to rounding.
#include "core/row_blocks.hpp"
#include "runtime/bbvi/blankets.hpp"
#include "runtime/distributions/statistics.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

using namespace bbvi;

namespace {

constexpr std::size_t schools = 50;
constexpr std::size_t rows = 2 * row_block + row_block / 2;

// Eight schools' columns over `rows` rows from `first`, school (n mod 50) + 1.
data::CsvTable school_rows(std::size_t first, std::size_t count) {
  std::string csv = "school,y,sigma\n";
  for (std::size_t n = first; n < first + count; ++n) {
    double const t = static_cast<double>(n);
    fmt::format_to(std::back_inserter(csv), "{},{:.17g},{:.17g}\n", n % schools + 1, 3 + 10 * std::sin(t),
                   1 + 0.5 * std::cos(0.3 * t) * std::cos(0.3 * t));
  }
  return data::CsvTable::from_text(std::move(csv), "memory.csv");
}

Program schools_on(data::CsvTable const& table) {
  CompileOptions options;
  options.overrides.emplace("J", static_cast<double>(schools));
  return testing::compile_model(testing::read_source_file("models/eight_schools.model"), &table, options);
}

std::vector<double> a_draw() {
  std::vector<double> z = {1.5, 2.5};  // mu, tau
  for (std::size_t j = 0; j < schools; ++j) z.push_back(std::sin(static_cast<double>(j) + 0.5));
  return z;
}

// Each statement's sum, its terms kept as one number.
std::vector<double> statement_sums(Program const& program, std::vector<double> const& z) {
  std::vector<std::vector<double>> terms;
  std::vector<bool> const summed(program.model.size(), true);
  log_joint_terms(program, z, terms, &summed);
  std::vector<double> out;
  for (std::vector<double> const& t : terms) out.push_back(t.empty() ? 0.0 : t[0]);
  return out;
}

}  // namespace

TEST_CASE("row blocks: a statement's log density on all the rows is its blocks' added in block order, to the bit") {
  REQUIRE(row_blocks(rows) == 3);
  data::CsvTable const all = school_rows(0, rows);
  std::vector<double> const z = a_draw();
  std::vector<double> const whole = statement_sums(schools_on(all), z);
  std::vector<double> blocked;
  for (std::size_t a = 0; a < rows; a += row_block) {
    std::vector<double> const block = statement_sums(schools_on(school_rows(a, std::min(row_block, rows - a))), z);
    if (blocked.empty())
      blocked = block;
    else
      blocked.back() += block.back();  // y ~ Normal(theta[school], sigma): the one statement over the rows
  }
  REQUIRE(whole.size() == blocked.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    CAPTURE(i);
    CHECK(whole[i] == blocked[i]);
  }
}

TEST_CASE("row blocks: the blankets' sums over many blocks are each group's terms added exactly, to rounding") {
  data::CsvTable const all = school_rows(0, rows);
  Program const program = schools_on(all);
  Blankets const b = find_blankets(program);
  std::vector<double> const z = a_draw();
  std::vector<std::vector<double>> terms;
  log_joint_terms(program, z, terms);  // every term, so that the reference can read them one by one
  std::vector<double> log_q(program.latent_dimension);
  for (std::size_t e = 0; e < log_q.size(); ++e) log_q[e] = 0.25 * static_cast<double>(e);
  Eigen::RowVectorXd const sums = blanket_sums(b, terms, log_q);
  std::vector<long double> exact(b.groups.size(), 0.0L), magnitude(b.groups.size(), 0.0L);
  for (std::size_t i = 0; i < terms.size(); ++i)
    for (std::size_t k = 0; k < terms[i].size(); ++k)
      for (int g : b.terms[i].of(k)) {
        exact[static_cast<std::size_t>(g)] += terms[i][k];
        magnitude[static_cast<std::size_t>(g)] += std::fabs(terms[i][k]);
      }
  for (std::size_t e = 0; e < log_q.size(); ++e)
    exact[static_cast<std::size_t>(b.group_of_element[e])] -= log_q[e];
  REQUIRE(b.groups.size() == 2 + schools);
  for (std::size_t g = 0; g < b.groups.size(); ++g) {
    CAPTURE(g);
    // Σ|terms| · 1e-13 is hundreds of rounding errors of ε|term| for the
    // 163,840 rows of mu's and tau's groups; a term missed or counted twice
    // is at least one term.
    CHECK(sums[static_cast<Eigen::Index>(g)] ==
          Approx(static_cast<double>(exact[g])).epsilon(0).margin(static_cast<double>(1e-13L * magnitude[g])));
  }
}

TEST_CASE("row blocks: a column's statistics over many blocks, its mean 10^6 times its spread, are exact to rounding") {
  std::vector<double> x(rows);
  for (std::size_t n = 0; n < rows; ++n) x[n] = 1e6 + std::sin(static_cast<double>(n)) + (n < row_block ? 0.5 : 0.0);
  long double total = 0;
  for (double v : x) total += v;
  long double const mean = total / static_cast<long double>(rows);
  long double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  auto const [count, centred_mean, centred_ss] = statistics::centred(x.data(), x.size(), statistics::identity);
  CHECK(count == static_cast<double>(rows));
  // The mean, about 10⁶, rounds to 1.2·10⁻¹⁰ (ε/2 of it); 1e-15 is ten
  // such roundings, and a missed block moves it by about 0.1.
  CHECK(centred_mean == Approx(static_cast<double>(mean)).epsilon(1e-15));
  // ss ≈ 10⁵ against squares of 10¹²: a sum of squares about zero would lose
  // six digits to cancellation here; the centred blocks keep twelve.
  CHECK(centred_ss == Approx(static_cast<double>(ss)).epsilon(1e-12));
  // The sum is the blocks' in block order, whoever takes each block.
  double const by_blocks = (statistics::block_sum(x.data(), row_block, statistics::identity) +
                            statistics::block_sum(x.data() + row_block, row_block, statistics::identity)) +
                           statistics::block_sum(x.data() + 2 * row_block, rows - 2 * row_block, statistics::identity);
  CHECK(statistics::sum(x.data(), x.size(), statistics::identity) == by_blocks);
  // Terms of equal sign near 10⁶: the sum's rounding is within a few ε of
  // it per block level, far below 1e-15; a missed block is 40% of it.
  CHECK(by_blocks == Approx(static_cast<double>(total)).epsilon(1e-15));
}

TEST_CASE("row blocks: sum() over a column of 2.5 blocks is its blocks' sums added in block order, to the bit") {
  std::string const source = R"(
data { real y[N]; }
latent { real mu; }
model { mu ~ Normal(0, 1); target += sum(y); target += log_sum_exp(y); }
guide { real m = 0; real<lower=0> s = 1; mu ~ Normal(m, s); }
)";
  auto const value = [](std::size_t n) { return 1e3 * std::sin(static_cast<double>(n)); };
  auto const column = [&](std::size_t first, std::size_t count) {
    std::vector<double> y(count);
    for (std::size_t n = 0; n < count; ++n) y[n] = value(first + n);
    return testing::column_table("y", y);
  };
  data::CsvTable const all = column(0, rows);
  std::vector<double> const whole = statement_sums(testing::compile_model(source, &all), {0.5});
  REQUIRE(whole.size() == 3);
  double blocked = 0;
  for (std::size_t a = 0; a < rows; a += row_block) {
    data::CsvTable const block = column(a, std::min(row_block, rows - a));
    double const sum = statement_sums(testing::compile_model(source, &block), {0.5})[1];
    blocked = a == 0 ? sum : blocked + sum;
  }
  CHECK(whole[1] == blocked);
  long double exact = 0;
  for (std::size_t n = 0; n < rows; ++n) exact += std::exp(static_cast<long double>(value(n)) - 1e3L);
  // Positive terms exp(y − max), their sum's relative rounding a few ε over
  // 163,840 of them, and the result a little over 1,000: 1e-14 of it is 10⁻¹¹, where
  // a missed block would move the log by ~0.5.
  CHECK(whole[2] == Approx(static_cast<double>(1e3L + std::log(exact))).epsilon(1e-14));
}

TEST_CASE("row blocks: a later block's sums by index are handed on once each, for few indices or many") {
  for (std::size_t size : {std::size_t{10}, row_block + 10}) {
    CAPTURE(size);
    BlockSums block(size);
    std::vector<double> running(size, 1.0);
    for (int round = 0; round < 2; ++round) {
      block[3] += 0.5;
      block[size - 1] += 2;
      block[3] += 0.25;
      std::vector<std::size_t> handed;
      block.hand_on([&](std::size_t i, double sum) {
        running[i] += sum;
        if (sum != 0) handed.push_back(i);
      });
      CHECK(handed.size() == 2);  // each reached index once, with its whole sum
    }
    CHECK(running[3] == 2.5);
    CHECK(running[size - 1] == 5);
    CHECK(running[0] == 1);
    block.hand_on([&](std::size_t, double sum) { CHECK(sum == 0); });  // cleared
  }
}
