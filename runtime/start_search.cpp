#include "runtime/start_search.hpp"

#include "core/row_blocks.hpp"
#include "runtime/bbvi/fit.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace bbvi {

namespace {

// Rows of the model evaluated in all, at most: about a second. A model with
// many latent elements and rows gets fewer sweeps, or none past the budget.
constexpr double row_budget = 2e7;
constexpr int sweeps = 2;

// The rows one evaluation of log p computes: a factor reduced to its
// statistics counts one, any other its elements, a local its elements.
double rows_per_evaluation(Program const& program) {
  double rows = 0;
  for (std::size_t i = 0; i < program.model.size(); ++i) {
    if (!program.statements_run.empty() && !program.statements_run[i]) continue;
    if (auto const* d = std::get_if<Definition>(&program.model[i]))
      rows += static_cast<double>(std::max<std::size_t>(d->value.size, 1));
    else if (auto const& f = std::get<Factor>(program.model[i]); f.reduced())
      rows += 1;
    else
      rows += static_cast<double>(std::max<std::size_t>(f.lhs_size, 1));
  }
  return std::max(rows, 1.0);
}

// Each sd starts at this many times the sd of log p's curvature at the
// start. Exactly that sd is the mean-field optimum of a Gaussian posterior,
// but on a posterior that is not (the GARCH example's, with a mean-field
// guide) the fit's first coupled step from so narrow a guide jumped 40 sds
// (seed 2 then failed, seed 6 reached the cap); from twice it converged on
// seeds 1-6 as from the table's start, and the correlated regressions
// still came within 0.01 nats in 1 to 4 iterations (docs/language.md).
constexpr double start_sd_factor = 2;

// One searched latent element: its location and sd parameters, and
// its guide factor's arguments, the location among them: z_e at the
// factor's centre is a monotone function of the location t (the mean
// itself; e^t for a LogNormal; lower + e^t, upper − e^t, or the bounds'
// inv_logit mix for the other bounded families), which the factor's
// one-point rule computes.
struct Searched {
  std::size_t element = 0;
  // program.parameters' location and scale parameters, and the element's
  // index in each (both elementwise).
  std::size_t location_parameter = 0, scale_parameter = 0, index = 0;
  GuideElement guide;
  std::size_t location_argument = 0;
  // The scale of another latent's prior (a hierarchy's tau in theta ~
  // Normal(mu, tau)): not searched (hierarchy_scales).
  bool hierarchy_scale = false;

  double centre(double t) const {
    std::vector<double> args = guide.arguments;
    args[location_argument] = t;
    std::vector<QuadraturePoint> point;
    guide.factor->evaluated().quadrature(args.data(), 1, point);
    return point.at(0).value;
  }
  bool identity() const { return guide.factor->evaluated().affine_in_standard_normal; }
  // log |dz/dt|: the search climbs the density of t, not of z.
  double log_jacobian(double t) const {
    if (identity()) return 0;
    double const h = 1e-4 * std::max(1.0, std::abs(t));
    return std::log(std::abs(centre(t + h) - centre(t - h)) / (2 * h));
  }
  // The t whose centre is z, by bisection where the map is not the identity;
  // nullopt where no t reaches z (outside the factor's support).
  std::optional<double> location_of(double z) const {
    if (identity()) return z;
    double lo = -40, hi = 40;
    bool const increasing = centre(hi) > centre(lo);
    for (int k = 0; k < 100; ++k) {
      double const mid = (lo + hi) / 2;
      ((centre(mid) < z) == increasing ? lo : hi) = mid;
    }
    double const t = (lo + hi) / 2;
    if (!(std::abs(centre(t) - z) <= 1e-9 * std::max(1.0, std::abs(z)))) return std::nullopt;
    return t;
  }
};

// The roles of a location and its scale in the automatic guide
// (grammar/automatic_guide.cpp).
std::optional<std::string> scale_role_of(std::string const& role) {
  if (role == "mean") return "sd";
  if (role == "log_mean") return "log_sd";
  if (role == "logit_mean") return "logit_sd";
  return std::nullopt;
}

// The latents that a latent's prior reads in its scale (sd, scale, sigma,
// a covariance or its factor). log p has no proper maximum over such a
// scale where the latents it spreads sit together: at a start with every
// group at the population mean, log p grows without bound as the scale
// goes to 0 (the centred hierarchy's funnel), and a search sends it there.
// They keep their prior's median.
std::vector<bool> hierarchy_scales(Program const& program) {
  std::vector<bool> out(program.latents.size(), false);
  for (Statement const& st : program.model) {
    auto const* f = std::get_if<Factor>(&st);
    if (!f || f->latent < 0) continue;
    std::vector<std::string> const& names = f->distribution->signature.parameters;
    for (std::size_t a = 0; a < f->args.size() && a < names.size(); ++a) {
      if (names[a] != "sd" && names[a] != "scale" && names[a] != "sigma" && names[a] != "Sigma" && names[a] != "L")
        continue;
      for (std::size_t v = 0; v < program.latents.size(); ++v)
        out[v] = out[v] || reads_slot(f->args[a], program.latents[v].slot);
    }
  }
  return out;
}

std::vector<Searched> searched_elements(Program const& program, std::vector<GuideElement> const& guide) {
  std::vector<Searched> out;
  std::vector<bool> const scales = hierarchy_scales(program);
  for (std::size_t at = 0; at < program.parameters.size(); ++at) {
    Parameter const& p = program.parameters[at];
    std::optional<std::string> const scale_role = scale_role_of(p.role);
    if (!scale_role) continue;
    std::optional<std::size_t> scale;
    for (std::size_t q = 0; q < program.parameters.size(); ++q)
      if (program.parameters[q].latent == p.latent && program.parameters[q].role == *scale_role) scale = q;
    LatentVariable const* latent = nullptr;
    bool hierarchy_scale = false;
    for (std::size_t v = 0; v < program.latents.size(); ++v)
      if (program.latents[v].name == p.latent) {
        latent = &program.latents[v];
        hierarchy_scale = scales[v];
      }
    if (!scale || !latent || latent->length() != p.length()) continue;
    for (std::size_t i = 0; i < p.length(); ++i) {
      GuideElement const& g = guide[latent->offset + i];
      if (!g.factor || !g.factor->evaluated().quadrature) continue;
      // The argument that reads the location parameter.
      std::optional<std::size_t> argument;
      for (std::size_t k = 0; k < g.factor->args.size(); ++k) {
        Node const& a = g.factor->args[k];
        if ((a.op == Node::Op::slot || a.op == Node::Op::index) && a.slot == p.slot) argument = k;
      }
      if (!argument || *argument >= g.arguments.size()) continue;
      out.push_back({latent->offset + i, at, *scale, i, g, *argument, hierarchy_scale});
    }
  }
  return out;
}

// x to 4 significant digits, as the guide `explain` prints shows it.
double rounded(double x) { return std::strtod(fmt::format("{:.4g}", x).c_str(), nullptr); }

class Search {
 public:
  explicit Search(Program const& program) : program_(program) {}

  // log p at z plus element s's log Jacobian (the density of its guide's
  // location t); −inf where the model cannot be evaluated.
  double at(std::vector<double> const& z, Searched const& s, double t) { return finite(log_p(z) + s.log_jacobian(t)); }

  // g(t) for element s: z_e at its guide's centre for location t.
  double g(std::vector<double>& z, Searched const& s, double t) {
    z[s.element] = s.centre(t);
    return at(z, s, t);
  }

  // The best t found from t0 by doubling steps, then halving them; z_e is
  // left at it. Where g(t0) is not finite, the nearest finite point of
  // t0 ± 2^k first.
  double line_search(std::vector<double>& z, Searched const& s, double t0) {
    double t = t0, best = g(z, s, t0);
    if (!std::isfinite(best))
      for (int k = 0; k <= 6 && !std::isfinite(best); ++k)
        for (double sign : {1.0, -1.0})
          if (double const v = g(z, s, t0 + sign * std::ldexp(1.0, k)); v > best) {
            best = v;
            t = t0 + sign * std::ldexp(1.0, k);
          }
    if (!std::isfinite(best)) {
      g(z, s, t0);
      return t0;
    }
    double step = 1;
    for (double sign : {1.0, -1.0}) {
      bool moved = false;
      for (int k = 0; k < 30; ++k) {
        double const v = g(z, s, t + sign * step);
        if (!(v > best)) break;
        best = v;
        t += sign * step;
        step *= 2;
        moved = true;
      }
      if (moved) break;
      step = 1;
    }
    for (int k = 0; k < 20; ++k) {
      step /= 2;
      for (double sign : {1.0, -1.0})
        if (double const v = g(z, s, t + sign * step); v > best) {
          best = v;
          t += sign * step;
          break;
        }
    }
    g(z, s, t);  // z_e left at t
    return t;
  }

  // −1/g''(t) by a central difference, the sd of a Gaussian with g's
  // curvature; nullopt where g is not concave there.
  // The difference is taken again at a tenth of the sd found where that
  // is narrower than the first step (a slope's sd of 10⁻⁵ on a year's
  // scale), so that it measures the curvature where the Gaussian lives.
  std::optional<double> sd_at(std::vector<double>& z, Searched const& s, double t) {
    std::optional<double> sd = sd_with_step(z, s, t, 1e-3 * std::max(1.0, std::abs(t)));
    if (sd && *sd < 1e-2 * std::max(1.0, std::abs(t))) sd = sd_with_step(z, s, t, 0.1 * *sd);
    return sd;
  }

  std::optional<double> sd_with_step(std::vector<double>& z, Searched const& s, double t, double h) {
    double const centre = g(z, s, t), up = g(z, s, t + h), down = g(z, s, t - h);
    g(z, s, t);
    double const curvature = (up - 2 * centre + down) / (h * h);
    if (!std::isfinite(curvature) || curvature >= 0) return std::nullopt;
    return 1 / std::sqrt(-curvature);
  }

  // log p plus every element's log Jacobian, at the locations t of
  // `elements` (z follows them).
  double joint(std::vector<double>& z, std::vector<Searched> const& searched, std::vector<std::size_t> const& elements,
               Eigen::VectorXd const& t) {
    double jacobians = 0;
    for (Eigen::Index k = 0; k < t.size(); ++k) {
      Searched const& s = searched[elements[static_cast<std::size_t>(k)]];
      z[s.element] = s.centre(t[k]);
      jacobians += s.log_jacobian(t[k]);
    }
    return finite(log_p(z) + jacobians);
  }

  // Every term of log p at z; false where the model cannot be evaluated.
  bool terms_at(std::vector<double> const& z, std::vector<std::vector<double>>& terms) {
    ++evaluations;
    try {
      log_joint_terms(program_, z, terms);
      return true;
    } catch (NumericalError const&) {
      return false;
    } catch (DomainError const&) {
      return false;
    }
  }

  std::size_t evaluations = 0;

 private:
  // log p at z, −inf where the model cannot be evaluated there.
  double log_p(std::vector<double> const& z) {
    ++evaluations;
    try {
      return log_joint(program_, z);
    } catch (NumericalError const&) {
      return -HUGE_VAL;
    } catch (DomainError const&) {
      return -HUGE_VAL;
    }
  }
  static double finite(double value) { return std::isfinite(value) ? value : -HUGE_VAL; }

  Program const& program_;
};

// The median of a prior at these arguments: exactly, the one-point rule's
// value, where the family is a monotone map of a standard normal (Normal,
// LogNormal; quadrature.hpp); else the middle of `draws.size()` draws
// (1,001: within about 0.04 sd of it).
double prior_median(DistributionEntry const& prior, std::vector<double> const& args, RandomStream& rng,
                    std::vector<double>& draws) {
  if (prior.quadrature && !is_discrete(prior.signature.support)) {
    std::vector<QuadraturePoint> point;
    prior.quadrature(args.data(), 1, point);
    if (point.size() == 1) return point[0].value;
  }
  for (double& d : draws) d = prior.sample(rng, args.data());
  auto const middle = draws.begin() + static_cast<std::ptrdiff_t>(draws.size() / 2);
  std::nth_element(draws.begin(), middle, draws.end());
  return *middle;
}

// Each searched element whose latent a model '~' draws whole, moved to the
// median of that prior, its arguments evaluated at z (the latents before it
// already moved: a hierarchy's population first, its groups then): a start
// the prior deems typical. A prior with vector arguments or a vector value,
// or one whose median is outside the guide's support, leaves the element
// where it was.
void move_to_prior_medians(Program const& program, std::vector<Searched> const& searched, std::vector<double>& z,
                           std::vector<double>& location) {
  std::vector<int> searched_at(z.size(), -1);
  for (std::size_t i = 0; i < searched.size(); ++i) searched_at[searched[i].element] = static_cast<int>(i);
  ModelEvaluator evaluate(program);
  RandomStream rng(0, 0, 1);
  std::vector<double> draws(1001);
  for (std::size_t statement = 0; statement < program.model.size(); ++statement) {
    auto const* f = std::get_if<Factor>(&program.model[statement]);
    if (!f || f->latent < 0) continue;
    DistributionSignature const& signature = f->distribution->signature;
    if (signature.whole_value || f->args.size() != signature.parameters.size()) continue;
    bool scalar_arguments = true;
    for (std::size_t a = 0; a < f->args.size(); ++a)
      scalar_arguments = scalar_arguments && !signature.reads_whole(a) && !signature.reads_matrix(a);
    if (!scalar_arguments) continue;
    LatentVariable const& latent = program.latents[static_cast<std::size_t>(f->latent)];
    try {
      std::vector<Value<double>> arguments;
      for (Node const& a : f->args) arguments.push_back(evaluate(z, statement, a));
      std::vector<double> packed(arguments.size());
      for (std::size_t k = 0; k < latent.length(); ++k) {
        int const i = searched_at[latent.offset + k];
        if (i < 0) continue;
        for (std::size_t a = 0; a < arguments.size(); ++a) packed[a] = arguments[a].at(k);
        double const median = prior_median(*f->distribution, packed, rng, draws);
        std::optional<double> const t = searched[static_cast<std::size_t>(i)].location_of(median);
        if (!std::isfinite(median) || !t) continue;
        z[latent.offset + k] = median;
        location[static_cast<std::size_t>(i)] = *t;
      }
    } catch (NumericalError const&) {
    } catch (DomainError const&) {
    }
  }
}

// Newton's method on log p over the searched locations together, from
// where the line searches left them: on a ridge (an intercept and the
// slope of an uncentred year, correlation 0.99999) a search one element at
// a time stops far along it, a Newton step with the joint curvature goes to
// the mode. The gradient and Hessian are central differences with each
// element's step a tenth of its conditional sd; a step is taken only where
// −H is positive definite and log p rises (halving it up to 30 times). At
// most newton_elements elements (the Hessian costs 2P² evaluations);
// hierarchy scales stay where they are.
constexpr std::size_t newton_elements = 40;
constexpr int newton_steps = 20;

void newton_refine(Search& search, std::vector<Searched> const& searched, std::vector<double>& z,
                   std::vector<double>& location, double rows, StartSearch& out) {
  std::vector<std::size_t> elements;
  for (std::size_t i = 0; i < searched.size(); ++i)
    if (!searched[i].hierarchy_scale) elements.push_back(i);
  auto const p = static_cast<Eigen::Index>(elements.size());
  if (p == 0 || elements.size() > newton_elements) return;
  Eigen::VectorXd t(p), h(p);
  for (Eigen::Index k = 0; k < p; ++k) t[k] = location[elements[static_cast<std::size_t>(k)]];
  double best = search.joint(z, searched, elements, t);
  for (int step = 0; step < newton_steps && std::isfinite(best); ++step) {
    if (static_cast<double>(search.evaluations) * rows > row_budget) {
      out.finished = false;
      break;
    }
    bool concave = true;
    for (Eigen::Index k = 0; k < p && concave; ++k) {
      std::optional<double> const sd = search.sd_at(z, searched[elements[static_cast<std::size_t>(k)]], t[k]);
      concave = sd.has_value();
      h[k] = sd ? 0.1 * *sd : 0;
    }
    if (!concave) break;
    auto const at = [&](Eigen::Index i, double di, Eigen::Index j, double dj) {
      Eigen::VectorXd moved = t;
      moved[i] += di * h[i];
      moved[j] += dj * h[j];
      return search.joint(z, searched, elements, moved);
    };
    Eigen::VectorXd gradient(p);
    Eigen::MatrixXd hessian(p, p);
    for (Eigen::Index i = 0; i < p; ++i) {
      // The gradient from steps a hundred times shorter: where it is zero
      // is where the search stops, and a tenth of an sd would move that by
      // the third derivative times h²/6 (4 × 10⁻⁵ on a log sd's scale).
      gradient[i] = (at(i, 0.01, i, 0) - at(i, -0.01, i, 0)) / (0.02 * h[i]);
      double const up = at(i, 1, i, 0), down = at(i, -1, i, 0);
      hessian(i, i) = (up - 2 * best + down) / (h[i] * h[i]);
      for (Eigen::Index j = 0; j < i; ++j)
        hessian(i, j) = hessian(j, i) =
            (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * h[i] * h[j]);
    }
    Eigen::LDLT<Eigen::MatrixXd> const negative(-hessian);
    if (!gradient.allFinite() || !hessian.allFinite() || negative.info() != Eigen::Success ||
        !(negative.vectorD().array() > 0).all())
      break;
    Eigen::VectorXd const direction = negative.solve(gradient);
    if (gradient.dot(direction) < 1e-14) break;  // the Newton decrement: at the mode
    double scale = 1;
    bool improved = false;
    for (int halving = 0; halving < 30 && !improved; ++halving, scale /= 2) {
      Eigen::VectorXd const trial = t + scale * direction;
      double const value = search.joint(z, searched, elements, trial);
      if (value > best) {
        best = value;
        t = trial;
        improved = true;
      }
    }
    if (!improved) break;
  }
  search.joint(z, searched, elements, t);
  for (Eigen::Index k = 0; k < p; ++k) location[elements[static_cast<std::size_t>(k)]] = t[k];
}

// log p(z_e = 1, ·) − log p(z_e = 0, ·) from the terms that differ between
// the two: those the element's value reaches. A term −inf on one side only
// makes that side impossible (±inf); one −inf on both does not depend on
// z_e and is left out, so the difference is finite even where other rows
// are impossible at the current start. NaN where neither side can be
// evaluated or both are impossible.
double log_odds_of_one(std::vector<std::vector<double>> const& at_0, std::vector<std::vector<double>> const& at_1) {
  double difference = 0;
  bool zero_impossible = false, one_impossible = false;
  for (std::size_t i = 0; i < at_0.size(); ++i) {
    // In fixed row blocks (docs/method.md, 'Row blocks'): the first block's
    // rows into the sum, each later block's summed alone and added.
    double block = 0;
    std::size_t const rows = std::min(at_0[i].size(), at_1[i].size());
    for (std::size_t k = 0; k < rows; ++k) {
      if (k % row_block == 0 && k > row_block) difference += std::exchange(block, 0.0);
      double const a = at_0[i][k], b = at_1[i][k];
      if (a == b) continue;
      if (!std::isfinite(a) && !std::isfinite(b)) continue;
      zero_impossible = zero_impossible || !std::isfinite(a);
      one_impossible = one_impossible || !std::isfinite(b);
      if (std::isfinite(a) && std::isfinite(b)) (k < row_block ? difference : block) += b - a;
    }
    if (rows > row_block) difference += block;
  }
  if (zero_impossible && one_impossible) return std::nan("");
  if (zero_impossible) return HUGE_VAL;
  if (one_impossible) return -HUGE_VAL;
  return difference;
}

// Each automatic Bernoulli factor's p, element by element, at the
// probability of 1 given the other latents where the start has them (a
// Gibbs step). A value that makes log p −inf (a structural zero's indicator
// on a nonzero count) gets probability 1e-12, not 0, which the open bounds
// of p exclude: the fit's draws then never reach it in practice, and the
// start is finite.
void start_bernoulli_factors(Program& program, std::vector<GuideElement> const& guide, Search& search,
                             std::vector<double>& z, double rows, StartSearch& out) {
  constexpr double floor = 1e-12;
  std::vector<std::vector<double>> at_0, at_1;
  for (Parameter& p : program.parameters) {
    if (p.role != "p" || !p.elementwise()) continue;
    LatentVariable const* latent = nullptr;
    for (LatentVariable const& v : program.latents)
      if (v.name == p.latent && v.length() == p.length()) latent = &v;
    if (!latent) continue;
    for (std::size_t i = 0; i < p.length(); ++i) {
      if (static_cast<double>(search.evaluations) * rows > row_budget) {
        out.finished = false;
        return;
      }
      std::size_t const e = latent->offset + i;
      if (!guide[e].factor || guide[e].factor->evaluated().signature.name != "Bernoulli") continue;
      double const kept = z[e];
      z[e] = 0;
      bool const evaluated_0 = search.terms_at(z, at_0);
      z[e] = 1;
      bool const evaluated_1 = search.terms_at(z, at_1);
      z[e] = kept;
      if (!evaluated_0 || !evaluated_1) continue;
      double const log_odds = log_odds_of_one(at_0, at_1);
      if (std::isnan(log_odds)) continue;
      double const one = 1 / (1 + std::exp(-log_odds));
      // 4 significant digits of the smaller of p and 1 − p, so that p near 1
      // stays below it.
      double const probability = one > 0.5 ? 1 - rounded(std::max(1 - one, floor)) : rounded(std::max(one, floor));
      p.initial[i] = p.constraint.unconstrain(probability);
      z[e] = probability > 0.5 ? 1 : 0;
    }
  }
}

}  // namespace

std::vector<double> guide_centre(Program const& program, Eigen::VectorXd const& u) {
  // A one-point rule's value where the family has a rule (a Normal's mean,
  // a LogNormal's median, a discrete factor's likeliest value), else a draw.
  RandomStream rng(0, 0, 0);
  std::vector<double> z = sample_guide(program, u, rng);
  std::vector<std::vector<QuadraturePoint>> const rules =
      guide_quadrature(program, u, std::vector<int>(program.latent_dimension, 1));
  for (std::size_t e = 0; e < z.size(); ++e) {
    if (rules[e].empty()) continue;
    QuadraturePoint const* likeliest = &rules[e][0];
    for (QuadraturePoint const& p : rules[e])
      if (p.weight > likeliest->weight) likeliest = &p;
    z[e] = likeliest->value;
  }
  return z;
}

StartSearch search_start(Program& program) {
  StartSearch out;
  Eigen::VectorXd const u = initial_parameters(program);
  std::vector<GuideElement> const guide = guide_elements(program, u);
  std::vector<Searched> const searched = searched_elements(program, guide);
  if (std::none_of(program.parameters.begin(), program.parameters.end(),
                   [](Parameter const& p) { return !p.role.empty(); }))
    return out;
  std::vector<double> z = guide_centre(program, u);
  double const rows = rows_per_evaluation(program);
  Search search(program);
  std::vector<double> location(searched.size());
  for (std::size_t i = 0; i < searched.size(); ++i)
    location[i] = searched[i].guide.arguments[searched[i].location_argument];
  move_to_prior_medians(program, searched, z, location);
  // The indicators first, so that the line searches start where log p is
  // finite if any setting of them makes it so; then again at the searched
  // locations.
  start_bernoulli_factors(program, guide, search, z, rows, out);
  for (int sweep = 0; sweep < sweeps && out.finished; ++sweep)
    for (std::size_t i = 0; i < searched.size(); ++i) {
      if (static_cast<double>(search.evaluations) * rows > row_budget) {
        out.finished = false;
        break;
      }
      // A maximum where log p is not concave is no mode but a run-off: in
      // a centred hierarchy whose groups all sit at the population mean,
      // log p grows without bound as the scale goes to 0. The element keeps
      // its start there, and the next sweep may find a proper maximum.
      if (searched[i].hierarchy_scale) continue;
      double const found = search.line_search(z, searched[i], location[i]);
      if (search.sd_at(z, searched[i], found))
        location[i] = found;
      else
        search.g(z, searched[i], location[i]);
    }
  if (out.finished) newton_refine(search, searched, z, location, rows, out);
  for (std::size_t i = 0; i < searched.size(); ++i) {
    Searched const& s = searched[i];
    Parameter& location_parameter = program.parameters[s.location_parameter];
    Parameter& scale_parameter = program.parameters[s.scale_parameter];
    double const centre = rounded(location[i]);
    location_parameter.initial[s.index] = location_parameter.constraint.unconstrain(centre);
    if (std::optional<double> const sd = out.finished ? search.sd_at(z, s, centre) : std::nullopt)
      scale_parameter.initial[s.index] =
          scale_parameter.constraint.unconstrain(rounded(std::min(1e3, std::max(1e-6, start_sd_factor * *sd))));
    ++out.elements;
  }
  start_bernoulli_factors(program, guide, search, z, rows, out);
  out.evaluations = search.evaluations;
  return out;
}

}  // namespace bbvi
