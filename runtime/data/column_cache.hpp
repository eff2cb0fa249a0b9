#pragma once
// Parsed data columns kept on disk between runs (`--cache DIR`, README.md,
// 'Large data'): a large CSV's numbers are parsed once, and later runs on
// the same file map them instead. Each column is one file in the directory,
// named by a hash of the CSV's absolute path and the column's name and
// holding both, with the CSV's size and modification time when it was
// parsed, the rows, and the values in this machine's own format. A file any
// of whose fields does not match the CSV as it is now (edited, replaced,
// truncated) or that is itself damaged (truncated, from another program or
// machine) is ignored, and the column parsed and stored again: the cache
// never gives other values than a parse would. A file is written whole
// under a temporary name and renamed into place, so that a run stopped
// midway, or two runs at once, never leave half of one. Only columns that
// parsed are stored: a column with a bad cell is parsed at every run, and
// its error names the cell.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bbvi::data {

// What identifies a CSV file's contents from one run to the next.
struct FileStamp {
  std::string path;  // absolute, normalised
  std::uint64_t size = 0;
  std::int64_t modified_ns = 0;  // the modification time, in nanoseconds
};

class ColumnCache {
 public:
  // Creates the directory where it does not exist; throws DiagnosticError,
  // for the directory as a whole, where that fails or it is not a directory.
  explicit ColumnCache(std::string directory);

  std::string const& directory() const { return directory_; }

  // The column as stored for the file with this stamp and `rows` rows;
  // nullopt where there is none, or it does not match.
  std::optional<std::vector<double>> load_real(FileStamp const& file, std::string_view column,
                                               std::size_t rows) const;
  std::optional<std::vector<std::int64_t>> load_int(FileStamp const& file, std::string_view column,
                                                    std::size_t rows) const;
  // Stores the column. Where the directory cannot be written the run goes
  // on without: the first such problem is kept for a warning.
  void store(FileStamp const& file, std::string_view column, std::vector<double> const& values) const;
  void store(FileStamp const& file, std::string_view column, std::vector<std::int64_t> const& values) const;
  // "cannot write 'PATH': REASON" for the first store that failed; empty if none did.
  std::string problem() const;

  // The file that holds (or would hold) the column: for the tests.
  std::string path_of(FileStamp const& file, std::string_view column, bool integer) const;

 private:
  std::optional<std::vector<char>> load(FileStamp const& file, std::string_view column, bool integer,
                                        std::size_t rows) const;
  void store(FileStamp const& file, std::string_view column, bool integer, void const* values,
             std::size_t rows) const;

  std::string directory_;
  mutable std::mutex mutex_;  // for problem_: columns may be read on several threads
  mutable std::string problem_;
};

}  // namespace bbvi::data
