#include "tools/bbvi-ppl/report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bbvi::cli {

namespace {

char const* method_name(Method m) { return m == Method::natural_gradient ? "natural-gradient" : "adagrad"; }

}  // namespace

std::string format_report(FitReport const& r) {
  Program const& p = *r.program;
  FitResult const& f = *r.result;
  std::string out;
  out += fmt::format("bbvi-ppl: {} on {} ({} rows)\n", r.model_file, r.data_file.empty() ? "no data" : r.data_file,
                     p.rows);
  out += fmt::format("method {}, {} draws per iteration, seed {}\n\n", method_name(r.options->method), f.samples,
                     r.options->seed);

  std::size_t width = 9;
  for (Parameter const& q : p.parameters) width = std::max(width, q.name.size() + (q.size ? 6 : 0));
  out += fmt::format("{:<{}}  {:>14}\n", "parameter", width, "value");
  for (std::size_t i = 0; i < p.parameters.size(); ++i) {
    Parameter const& q = p.parameters[i];
    for (std::size_t k = 0; k < q.length(); ++k) {
      std::string const name = q.size == 0 ? q.name : fmt::format("{}[{}]", q.name, k + 1);
      out += fmt::format("{:<{}}  {:>14.6g}\n", name, width, r.parameters[i][k]);
    }
  }

  width = 6;
  for (auto const& m : r.marginals) width = std::max(width, m.name.size());
  out += fmt::format("\n{:<{}}  {:>12} {:>12} {:>12} {:>12} {:>12}\n", "latent", width, "mean", "sd", "5%", "50%",
                     "95%");
  for (auto const& m : r.marginals)
    out += fmt::format("{:<{}}  {:>12.6g} {:>12.6g} {:>12.6g} {:>12.6g} {:>12.6g}\n", m.name, width, m.mean, m.sd,
                       m.q5, m.q50, m.q95);
  out += fmt::format("(under the fitted guide, from {} of its draws)\n\n", r.summary_draws);

  out += fmt::format("ELBO        {:.6f} ± {:.2g}\n", f.elbo, f.elbo_se);
  out += fmt::format("iterations  {}{}\n", f.iterations, f.converged ? " (converged)" : " (not converged)");
  out += fmt::format("time        {:.3f} s\n", f.seconds);
  return out;
}

nlohmann::ordered_json report_json(FitReport const& r) {
  using json = nlohmann::ordered_json;
  Program const& p = *r.program;
  FitResult const& f = *r.result;
  json params = json::object();
  for (std::size_t i = 0; i < p.parameters.size(); ++i) {
    Parameter const& q = p.parameters[i];
    params[q.name] = q.size == 0 ? json(r.parameters[i][0]) : json(r.parameters[i]);
  }
  json summary = json::object();
  for (auto const& m : r.marginals)
    summary[m.name] = {{"mean", m.mean}, {"sd", m.sd}, {"q5", m.q5}, {"q50", m.q50}, {"q95", m.q95}};
  return json{
      {"params", params},
      {"elbo", f.elbo},
      {"elbo_se", f.elbo_se},
      {"iterations", f.iterations},
      {"converged", f.converged},
      {"seconds", f.seconds},
      {"summary", summary},
      {"method", method_name(r.options->method)},
      {"samples", f.samples},
      {"seed", r.options->seed},
      {"log_joint_evaluations", f.log_joint_evaluations},
  };
}

}  // namespace bbvi::cli
