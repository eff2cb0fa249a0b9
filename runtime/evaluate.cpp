#include "runtime/evaluate.hpp"

#include "core/row_blocks.hpp"
#include "runtime/distributions/checks.hpp"
#include "runtime/packed_arguments.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace bbvi {

namespace {

// The values of every slot during one evaluation: the program's data by
// reference, everything else computed here.
template <typename T>
class Frame {
 public:
  Frame(Program const& program, Eigen::Index derivatives) : program_(program), storage_(program.slot_names.size()) {
    slots_.derivatives = derivatives;
    slots_.values.resize(program.slot_names.size());
    for (std::size_t i = 0; i < storage_.size(); ++i) slots_.values[i] = &storage_[i];
    if constexpr (std::is_same_v<T, double>) {
      for (std::size_t i = 0; i < program.data.size(); ++i)
        if (!program.data[i].elements.empty()) slots_.values[i] = &program.data[i];
    }
  }

  void set_latents(std::vector<double> const& z) {
    for (LatentVariable const& v : program_.latents) {
      Value<T>& slot = storage_[static_cast<std::size_t>(v.slot)];
      slot.is_vector = v.size != 0;
      slot.elements.clear();
      slot.elements.reserve(v.length());
      for (std::size_t i = 0; i < v.length(); ++i)
        slot.elements.push_back(lift<T>(z[v.offset + i], slots_.derivatives));
    }
  }

  // T = double: the parameters' values. T = Dual: seeded with ∂/∂u_k = 1,
  // in derivative k, or in derivative seed[k] (none where it is negative).
  void set_parameters(Eigen::VectorXd const& u, std::vector<Eigen::Index> const* seed = nullptr) {
    for (Parameter const& p : program_.parameters) {
      Value<T>& slot = storage_[static_cast<std::size_t>(p.slot)];
      slot.is_vector = p.size != 0;
      slot.elements.clear();
      slot.elements.reserve(p.length());
      if (p.constraint.simplex) {
        set_simplex(p, u, seed, slot);
        continue;
      }
      for (std::size_t i = 0; i < p.length(); ++i) {
        std::optional<std::size_t> const coordinate = p.coordinate_of(i);
        if (!coordinate) {  // above a Cholesky factor's diagonal
          slot.elements.push_back(lift<T>(0.0, slots_.derivatives));
          continue;
        }
        Eigen::Index const k = static_cast<Eigen::Index>(p.offset + *coordinate);
        Constraint const& bounds = p.element_constraint(i);
        if constexpr (std::is_same_v<T, Dual>) {
          // λ and its one derivative, at the parameter's place: the same
          // numbers as constrain() on a unit dual, without its temporaries
          // (a 10,000-group guide makes 20,000 of these a draw).
          Eigen::Index const at = seed ? (*seed)[static_cast<std::size_t>(k)] : k;
          auto const [value, slope] = bounds.constrain_with_slope(u[k]);
          Dual& lambda = slot.elements.emplace_back(value, slots_.derivatives, 0);
          lambda.derivatives()[0] = 0;
          if (at >= 0) lambda.derivatives()[at] = slope;
        } else {
          slot.elements.push_back(bounds.constrain(u[k]));
        }
      }
    }
  }

  // λ = softmax(u_1, ..., u_{K−1}, 0) (constraint.hpp); as a Dual,
  // ∂λ_j/∂u_i = λ_j (δ_ij − λ_i) for each of the K − 1 coordinates.
  void set_simplex(Parameter const& p, Eigen::VectorXd const& u, std::vector<Eigen::Index> const* seed,
                   Value<T>& slot) {
    std::vector<double> const lambda = simplex_from(u.data() + p.offset, p.length());
    for (std::size_t j = 0; j < lambda.size(); ++j) {
      if constexpr (std::is_same_v<T, Dual>) {
        Dual& x = slot.elements.emplace_back(lambda[j], slots_.derivatives, 0);
        x.derivatives()[0] = 0;
        for (std::size_t i = 0; i < p.coordinates(); ++i) {
          Eigen::Index const k = static_cast<Eigen::Index>(p.offset + i);
          Eigen::Index const at = seed ? (*seed)[static_cast<std::size_t>(k)] : k;
          if (at >= 0) x.derivatives()[at] += lambda[j] * ((i == j ? 1.0 : 0.0) - lambda[i]);
        }
      } else {
        slot.elements.push_back(lambda[j]);
      }
    }
  }

  void define(Definition const& d) {
    Value<T>& slot = storage_[static_cast<std::size_t>(d.slot)];
    slot = evaluate(d.value, slots_);
    if (!d.bounds.lower && !d.bounds.upper) return;
    for (std::size_t i = 0; i < slot.elements.size(); ++i) {
      double const x = value_of(slot.elements[i]);
      if (!d.bounds.holds(x))
        throw DomainError(fmt::format("local '{}{}' is {}, outside its declared bounds {}", d.name,
                                      slot.is_vector ? fmt::format("[{}]", i + 1) : "", x, d.bounds.spelling()));
    }
  }

  std::vector<Value<T>> arguments(Factor const& f) const {
    std::vector<Value<T>> args;
    args.reserve(f.evaluated_args().size());
    for (Node const& a : f.evaluated_args()) args.push_back(evaluate(a, slots_));
    return args;
  }

  // Σ over the elements of the left side of log Dist(lhs_i | args_i); each
  // term also goes to `elements` when given.
  T log_density(Factor const& f, Value<double> const& lhs, std::vector<double>* elements = nullptr) const {
    if constexpr (std::is_same_v<T, double>) {
      // The log-joint: one tight loop over the rows (registry.hpp), reading
      // an argument that is a data column where it is stored.
      std::vector<Node> const& nodes = f.evaluated_args();
      std::vector<Value<double>> computed(nodes.size());
      std::vector<double const*> columns;
      std::vector<std::vector<double>> whole;  // packed, where read whole
      unsigned const varies = row_columns(
          f.evaluated().signature, nodes.size(),
          [&](std::size_t k) -> Value<double> const& {
            Node const& a = nodes[k];
            return a.op == Node::Op::slot ? *slots_.values[static_cast<std::size_t>(a.slot)]
                                          : (computed[k] = evaluate(a, slots_));
          },
          whole, columns);
      if (elements) elements->resize(lhs.size());
      std::vector<double const*> from;  // the columns at a block's first row
      auto const rows = [&](std::size_t a, std::size_t b) {
        if (a > 0) {
          from = columns;
          for (std::size_t k = 0; k < from.size(); ++k)
            if ((varies >> k) & 1u) from[k] += a;
        }
        return f.evaluated().log_density_rows(lhs.elements.data() + a, b - a, a > 0 ? from.data() : columns.data(),
                                              varies, elements ? elements->data() + a : nullptr);
      };
      // A distribution of the whole left side has one term, not one a row.
      double const sum = f.evaluated().signature.whole_value ? rows(0, lhs.size()) : sum_by_row_blocks(lhs.size(), rows);
      if (f.weight == 1) return sum;
      if (elements)
        for (double& term : *elements) term *= f.weight;
      return f.weight * sum;
    }
    std::vector<Value<T>> const args = arguments(f);
    std::vector<T> at(args.size());
    T total = lift<T>(0.0, slots_.derivatives);
    if (elements) elements->resize(lhs.size());
    if (f.evaluated().signature.whole_value) {
      T const term = whole_value_term(f, lhs, [&](std::size_t k) -> auto const& { return args[k]; });
      if (elements) {
        std::fill(elements->begin(), elements->end(), 0.0);
        (*elements)[0] = value_of(term);
      }
      return term;
    }
    for (std::size_t i = 0; i < lhs.size(); ++i) {
      pack_arguments(f.evaluated().signature, args.size(), [&](std::size_t k) -> auto const& { return args[k]; }, i,
                     at);
      T term;
      if constexpr (std::is_same_v<T, Dual>)
        term = f.evaluated().log_density_dual(lhs.elements[i], at.data());
      else
        term = f.evaluated().log_density(lhs.elements[i], at.data());
      if (f.weight != 1) term *= f.weight;
      if (elements) (*elements)[i] = value_of(term);
      total += term;
    }
    return total;
  }

  // Each element's log Dist(lhs_i | args_i), as the sum above adds them.
  std::vector<T> element_terms(Factor const& f, Value<double> const& lhs) const {
    // An argument that is a parameter vector is read where it is stored:
    // a copy would copy every element's dual number.
    std::vector<Node> const& nodes = f.evaluated_args();
    std::vector<Value<T>> computed(nodes.size());
    std::vector<Value<T> const*> args(nodes.size());
    for (std::size_t k = 0; k < nodes.size(); ++k)
      args[k] = nodes[k].op == Node::Op::slot ? slots_.values[static_cast<std::size_t>(nodes[k].slot)]
                                              : &(computed[k] = evaluate(nodes[k], slots_));
    std::vector<T> at(args.size());
    std::vector<T> out(lhs.size());
    if (f.evaluated().signature.whole_value) {
      // One term for the whole left side, element 0's (registry.hpp).
      std::fill(out.begin(), out.end(), lift<T>(0.0, slots_.derivatives));
      out[0] = whole_value_term(f, lhs, [&](std::size_t k) -> auto const& { return *args[k]; });
      return out;
    }
    for (std::size_t i = 0; i < lhs.size(); ++i) {
      pack_arguments(f.evaluated().signature, args.size(), [&](std::size_t k) -> auto const& { return *args[k]; }, i,
                     at);
      if constexpr (std::is_same_v<T, Dual>)
        out[i] = f.evaluated().log_density_dual(lhs.elements[i], at.data());
      else
        out[i] = f.evaluated().log_density(lhs.elements[i], at.data());
      if (f.weight != 1) out[i] *= f.weight;
    }
    return out;
  }

  // The log density of a distribution whose value is the whole left side
  // (Dirichlet's), its arguments packed as at element 0.
  template <typename Argument>
  T whole_value_term(Factor const& f, Value<double> const& lhs, Argument const& argument) const {
    std::vector<T> at;
    pack_arguments(f.evaluated().signature, f.evaluated_args().size(), argument, 0, at);
    if constexpr (std::is_same_v<T, Dual>)
      return f.evaluated().log_density_vector_dual(lhs.elements.data(), lhs.size(), at.data());
    else
      return f.evaluated().log_density_vector(lhs.elements.data(), lhs.size(), at.data());
  }

  // An observed column's whole log density from its sufficient statistics.
  T log_density_sum(Factor const& f) const {
    std::vector<Value<T>> const args = arguments(f);
    std::vector<double> at(args.size());
    for (std::size_t k = 0; k < args.size(); ++k) at[k] = value_of(args[k].at(0));
    return f.evaluated().log_density_sum(f.statistics.data(), at.data());
  }

  // A dense regression's log density from its statistics (Factor::affine);
  // nullopt where the draw makes it non-finite, so that the rows report
  // what is wrong with it as they would without the reduction.
  std::optional<double> affine_log_density(Factor const& f, std::vector<double> const& z) const {
    for (std::size_t e : f.affine->elements)
      if (!std::isfinite(z[e])) return std::nullopt;
    double const sd = value_of(evaluate(f.args[1], slots_).at(0));
    double const sum = f.affine->log_density_sum(z, sd);
    if (!std::isfinite(sum)) return std::nullopt;
    return sum;
  }

  Value<double> const& data(int slot) const { return program_.data[static_cast<std::size_t>(slot)]; }

  Slots<T> const& slots() const { return slots_; }

 private:
  Program const& program_;
  std::vector<Value<T>> storage_;
  Slots<T> slots_;
};

// A latent's draw as a Value<double>.
Value<double> latent_value(LatentVariable const& v, std::vector<double> const& z) {
  Value<double> out;
  out.is_vector = v.size != 0;
  out.elements.assign(z.begin() + static_cast<std::ptrdiff_t>(v.offset),
                      z.begin() + static_cast<std::ptrdiff_t>(v.offset + v.length()));
  return out;
}

template <typename F>
auto tied_to(Program const& program, Position pos, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (DomainError const& e) {
    throw NumericalError(error_at(program.file, pos, e.what()));
  }
}

// The guide block in order: locals defined as they come, `visit(factor,
// latent)` at each `~`, any DomainError tied to the statement it came from.
template <typename T, typename Visit>
void walk_guide(Program const& program, Frame<T>& frame, Visit&& visit) {
  for (Statement const& st : program.guide) {
    if (auto const* d = std::get_if<Definition>(&st)) {
      tied_to(program, d->value.pos, [&] { frame.define(*d); });
      continue;
    }
    Factor const& f = std::get<Factor>(st);
    LatentVariable const& v = program.latents[static_cast<std::size_t>(f.latent)];
    tied_to(program, f.pos, [&] { visit(f, v); });
  }
}

// log q(z|u); each latent element's term also goes to `elements` when given.
template <typename T>
T run_guide(Program const& program, Frame<T>& frame, std::vector<double> const& z,
            std::vector<double>* elements = nullptr) {
  T total = lift<T>(0.0, frame.slots().derivatives);
  std::vector<double> terms;
  if (elements) elements->assign(program.latent_dimension, 0.0);
  walk_guide(program, frame, [&](Factor const& f, LatentVariable const& v) {
    total += frame.log_density(f, latent_value(v, z), elements ? &terms : nullptr);
    if (elements) std::copy(terms.begin(), terms.end(), elements->begin() + static_cast<std::ptrdiff_t>(v.offset));
  });
  return total;
}

// `visit(e, args)` for each element e of a guide factor's latent, with the
// factor's arguments at that element.
template <typename Visit>
void for_each_element(Frame<double>& frame, Factor const& f, LatentVariable const& v, Visit&& visit) {
  std::vector<Value<double>> const args = frame.arguments(f);
  std::vector<double> at(args.size());
  for (std::size_t i = 0; i < v.length(); ++i) {
    pack_arguments(f.evaluated().signature, args.size(), [&](std::size_t k) -> auto const& { return args[k]; }, i,
                   at);
    visit(v.offset + i, at.data());
  }
}

}  // namespace

std::vector<double> sample_guide(Program const& program, Eigen::VectorXd const& u, RandomStream& rng) {
  return GuideSampler(program, u)(rng);
}

struct GuideSampler::State {
  State(Program const& p, Eigen::VectorXd const& u) : program(p), frame(p, 0) { frame.set_parameters(u); }
  Program const& program;
  Frame<double> frame;
};

GuideSampler::GuideSampler(Program const& program, Eigen::VectorXd const& u)
    : state_(std::make_unique<State>(program, u)) {}
GuideSampler::~GuideSampler() = default;

std::vector<double> GuideSampler::operator()(RandomStream& rng) {
  Program const& program = state_->program;
  Frame<double>& frame = state_->frame;
  std::vector<double> z(program.latent_dimension);
  walk_guide(program, frame, [&](Factor const& f, LatentVariable const& v) {
    if (f.evaluated().signature.whole_value) {
      // All the latent's elements in one draw (Dirichlet's), from the arguments as at element 0.
      std::vector<Value<double>> const args = frame.arguments(f);
      std::vector<double> at;
      pack_arguments(f.evaluated().signature, args.size(), [&](std::size_t k) -> auto const& { return args[k]; }, 0,
                     at);
      f.evaluated().sample_vector(rng, at.data(), z.data() + v.offset);
      return;
    }
    for_each_element(frame, f, v, [&](std::size_t e, double const* args) { z[e] = f.evaluated().sample(rng, args); });
  });
  return z;
}

std::vector<std::vector<double>> guide_marginal_densities(Program const& program, Eigen::VectorXd const& u,
                                                          std::vector<std::vector<double>> const& xs) {
  Frame<double> frame(program, 0);
  frame.set_parameters(u);
  std::vector<std::vector<double>> densities(program.latent_dimension);
  walk_guide(program, frame, [&](Factor const& f, LatentVariable const& v) {
    if (f.evaluated().signature.whole_value) return;  // no marginal densities: the elements are drawn jointly
    for_each_element(frame, f, v, [&](std::size_t e, double const* args) {
      for (double x : xs[e]) densities[e].push_back(std::exp(f.evaluated().log_density(x, args)));
    });
  });
  return densities;
}

std::vector<std::vector<QuadraturePoint>> guide_quadrature(Program const& program, Eigen::VectorXd const& u,
                                                           std::vector<int> const& points) {
  Frame<double> frame(program, 0);
  frame.set_parameters(u);
  std::vector<std::vector<QuadraturePoint>> rules(program.latent_dimension);
  walk_guide(program, frame, [&](Factor const& f, LatentVariable const& v) {
    if (!f.evaluated().quadrature) return;
    for_each_element(frame, f, v,
                     [&](std::size_t e, double const* args) { f.evaluated().quadrature(args, points[e], rules[e]); });
  });
  return rules;
}

std::vector<GuideElement> guide_elements(Program const& program, Eigen::VectorXd const& u) {
  Frame<double> frame(program, 0);
  frame.set_parameters(u);
  std::vector<GuideElement> out(program.latent_dimension);
  walk_guide(program, frame, [&](Factor const& f, LatentVariable const& v) {
    std::size_t const count = f.evaluated().signature.parameters.size();
    for_each_element(frame, f, v, [&](std::size_t e, double const* args) {
      out[e] = {&f, std::vector<double>(args, args + count)};
    });
  });
  return out;
}

namespace {

// The log-joint at z, or with `only`, the sum of the factors it marks; the
// definitions run are those that `only` or the program's statements_run mark.
double run_model(Program const& program, Frame<double>& frame, std::vector<double> const& z,
                 std::vector<std::vector<double>>* terms, std::vector<bool> const* summed,
                 std::vector<bool> const* only = nullptr) {
  frame.set_latents(z);
  double total = 0;
  if (terms) terms->resize(program.model.size());
  std::vector<bool> const* const run = only ? only : program.statements_run.empty() ? nullptr : &program.statements_run;
  auto const define = [&](std::size_t i) {
    if (auto const* d = std::get_if<Definition>(&program.model[i]))
      tied_to(program, d->value.pos, [&] { frame.define(*d); });
  };
  for (std::size_t i = 0; i < program.model.size(); ++i) {
    Statement const& st = program.model[i];
    if (run && !(*run)[i]) continue;
    if (std::holds_alternative<Definition>(st)) {
      define(i);
      continue;
    }
    Factor const& f = std::get<Factor>(st);
    if (f.affine) {
      std::optional<double> const reduced = tied_to(program, f.pos, [&] { return frame.affine_log_density(f, z); });
      if (reduced) {
        if (terms) (*terms)[i].assign(1, *reduced);
        total += *reduced;
        continue;
      }
      // Its rows read the definitions the reduction did not need.
      for (std::size_t j = 0; j < i && run; ++j)
        if (!(*run)[j]) define(j);
    }
    if (!f.statistics.empty()) {
      double const reduced = tied_to(program, f.pos, [&] { return frame.log_density_sum(f); });
      if (terms) (*terms)[i].assign(1, reduced);
      total += reduced;
      continue;
    }
    Value<double> const& lhs = f.latent >= 0 ? *frame.slots().values[static_cast<std::size_t>(f.lhs_slot)]
                                             : frame.data(f.lhs_slot);
    bool const by_element = terms && !(summed && (*summed)[i]);
    double const term =
        tied_to(program, f.pos, [&] { return frame.log_density(f, lhs, by_element ? &(*terms)[i] : nullptr); });
    if (terms && !by_element) (*terms)[i].assign(1, term);
    total += term;
  }
  return total;
}

}  // namespace

double log_joint(Program const& program, std::vector<double> const& z) {
  Frame<double> frame(program, 0);
  return run_model(program, frame, z, nullptr, nullptr);
}

namespace {

Value<double> evaluate_in_frame(Program const& program, Frame<double>& frame, std::vector<double> const& z,
                                std::size_t statement, Node const& node) {
  frame.set_latents(z);
  for (std::size_t i = 0; i < statement; ++i)
    if (auto const* d = std::get_if<Definition>(&program.model[i])) frame.define(*d);
  return evaluate(node, frame.slots());
}

}  // namespace

Value<double> evaluate_in_model(Program const& program, std::vector<double> const& z, std::size_t statement,
                                Node const& node) {
  Frame<double> frame(program, 0);
  return evaluate_in_frame(program, frame, z, statement, node);
}

struct ModelEvaluator::Evaluation {
  explicit Evaluation(Program const& program) : frame(program, 0) {}
  Frame<double> frame;
};

ModelEvaluator::ModelEvaluator(Program const& program)
    : program_(program), evaluation_(std::make_unique<Evaluation>(program)) {}
ModelEvaluator::~ModelEvaluator() = default;

Value<double> ModelEvaluator::operator()(std::vector<double> const& z, std::size_t statement, Node const& node) {
  return evaluate_in_frame(program_, evaluation_->frame, z, statement, node);
}

double log_joint_terms(Program const& program, std::vector<double> const& z, std::vector<std::vector<double>>& terms,
                       std::vector<bool> const* summed) {
  Frame<double> frame(program, 0);
  return run_model(program, frame, z, &terms, summed);
}

struct TermUpdater::Evaluation {
  explicit Evaluation(Program const& program) : frame(program, 0) {}
  Frame<double> frame;
};

TermUpdater::TermUpdater(Program const& program)
    : program_(program), evaluation_(std::make_unique<Evaluation>(program)) {}
TermUpdater::~TermUpdater() = default;

void TermUpdater::update(std::vector<double> const& z, std::vector<std::vector<double>>& terms,
                         std::vector<bool> const* summed, std::vector<bool> const& only) {
  run_model(program_, evaluation_->frame, z, &terms, summed, &only);
}

std::vector<double> log_guide_elements(Program const& program, Eigen::VectorXd const& u, std::vector<double> const& z) {
  Frame<double> frame(program, 0);
  frame.set_parameters(u);
  std::vector<double> out;
  run_guide(program, frame, z, &out);
  return out;
}

double log_guide(Program const& program, Eigen::VectorXd const& u, std::vector<double> const& z) {
  Frame<double> frame(program, 0);
  frame.set_parameters(u);
  return run_guide(program, frame, z);
}

// log_guide_with_score by group: each parameter seeded in its place within
// its group, each element's term's derivatives added to its group's
// coordinates. Sums run in the order the dense duals add them (element by
// element within a factor, then factor by factor), so the score is the same
// to the last bit.
struct GuideScorer::State {
  State(Program const& p, Eigen::VectorXd const& u, ScoreGroups const& g)
      : program(p), groups(g), width(widest(g)), frame(p, width), partial(g.coordinates.size()) {
    std::vector<Eigen::Index> seed(static_cast<std::size_t>(u.size()), -1);
    for (std::vector<Eigen::Index> const& c : groups.coordinates)
      for (std::size_t i = 0; i < c.size(); ++i) seed[static_cast<std::size_t>(c[i])] = static_cast<Eigen::Index>(i);
    frame.set_parameters(u, &seed);
  }
  static Eigen::Index widest(ScoreGroups const& g) {
    Eigen::Index width = 1;
    for (std::vector<Eigen::Index> const& c : g.coordinates)
      width = std::max(width, static_cast<Eigen::Index>(c.size()));
    return width;
  }
  Program const& program;
  ScoreGroups const& groups;
  Eigen::Index width;
  Frame<Dual> frame;
  std::vector<Eigen::VectorXd> partial;  // a factor's sums, by group
  std::vector<int> touched;
};

GuideScorer::GuideScorer(Program const& program, Eigen::VectorXd const& u, ScoreGroups const& groups)
    : state_(std::make_unique<State>(program, u, groups)) {}
GuideScorer::~GuideScorer() = default;

double GuideScorer::operator()(std::vector<double> const& z, Eigen::Ref<Eigen::VectorXd> score,
                               std::vector<double>* elements, std::vector<bool> const* only) {
  State& s = *state_;
  Program const& program = s.program;
  ScoreGroups const& groups = s.groups;
  score.setZero();
  if (elements) elements->assign(program.latent_dimension, 0.0);
  double total = 0;
  auto const wanted = [&](LatentVariable const& v) {
    for (std::size_t i = 0; i < v.length(); ++i)
      if (int const g = groups.group_of_element[v.offset + i]; g >= 0 && (*only)[static_cast<std::size_t>(g)])
        return true;
    return false;
  };
  walk_guide(program, s.frame, [&](Factor const& f, LatentVariable const& v) {
    if (only && !wanted(v)) return;
    std::vector<Dual> const terms = s.frame.element_terms(f, latent_value(v, z));
    double factor_total = 0;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      factor_total += terms[i].value();
      if (elements) (*elements)[v.offset + i] = terms[i].value();
      int const g = groups.group_of_element[v.offset + i];
      if (g < 0) continue;
      Eigen::VectorXd& sum = s.partial[static_cast<std::size_t>(g)];
      if (sum.size() == 0) {
        sum = Eigen::VectorXd::Zero(s.width);
        s.touched.push_back(g);
      }
      sum += terms[i].derivatives();
    }
    total += factor_total;
    for (int g : s.touched) {
      std::vector<Eigen::Index> const& c = groups.coordinates[static_cast<std::size_t>(g)];
      Eigen::VectorXd& sum = s.partial[static_cast<std::size_t>(g)];
      // Not score(c): an indexed view copies its index vector.
      for (std::size_t i = 0; i < c.size(); ++i) score[c[i]] += sum[static_cast<Eigen::Index>(i)];
      sum.resize(0);
    }
    s.touched.clear();
  });
  return total;
}

double log_guide_with_score(Program const& program, Eigen::VectorXd const& u, std::vector<double> const& z,
                            Eigen::Ref<Eigen::VectorXd> score, std::vector<double>* elements,
                            ScoreGroups const* groups, std::vector<bool> const* only) {
  if (groups) return GuideScorer(program, u, *groups)(z, score, elements, only);
  Frame<Dual> frame(program, u.size());
  frame.set_parameters(u);
  Dual const lq = run_guide(program, frame, z, elements);
  score = lq.derivatives();
  return lq.value();
}

std::vector<std::vector<double>> constrained_parameters(Program const& program, Eigen::VectorXd const& u) {
  std::vector<std::vector<double>> out;
  for (Parameter const& p : program.parameters) {
    std::vector<double> values;
    if (p.constraint.simplex) values = simplex_from(u.data() + p.offset, p.length());
    for (std::size_t i = 0; i < p.length() && !p.constraint.simplex; ++i) {
      std::optional<std::size_t> const coordinate = p.coordinate_of(i);
      auto const k = static_cast<Eigen::Index>(p.offset + coordinate.value_or(0));
      values.push_back(coordinate ? p.element_constraint(i).constrain(u[k]) : 0.0);
    }
    out.push_back(std::move(values));
  }
  return out;
}

}  // namespace bbvi
