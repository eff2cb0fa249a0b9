// Parsed columns kept between runs (--cache DIR, runtime/data/column_cache.hpp):
// a second table on the same file takes them from the cache, the same
// values; any change to the file, or damage to the cache, makes it parse
// again, never give what the cache holds.
#include "runtime/data/column_cache.hpp"
#include "runtime/data/csv.hpp"
#include "core/diagnostic.hpp"
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace bbvi;
using data::ColumnCache;
using data::CsvTable;

namespace {

fs::path write(fs::path const& p, std::string const& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  return p;
}

// A fresh cache directory and CSV file for each case.
struct Scratch {
  fs::path dir, csv;
  explicit Scratch(std::string const& name) : dir(testing::scratch_dir() / ("cache_" + name)) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    csv = write(dir / "data.csv", "x,n\n1.5,3\n-2.25,4\n1e3,-7\n");
  }
  fs::path cache() const { return dir / "columns"; }
};

// The table of the file, using the cache.
CsvTable cached(Scratch const& s, std::shared_ptr<ColumnCache const> const& cache) {
  CsvTable t = CsvTable::from_file(s.csv.string());
  t.use_cache(cache);
  return t;
}

// Overwrites the first value a column file holds, 8 bytes before its end
// less the other values: the cache, not the CSV, is then what says which.
void tamper_first_value(std::string const& path, std::size_t rows, double value) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekp(-static_cast<std::streamoff>(8 * rows), std::ios::end);
  f.write(reinterpret_cast<char const*>(&value), 8);
}

}  // namespace

TEST_CASE("column cache: a second table on the same file takes its columns from the cache, the same values") {
  Scratch const s("round_trip");
  auto const cache = std::make_shared<ColumnCache const>(s.cache().string());
  CsvTable const first = cached(s, cache);
  REQUIRE(first.stamp());
  std::vector<double> const x = first.real_column("x");
  std::vector<std::int64_t> const n = first.int_column("n");
  CHECK(x == std::vector<double>{1.5, -2.25, 1000});
  CHECK(n == std::vector<std::int64_t>{3, 4, -7});
  std::string const x_file = cache->path_of(*first.stamp(), "x", false);
  REQUIRE(fs::exists(x_file));
  REQUIRE(fs::exists(cache->path_of(*first.stamp(), "n", true)));
  CHECK(cache->problem().empty());
  CHECK(cached(s, cache).real_column("x") == x);
  CHECK(cached(s, cache).int_column("n") == n);
  // Proof that the second table read the cache: what the cache says wins.
  tamper_first_value(x_file, 3, 99.5);
  CHECK(cached(s, cache).real_column("x")[0] == 99.5);
  // A table without the cache, or from text, parses.
  CHECK(CsvTable::from_file(s.csv.string()).real_column("x")[0] == 1.5);
  CHECK_FALSE(CsvTable::from_text("x\n1\n", "t.csv").stamp());
}

TEST_CASE("column cache: a file edited, or touched, since is parsed again and its cache rewritten") {
  Scratch const s("changed");
  auto const cache = std::make_shared<ColumnCache const>(s.cache().string());
  CsvTable const first = cached(s, cache);
  first.real_column("x");
  std::string const x_file = cache->path_of(*first.stamp(), "x", false);
  tamper_first_value(x_file, 3, 99.5);
  SECTION("the same size, a new modification time") {
    fs::last_write_time(s.csv, fs::last_write_time(s.csv) + std::chrono::seconds(5));
    CHECK(cached(s, cache).real_column("x")[0] == 1.5);
  }
  SECTION("a new size") {
    write(s.csv, "x,n\n1.75,3\n-2.25,4\n1e3,-7\n");
    CHECK(cached(s, cache).real_column("x")[0] == 1.75);
  }
  SECTION("more rows") {
    write(s.csv, "x,n\n1.5,3\n-2.25,4\n1e3,-7\n8,8\n");
    CHECK(cached(s, cache).real_column("x") == std::vector<double>{1.5, -2.25, 1000, 8});
  }
  // Rewritten: the next table reads the new values from the cache.
  CsvTable const again = cached(s, cache);
  std::vector<double> const parsed = CsvTable::from_file(s.csv.string()).real_column("x");
  CHECK(again.real_column("x") == parsed);
  CHECK(fs::exists(cache->path_of(*again.stamp(), "x", false)));
}

TEST_CASE("column cache: a damaged or foreign cache file is ignored, and a column with a bad cell is never stored") {
  Scratch const s("damaged");
  auto const cache = std::make_shared<ColumnCache const>(s.cache().string());
  CsvTable const first = cached(s, cache);
  first.real_column("x");
  std::string const x_file = cache->path_of(*first.stamp(), "x", false);
  SECTION("truncated") { fs::resize_file(x_file, fs::file_size(x_file) - 8); }
  SECTION("empty") { fs::resize_file(x_file, 0); }
  SECTION("another kind: an integer column's file under the real column's name") {
    first.int_column("n");
    fs::copy_file(cache->path_of(*first.stamp(), "n", true), x_file, fs::copy_options::overwrite_existing);
  }
  SECTION("another magic") {
    std::fstream f(x_file, std::ios::in | std::ios::out | std::ios::binary);
    f.write("notbbvi!", 8);
  }
  CHECK(cached(s, cache).real_column("x") == std::vector<double>{1.5, -2.25, 1000});

  // A bad cell is reported, with its row and column, at every run.
  write(s.csv, "x,n\n1.5,3\noops,4\n");
  CsvTable const bad = cached(s, cache);
  for (int run = 0; run < 2; ++run) {
    try {
      bad.real_column("x");
      FAIL("a bad cell parsed");
    } catch (DiagnosticError const& e) {
      CHECK(std::string(e.what()).find("row 2") != std::string::npos);
    }
  }
  CHECK_FALSE(cache->load_real(*bad.stamp(), "x", bad.rows()));
}

TEST_CASE("column cache: a directory that cannot be made is an error, and a column that cannot be stored a warning") {
  Scratch const s("unwritable");
  fs::path const file = write(s.dir / "plain_file", "not a directory");
  CHECK_THROWS_AS(ColumnCache((file / "columns").string()), DiagnosticError);
  CHECK_THROWS_AS(ColumnCache(file.string()), DiagnosticError);
  // A directory where the column's file would go: the store's rename fails,
  // whoever runs it; the column is parsed, and the first problem kept.
  auto const cache = std::make_shared<ColumnCache const>(s.cache().string());
  CsvTable const table = cached(s, cache);
  fs::create_directories(cache->path_of(*table.stamp(), "x", false));
  CHECK(table.real_column("x") == std::vector<double>{1.5, -2.25, 1000});
  CHECK(cache->problem().find("cannot write") != std::string::npos);
  // No temporary file is left behind.
  for (fs::directory_entry const& e : fs::directory_iterator(s.cache()))
    CHECK(e.path().filename().string().rfind(".column-", 0) == std::string::npos);
}
