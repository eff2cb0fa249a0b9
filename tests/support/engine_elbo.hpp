#pragma once
// The engine's own ELBO at given guide parameters, by plain Monte Carlo: for
// the tests that hold a reference's closed-form or quadrature ELBO to what
// the engine computes from the model text, before trusting its optimum.
#include "runtime/program.hpp"
#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace bbvi::testing {

struct ElboEstimate {
  double mean = 0, se = 0;
  bool all_finite = true;
};

// log p(y, z) − log q(z) averaged over `draws` draws of q, draw i from its own
// fixed stream (seed 7), so the estimate is the same on every run.
inline ElboEstimate engine_elbo(Program const& program, Eigen::VectorXd const& u, std::size_t draws) {
  ElboEstimate e;
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 0; i < draws; ++i) {
    RandomStream rng(7, 0, i);
    std::vector<double> const z = sample_guide(program, u, rng);
    double const f = log_joint(program, z) - log_guide(program, u, z);
    e.all_finite = e.all_finite && std::isfinite(f);
    sum += f;
    sum_sq += f * f;
  }
  double const n = static_cast<double>(draws);
  e.mean = sum / n;
  e.se = std::sqrt(std::max(0.0, sum_sq / n - e.mean * e.mean) / n);
  return e;
}

// Guide parameters θ in pairs (mean, log sd), moved off an optimum: each
// mean half its sd away, each sd 20% wider. Near the optimum log p − log q
// varies little between draws, so engine_elbo is sharp there; off it, the
// reference is checked elsewhere than where its terms balance.
inline Eigen::VectorXd off_optimum(Eigen::VectorXd theta) {
  for (Eigen::Index k = 0; 2 * k + 1 < theta.size(); ++k) {
    theta[2 * k] += 0.5 * std::exp(theta[2 * k + 1]);
    theta[2 * k + 1] += std::log(1.2);
  }
  return theta;
}

}  // namespace bbvi::testing
