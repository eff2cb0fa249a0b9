#include "tools/bbvi-ppl/explain.hpp"

#include "runtime/bbvi/blankets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
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

std::string describe(Estimator e, std::size_t parameters, std::size_t groups) {
  switch (e) {
    case Estimator::basic:
      return "Algorithm 1: the mean of score × (log p − log q) over the draws";
    case Estimator::rb:
      return fmt::format("Algorithm 2 without control variates: each of the {} groups uses the terms of its own "
                         "blanket",
                         groups);
    case Estimator::cv:
      return fmt::format("Algorithm 2: each of the {} groups uses its own blanket's terms, with the control "
                         "variate a* estimated leaving each draw out",
                         groups);
    case Estimator::regression:
      return fmt::format("one least-squares regression of the whole log p − log q on all {} parameters' scores",
                         parameters);
    case Estimator::regression_groups:
      return fmt::format("a least-squares regression of the whole log p − log q for each of the {} groups", groups);
    case Estimator::regression_rb_joint:
      return fmt::format("for each of the {} groups, a least-squares regression of its own blanket's terms on the "
                         "scores of every group its blanket reaches (of {} parameters), keeping its own slopes",
                         groups, parameters);
    case Estimator::regression_rb:
      return fmt::format("a least-squares regression for each of the {} groups, on its own blanket's terms",
                         groups);
    case Estimator::local:
      return fmt::format("the groups marked above as local expectations get the exact expectation over their "
                         "latent element by quadrature, given the rest of the draw; any other group's slopes come "
                         "from one least-squares regression of the whole log p − log q on all {} parameters' scores",
                         parameters);
  }
  return {};
}

}  // namespace

std::string explain(Program const& program, std::string_view model_source, FitOptions const& options) {
  Blankets const b = find_blankets(program);
  // Each latent element's name, and each coordinate's parameter name.
  std::vector<std::string> element(program.latent_dimension), coordinate(program.parameter_dimension);
  for (LatentVariable const& v : program.latents)
    for (std::size_t k = 0; k < v.length(); ++k) element[v.offset + k] = element_name(v.name, v.size, k);
  for (Parameter const& p : program.parameters)
    for (std::size_t k = 0; k < p.length(); ++k) coordinate[p.offset + k] = element_name(p.name, p.size, k);

  Method const method = options.method;
  Estimator const estimator = options.estimator.value_or(default_estimator(method));
  LocalPlan const local = uses_local(estimator) ? plan_local(program, b) : LocalPlan{};

  std::string out = fmt::format("{}: {} latent elements, {} variational parameters, {} groups\n\n", program.file,
                                program.latent_dimension, program.parameter_dimension, b.groups.size());
  out += "Markov blankets: each group of guide parameters, then the model's terms whose value depends on its "
         "latents\n";
  for (std::size_t g = 0; g < b.groups.size(); ++g) {
    FactorGroup const& group = b.groups[g];
    std::vector<std::string> latents, parameters;
    for (std::size_t e : group.latent_elements) latents.push_back(element[e]);
    for (Eigen::Index c : group.coordinates) parameters.push_back(coordinate[static_cast<std::size_t>(c)]);
    bool const exact = uses_local(estimator) && local.is_local[g];
    out += fmt::format("  {} ({}){}\n", fmt::join(latents, ", "), fmt::join(parameters, ", "),
                       exact ? ": local expectation, by quadrature" : "");
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
      out += fmt::format("    {:>4}  {:<44} {}\n", f->pos.line, source_line(model_source, f->pos.line), where);
    }
  }
  std::size_t const block = largest_block(estimator, b, program.parameter_dimension, &local);
  int const samples = options.samples > 0 ? options.samples : default_samples(method, block);
  out += fmt::format("\nestimator  {}{}: {}\n", name_of(estimator),
                     options.estimator ? "" : " (the default)", describe(estimator, program.parameter_dimension,
                                                                         b.groups.size()));
  out += fmt::format("method     {}, {} draws per iteration\n", name_of(method), samples);
  return out;
}

}  // namespace bbvi::cli
