#include "runtime/bbvi/initial_scale.hpp"

#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bbvi {

namespace {

// Draws of the initial guide looked at: a term's size varies from draw to
// draw, and one draw can sit where it happens to vanish. Each costs a
// log-joint evaluation, at every check and fit.
constexpr std::size_t draws = 2;

struct LargestTerm {
  std::size_t statement = 0;
  double value = 0;  // signed
};

std::optional<LargestTerm> largest_term(Program const& program) {
  Eigen::VectorXd u(static_cast<Eigen::Index>(program.parameter_dimension));
  for (Parameter const& p : program.parameters)
    for (std::size_t i = 0; i < p.coordinates(); ++i) u[static_cast<Eigen::Index>(p.offset + i)] = p.initial[i];
  LargestTerm largest;
  std::vector<std::vector<double>> terms;
  // By statement, the sum over its rows: what f, and so every variance, holds.
  std::vector<bool> const summed(program.model.size(), true);
  for (std::size_t k = 0; k < draws; ++k) {
    try {
      RandomStream rng(1, 1, k);
      log_joint_terms(program, sample_guide(program, u, rng), terms, &summed);
    } catch (NumericalError const&) {
      return std::nullopt;
    }
    for (std::size_t i = 0; i < terms.size(); ++i)
      for (double t : terms[i])
        if (std::isfinite(t) && std::fabs(t) > std::fabs(largest.value)) largest = {i, t};
  }
  return largest;
}

// The constants to blame: those of the statement farthest from 1 in order
// of magnitude (a precision of 1e300 beside a mean of 0), all of them when
// they tie (a Gamma's shape and rate both 1e300).
std::vector<ConstantUse> farthest_from_one(std::vector<ConstantUse> const& uses) {
  auto const orders = [](ConstantUse const& c) { return c.value == 0 ? 0.0 : std::fabs(std::log10(std::fabs(c.value))); };
  double most = 0;
  for (ConstantUse const& c : uses) most = std::max(most, orders(c));
  std::vector<ConstantUse> out;
  if (most == 0) return out;
  for (ConstantUse const& c : uses)
    if (orders(c) == most && std::none_of(out.begin(), out.end(), [&](ConstantUse const& o) { return o.name == c.name; }))
      out.push_back(c);
  return out;
}

}  // namespace

double largest_squarable_term() { return std::sqrt(std::numeric_limits<double>::max()); }

std::optional<Diagnostic> initial_scale_problem(Program const& program,
                                                std::vector<std::vector<ConstantUse>> const& uses) {
  std::optional<LargestTerm> const largest = largest_term(program);
  if (!largest || std::fabs(largest->value) <= largest_squarable_term()) return std::nullopt;
  auto const& f = std::get<Factor>(program.model[largest->statement]);
  std::string const density = fmt::format("the log density of {} under {}", f.lhs_name, f.distribution->signature.name);
  std::string const why = fmt::format(
      "the fit squares such terms (variances, regressions), so each must stay below {:.3g} in size, the square root "
      "of the largest double",
      largest_squarable_term());
  std::vector<ConstantUse> const blamed =
      largest->statement < uses.size() ? farthest_from_one(uses[largest->statement]) : std::vector<ConstantUse>{};
  if (blamed.empty())
    return error_at(program.file, f.pos,
                    fmt::format("{} is {:.3g} at the guide's initial values, too far from the data: {}", density,
                                largest->value, why));
  std::string names = fmt::format("'{}'", blamed.front().name);
  for (std::size_t i = 1; i < blamed.size(); ++i) names += fmt::format(" and '{}'", blamed[i].name);
  bool const large = std::fabs(blamed.front().value) > 1;
  Diagnostic d = error_at(program.file, blamed.front().declared,
                          fmt::format("{} {} {} {:g} ", blamed.size() == 1 ? "constant" : "constants", names,
                                      blamed.size() == 1 ? "is" : "are", blamed.front().value));
  append_constant_source(d, blamed.front().set_by_option);
  d.message += fmt::format(
      ", too {} for the fit: with {}, {} (line {}) is {:.3g} at the guide's initial values, and {}; choose {} "
      "nearer 1 in order of magnitude",
      large ? "large" : "small", blamed.size() == 1 ? "it" : "them", density, f.pos.line, largest->value, why,
      blamed.size() == 1 ? "a value" : "values");
  auto const note_at = [&](Position pos, std::string message) -> Diagnostic& {
    Diagnostic n = error_at(program.file, pos, std::move(message));
    n.severity = Severity::note;
    d.notes.push_back(std::move(n));
    return d.notes.back();
  };
  for (std::size_t i = 1; i < blamed.size(); ++i)
    append_constant_source(note_at(blamed[i].declared, fmt::format("'{}' is {:g} ", blamed[i].name, blamed[i].value)),
                           blamed[i].set_by_option);
  note_at(f.pos, fmt::format("'{}' is drawn from {} here", f.lhs_name, f.distribution->signature.name));
  return d;
}

}  // namespace bbvi
