#include "bench/bench_support.hpp"

#include "runtime/bbvi/fit.hpp"
#include "runtime/evaluate.hpp"
#include "tests/support/eight_schools_reference.hpp"
#include "tests/support/fit_helpers.hpp"
#include "tests/support/normal_gamma_reference.hpp"
#include "tools/normal_gamma_data.hpp"

#include <cmath>

namespace bbvi::bench {

namespace {

reference::NormalGammaGuide guide_of(Program const& program, Eigen::VectorXd const& u) {
  auto const p = constrained_parameters(program, u);
  return {p[0][0], p[1][0], p[2][0], p[3][0]};
}

}  // namespace

Case canonical(std::size_t rows, std::uint64_t seed) {
  Case c;
  c.name = fmt::format("canonical, N = {}", rows);
  c.x = tools::generate_normal_gamma(rows, {0.0, 1.0, 1.0, 1.0}, seed);
  data::CsvTable const table = testing::column_table("x", c.x);
  c.program = testing::compile_model(testing::read_source_file("models/normal_gamma.model"), &table);
  reference::NormalGammaGuide const q = reference::cavi_optimum(c.x, {0.0, 1.0, 1.0, 1.0});
  c.optimum = (Eigen::VectorXd(4) << q.mu_N, std::log(q.lambda_N), std::log(q.alpha_N), std::log(q.beta_N)).finished();
  return c;
}

Case eight_schools() {
  Case c;
  c.name = "eight_schools";
  data::CsvTable const table =
      data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/eight_schools.csv");
  c.program = testing::compile_model(testing::read_source_file("models/eight_schools.model"), &table);
  reference::EightSchools d;
  for (std::int64_t s : table.int_column("school")) d.school.push_back(static_cast<int>(s));
  d.y = table.real_column("y");
  d.sigma = table.real_column("sigma");
  reference::EightSchoolsGuide const q = reference::eight_schools_optimum(d);
  // The guide's parameters in declaration order; the sds are lower=0: log.
  std::vector<double> u{q.mu_mean, std::log(q.mu_sd), q.log_tau_mean, std::log(q.log_tau_sd)};
  for (double m : q.eta_mean) u.push_back(m);
  for (double s : q.eta_sd) u.push_back(std::log(s));
  c.optimum = Eigen::Map<Eigen::VectorXd>(u.data(), static_cast<Eigen::Index>(u.size()));
  return c;
}

Case eight_schools_centred() {
  Case c;
  c.name = "eight_schools, centred";
  data::CsvTable const table =
      data::CsvTable::from_file(std::string(BBVI_SOURCE_DIR) + "/models/eight_schools.csv");
  c.program = testing::compile_model(testing::read_source_file("bench/eight_schools_centred.model"), &table);
  c.optimum = fit(c.program, FitOptions{}).u;
  return c;
}

double canonical_kl(Case const& c, Eigen::VectorXd const& u) {
  return reference::kl_to(guide_of(c.program, u), guide_of(c.program, c.optimum));
}

}  // namespace bbvi::bench
