#include "tools/bbvi-ppl/report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bbvi::cli {

std::string format_report(FitReport const& r) {
  Program const& p = *r.program;
  FitResult const& f = *r.result;
  std::string out;
  out += fmt::format("bbvi-ppl: {} on {} ({} rows)\n", r.model_file, r.data_file.empty() ? "no data" : r.data_file,
                     p.rows);
  out += fmt::format("method {}, estimator {}, {} draws per iteration, seed {}\n\n", name_of(r.options->method),
                     name_of(f.estimator), f.samples, r.options->seed);

  std::size_t width = 9;
  for (Parameter const& q : p.parameters) width = std::max(width, q.name.size() + (q.size ? 6 : 0));
  GradientSummary const& g = f.gradient;
  bool const gradient = g.iterations > 0;
  out += fmt::format("{:<{}}  {:>14}", "parameter", width, "value");
  out += gradient ? fmt::format(" {:>13} {:>9}\n", "gradient var", "SNR") : "\n";
  for (std::size_t i = 0; i < p.parameters.size(); ++i) {
    Parameter const& q = p.parameters[i];
    for (std::size_t k = 0; k < q.length(); ++k) {
      std::string const name = q.size == 0 ? q.name : fmt::format("{}[{}]", q.name, k + 1);
      out += fmt::format("{:<{}}  {:>14.6g}", name, width, r.parameters[i][k]);
      Eigen::Index const c = static_cast<Eigen::Index>(q.offset + k);
      out += gradient ? fmt::format(" {:>13.3g} {:>9.3g}\n", g.variance[c], g.snr[c]) : "\n";
    }
  }
  if (gradient)
    out += fmt::format("(the ELBO's gradient in each parameter's unconstrained coordinate: the variance of\n"
                       " one iteration's estimate, and SNR = |mean over the last {} iterations| / sd)\n",
                       g.iterations);

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
  // Each parameter's values in `per_coordinate`, shaped like the parameter.
  auto const by_parameter = [&](Eigen::VectorXd const& per_coordinate) {
    json out = json::object();
    for (Parameter const& q : p.parameters) {
      std::vector<double> values;
      for (std::size_t k = 0; k < q.length(); ++k) values.push_back(per_coordinate[static_cast<Eigen::Index>(q.offset + k)]);
      out[q.name] = q.size == 0 ? json(values[0]) : json(values);
    }
    return out;
  };
  json gradient = json::object();
  if (f.gradient.iterations > 0)
    gradient = {{"iterations", f.gradient.iterations},
                {"variance", by_parameter(f.gradient.variance)},
                {"snr", by_parameter(f.gradient.snr)}};
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
      {"gradient", gradient},
      {"method", name_of(r.options->method)},
      {"estimator", name_of(f.estimator)},
      {"samples", f.samples},
      {"seed", r.options->seed},
      {"log_joint_evaluations", f.log_joint_evaluations},
  };
}

}  // namespace bbvi::cli
