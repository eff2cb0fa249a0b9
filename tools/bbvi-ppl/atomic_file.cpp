#include "tools/bbvi-ppl/atomic_file.hpp"

#include "tools/bbvi-ppl/interrupt.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>

namespace bbvi::cli {

namespace {

std::string reason_of(int error) { return std::generic_category().message(error); }

// "/dev/stdout" → 1, "/dev/fd/3" → 3: names of a descriptor this process
// already holds, which reopening would not give (a pipe has no path, and a
// file opened for appending would be truncated).
std::optional<int> descriptor_named(std::string const& path) {
  if (path == "/dev/stdin") return 0;
  if (path == "/dev/stdout") return 1;
  if (path == "/dev/stderr") return 2;
  std::string const own_proc = "/proc/" + std::to_string(::getpid()) + "/fd/";
  for (std::string_view const prefix : {std::string_view("/dev/fd/"), std::string_view("/proc/self/fd/"),
                                        std::string_view(own_proc)}) {
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    std::string const number = path.substr(prefix.size());
    if (number.empty() || number.size() > 9 || number.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    return std::stoi(number);
  }
  return std::nullopt;
}

std::string directory_of(std::string const& file) {
  std::string const parent = std::filesystem::path(file).parent_path().string();
  return parent.empty() ? "." : parent;
}

std::string read_link(std::string const& link, std::string const& path) {
  std::string target(256, '\0');
  for (;;) {
    ssize_t const n = ::readlink(link.c_str(), target.data(), target.size());
    if (n < 0) throw OutputError(path, errno);
    if (static_cast<std::size_t>(n) < target.size()) {
      target.resize(static_cast<std::size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

// `path` with every symbolic link followed, a relative one from the link's
// own directory; stops early at a descriptor's name. A path that does not
// exist (yet) is its own end: the file will be made there, or making it
// will say why not.
std::string follow_links(std::string const& path) {
  std::string at = path;
  for (int hops = 0;; ++hops) {
    if (descriptor_named(at)) return at;
    struct ::stat s {};
    if (::lstat(at.c_str(), &s) != 0) {
      int const error = errno;
      if (error == ENOENT) return at;
      throw OutputError(path, error);
    }
    if (!S_ISLNK(s.st_mode)) return at;
    if (hops == 40) throw OutputError(path, ELOOP);  // as the kernel counts
    std::string const target = read_link(at, path);
    at = target.front() == '/' ? target : directory_of(at) + "/" + target;
  }
}

std::string real_directory(std::string const& file) {
  std::string const directory = directory_of(file);
  std::unique_ptr<char, decltype(&std::free)> const real(::realpath(directory.c_str(), nullptr), &std::free);
  return real ? std::string(real.get()) : directory;
}

std::string inode_identity(struct ::stat const& s) {
  return "inode " + std::to_string(s.st_dev) + ":" + std::to_string(s.st_ino);
}

// Writes all of `text` to `fd`; a signal that asks the run to stop ends the
// write with Interrupted (a write cut short by another signal goes on). On
// a non-blocking descriptor (a FIFO this process opened) a full pipe is
// waited for with wait_unless_stopped, so no signal is missed there; on a
// blocking one (the shell's standard output) the write itself is what a
// signal cuts short, and one arriving just before it is seen once it returns.
void write_all(int fd, std::string_view text, std::string const& path) {
  constexpr std::size_t chunk = std::size_t{1} << 20;  // a stop is seen between chunks
  while (!text.empty()) {
    stop_if_asked();
    ssize_t const n = ::write(fd, text.data(), std::min(text.size(), chunk));
    if (n < 0) {
      int const error = errno;
      if (error == EINTR) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) {
        wait_unless_stopped(fd, POLLOUT, -1);
        continue;
      }
      throw OutputError(path, error);
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  stop_if_asked();
}

// A temporary file beside a file to be replaced, removed when it goes out
// of scope unless it was renamed into place.
class Temporary {
 public:
  // Creates FILE.tmp.PID (or FILE.tmp.PID.N if that is taken) in the file's
  // directory, so that the rename stays on one file system.
  Temporary(OutputTarget const& target) {
    std::string const stem = target.file + ".tmp." + std::to_string(::getpid());
    for (int attempt = 0;; ++attempt) {
      name_ = attempt == 0 ? stem : stem + "." + std::to_string(attempt);
      // Held, so that the file is tracked (and a second signal removes it)
      // from the moment it exists.
      SignalsHeld const held;
      fd_ = ::open(name_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ >= 0) {
        tracked_ = std::make_unique<TrackedTemporary>(name_);
        return;
      }
      int const error = errno;
      if (error != EEXIST || attempt == 100) throw OutputError(target.path, error);
    }
  }

  ~Temporary() {
    close();
    if (tracked_) {
      SignalsHeld const held;
      tracked_.reset();
      ::unlink(name_.c_str());
    }
  }

  Temporary(Temporary const&) = delete;
  Temporary& operator=(Temporary const&) = delete;

  void write(OutputTarget const& target, std::string const& contents) {
    write_all(fd_, contents, target.path);
    if (target.exists) {
      // The owner first: a change of owner clears the set-ID bits, and an
      // output file has no business with them anyway. Only root may give a
      // file to another owner; anyone else keeps the file as their own.
      struct ::stat made {};
      bool const other_owner = ::fstat(fd_, &made) == 0 && (made.st_uid != target.owner || made.st_gid != target.group);
      if (other_owner && ::fchown(fd_, target.owner, target.group) != 0 &&
          ::fchown(fd_, static_cast<uid_t>(-1), target.group) != 0) {
        // Neither: the new file is this process's own, as any file it makes.
      }
      if (::fchmod(fd_, target.mode & 0777) != 0) throw OutputError(target.path, errno);
    }
    int const fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw OutputError(target.path, errno);  // NFS reports a failed write here
  }

  void rename_over(OutputTarget const& target) {
    SignalsHeld const held;
    if (::rename(name_.c_str(), target.file.c_str()) != 0) throw OutputError(target.path, errno);
    tracked_.reset();
  }

 private:
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  std::string name_;
  int fd_ = -1;
  std::unique_ptr<TrackedTemporary> tracked_;
};

bool is_fifo(std::string const& file) {
  struct ::stat s {};
  return ::stat(file.c_str(), &s) == 0 && S_ISFIFO(s.st_mode);
}

// Opens a file that is written in place (a device, a FIFO) without blocking.
// A FIFO with no reader yet fails with ENXIO; its reader is waited for a few
// milliseconds at a time, since no event announces one, and a signal asking
// the run to stop ends the wait whenever it comes (a blocking open would
// miss one arriving just before it, and wait for the reader regardless).
int open_for_writing(OutputTarget const& target) {
  constexpr int reader_poll_ms = 10;
  for (;;) {
    stop_if_asked();
    int const fd = ::open(target.file.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0) return fd;
    int const error = errno;
    if (error == EINTR) continue;
    if (error != ENXIO || !is_fifo(target.file)) throw OutputError(target.path, error);
    wait_unless_stopped(-1, 0, reader_poll_ms);
  }
}

void write_in_place(OutputTarget const& target, std::string const& contents) {
  if (target.kind == OutputTarget::Kind::descriptor) {
    // What this process has already printed there comes first.
    if (target.descriptor == 1) std::fflush(stdout);
    if (target.descriptor == 2) std::fflush(stderr);
    write_all(target.descriptor, contents, target.path);
    return;
  }
  int const fd = open_for_writing(target);
  try {
    write_all(fd, contents, target.path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw OutputError(target.path, errno);
}

}  // namespace

OutputError::OutputError(std::string const& path, std::string const& reason)
    : std::runtime_error("cannot write '" + path + "': " + reason) {}

OutputError::OutputError(std::string const& path, int error) : OutputError(path, reason_of(error)) {}

OutputTarget locate_output(std::string const& path, bool probe) {
  OutputTarget t;
  t.path = path;
  t.file = follow_links(path);
  if (std::optional<int> const fd = descriptor_named(t.file)) {
    t.kind = OutputTarget::Kind::descriptor;
    t.descriptor = *fd;
    int const flags = ::fcntl(*fd, F_GETFL);
    if (flags < 0) throw OutputError(path, errno);
    if ((flags & O_ACCMODE) == O_RDONLY) throw OutputError(path, EBADF);  // as write() would say
    t.identity = "descriptor " + std::to_string(*fd);
    return t;
  }
  struct ::stat s {};
  if (::stat(t.file.c_str(), &s) != 0) {
    int const error = errno;
    if (error != ENOENT) throw OutputError(path, error);
    // A new file, in a directory that may or may not be there.
    t.identity = "path " + real_directory(t.file) + "/" + std::filesystem::path(t.file).filename().string();
  } else if (S_ISDIR(s.st_mode)) {
    throw OutputError(path, EISDIR);
  } else if (S_ISREG(s.st_mode)) {
    t.exists = true;
    t.mode = s.st_mode;
    t.owner = s.st_uid;
    t.group = s.st_gid;
    t.identity = inode_identity(s);
  } else if (S_ISFIFO(s.st_mode) || S_ISCHR(s.st_mode)) {
    t.kind = OutputTarget::Kind::stream;
    if (S_ISFIFO(s.st_mode)) t.identity = inode_identity(s);
    return t;
  } else {
    throw OutputError(path, S_ISBLK(s.st_mode) ? "it is a block device" : "it is a socket");
  }
  if (probe) {
    Temporary const made(t);  // and removed again as it goes out of scope
  }
  return t;
}

std::string identity_of_file(std::string const& path) {
  struct ::stat s {};
  return ::stat(path.c_str(), &s) == 0 ? inode_identity(s) : std::string();
}

void write_output_set(std::vector<OutputFile> const& files) {
  std::vector<OutputTarget> targets;
  std::vector<std::unique_ptr<Temporary>> temporaries(files.size());
  std::size_t at = 0;  // the file being dealt with, for the error
  try {
    for (at = 0; at < files.size(); ++at) targets.push_back(locate_output(files[at].path, false));
    stop_if_asked();
    for (at = 0; at < files.size(); ++at) {
      if (targets[at].kind != OutputTarget::Kind::replaced) continue;
      temporaries[at] = std::make_unique<Temporary>(targets[at]);
      temporaries[at]->write(targets[at], files[at].contents);
    }
    // Written in place, so that a full device or a closed pipe still
    // leaves every file unreplaced (what was sent there cannot be taken back).
    for (at = 0; at < files.size(); ++at)
      if (targets[at].kind != OutputTarget::Kind::replaced) write_in_place(targets[at], files[at].contents);
    stop_if_asked();
    // Renames within a directory do not fail short of a race with another
    // process; a signal now waits until they are all done.
    SignalsHeld const held;
    for (at = 0; at < files.size(); ++at)
      if (temporaries[at]) temporaries[at]->rename_over(targets[at]);
  } catch (OutputError& e) {
    e.file = at;
    throw;  // the temporaries' destructors remove them
  }
}

void write_file_atomically(std::string const& path, std::string const& contents) {
  write_output_set({{path, contents}});
}

}  // namespace bbvi::cli
