// `mpirun -np K bbvi-ppl …` (README.md, 'Ranks'): K ranks share each
// iteration's draws, and the result is one process's to the bit. In a build
// with MPI these run the binary under the launcher it was built with; in one
// without (the sanitizer build), a launcher's several processes are refused.
#include "tests/support/run_binary.hpp"
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using bbvi::testing::Run;
using bbvi::testing::slurp;

namespace {

std::string source(std::string const& relative) { return std::string(BBVI_SOURCE_DIR) + "/" + relative; }

fs::path scratch(std::string const& name) { return bbvi::testing::scratch_dir() / name; }

// The binary as `ranks` processes started together, or alone for 0.
Run run_as([[maybe_unused]] int ranks, std::string const& arguments, std::string const& environment = "") {
  fs::path const out = scratch("ranks_stdout"), err = scratch("ranks_stderr");
  std::string launcher;
#ifdef BBVI_MPIEXEC
  // Root may start ranks only when it says so twice; a third rank on two
  // cores is oversubscribed.
  if (ranks > 0)
    launcher = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 '" + std::string(BBVI_MPIEXEC) +
               "' --oversubscribe -np " + std::to_string(ranks) + " ";
#endif
  std::string const command = environment + " " + launcher + "'" + BBVI_BINARY + "' " + arguments + " >'" +
                              out.string() + "' 2>'" + err.string() + "'";
  Run r;
  r.status = bbvi::testing::exit_status(std::system(command.c_str()));
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace

#ifdef BBVI_MPIEXEC

namespace {

std::string write(std::string const& name, std::string const& text) {
  fs::path const p = scratch(name);
  std::ofstream(p, std::ios::binary) << text;
  return "'" + p.string() + "'";
}

}  // namespace

TEST_CASE("mpirun -np 1, 2 and 3 write the JSON of one process, but for the time taken") {
  // A regression with local expectations and the coupled step, a
  // hierarchical model with a group per school, and a mixture with two
  // chains (run one after another under ranks).
  for (std::string const name : {"logistic_regression", "eight_schools", "mixture"}) {
    INFO(name);
    std::string const fit = source("models/" + name + ".model") + " " + source("models/" + name + ".csv") +
                            " --output - --quiet" + (name == "mixture" ? " --chains 2" : "");
    std::string one;
    for (int ranks : {0, 1, 2, 3}) {
      INFO(ranks << " ranks");
      Run const r = run_as(ranks, fit);
      REQUIRE(r.status == 0);
      nlohmann::json result = nlohmann::json::parse(r.out);
      REQUIRE(result.contains("seconds"));
      result.erase("seconds");
      if (ranks == 0)
        one = result.dump();
      else
        CHECK(result.dump() == one);
    }
  }
}

TEST_CASE("mpirun: an error ends every rank with one process's message and exit status, and writes nothing") {
  std::string const bad_cell = write("ranks_bad.csv", "x\n1.5\n2.5\n1.5x\n");
  std::string const negative_sd = "'" + source("tests/e2e/negative_sd.model") + "'";
  fs::path const json = scratch("ranks_error.json");
  // A data error, found as the files are read; a distribution rejecting its
  // arguments at a draw of the first iteration, which in three ranks is the
  // second's or the third's to make.
  for (std::string const& data : {bad_cell, source("models/normal_gamma.csv")}) {
    INFO(data);
    Run const alone = run_as(0, negative_sd + " " + data);
    REQUIRE((alone.status == 1 || alone.status == 2));
    REQUIRE_FALSE(alone.err.empty());
    for (int ranks : {2, 3}) {
      INFO(ranks << " ranks");
      fs::remove(json);
      Run const r = run_as(ranks, negative_sd + " " + data + " --output '" + json.string() + "'");
      CHECK(r.status == alone.status);
      // The launcher adds a note of its own after rank 0's message.
      CHECK(r.err.substr(0, alone.err.size()) == alone.err);
      CHECK_FALSE(fs::exists(json));
    }
  }
}

#else

TEST_CASE("a build without MPI refuses to run as a launcher's several processes") {
  Run const r = run_as(0, source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv"),
                       "OMPI_COMM_WORLD_SIZE=3");
  CHECK(r.status == 2);
  CHECK(r.err ==
        "bbvi-ppl: error: started as 3 processes, but this bbvi-ppl was built without MPI: install "
        "libboost-mpi1.81-dev and rebuild to run as ranks (README.md, 'Ranks')\n");
  Run const one = run_as(0, source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv"),
                         "OMPI_COMM_WORLD_SIZE=1");
  CHECK(one.status == 0);
}

#endif
