#include "runtime/bbvi/local_expectation.hpp"

#include "runtime/evaluate.hpp"

#include <algorithm>
#include <cmath>

namespace bbvi {

LocalPlan plan_local(Program const& program, Blankets const& blankets) {
  std::vector<bool> has_rule(program.latent_dimension, false);
  for (Statement const& st : program.guide)
    if (auto const* f = std::get_if<Factor>(&st); f && f->distribution->quadrature) {
      LatentVariable const& v = program.latents[static_cast<std::size_t>(f->latent)];
      std::fill_n(has_rule.begin() + static_cast<std::ptrdiff_t>(v.offset), v.length(), true);
    }
  LocalPlan plan;
  plan.is_local.assign(blankets.groups.size(), false);
  std::vector<std::vector<bool>> const near = neighbours(blankets);
  for (std::size_t g = 0; g < blankets.groups.size(); ++g) {
    FactorGroup const& group = blankets.groups[g];
    if (group.latent_elements.size() != 1 || group.coordinates.empty() || !has_rule[group.latent_elements[0]])
      continue;
    plan.is_local[g] = true;
    std::size_t const index = plan.groups.size();
    plan.groups.push_back(static_cast<int>(g));
    plan.element.push_back(group.latent_elements[0]);
    // Greedy colouring: the first colour none of whose groups shares a term with g.
    auto const fits = [&](std::vector<std::size_t> const& colour) {
      return std::none_of(colour.begin(), colour.end(), [&](std::size_t other) {
        return near[g][static_cast<std::size_t>(plan.groups[other])];
      });
    };
    auto const colour = std::find_if(plan.colours.begin(), plan.colours.end(), fits);
    if (colour == plan.colours.end()) plan.colours.push_back({index});
    else colour->push_back(index);
  }
  return plan;
}

LocalPoints local_points(Program const& program, Blankets const& blankets, LocalPlan const& plan,
                         Eigen::VectorXd const& u, std::vector<double> const& z) {
  LocalPoints out;
  std::vector<std::vector<QuadraturePoint>> const rules = guide_quadrature(program, u);
  std::size_t most = 0;
  for (std::size_t i = 0; i < plan.groups.size(); ++i) {
    out.points.push_back(rules[plan.element[i]]);
    most = std::max(most, out.points.back().size());
    auto const& coordinates = blankets.groups[static_cast<std::size_t>(plan.groups[i])].coordinates;
    out.scores.emplace_back(out.points.back().size(), coordinates.size());
    out.log_q.emplace_back(out.points.back().size());
  }
  // The guide factorises, so one evaluation with every local element at its
  // k-th point gives each group's score and log q there.
  Eigen::VectorXd score(u.size());
  std::vector<double> elements;
  for (std::size_t k = 0; k < most; ++k) {
    std::vector<double> at = z;
    for (std::size_t i = 0; i < plan.groups.size(); ++i)
      if (k < out.points[i].size()) at[plan.element[i]] = out.points[i][k].value;
    log_guide_with_score(program, u, at, score, &elements);
    for (std::size_t i = 0; i < plan.groups.size(); ++i) {
      if (k >= out.points[i].size()) continue;
      auto const& coordinates = blankets.groups[static_cast<std::size_t>(plan.groups[i])].coordinates;
      out.scores[i].row(static_cast<Eigen::Index>(k)) = score(coordinates).transpose();
      out.log_q[i][k] = elements[plan.element[i]];
    }
  }
  out.fisher = Eigen::MatrixXd::Zero(u.size(), u.size());
  for (std::size_t i = 0; i < plan.groups.size(); ++i) {
    auto const& coordinates = blankets.groups[static_cast<std::size_t>(plan.groups[i])].coordinates;
    Eigen::VectorXd weights(out.points[i].size());
    for (std::size_t k = 0; k < out.points[i].size(); ++k) weights[static_cast<Eigen::Index>(k)] = out.points[i][k].weight;
    out.fisher(coordinates, coordinates) = out.scores[i].transpose() * weights.asDiagonal() * out.scores[i];
  }
  return out;
}

LocalOutcome local_gradient(Program const& program, Blankets const& blankets, LocalPlan const& plan,
                            LocalPoints const& points, std::vector<double> const& z, std::vector<double> const& log_q,
                            Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>> row) {
  for (int g : plan.groups) row(blankets.groups[static_cast<std::size_t>(g)].coordinates).setZero();
  LocalOutcome outcome;
  outcome.failed.assign(plan.groups.size(), false);
  std::vector<std::vector<double>> terms;
  std::vector<double> at = z, at_log_q = log_q;  // the draw, with the colour's elements at their points
  for (std::vector<std::size_t> const& colour : plan.colours) {
    std::size_t most = 0;
    for (std::size_t i : colour) most = std::max(most, points.points[i].size());
    for (std::size_t k = 0; k < most; ++k) {
      for (std::size_t i : colour) {
        bool const has_point = k < points.points[i].size();
        at[plan.element[i]] = has_point ? points.points[i][k].value : z[plan.element[i]];
        at_log_q[plan.element[i]] = has_point ? points.log_q[i][k] : log_q[plan.element[i]];
      }
      ++outcome.evaluations;
      Eigen::RowVectorXd f;
      try {
        log_joint_terms(program, at, terms);
        f = blanket_sums(blankets, terms, at_log_q);
      } catch (NumericalError const&) {
        // Which group's point the model rejected is not known: all of the colour's.
        f = Eigen::RowVectorXd::Constant(static_cast<Eigen::Index>(blankets.groups.size()), -HUGE_VAL);
      }
      for (std::size_t i : colour) {
        if (k >= points.points[i].size()) continue;
        std::size_t const g = static_cast<std::size_t>(plan.groups[i]);
        double const value = f[static_cast<Eigen::Index>(g)];
        if (!std::isfinite(value)) outcome.failed[i] = true;
        if (outcome.failed[i]) continue;
        row(blankets.groups[g].coordinates) +=
            points.points[i][k].weight * value * points.scores[i].row(static_cast<Eigen::Index>(k));
      }
    }
    for (std::size_t i : colour) {
      at[plan.element[i]] = z[plan.element[i]];
      at_log_q[plan.element[i]] = log_q[plan.element[i]];
    }
  }
  return outcome;
}

}  // namespace bbvi
