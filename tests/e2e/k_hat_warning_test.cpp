// The warning printed when Pareto k̂ is above 0.7: what it advises, and in
// what order (measured on eight schools, docs/output.md "Pareto k̂").
#include "tests/support/run_binary.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <string>

using bbvi::testing::Run;

namespace {

std::string source(std::string const& relative) { return std::string(BBVI_SOURCE_DIR) + "/" + relative; }
std::string const schools_csv = source("models/eight_schools.csv");

// Where `text` starts in the warning, npos when it is not there.
std::size_t at(Run const& r, std::string const& text) { return r.err.find(text); }

}  // namespace

TEST_CASE("k-hat warning: a centred hierarchy is told to write the model non-centred, first") {
  // theta ~ Normal(mu, tau), tau a latent; 200 iterations leave k̂ high.
  Run const r = bbvi::testing::run_binary(source("bench/eight_schools_centred.model") + " " + schools_csv +
                                          " --iters 200 --quiet");
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE(at(r, "warning: Pareto k̂ is") != std::string::npos);
  CHECK(at(r, "  1. a latent's prior scale is another latent: theta (scale tau). Write it in non-centred form") !=
        std::string::npos);
  CHECK(at(r, "  2. more --draws") != std::string::npos);
  CHECK(at(r, "  4. last, a heavier-tailed guide family") != std::string::npos);
}

TEST_CASE("k-hat warning: a model already non-centred is not told to become so") {
  // models/eight_schools.model, seed 1: k̂ 0.78 with 1,000 draws (0.65 with 4,000).
  Run const r = bbvi::testing::run_binary(source("models/eight_schools.model") + " " + schools_csv + " --quiet");
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE(at(r, "warning: Pareto k̂ is") != std::string::npos);
  CHECK(at(r, "non-centred form") == std::string::npos);
  CHECK(at(r, "  1. more --draws") != std::string::npos);
  // The heavier-tailed guide comes after the checks: it made eight schools' ELBO lower.
  CHECK(at(r, "  1. more --draws") < at(r, "heavier-tailed"));
}
