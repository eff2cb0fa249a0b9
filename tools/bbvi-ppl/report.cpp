#include "tools/bbvi-ppl/report.hpp"

#include "runtime/program_walk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#ifndef BBVI_VERSION
#error "BBVI_VERSION is defined by tools/CMakeLists.txt"
#endif

namespace bbvi::cli {

namespace {

std::string parameter_table(FitReport const& r) {
  Program const& p = *r.program;
  GradientSummary const& g = r.result->gradient;
  bool const gradient = g.iterations > 0;
  std::size_t width = 9;
  for (Parameter const& q : p.parameters) width = std::max(width, q.element_name(q.length() - 1).size());
  std::string out = fmt::format("{:<{}}  {:>14}", "parameter", width, "value");
  out += gradient ? fmt::format(" {:>13} {:>9}\n", "gradient var", "SNR") : "\n";
  for (std::size_t i = 0; i < p.parameters.size(); ++i) {
    Parameter const& q = p.parameters[i];
    for (std::size_t k = 0; k < q.length(); ++k) {
      out += fmt::format("{:<{}}  {:>14.6g}", q.element_name(k), width, r.parameters[i][k]);
      // A simplex's last element, and a Cholesky factor's above its
      // diagonal, have no coordinate of their own (runtime/constraint.hpp).
      std::optional<std::size_t> const coordinate = q.coordinate_of(k);
      Eigen::Index const c = static_cast<Eigen::Index>(q.offset + coordinate.value_or(0));
      if (gradient && !coordinate)
        out += fmt::format(" {:>13} {:>9}\n", "-", "-");
      else
        out += gradient ? fmt::format(" {:>13.3g} {:>9.3g}\n", g.variance[c], g.snr[c]) : "\n";
    }
  }
  if (gradient)
    out += fmt::format("(the ELBO's gradient in each parameter's unconstrained coordinate: the variance of\n"
                       " one iteration's estimate, and SNR = |mean over the last {} iterations| / sd, the sd\n"
                       " one estimate claims or the estimates' spread if larger. Below 1, the gradient is\n"
                       " down to noise; above 1 it is not, unless the variance is near 0 (below 1e-6), where\n"
                       " the estimator is exact and SNR says nothing: docs/output.md)\n",
                       g.iterations);
  return out;
}

bool several_chains(FitReport const& r) { return r.chains && r.chains->size() > 1; }

// Why the reported chain is the one reported (reported_chain in runtime/bbvi/chains.hpp).
std::string reported_because(FitReport const& r) {
  if (r.agreement.measured && r.agreement.agree) return "; reported: the chains agree, and it is the first";
  return "; reported: the highest ELBO";
}

// Half the range of latent element e's mean over the chains.
double chain_spread(FitReport const& r, std::size_t e) {
  double lo = r.marginals[e].mean, hi = lo;
  for (auto const& chain : r.chain_marginals) {
    lo = std::min(lo, chain[e].mean);
    hi = std::max(hi, chain[e].mean);
  }
  return (hi - lo) / 2;
}

// One row per latent element, as CmdStan's stansummary prints its draws.
std::string latent_table(FitReport const& r) {
  std::size_t width = 6;
  for (auto const& m : r.marginals) width = std::max(width, m.name.size());
  bool const chains = several_chains(r);
  std::string out = fmt::format("{:<{}}  {:>12} {:>12} {:>12} {:>12} {:>12}", "latent", width, "Mean", "StdDev",
                                "5%", "50%", "95%");
  out += chains ? fmt::format(" {:>12}\n", "chains ±") : "\n";
  for (std::size_t e = 0; e < r.marginals.size(); ++e) {
    MarginalSummary const& m = r.marginals[e];
    out += fmt::format("{:<{}}  {:>12.6g} {:>12.6g} {:>12.6g} {:>12.6g} {:>12.6g}", m.name, width, m.mean, m.sd,
                       m.q5, m.q50, m.q95);
    out += chains ? fmt::format(" {:>12.3g}\n", chain_spread(r, e)) : "\n";
  }
  if (chains)
    out += fmt::format("(chain {}'s guide; chains ±: half the range of the Mean over the {} chains)\n",
                       r.reported_chain + 1, r.chains->size());
  out += fmt::format("(the fitted guide's marginals, from {} of its draws: a mean is good to about StdDev/{:.0f})\n",
                     r.summary_draws, std::sqrt(static_cast<double>(r.summary_draws)));
  return out;
}

std::string diagnostics(FitReport const& r) {
  FitResult const& f = *r.result;
  ImportanceCheck const& c = r.importance;
  std::string out;
  out += fmt::format("ELBO          {:.6f} ± {:.2g}\n", f.elbo, f.elbo_se);
  if (c.draws > 0) {
    std::string const rejected = c.rejected > 0 ? fmt::format("; {} the model rejected", c.rejected) : "";
    if (std::vector<std::string> const flat = flat_prior_names(*r.program); !flat.empty())
      out += fmt::format("log evidence  not defined: {} {} a flat prior (no '~' in the model)\n", fmt::join(flat, ", "),
                         flat.size() == 1 ? "has" : "have");
    else if (c.evidence)
      out += fmt::format("log evidence  {:.6f} ± {:.2g}  (importance-weighted, {} draws of the guide{})\n",
                         c.evidence->value, c.evidence->se, c.draws, rejected);
    else
      out += fmt::format("log evidence  not estimable: the model rejected all {} draws of the guide\n", c.draws);
    if (c.k_hat)
      out += fmt::format("Pareto k̂      {:.2f}  ({})\n", *c.k_hat, k_hat_reading(*c.k_hat));
    else
      out += "Pareto k̂      not estimable: the largest weights tie (a discrete latent?) or few draws carry weight\n";
  }
  if (several_chains(r)) {
    ChainAgreement const& a = r.agreement;
    out += fmt::format("chains        {} from seeds {} to {}", r.chains->size(), r.options->seed,
                       r.options->seed + r.chains->size() - 1);
    if (a.measured)
      out += fmt::format(": the farthest from the reported chain is {:.2g} nats of KL away, their own noise {:.2g} "
                         "({})\n",
                         a.largest_kl, a.noise_kl, a.agree ? "they agree" : "they disagree");
    else
      out += " (their agreement is measured for natural-gradient fits only)\n";
    for (std::size_t k = 0; k < r.chains->size(); ++k) {
      FitResult const& chain = (*r.chains)[k];
      out += fmt::format("  chain {:<5} ELBO {:.6f} ± {:.2g}  (seed {}{})\n", k + 1, chain.elbo, chain.elbo_se,
                         r.options->seed + k, k == r.reported_chain ? reported_because(r) : "");
    }
  }
  out += fmt::format("iterations    {}{}\n", f.iterations,
                     f.converged        ? " (converged)"
                     : f.cannot_certify ? " (not converged, and cannot be certified: the curvature measured in the "
                                          "locations was not positive definite in the last iterations)"
                                        : " (not converged)");
  out += fmt::format("time          {:.3f} s\n", f.seconds);
  return out;
}

}  // namespace

char const* version() { return BBVI_VERSION; }

std::vector<std::string> flat_prior_names(Program const& program) {
  std::vector<std::string> names;
  for (LatentVariable const& v : program.latents)
    if (v.flat_prior) names.push_back(v.name);
  return names;
}

std::string chains_warning(FitReport const& r) {
  if (!several_chains(r) || r.agreement.agree) return "";
  std::size_t const c = r.reported_chain;
  return fmt::format(
      "bbvi-ppl: warning: the {} chains disagree: two fitted guides are {:.2g} nats of KL apart, more than ten times\n"
      "  their own Monte-Carlo noise ({:.2g}). The fits found different optima (a multimodal posterior?) or have not\n"
      "  settled: compare the chains ± column and each chain's ELBO, and try more --iters or a smaller --tolerance.\n"
      "  Chain {} (seed {}) has the highest ELBO, {:.6f}, and is the one reported\n",
      r.chains->size(), r.agreement.largest_kl, r.agreement.noise_kl, c + 1, r.options->seed + c,
      (*r.chains)[c].elbo);
}

std::string k_hat_reading(double k_hat) {
  if (k_hat < 0.5) return "good: below 0.5, the guide covers the posterior";
  if (k_hat <= 0.7) return "usable: 0.5 to 0.7, importance-weighted estimates are noisier";
  return "unreliable: above 0.7, see the warning";
}

std::vector<std::string> centred_latents(Program const& p) {
  ProgramWalk const model = ProgramWalk::of_model(p);
  std::vector<std::string> found;
  for (Statement const& st : p.model) {
    auto const* f = std::get_if<Factor>(&st);
    if (!f || f->latent < 0) continue;
    std::vector<std::string> const& names = f->distribution->signature.parameters;
    for (std::size_t a = 0; a < std::min(names.size(), f->args.size()); ++a) {
      if (names[a] != "sd" && names[a] != "scale") continue;
      // The latents the scale reads, directly or through the model's locals.
      Node const& scale = f->args[a];
      std::vector<bool> read(p.latents.size(), false);
      for (std::size_t k = 0; k < std::max<std::size_t>(scale.size, 1); ++k)
        model.visit_leaves(scale, k, [&](std::size_t latent, std::size_t) { read[latent] = true; });
      std::string latents;
      for (std::size_t v = 0; v < read.size(); ++v)
        if (read[v]) latents += (latents.empty() ? "" : ", ") + p.latents[v].name;
      if (!latents.empty())
        found.push_back(fmt::format("{} (scale {})", p.latents[static_cast<std::size_t>(f->latent)].name, latents));
    }
  }
  return found;
}

std::string k_hat_warning(FitReport const& r) {
  ImportanceCheck const& c = r.importance;
  if (c.draws == 0 || (c.k_hat && *c.k_hat <= 0.7)) return "";
  std::string const what = c.k_hat ? fmt::format("Pareto k̂ is {:.2f}, above 0.7", *c.k_hat)
                                   : std::string("Pareto k̂ could not be estimated");
  std::string out = fmt::format(
      "bbvi-ppl: warning: {}: the fitted guide misses mass the posterior has (its tails\n"
      "  are too light, or the posterior is correlated where the guide is mean-field), so the ELBO, the evidence and\n"
      "  the marginals above may be off. Try, in the order that helped on the example models (docs/output.md):\n",
      what);
  // Measured on eight schools, seeds 1-3 (docs/output.md, "The report").
  int step = 0;
  std::vector<std::string> const centred = r.program ? centred_latents(*r.program) : std::vector<std::string>{};
  if (!centred.empty()) {
    std::string list;
    for (std::string const& name : centred) list += (list.empty() ? "" : "; ") + name;
    out += fmt::format(
        "  {}. a latent's prior scale is another latent: {}. Write it in non-centred form,\n"
        "     theta = mu + tau * eta with eta ~ Normal(0, 1) (docs/tutorial.md, section 5): on eight schools the\n"
        "     ELBO rose 1.3 to 1.9 nats and the fit took 115 to 147 iterations instead of 701 to 1,228\n",
        ++step, list);
  }
  out += fmt::format(
      "  {}. more --draws (--draws 4000): k̂ is itself an estimate, about ±0.17 near 0.7 with 1000 draws; if it\n"
      "     falls below 0.7, the first reading was noise (non-centred eight schools: 0.78, then 0.65)\n",
      ++step);
  out += fmt::format("  {}. --trace, to check that the fit had settled (more --iters, if the cap was reached)\n",
                     ++step);
  out += fmt::format(
      "  {}. last, a heavier-tailed guide family (StudentT in place of Normal): on eight schools it lowered the\n"
      "     ELBO by 1 to 2.6 nats, a guide further from the posterior, and reached the iteration cap\n",
      ++step);
  return out;
}

bool all_finite(FitReport const& r) {
  FitResult const& f = *r.result;
  bool ok = std::isfinite(f.elbo) && std::isfinite(f.elbo_se);
  for (auto const& values : r.parameters)
    for (double v : values) ok = ok && std::isfinite(v);
  if (f.gradient.iterations > 0) ok = ok && f.gradient.variance.allFinite() && f.gradient.snr.allFinite();
  for (MarginalSummary const& m : r.marginals)
    for (double v : {m.mean, m.sd, m.q5, m.q50, m.q95}) ok = ok && std::isfinite(v);
  if (r.chains)
    for (FitResult const& chain : *r.chains) ok = ok && std::isfinite(chain.elbo) && std::isfinite(chain.elbo_se);
  for (auto const& chain : r.chain_marginals)
    for (MarginalSummary const& m : chain) ok = ok && std::isfinite(m.mean);
  return ok;  // k̂ and the evidence are written only where finite (ImportanceCheck)
}

std::string format_report(FitReport const& r) {
  Program const& p = *r.program;
  FitResult const& f = *r.result;
  std::string out;
  out += fmt::format("bbvi-ppl {}: {} on {} ({} rows)\n", BBVI_VERSION, r.model_file,
                     r.data_file.empty() ? "no data" : r.data_file, p.rows);
  out += fmt::format("method {}, estimator {}, {} draws per iteration, seed {}\n", name_of(f.settings.method),
                     f.settings.estimator, f.settings.samples, f.settings.seed);
  if (f.settings.batch > 0)
    out += fmt::format("subsampled: {} of the {} rows an iteration at first, each standing for {:.4g}; {}\n",
                       f.settings.batch, f.settings.rows,
                       static_cast<double>(f.settings.rows) / static_cast<double>(f.settings.batch),
                       f.all_rows_from > 0 ? fmt::format("every row from iteration {}", f.all_rows_from)
                                           : std::string("never every row, and the ELBO is from the last batch"));
  out += "\n";
  out += latent_table(r) + "\n" + parameter_table(r) + "\n" + diagnostics(r);
  return out;
}

nlohmann::ordered_json report_json(FitReport const& r) {
  using json = nlohmann::ordered_json;
  Program const& p = *r.program;
  FitResult const& f = *r.result;
  FitOptions const& o = *r.options;
  json params = json::object();
  for (std::size_t i = 0; i < p.parameters.size(); ++i) {
    Parameter const& q = p.parameters[i];
    params[q.name] = q.size == 0 ? json(r.parameters[i][0]) : json(r.parameters[i]);
    if (q.columns == 0) continue;
    json rows = json::array();  // a Cholesky factor's, row by row
    for (std::size_t row = 0; row < q.columns; ++row) {
      auto const first = r.parameters[i].begin() + static_cast<std::ptrdiff_t>(row * q.columns);
      rows.push_back(std::vector<double>(first, first + static_cast<std::ptrdiff_t>(q.columns)));
    }
    params[q.name] = rows;
  }
  // Each parameter's values in `per_coordinate`, shaped like the parameter.
  auto const by_parameter = [&](Eigen::VectorXd const& per_coordinate) {
    json out = json::object();
    for (Parameter const& q : p.parameters) {
      std::vector<double> values;
      for (std::size_t k = 0; k < q.coordinates(); ++k)
        values.push_back(per_coordinate[static_cast<Eigen::Index>(q.offset + k)]);
      out[q.name] = q.size == 0 ? json(values[0]) : json(values);
    }
    return out;
  };
  json gradient = json::object();
  if (f.gradient.iterations > 0)
    gradient = {{"iterations", f.gradient.iterations},
                {"variance", by_parameter(f.gradient.variance)},
                {"snr", by_parameter(f.gradient.snr)}};
  // Per latent; a vector latent's statistics are arrays over its elements.
  json summary = json::object();
  std::size_t next = 0;
  for (LatentVariable const& v : p.latents) {
    json statistics = json::object();
    for (auto const& [key, field] : {std::pair{"mean", &MarginalSummary::mean}, std::pair{"sd", &MarginalSummary::sd},
                                     std::pair{"q5", &MarginalSummary::q5}, std::pair{"q50", &MarginalSummary::q50},
                                     std::pair{"q95", &MarginalSummary::q95}}) {
      std::vector<double> values;
      for (std::size_t k = 0; k < v.length(); ++k) values.push_back(r.marginals[next + k].*field);
      statistics[key] = v.size == 0 ? json(values[0]) : json(values);
    }
    summary[v.name] = statistics;
    next += v.length();
  }
  json set = json::object();
  for (auto const& [name, value] : r.overrides) set[name] = value;
  json settings = {
      {"model", r.model_file},
      {"data", r.data_file.empty() ? json(nullptr) : json(r.data_file)},
      {"method", name_of(f.settings.method)},
      {"estimator", f.settings.estimator},
      {"samples", f.settings.samples},
      {"max_iterations", f.settings.max_iterations},
      {"step_size", f.settings.step_size},
      {"tolerance", f.settings.tolerance},
      {"draws", r.importance.draws},
      {"summary_draws", r.summary_draws},
      {"set", set},
  };
  // Only a subsampled fit has one: its first batch's rows.
  if (f.settings.batch > 0) settings["batch"] = f.settings.batch;
  json out = {
      {"version", BBVI_VERSION},
      {"params", params},
      {"elbo", f.elbo},
      {"elbo_se", f.elbo_se},
      {"iterations", f.iterations},
      {"converged", f.converged},
      {"seconds", f.seconds},
      {"summary", summary},
  };
  if (r.importance.k_hat) out["pareto_k"] = *r.importance.k_hat;
  if (r.importance.evidence) {
    out["log_evidence"] = r.importance.evidence->value;
    out["log_evidence_se"] = r.importance.evidence->se;
  }
  if (std::vector<std::string> const flat = flat_prior_names(*r.program); !flat.empty()) out["flat_priors"] = flat;
  if (r.importance.draws > 0) out["importance_rejected"] = r.importance.rejected;
  if (several_chains(r)) {
    json elbos = json::array(), elbo_ses = json::array(), seeds = json::array(), means = json::object();
    for (std::size_t c = 0; c < r.chains->size(); ++c) {
      elbos.push_back((*r.chains)[c].elbo);
      elbo_ses.push_back((*r.chains)[c].elbo_se);
      seeds.push_back(o.seed + c);
    }
    std::size_t first = 0;  // the latent's first element
    for (LatentVariable const& v : p.latents) {
      json per_chain = json::array();
      for (std::size_t c = 0; c < r.chains->size(); ++c) {
        auto const& m = r.chain_marginals[c];
        std::vector<double> values;
        for (std::size_t k = 0; k < v.length(); ++k) values.push_back(m[first + k].mean);
        per_chain.push_back(v.size == 0 ? json(values[0]) : json(values));
      }
      means[v.name] = per_chain;
      first += v.length();
    }
    json chains = {{"count", r.chains->size()}, {"seeds", seeds},         {"reported", r.reported_chain + 1},
                   {"elbo", elbos},           {"elbo_se", elbo_ses}, {"mean", means}};
    if (r.agreement.measured) {
      chains["largest_kl"] = r.agreement.largest_kl;
      chains["noise_kl"] = r.agreement.noise_kl;
      chains["agree"] = r.agreement.agree;
    }
    out["chains"] = chains;
  }
  out["gradient"] = gradient;
  out["seed"] = o.seed;
  out["settings"] = settings;
  if (f.settings.batch > 0) out["all_rows_from"] = f.all_rows_from > 0 ? json(f.all_rows_from) : json(nullptr);
  out["log_joint_evaluations"] = f.log_joint_evaluations;
  return out;
}

}  // namespace bbvi::cli
