// The result file is replaced whole or not at all: a reader never sees half a
// JSON document, and a failed write leaves the previous result in place.
// What the path names is respected: a symbolic link is written through, a
// FIFO, a device or an open descriptor is written directly, an existing
// file keeps its mode and owner, and a directory is refused.
#include "tools/bbvi-ppl/atomic_file.hpp"
#include "tools/bbvi-ppl/interrupt.hpp"
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace {

fs::path scratch_dir() {
  fs::path const dir = bbvi::testing::scratch_dir() / "atomic";
  fs::create_directories(dir);
  return dir;
}

std::string slurp(fs::path const& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t entries(fs::path const& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

struct ::stat status_of(fs::path const& p) {
  struct ::stat s {};
  REQUIRE(::lstat(p.c_str(), &s) == 0);
  return s;
}

// The message write_file_atomically throws for `path`.
std::string failure_writing_text(fs::path const& path, std::string const& text) {
  try {
    bbvi::cli::write_file_atomically(path.string(), text);
  } catch (std::runtime_error const& e) {
    return e.what();
  }
  return "(no error)";
}

std::string failure_writing(fs::path const& path) { return failure_writing_text(path, "{}\n"); }

// A character device node like /dev/null (1, 3) or /dev/full (1, 7) in the
// scratch directory, so that a regression replaces a copy, never the
// system's own; empty when this process may not make device nodes.
fs::path device_copy(std::string const& name, unsigned minor) {
  fs::path const node = scratch_dir() / name;
  if (::mknod(node.c_str(), S_IFCHR | 0666, makedev(1, minor)) != 0) return {};
  return node;
}

}  // namespace

TEST_CASE("write_file_atomically replaces a file whole and leaves no temporary behind") {
  fs::path const dir = scratch_dir();
  fs::path const target = dir / "result.json";
  std::ofstream(target) << "a previous, longer result\n";
  bbvi::cli::write_file_atomically(target.string(), "{}\n");
  CHECK(slurp(target) == "{}\n");
  CHECK(entries(dir) == 1);
  fs::remove_all(dir);
}

TEST_CASE("write_file_atomically that cannot write throws and leaves the old file as it was") {
  fs::path const dir = scratch_dir();
  fs::path const target = dir / "result.json";
  std::ofstream(target) << "previous\n";
  // A directory standing where the file should go.
  fs::path const blocked = dir / "blocked";
  fs::create_directories(blocked / "inside");
  CHECK_THROWS_AS(bbvi::cli::write_file_atomically(blocked.string(), "{}\n"), std::runtime_error);
  CHECK_THROWS_AS(bbvi::cli::write_file_atomically((dir / "missing" / "r.json").string(), "{}\n"),
                  std::runtime_error);
  CHECK(slurp(target) == "previous\n");
  CHECK(fs::is_directory(blocked / "inside"));
  CHECK(entries(dir) == 2);  // result.json, blocked
  fs::remove_all(dir);
}

TEST_CASE("write_file_atomically refuses a directory, even an empty one, saying so") {
  fs::path const dir = scratch_dir();
  fs::create_directories(dir / "empty");
  CHECK(failure_writing(dir / "empty") == "cannot write '" + (dir / "empty").string() + "': Is a directory");
  CHECK(fs::is_directory(dir / "empty"));
  CHECK(entries(dir) == 1);
  fs::remove_all(dir);
}

TEST_CASE("write_file_atomically writes through a symbolic link to its target, beside the target") {
  fs::path const dir = scratch_dir();
  fs::create_directories(dir / "results");
  fs::create_directories(dir / "links");
  std::ofstream(dir / "results" / "fit.json") << "old\n";
  // A relative link, resolved from the link's own directory.
  fs::create_symlink("../results/fit.json", dir / "links" / "latest.json");
  // A link to a link to a file that is not there yet: the file is made.
  fs::create_symlink("fresh.json", dir / "results" / "second.json");
  fs::create_symlink("../results/second.json", dir / "links" / "chained.json");
  bbvi::cli::write_file_atomically((dir / "links" / "latest.json").string(), "new\n");
  bbvi::cli::write_file_atomically((dir / "links" / "chained.json").string(), "fresh\n");
  CHECK(fs::is_symlink(dir / "links" / "latest.json"));
  CHECK(fs::read_symlink(dir / "links" / "latest.json") == "../results/fit.json");
  CHECK(slurp(dir / "results" / "fit.json") == "new\n");
  CHECK(fs::is_symlink(dir / "links" / "chained.json"));
  CHECK(fs::is_symlink(dir / "results" / "second.json"));
  CHECK(slurp(dir / "results" / "fresh.json") == "fresh\n");
  CHECK(entries(dir / "links") == 2);    // no temporary left beside the links
  CHECK(entries(dir / "results") == 3);  // nor beside the targets
  fs::remove_all(dir);
}

TEST_CASE("write_file_atomically keeps an existing file's mode and owner") {
  fs::path const dir = scratch_dir();
  fs::path const target = dir / "private.json";
  std::ofstream(target) << "old\n";
  fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write);
  // Another owner can be given only by root; elsewhere the owner is this
  // process's own and the check below still holds.
  bool const other_owner = ::chown(target.c_str(), 4321, 4321) == 0;
  struct ::stat const before = status_of(target);
  bbvi::cli::write_file_atomically(target.string(), "new\n");
  struct ::stat const after = status_of(target);
  CHECK(slurp(target) == "new\n");
  CHECK((after.st_mode & 07777) == 0600);
  CHECK(after.st_uid == before.st_uid);
  CHECK(after.st_gid == before.st_gid);
  if (other_owner) CHECK(after.st_uid == 4321);
  CHECK(after.st_ino != before.st_ino);  // still a whole new file, renamed into place
  fs::remove_all(dir);
}

TEST_CASE("write_file_atomically writes a FIFO directly, for the reader at its other end") {
  fs::path const dir = scratch_dir();
  fs::path const fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // The reading end is open before the write starts, so the writer never
  // waits for a reader; the reader drains the pipe until the write is over.
  int const reading = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reading >= 0);
  std::atomic<bool> written{false};
  std::string received;
  std::thread reader([&] {
    char buffer[4096];
    for (;;) {
      ssize_t const n = ::read(reading, buffer, sizeof buffer);
      if (n > 0) {
        received.append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 && written) {
        break;  // the writer has closed its end, or never opened it
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  });
  std::string const text(100000, 'x');  // more than a pipe's buffer
  std::string const error = failure_writing_text(fifo, text);
  written = true;
  reader.join();
  ::close(reading);
  CHECK(error == "(no error)");
  CHECK(received == text);
  CHECK(S_ISFIFO(status_of(fifo).st_mode));
  CHECK(entries(dir) == 1);
  fs::remove_all(dir);
}

TEST_CASE("write_file_atomically waits for a FIFO's reader that comes later") {
  fs::path const dir = scratch_dir();
  fs::path const fifo = dir / "late";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string const text(100000, 'y');
  std::string error;
  std::thread writer([&] { error = failure_writing_text(fifo, text); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the writer waits for a reader meanwhile
  std::ifstream in(fifo, std::ios::binary);
  std::string const received((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  writer.join();
  CHECK(error == "(no error)");
  CHECK(received == text);
  fs::remove_all(dir);
}

TEST_CASE("a stop asked before the files are written ends the write without waiting for a FIFO's reader") {
  // A signal that comes in the instant between a check and the open cannot
  // be timed from here; one already recorded when the write begins can.
  // In a child, since the record is the process's.
  fs::path const dir = scratch_dir();
  fs::path const fifo = dir / "unread";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  pid_t const child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    bbvi::cli::StopOnSignals const stopping;
    ::raise(SIGTERM);
    try {
      bbvi::cli::write_file_atomically(fifo.string(), "{}\n");
    } catch (bbvi::cli::Interrupted const& e) {
      ::_exit(e.exit_status());
    } catch (...) {
    }
    ::_exit(1);
  }
  int raw = 0;
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (::waitpid(child, &raw, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) ::kill(child, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 128 + SIGTERM);
  fs::remove_all(dir);
}

TEST_CASE("write_file_atomically writes a character device directly and never replaces it") {
  fs::path const dir = scratch_dir();
  fs::path null = device_copy("null", 3);
  // Without the right to make a node, nor has this process the right to
  // replace /dev/null, so a regression cannot harm it.
  if (null.empty()) null = "/dev/null";
  bbvi::cli::write_file_atomically(null.string(), "discarded\n");
  CHECK(S_ISCHR(status_of(null).st_mode));
  CHECK(entries(dir) == (null == "/dev/null" ? 0u : 1u));
  fs::path const full = device_copy("full", 7);
  if (!full.empty()) {
    CHECK(failure_writing(full) == "cannot write '" + full.string() + "': No space left on device");
    CHECK(S_ISCHR(status_of(full).st_mode));
    CHECK(entries(dir) == 2);
  }
  fs::remove_all(dir);
}

TEST_CASE("write_file_atomically writes /dev/fd/N and /proc/self/fd/N to the open descriptor") {
  for (std::string const prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    int ends[2];
    REQUIRE(::pipe(ends) == 0);
    std::string const path = prefix + std::to_string(ends[1]);
    CHECK(failure_writing(path) == "(no error)");
    ::close(ends[1]);
    char buffer[16] = {};
    CHECK(::read(ends[0], buffer, sizeof buffer) == 3);
    CHECK(std::string(buffer) == "{}\n");
    ::close(ends[0]);
  }
  // A descriptor that is not open is named as such.
  CHECK(failure_writing("/dev/fd/987") == "cannot write '/dev/fd/987': Bad file descriptor");
}

TEST_CASE("locate_output: /dev/stdout, /dev/stderr and /dev/fd/N are their descriptors, found without writing") {
  // Only located, never written: a regression must not be able to replace
  // the machine's /dev/stdout.
  using Kind = bbvi::cli::OutputTarget::Kind;
  for (auto const& [path, descriptor] : {std::pair{"/dev/stdout", 1}, std::pair{"/dev/stderr", 2},
                                         std::pair{"/dev/fd/2", 2}, std::pair{"/proc/self/fd/1", 1}}) {
    INFO(path);
    bbvi::cli::OutputTarget const t = bbvi::cli::locate_output(path, true);
    CHECK(t.kind == Kind::descriptor);
    CHECK(t.descriptor == descriptor);
  }
  CHECK(fs::is_symlink("/dev/stdout"));
}

TEST_CASE("locate_output refuses a block device and a socket") {
  fs::path const dir = scratch_dir();
  fs::path const block = dir / "disk", socket = dir / "socket";
  // Only located, never written. A block device node can be made by root
  // only; a socket anywhere.
  if (::mknod(block.c_str(), S_IFBLK | 0600, makedev(7, 0)) == 0)
    CHECK_THROWS_WITH(bbvi::cli::locate_output(block.string(), true),
                      "cannot write '" + block.string() + "': it is a block device");
  int const fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  REQUIRE(socket.string().size() < sizeof address.sun_path);
  std::strcpy(address.sun_path, socket.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr const*>(&address), sizeof address) == 0);
  CHECK_THROWS_WITH(bbvi::cli::locate_output(socket.string(), true),
                    "cannot write '" + socket.string() + "': it is a socket");
  ::close(fd);
  fs::remove_all(dir);
}

TEST_CASE("write_file_atomically reports the reason of the failure, not that of its clean-up") {
  // sysfs takes no new files, even from root: the reason is measured here
  // (Permission denied, or Read-only file system where /sys is mounted so).
  fs::path const refused = "/sys/bbvi-ppl-test.json";
  int const fd = ::open(refused.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  int const reason = errno;
  REQUIRE(fd < 0);
  REQUIRE(reason != ENOENT);
  CHECK(failure_writing(refused) == "cannot write '" + refused.string() + "': " + std::strerror(reason));
  // A parent that is a file.
  fs::path const dir = scratch_dir();
  std::ofstream(dir / "file") << "x\n";
  CHECK(failure_writing(dir / "file" / "r.json") ==
        "cannot write '" + (dir / "file" / "r.json").string() + "': Not a directory");
  CHECK(failure_writing(dir / "missing" / "r.json") ==
        "cannot write '" + (dir / "missing" / "r.json").string() + "': No such file or directory");
  CHECK(entries(dir) == 1);
  fs::remove_all(dir);
}

TEST_CASE("remove_tracked_temporaries removes the temporaries being tracked, and only those") {
  // What the signal handler does on a second signal, before it exits.
  fs::path const dir = scratch_dir();
  std::ofstream(dir / "tracked.tmp") << "x\n";
  std::ofstream(dir / "forgotten.tmp") << "x\n";
  std::ofstream(dir / "other") << "x\n";
  bbvi::cli::TrackedTemporary const tracked((dir / "tracked.tmp").string());
  { bbvi::cli::TrackedTemporary const forgotten((dir / "forgotten.tmp").string()); }
  bbvi::cli::remove_tracked_temporaries();
  CHECK(!fs::exists(dir / "tracked.tmp"));
  CHECK(fs::exists(dir / "forgotten.tmp"));
  CHECK(fs::exists(dir / "other"));
  fs::remove_all(dir);
}
