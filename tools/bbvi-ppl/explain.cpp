#include "tools/bbvi-ppl/explain.hpp"

#include "runtime/bbvi/blankets.hpp"
#include "runtime/bbvi/plan.hpp"
#include "runtime/bbvi/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>
#include <vector>

namespace bbvi::cli {

namespace {

std::string element_name(std::string const& name, std::size_t size, std::size_t k) {
  return size == 0 ? name : fmt::format("{}[{}]", name, k + 1);
}

// 1-based indices as ranges, "1–3, 7", the first few ranges only.
std::string ranges(std::vector<std::size_t> const& zero_based) {
  constexpr std::size_t shown = 6;
  std::vector<std::string> parts;
  std::size_t count = 0;
  for (std::size_t i = 0; i < zero_based.size();) {
    std::size_t j = i;
    while (j + 1 < zero_based.size() && zero_based[j + 1] == zero_based[j] + 1) ++j;
    ++count;
    if (parts.size() < shown)
      parts.push_back(i == j ? fmt::format("{}", zero_based[i] + 1)
                             : fmt::format("{}–{}", zero_based[i] + 1, zero_based[j] + 1));
    i = j + 1;
  }
  std::string out = fmt::format("{}", fmt::join(parts, ", "));
  if (count > shown) out += ", …";
  return out;
}

std::string source_line(std::string_view source, int line) {
  std::size_t begin = 0;
  for (int l = 1; l < line && begin != std::string_view::npos; ++l) {
    begin = source.find('\n', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (begin == std::string_view::npos) return {};
  std::size_t const end = source.find('\n', begin);
  std::string_view text = source.substr(begin, end == std::string_view::npos ? source.npos : end - begin);
  text = text.substr(0, text.find("//"));  // the statement, not its comment
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

namespace {

// Element i's initial value as the search rounded it, 4 significant digits;
// more where those would reach the parameter's bound (a Bernoulli's p of
// 1 − 10⁻¹² is not 1).
std::string initial_value_text(Parameter const& p, std::size_t i) {
  double const value = p.constraint.constrain(p.initial[i]);
  std::string const text = fmt::format("{:.4g}", value);
  double const read = std::strtod(text.c_str(), nullptr);
  bool const inside = (!p.constraint.lower || read > *p.constraint.lower) &&
                      (!p.constraint.upper || read < *p.constraint.upper);
  return inside ? text : fmt::format("{:.15g}", value);
}

// The automatic guide's text with each declaration's initial value the one
// the fit starts from (runtime/start_search.hpp), as 4 significant digits,
// which is what the search rounded them to: pasted, it starts at the same
// point.
std::string automatic_guide_at_start(Program const& program) {
  std::string out;
  std::istringstream lines(program.automatic_guide);
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t const equals = line.find(" = ");
    for (Parameter const& p : program.parameters) {
      std::string const& name = program.slot_names[static_cast<std::size_t>(p.slot)];
      std::size_t const at = line.find(" " + name);
      std::size_t const after = at + 1 + name.size();
      if (p.role.empty() || !p.elementwise() || equals == std::string::npos || at == std::string::npos ||
          at > equals || (line[after] != '[' && line[after] != ' '))
        continue;
      std::vector<std::string> values;
      for (std::size_t i = 0; i < p.length(); ++i) values.push_back(initial_value_text(p, i));
      bool const same = std::all_of(values.begin(), values.end(), [&](std::string const& v) { return v == values[0]; });
      line = line.substr(0, equals) +
             (same ? fmt::format(" = {};", values[0]) : fmt::format(" = {{{}}};", fmt::join(values, ", ")));
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string explain(Program const& program, std::string_view model_source, FitOptions const& options) {
  FitPlan const plan = plan_fit(program, options);
  Blankets const& b = *plan.blankets;
  GradientEstimator const& estimator = *plan.estimator;
  // Each latent element's name, and each coordinate's parameter name.
  std::vector<std::string> element(program.latent_dimension), coordinate(program.parameter_dimension);
  for (LatentVariable const& v : program.latents)
    for (std::size_t k = 0; k < v.length(); ++k) element[v.offset + k] = element_name(v.name, v.size, k);
  for (Parameter const& p : program.parameters)
    for (std::size_t k = 0; k < p.coordinates(); ++k) coordinate[p.offset + k] = p.coordinate_name(k);

  auto const plural = [](std::size_t n) { return n == 1 ? "" : "s"; };
  std::string out = fmt::format("{}: {} latent element{}, {} variational parameter{}, {} group{}\n\n", program.file,
                                program.latent_dimension, plural(program.latent_dimension),
                                program.parameter_dimension, plural(program.parameter_dimension), b.groups.size(),
                                plural(b.groups.size()));
  if (!program.automatic_guide.empty())
    out += (program.automatic_guide.rfind("guide {", 0) == 0
                ? "The file has no guide block (or asks for 'guide auto;'), so the fit uses this one "
                  "(docs/language.md, 'Automatic guides'); paste it into the file to edit it:\n\n"
                : "The guide block leaves latents without a factor, so the fit adds these to it "
                  "(docs/language.md, 'Automatic guides'); paste them into the block to edit them:\n\n") +
           automatic_guide_at_start(program) + "\n";
  out += "Markov blankets: each group of guide parameters, then the model's terms whose value depends on its "
         "latents\n";
  for (std::size_t g = 0; g < b.groups.size(); ++g) {
    FactorGroup const& group = b.groups[g];
    std::vector<std::string> latents, parameters;
    for (std::size_t e : group.latent_elements) latents.push_back(element[e]);
    for (Eigen::Index c : group.coordinates) parameters.push_back(coordinate[static_cast<std::size_t>(c)]);
    std::string_view const note = estimator.group_note(g);
    out += fmt::format("  {} ({}){}{}\n", fmt::join(latents, ", "), fmt::join(parameters, ", "),
                       note.empty() ? "" : ": ", note);
    // A loop's iterations give the same line once each: it is printed once, with their count.
    std::string line;
    std::size_t repeats = 0;
    auto const flush = [&] {
      if (repeats > 0) out += repeats == 1 ? line + "\n" : fmt::format("{}; {} terms, one per iteration\n", line, repeats);
      repeats = 0;
    };
    for (std::size_t s = 0; s < program.model.size(); ++s) {
      auto const* f = std::get_if<Factor>(&program.model[s]);
      if (!f) continue;
      TermGroups const& t = b.terms[s];
      auto const in_group = [&](std::vector<int> const& gs) {
        return std::find(gs.begin(), gs.end(), static_cast<int>(g)) != gs.end();
      };
      std::string where;
      std::size_t const length = std::max<std::size_t>(f->lhs_size, 1);
      if (t.uniform) {
        if (!in_group(t.groups)) continue;
        where = f->lhs_size == 0 ? "whole" : fmt::format("all {} {}", length, f->latent >= 0 ? "elements" : "rows");
        if (!f->statistics.empty()) where += ", as sufficient statistics";
      } else {
        std::vector<std::size_t> elements;
        for (std::size_t k = 0; k < t.by_element.size(); ++k)
          if (in_group(t.by_element[k])) elements.push_back(k);
        if (elements.empty()) continue;
        char const* const what = f->latent >= 0 ? "element" : "row";
        where = fmt::format("{}{} {} of {}", what, elements.size() == 1 ? "" : "s", ranges(elements), length);
      }
      std::string const next = fmt::format("    {:>4}  {:<44} {}", f->pos.line, source_line(model_source, f->pos.line),
                                           where);
      if (next != line) flush();
      line = next;
      ++repeats;
    }
    flush();
  }
  FitSettings const& s = plan.settings;
  out += fmt::format("\nestimator  {}{}: {}\n", s.estimator, s.estimator_is_default ? " (the default)" : "",
                     estimator.describe());
  out += fmt::format("method     {}, {} draws per iteration\n", name_of(s.method), s.samples);
  if (s.method == Method::natural_gradient && estimator.coupled_locations() > 0)
    out += s.per_factor
               ? fmt::format("step       per factor (--per-factor); the stopping rule measures the curvature in the "
                             "locations of {} Normal factor{}\n",
                             estimator.coupled_locations(), plural(estimator.coupled_locations()))
               : fmt::format("step       Newton's on the locations of {} Normal factor{}, with the curvature the "
                             "estimator above measures; the natural gradient for the other parameters\n",
                             estimator.coupled_locations(), plural(estimator.coupled_locations()));
  return out;
}

}  // namespace bbvi::cli
