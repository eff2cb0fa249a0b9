#include "tools/bbvi-ppl/model_file.hpp"

#include "core/diagnostic.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace bbvi::cli {

namespace {

[[noreturn]] void cannot_read(std::string const& path, std::string const& why) {
  throw DiagnosticError(error_at(path, {}, why));
}

}  // namespace

std::string read_model_file(std::string const& path) {
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int const error = errno;  // before anything else can change it
    if (error == ENOENT) cannot_read(path, "no such model file");
    cannot_read(path, "cannot read the file: " + std::generic_category().message(error));
  }
  struct ::stat info {};
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    cannot_read(path, "is a directory, not a model file");
  }
  std::string text;
  char buffer[65536];
  for (;;) {
    ssize_t const n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      int const error = errno;
      ::close(fd);
      cannot_read(path, "cannot read the file: " + std::generic_category().message(error));
    }
  }
  ::close(fd);
  return text;
}

}  // namespace bbvi::cli
