#pragma once
// A directory of the test process's own under the system's temporary
// directory, removed with everything in it when the process ends, so that
// test runs leave nothing behind.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace bbvi::testing {

inline std::filesystem::path const& scratch_dir() {
  struct Directory {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("bbvi-ppl-test-" + std::to_string(::getpid()));
    Directory() { std::filesystem::create_directories(path); }
    ~Directory() {
      std::error_code ignored;  // nothing to be done about a directory that will not go
      std::filesystem::remove_all(path, ignored);
    }
  };
  static Directory const directory;
  return directory.path;
}

}  // namespace bbvi::testing
