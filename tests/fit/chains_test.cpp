// tests/fit/chains_test.cpp tests runtime/bbvi/chains.hpp: chain c is the fit
// of seed + c, a failing chain's error is the lowest one's, and the agreement
// and the reported chain follow their rules.
#include "runtime/bbvi/chains.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <stdexcept>

using namespace bbvi;

namespace {

FitResult chain(std::vector<double> u, double elbo, double elbo_se, double noise_kl, Eigen::MatrixXd fisher) {
  FitResult r;
  r.u = Eigen::Map<Eigen::VectorXd>(u.data(), static_cast<Eigen::Index>(u.size()));
  r.elbo = elbo;
  r.elbo_se = elbo_se;
  r.noise_kl = noise_kl;
  r.fisher = BlockDiagonal(std::move(fisher));
  return r;
}

}  // namespace

TEST_CASE("fit_chains: chain c is the fit of seed + c, whatever the threads; only the first reports progress") {
  data::CsvTable const table = testing::column_table("x", {0.3, -1.2, 0.8, 2.1});
  Program const program = testing::compile_model(testing::normal_mean_model, &table);
  FitOptions options;
  options.seed = 7;
  options.threads = 3;
  int first_chain_iterations = 0;
  options.on_iteration = [&](IterationRecord const&) { ++first_chain_iterations; };
  std::vector<FitResult> const chains = fit_chains(program, options, 3);
  REQUIRE(chains.size() == 3);
  CHECK(first_chain_iterations == chains[0].iterations);
  for (std::size_t c = 0; c < chains.size(); ++c) {
    FitOptions alone;
    alone.seed = 7 + c;
    FitResult const single = fit(program, alone);
    CHECK(chains[c].u == single.u);
    CHECK(chains[c].elbo == single.elbo);
  }
}

TEST_CASE("fit_chains: the lowest failing chain's error is rethrown") {
  data::CsvTable const table = testing::column_table("x", {0.3, -1.2, 0.8, 2.1});
  Program const program = testing::compile_model(testing::normal_mean_model, &table);
  FitOptions options;
  options.stop_requested = [] { return true; };  // every chain stops at its first iteration
  CHECK_THROWS_AS(fit_chains(program, options, 2), FitStopped);
}

TEST_CASE("chain_agreement: the largest ½ ΔᵀFΔ from the reference against ten times the two chains' noise") {
  Eigen::MatrixXd const fisher = Eigen::Vector2d(2, 8).asDiagonal();
  std::vector<FitResult> chains{chain({0, 0}, 0, 0, 0.001, fisher), chain({0.1, 0}, 0, 0, 0.002, fisher),
                                chain({0, 0.1}, 0, 0, 0.0005, fisher)};
  ChainAgreement const a = chain_agreement(chains);
  CHECK(a.measured);
  CHECK(a.largest_kl == Approx(0.5 * 8 * 0.01));  // the third chain: ½ · 8 · 0.1²
  CHECK(a.noise_kl == Approx(0.0015));
  CHECK_FALSE(a.agree);  // 0.04 > 10 · 0.0015
  chains[2].noise_kl = 0.005;
  CHECK(chain_agreement(chains).agree);  // 0.04 ≤ 10 · 0.006
  chains[1].fisher = BlockDiagonal();  // a chain without a Fisher is left out ...
  CHECK(chain_agreement(chains).measured);
  chains[0].fisher = BlockDiagonal();  // ... and without the reference's, nothing is measured
  CHECK_FALSE(chain_agreement(chains).measured);
  CHECK_FALSE(chain_agreement({chains[2]}).measured);
}

TEST_CASE("reported_chain: the first when they agree; else the first whose ELBO ties with the highest") {
  Eigen::MatrixXd const fisher = Eigen::MatrixXd::Identity(1, 1);
  std::vector<FitResult> const chains{chain({0}, -10.0, 0.1, 0, fisher), chain({5}, -9.0, 0.1, 0, fisher),
                                      chain({5.1}, -8.9, 0.1, 0, fisher)};
  ChainAgreement agree;
  agree.measured = true;
  CHECK(reported_chain(chains, agree) == 0);
  ChainAgreement disagree = agree;
  disagree.agree = false;
  CHECK(reported_chain(chains, disagree) == 1);  // -9.0 is within 2·√2·0.1 of -8.9
  ChainChoice const choice = choose_chain(chains);
  CHECK_FALSE(choice.agreement.agree);
  CHECK(choice.reported == 1);
  CHECK(choice.agreement.largest_kl == Approx(0.5 * 25));  // measured from chain 1: chain 0 is 5 away
}
