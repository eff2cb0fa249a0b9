#include "runtime/wide_priors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <variant>

namespace bbvi {

namespace {

// The largest |x| over the real-valued columns on the left of a model '~'.
double data_scale(Program const& program) {
  double scale = 0;
  for (Statement const& st : program.model) {
    auto const* f = std::get_if<Factor>(&st);
    if (!f || f->latent >= 0 || is_discrete(f->distribution->signature.support)) continue;
    for (double x : program.data[static_cast<std::size_t>(f->lhs_slot)].elements) scale = std::max(scale, std::abs(x));
  }
  return scale;
}

}  // namespace

std::vector<Diagnostic> wide_priors(Program const& program) {
  std::vector<Diagnostic> warnings;
  double const scale = data_scale(program);
  if (scale == 0) return warnings;
  for (Statement const& st : program.model) {
    auto const* f = std::get_if<Factor>(&st);
    if (!f || f->latent < 0) continue;
    auto const& signature = f->distribution->signature;
    if (signature.support != Support::real && signature.name != "HalfNormal") continue;
    for (std::size_t i = 0; i < signature.parameters.size() && i < f->args.size(); ++i) {
      std::string const& parameter = signature.parameters[i];
      Node const& arg = f->args[i];
      if ((parameter != "sd" && parameter != "scale") || arg.op != Node::Op::constant) continue;
      if (arg.constant <= wide_prior_ratio * scale) continue;
      Diagnostic w = error_at(program.file, arg.pos,
                              fmt::format("the prior of '{}' has {} {:g}, more than {:g} times the largest data value "
                                          "({:g}): it is close to flat; if that is not meant, give it a scale like "
                                          "the data's",
                                          f->lhs_name, parameter, arg.constant, wide_prior_ratio, scale));
      w.severity = Severity::warning;
      warnings.push_back(std::move(w));
    }
  }
  return warnings;
}

}  // namespace bbvi
