#pragma once
#include <string>

namespace bbvi::cli {

// Writes `contents` to a temporary file beside `path`, then renames it over
// `path`: a reader sees the old file or the whole new one, never half of it.
// Throws std::runtime_error naming the path when that fails.
void write_file_atomically(std::string const& path, std::string const& contents);

}  // namespace bbvi::cli
