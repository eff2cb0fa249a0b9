#pragma once
// The four things the engine asks of a Program: draw z ~ q(·|u), log p(x, z),
// log q(z|u), and the score ∇u log q(z|u) (from the dual numbers, never by
// hand). u is the vector of all variational parameters, unconstrained.
#include "core/diagnostic.hpp"
#include "runtime/distributions/quadrature.hpp"
#include "runtime/program.hpp"
#include "runtime/random_stream.hpp"

#include <Eigen/Core>

#include <memory>
#include <stdexcept>
#include <vector>

namespace bbvi {

// A distribution rejected its arguments while fitting (a DomainError tied to
// the statement that produced it): the fit fails numerically, exit status 1.
class NumericalError : public std::runtime_error {
 public:
  explicit NumericalError(Diagnostic d) : std::runtime_error(d.message), diagnostic_(std::move(d)) {}
  Diagnostic const& diagnostic() const { return diagnostic_; }

 private:
  Diagnostic diagnostic_;
};

std::vector<double> sample_guide(Program const& program, Eigen::VectorXd const& u, RandomStream& rng);
// sample_guide at one u for many draws: the parameters are constrained once.
// The same draws. Not shared between threads.
class GuideSampler {
 public:
  GuideSampler(Program const& program, Eigen::VectorXd const& u);
  ~GuideSampler();
  GuideSampler(GuideSampler const&) = delete;
  GuideSampler& operator=(GuideSampler const&) = delete;
  std::vector<double> operator()(RandomStream& rng);

 private:
  struct State;
  std::unique_ptr<State> state_;
};
// The guide's marginal density of each latent element at each of xs[e] (its
// own grid; empty: skipped), for plotting the fitted marginals.
std::vector<std::vector<double>> guide_marginal_densities(Program const& program, Eigen::VectorXd const& u,
                                                          std::vector<std::vector<double>> const& xs);
// Each latent element's quadrature rule under q(·|u), with points[e] points
// where it is Gauss–Hermite, and empty where its guide family has none
// (runtime/distributions/quadrature.hpp).
std::vector<std::vector<QuadraturePoint>> guide_quadrature(Program const& program, Eigen::VectorXd const& u,
                                                           std::vector<int> const& points);
// Each latent element's guide factor and its arguments under u, one value
// per parameter (a factor with whole-vector arguments: its first ones, not
// to be read).
struct GuideElement {
  Factor const* factor = nullptr;
  std::vector<double> arguments;
};
std::vector<GuideElement> guide_elements(Program const& program, Eigen::VectorXd const& u);
double log_joint(Program const& program, std::vector<double> const& z);
// `node` at draw z as model statement `statement` reads it: the model's
// locals before it defined at z. For reductions taken when the model is
// lowered; a local's bounds may throw DomainError.
Value<double> evaluate_in_model(Program const& program, std::vector<double> const& z, std::size_t statement,
                                Node const& node);
// evaluate_in_model with one frame kept from call to call, its slots'
// storage reused: for what is evaluated at every draw, where making a frame
// each time was a large part of the cost. Not shared between threads.
class ModelEvaluator {
 public:
  explicit ModelEvaluator(Program const& program);
  ~ModelEvaluator();
  ModelEvaluator(ModelEvaluator const&) = delete;
  ModelEvaluator& operator=(ModelEvaluator const&) = delete;
  Value<double> operator()(std::vector<double> const& z, std::size_t statement, Node const& node);

 private:
  struct Evaluation;
  Program const& program_;
  std::unique_ptr<Evaluation> evaluation_;
};
// log p(x, z) with each term kept: terms[i][k] is element k of the i-th
// statement of the model block (empty for a local definition). A statement
// marked in `summed` keeps only its sum, as terms[i][0]: what a Markov
// blanket needs of a term whose rows all share their groups, without
// storing a row at a time.
double log_joint_terms(Program const& program, std::vector<double> const& z, std::vector<std::vector<double>>& terms,
                       std::vector<bool> const* summed = nullptr);
// Writes the terms of the statements marked in `only`, at z, as
// log_joint_terms does; the others keep what `terms` holds, which must be
// theirs at a draw that differs from z only in latents they do not read.
// Local expectations move a few latents at a time, and a statement outside
// their blankets need not be evaluated again (docs/method.md, 'Cost follows
// the graph'). One updater keeps its slots' storage from one update to the
// next; it is not shared between threads.
class TermUpdater {
 public:
  explicit TermUpdater(Program const& program);
  ~TermUpdater();
  TermUpdater(TermUpdater const&) = delete;
  TermUpdater& operator=(TermUpdater const&) = delete;
  void update(std::vector<double> const& z, std::vector<std::vector<double>>& terms, std::vector<bool> const* summed,
              std::vector<bool> const& only);

 private:
  struct Evaluation;
  Program const& program_;
  std::unique_ptr<Evaluation> evaluation_;
};
// log q(z|u) of each latent element, indexed like z.
std::vector<double> log_guide_elements(Program const& program, Eigen::VectorXd const& u, std::vector<double> const& z);
double log_guide(Program const& program, Eigen::VectorXd const& u, std::vector<double> const& z);
// The guide's parameters in groups that no two latent elements' guide terms
// share (runtime/bbvi/blankets.hpp finds them). With them the score's dual
// numbers carry as many derivatives as the largest group has coordinates
// rather than all P, so a draw's score costs O(P), not O(P²).
struct ScoreGroups {
  std::vector<int> group_of_element;                   // by latent element
  std::vector<std::vector<Eigen::Index>> coordinates;  // by group: what its elements' terms read
};

// Returns log q(z|u) and writes ∇u log q(z|u) into `score` (length of u),
// and each latent element's term into `elements` when given; by group when
// `groups` are given, with the same result. With `only` too (by group), the
// factors of no group it marks are skipped: their terms, the score's
// coordinates they would fill and the log q returned leave them out.
double log_guide_with_score(Program const& program, Eigen::VectorXd const& u, std::vector<double> const& z,
                            Eigen::Ref<Eigen::VectorXd> score, std::vector<double>* elements = nullptr,
                            ScoreGroups const* groups = nullptr, std::vector<bool> const* only = nullptr);

// log_guide_with_score by groups at one u for many z: the parameters are
// made dual numbers once, not at every draw. The same results. Not shared
// between threads.
class GuideScorer {
 public:
  GuideScorer(Program const& program, Eigen::VectorXd const& u, ScoreGroups const& groups);
  ~GuideScorer();
  GuideScorer(GuideScorer const&) = delete;
  GuideScorer& operator=(GuideScorer const&) = delete;
  double operator()(std::vector<double> const& z, Eigen::Ref<Eigen::VectorXd> score,
                    std::vector<double>* elements = nullptr, std::vector<bool> const* only = nullptr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Each parameter's values on its own (constrained) scale, in declaration order.
std::vector<std::vector<double>> constrained_parameters(Program const& program, Eigen::VectorXd const& u);

}  // namespace bbvi
