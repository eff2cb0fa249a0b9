#include "tools/bbvi-ppl/csv_output.hpp"

#include "runtime/evaluate.hpp"

#include <fmt/format.h>

namespace bbvi::cli {

namespace {

std::string column_name(std::string const& name, std::size_t size, std::size_t k) {
  return size == 0 ? name : fmt::format("{}.{}", name, k + 1);
}

}  // namespace

std::string trace_csv(Program const& program, FitResult const& result) {
  std::string out = "iteration,elbo,elbo_se,step_size";
  for (Parameter const& p : program.parameters)
    for (std::size_t k = 0; k < p.length(); ++k) out += "," + column_name(p.name, p.size, k);
  out += '\n';
  for (IterationRecord const& r : result.trace) {
    // fmt's "{}" is the shortest text that reads back as the same double.
    out += fmt::format("{},{},{},{}", r.iteration, r.elbo, r.elbo_se, r.step);
    for (std::vector<double> const& values : constrained_parameters(program, r.u))
      for (double v : values) out += fmt::format(",{}", v);
    out += '\n';
  }
  return out;
}

std::string draws_csv(Program const& program, GuideDraws const& draws) {
  std::string out;
  for (LatentVariable const& v : program.latents)
    for (std::size_t k = 0; k < v.length(); ++k) out += column_name(v.name, v.size, k) + ",";
  out += "log_p__,log_g__\n";
  for (Eigen::Index s = 0; s < draws.z.rows(); ++s) {
    for (Eigen::Index i = 0; i < draws.z.cols(); ++i) out += fmt::format("{},", draws.z(s, i));
    std::size_t const row = static_cast<std::size_t>(s);
    out += fmt::format("{},{}\n", draws.log_p[row], draws.log_q[row]);
  }
  return out;
}

}  // namespace bbvi::cli
