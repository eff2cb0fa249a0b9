#pragma once
// Rao-Blackwellisation from the program's graph (docs/method.md, 'Markov
// blankets'):
// the guide's variational parameters fall into groups that no two latent
// elements share (per element for vector latents with vector parameters),
// and each group's Markov blanket is the set of log-joint terms, element by
// element, that touch one of its latents.
#include "runtime/evaluate.hpp"
#include "runtime/program.hpp"

#include <Eigen/Core>

#include <vector>

namespace bbvi {

struct FactorGroup {
  std::vector<std::size_t> latent_elements;  // indices into a draw z
  std::vector<Eigen::Index> coordinates;     // indices into u
};

// The groups whose blanket holds a model statement's terms: the same for
// every element (a term over scalar latents only), or element by element.
struct TermGroups {
  bool uniform = true;
  std::vector<int> groups;                    // when uniform
  std::vector<std::vector<int>> by_element;   // otherwise
  // Otherwise also, for blanket_sums: the groups in every element's list,
  // and each element's others, element k's at rest[rest_start[k]..rest_start[k + 1]).
  std::vector<int> common;
  std::vector<int> rest;
  std::vector<std::size_t> rest_start;
  std::vector<int> const& of(std::size_t element) const { return uniform ? groups : by_element[element]; }
};

struct Blankets {
  std::vector<FactorGroup> groups;
  std::vector<TermGroups> terms;  // by statement of the model block
  std::vector<int> group_of_element;  // by latent element
  // By statement: uniform, so blanket_sums needs only its sum (log_joint_terms).
  std::vector<bool> summed_terms;
  // The groups as the score needs them (log_guide_with_score).
  ScoreGroups score_groups;
};

Blankets find_blankets(Program const& program);

// Each group's neighbours: the groups it shares a term of the log-joint
// with, itself included, sorted. Lists, not a G × G matrix: a model with a
// latent per row has as many groups as rows.
std::vector<std::vector<int>> neighbours(Blankets const& b);

// Each group's f_j for one draw: the log-joint's terms of its blanket, by
// statement and element (log_joint_terms, with summed_terms), less its
// latents' guide terms.
Eigen::RowVectorXd blanket_sums(Blankets const& b, std::vector<std::vector<double>> const& terms,
                                std::vector<double> const& log_q);
// The same into `out`, whose storage a caller evaluating many points reuses.
// With `statements`, by model statement, only the marked ones are summed:
// exact for the groups whose blankets they cover, and for no other.
void blanket_sums(Blankets const& b, std::vector<std::vector<double>> const& terms, std::vector<double> const& log_q,
                  Eigen::RowVectorXd& out, std::vector<bool> const* statements = nullptr);

}  // namespace bbvi
