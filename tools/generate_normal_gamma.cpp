// generate-normal-gamma: synthetic data for the canonical model.
//
//   generate-normal-gamma --n 100 --seed 20261124 > models/normal_gamma.csv
//   generate-normal-gamma --n 1000000 --seed 7 --mu0 2 --alpha0 3 --beta0 2 > big.csv
//
// Draws tau ~ Gamma(alpha0, rate beta0) and mu ~ Normal(mu0, 1/sqrt(lambda0 tau))
// from the model's prior, then x_1..x_n ~ Normal(mu, 1/sqrt(tau)), and writes a
// CSV with the header `x` and one value per line, printed with 17 significant
// digits so that reading it back gives the same doubles. The prior defaults
// are the model file's (mu0 = 0, lambda0 = alpha0 = beta0 = 1). The drawn mu
// and tau go to standard error, for comparing a fit with the truth. The same
// --seed gives the same file on every platform (Boost.Random's mt19937 and
// distributions; see normal_gamma_data.hpp).
//
// Exit codes: 0 written, 1 the output could not be written, 2 bad options.
#include "tools/normal_gamma_data.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  CLI::App app{"Writes data for the canonical Normal-Gamma model as CSV to standard output."};
  std::size_t n = 0;
  std::uint64_t seed = 0;
  bbvi::tools::NormalGammaPrior prior;
  app.add_option("--n", n, "number of rows")->required();
  app.add_option("--seed", seed, "random seed")->required();
  app.add_option("--mu0", prior.mu0, "prior mean of mu")->capture_default_str();
  app.add_option("--lambda0", prior.lambda0, "prior precision multiplier of mu")
      ->capture_default_str();
  app.add_option("--alpha0", prior.alpha0, "Gamma shape of tau")->capture_default_str();
  app.add_option("--beta0", prior.beta0, "Gamma rate of tau")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (CLI::ParseError const& e) {
    int const code = app.exit(e);
    return code == 0 ? 0 : 2;  // --help is success
  }

  double mu = 0, tau = 0;
  std::vector<double> x;
  try {
    x = bbvi::tools::generate_normal_gamma(n, prior, seed, &mu, &tau);
  } catch (std::exception const& e) {
    fmt::print(stderr, "generate-normal-gamma: error: {}\n", e.what());
    return 2;
  }

  // Formatting into one buffer and writing it once is fast for a million rows.
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "x\n");
  for (double xi : x) fmt::format_to(std::back_inserter(out), "{:.17g}\n", xi);
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    fmt::print(stderr, "generate-normal-gamma: error: cannot write the output\n");
    return 1;
  }
  fmt::print(stderr, "generate-normal-gamma: drew mu = {:.17g}, tau = {:.17g}\n", mu, tau);
  return 0;
}
