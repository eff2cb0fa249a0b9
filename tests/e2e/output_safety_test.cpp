// What a fit may do to the paths it is given: every output path is checked
// before the fit, so a mistyped one costs no fit; a path naming another
// output's file (or an input) is refused; SIGINT and SIGTERM stop a fit with
// 130 and 143 and leave neither a temporary file nor a half-written result;
// and the files of one run are replaced together or not at all.
#include "tests/support/run_binary.hpp"
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using bbvi::testing::Run;
using bbvi::testing::slurp;

namespace {

std::string source(std::string const& relative) { return std::string(BBVI_SOURCE_DIR) + "/" + relative; }

std::string const canonical = source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv");
// Adam has no stopping rule: with this cap the fit runs until it is stopped.
std::string const endless = canonical + " --method adam --iters 2000000000";

// A directory of the test's own, emptied first.
fs::path fresh_dir(std::string const& name) {
  fs::path const dir = bbvi::testing::scratch_dir() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::vector<std::string> names_in(fs::path const& dir) {
  std::vector<std::string> names;
  for (auto const& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

bool has_temporary(fs::path const& dir) {
  for (std::string const& name : names_in(dir))
    if (name.find(".tmp.") != std::string::npos) return true;
  return false;
}

// The binary on a pseudo-terminal, so that its progress line shows when the
// fit has started; `signal` is sent once `ready` holds of what it has
// printed (0: never sent). Returns what a user at the terminal sees.
// `ignoring`: a signal the binary starts with ignored, as a shell script
// starts a background job with SIGINT ignored.
Run run_in_terminal(std::string const& arguments, int signal = 0,
                    std::function<bool(std::string const&)> const& ready = {}, int ignoring = 0) {
  int terminal = -1;
  pid_t const child = ::forkpty(&terminal, nullptr, nullptr, nullptr);
  Run r;
  REQUIRE(child >= 0);
  if (child == 0) {
    if (ignoring != 0) ::signal(ignoring, SIG_IGN);
    std::string const command = std::string("exec '") + BBVI_BINARY + "' " + arguments;
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  bool sent = false;
  char buffer[4096];
  for (;;) {
    ssize_t const n = ::read(terminal, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO once the child has closed its side
    r.out.append(buffer, static_cast<std::size_t>(n));
    if (signal != 0 && !sent && ready(r.out)) sent = ::kill(child, signal) == 0;
  }
  int raw = 0;
  ::waitpid(child, &raw, 0);
  ::close(terminal);
  r.status = bbvi::testing::exit_status(raw);
  return r;
}

bool fit_started(std::string const& printed) { return printed.find("iteration") != std::string::npos; }

// The binary in the background, standard output and error to files.
pid_t start(std::string const& arguments, fs::path const& dir) {
  pid_t const child = ::fork();
  if (child == 0) {
    std::string const command = std::string("exec '") + BBVI_BINARY + "' " + arguments + " >'" +
                                (dir / "stdout").string() + "' 2>'" + (dir / "stderr").string() + "'";
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return child;
}

// Waits for `child` to end, sending `signal` once `ready()` holds (checked
// every few milliseconds, at most for a minute); returns the exit status.
int finish(pid_t child, int signal, std::function<bool()> const& ready) {
  int raw = 0;
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  bool sent = false;
  while (::waitpid(child, &raw, WNOHANG) == 0) {
    if (!sent && ready()) sent = ::kill(child, signal) == 0;
    if (std::chrono::steady_clock::now() > deadline) ::kill(child, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return bbvi::testing::exit_status(raw);
}

// A character device node (1, minor) in `dir`: a copy of /dev/null (3) or
// /dev/full (7) that a regression may replace without harm; the system's
// own when this process may not make nodes (and so may not replace it).
fs::path device_copy(fs::path const& dir, std::string const& name, unsigned minor) {
  fs::path const node = dir / name;
  if (::mknod(node.c_str(), S_IFCHR | 0666, makedev(1, minor)) == 0) return node;
  return "/dev/" + name;
}

}  // namespace

TEST_CASE("output paths: one that cannot be written ends the run before the fit, with the reason") {
  fs::path const dir = fresh_dir("unwritable");
  std::ofstream(dir / "file") << "x\n";
  fs::create_directories(dir / "folder");
  // sysfs takes no new file even from root; its reason is measured here.
  int const refused = ::open("/sys/bbvi-ppl-test.json", O_WRONLY | O_CREAT | O_EXCL, 0644) < 0 ? errno : 0;
  REQUIRE(refused != 0);
  REQUIRE(refused != ENOENT);
  struct Case {
    std::string option, path, reason;
  };
  std::vector<Case> const cases{
      {"--output", (dir / "missing" / "fit.json").string(), "No such file or directory"},
      {"--trace", (dir / "file" / "trace.csv").string(), "Not a directory"},
      {"--draws-output", (dir / "folder").string(), "Is a directory"},
      {"--plot", "/sys/bbvi-ppl-test.svg", std::strerror(refused)},
  };
  for (Case const& c : cases) {
    INFO(c.option << " " << c.path);
    Run const r = run_in_terminal(canonical + " " + c.option + " '" + c.path + "'");
    CHECK(r.status == 2);
    CHECK(r.out.find("bbvi-ppl: error: " + c.option + ": cannot write '" + c.path + "': " + c.reason) !=
          std::string::npos);
    CHECK(!fit_started(r.out));  // no progress line: the fit never began
    CHECK(r.out.find("ELBO") == std::string::npos);
  }
  CHECK(names_in(dir) == std::vector<std::string>{"file", "folder"});
}

TEST_CASE("output paths: two options naming the same file, or an output naming an input, are refused") {
  fs::path const dir = fresh_dir("same");
  std::string const json = (dir / "fit.json").string();
  fs::create_symlink("fit.json", dir / "link.json");
  fs::copy_file(source("models/normal_gamma.csv"), dir / "data.csv");
  std::string const data = (dir / "data.csv").string();
  std::string const model = source("models/normal_gamma.model");
  struct Case {
    std::string arguments, message;
  };
  std::vector<Case> const cases{
      {canonical + " --output " + json + " --trace " + json,
       "bbvi-ppl: error: --trace: '" + json + "' is the file --output writes"},
      {canonical + " --output " + json + " --plot " + (dir / "link.json").string(),
       "bbvi-ppl: error: --plot: '" + (dir / "link.json").string() + "' is the file --output writes"},
      {canonical + " --output - --draws-output /dev/fd/1",
       "bbvi-ppl: error: --draws-output: '/dev/fd/1' is the file --output writes"},
      {model + " " + data + " --draws-output " + data,
       "bbvi-ppl: error: --draws-output: '" + data + "' is the data file"},
  };
  for (Case const& c : cases) {
    INFO(c.arguments);
    Run const r = run_in_terminal(c.arguments);
    CHECK(r.status == 2);
    CHECK(r.out.find(c.message) != std::string::npos);
    CHECK(!fit_started(r.out));
  }
  CHECK(names_in(dir) == std::vector<std::string>{"data.csv", "link.json"});
  CHECK(slurp(data) == slurp(source("models/normal_gamma.csv")));
}

// The names /dev/stdout and /dev/stderr themselves are tested in
// atomic_file_test.cpp without writing: a program that replaced what a path
// names would replace them (as root), and these tests must not be able to
// harm the machine they run on.
TEST_CASE("output paths: /dev/fd/N and /proc/self/fd/N are written to the descriptor in place") {
  Run const r = bbvi::testing::run_binary(canonical + " --output /dev/fd/1 --trace /proc/self/fd/2");
  REQUIRE(r.status == 0);
  // The JSON comes first on standard output, then the report.
  std::size_t const end = r.out.find("\n}\n");
  REQUIRE(end != std::string::npos);
  nlohmann::json const j = nlohmann::json::parse(r.out.substr(0, end + 3));
  CHECK(j.contains("params"));
  CHECK(r.out.find("log evidence", end) != std::string::npos);
  CHECK(r.err.rfind("iteration,elbo,", 0) == 0);
}

TEST_CASE("output files: SIGINT during a fit exits 130, writes nothing and replaces nothing") {
  fs::path const dir = fresh_dir("interrupted");
  std::ofstream(dir / "fit.json") << "previous\n";
  std::string const outputs = " --output " + (dir / "fit.json").string() + " --trace " + (dir / "trace.csv").string() +
                              " --draws-output " + (dir / "draws.csv").string() + " --plot " +
                              (dir / "fit.svg").string();
  Run const r = run_in_terminal(endless + outputs, SIGINT, fit_started);
  CHECK(r.status == 130);
  CHECK(r.out.find("bbvi-ppl: stopped by SIGINT; no result was written") != std::string::npos);
  CHECK(names_in(dir) == std::vector<std::string>{"fit.json"});
  CHECK(slurp(dir / "fit.json") == "previous\n");
}

TEST_CASE("output files: SIGTERM stops every chain of a fit and exits 143") {
  fs::path const dir = fresh_dir("terminated");
  Run const r = run_in_terminal(endless + " --chains 3 --output " + (dir / "fit.json").string(), SIGTERM, fit_started);
  CHECK(r.status == 143);
  CHECK(r.out.find("bbvi-ppl: stopped by SIGTERM; no result was written") != std::string::npos);
  CHECK(names_in(dir).empty());
}

TEST_CASE("output files: a SIGINT ignored when the run began (a background job) stays ignored") {
  fs::path const dir = fresh_dir("ignored");
  Run const r = run_in_terminal(canonical + " --method adam --iters 2000 --output " + (dir / "fit.json").string(),
                                SIGINT, fit_started, SIGINT);
  CHECK(r.status == 0);
  CHECK(r.out.find("stopped by") == std::string::npos);
  CHECK(names_in(dir) == std::vector<std::string>{"fit.json"});
}

TEST_CASE("output files: a signal while the files are written removes the temporaries") {
  // The trace's temporary is written first; then the plot waits for a
  // reader of its FIFO, which never comes: the signal arrives there.
  fs::path const dir = fresh_dir("writing");
  fs::path const fifo = dir / "plot.svg";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::ofstream(dir / "trace.csv") << "previous\n";
  fs::path const logs = fresh_dir("writing-logs");
  pid_t const child =
      start(canonical + " --trace " + (dir / "trace.csv").string() + " --plot " + fifo.string(), logs);
  int const status = finish(child, SIGTERM, [&] { return has_temporary(dir); });
  INFO(slurp(logs / "stderr"));
  CHECK(status == 143);
  CHECK(names_in(dir) == std::vector<std::string>{"plot.svg", "trace.csv"});
  CHECK(slurp(dir / "trace.csv") == "previous\n");
  struct ::stat s {};
  REQUIRE(::lstat(fifo.c_str(), &s) == 0);
  CHECK(S_ISFIFO(s.st_mode));
  CHECK(slurp(logs / "stdout").empty());  // no report
}

TEST_CASE("output files: when one file cannot be written, none of the others is replaced") {
  fs::path const dir = fresh_dir("set");
  std::ofstream(dir / "fit.json") << "previous\n";
  fs::path const full = device_copy(dir, "full", 7);  // every write fails: No space left on device
  Run const r = bbvi::testing::run_binary(canonical + " --output " + (dir / "fit.json").string() + " --trace " +
                                          (dir / "new.csv").string() + " --plot " + full.string());
  CHECK(r.status == 2);
  CHECK(r.err.find("bbvi-ppl: error: --plot: cannot write '" + full.string() + "': No space left on device") !=
        std::string::npos);
  CHECK(slurp(dir / "fit.json") == "previous\n");
  std::vector<std::string> expected{"fit.json"};
  if (full.parent_path() == dir) expected.push_back("full");
  CHECK(names_in(dir) == expected);
  CHECK(r.out.empty());  // no report: the run did not succeed
}
