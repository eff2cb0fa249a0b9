// Reading one column of a CSV file and nothing else, as a process of its own,
// so that bench/run can set it beside `wc -l` on the same file:
//   bench_csv_read FILE COLUMN
// prints the column's row count and sum (so that no part of the read is
// optimised away).
//   bench_csv_read FILE COLUMN --conversion
// times, in the process, the part of a read no reader can skip: fast_float
// turning every cell of the column (split beforehand, untimed) into a
// double, on one thread and on every core; the best of five runs each.
#include "runtime/data/csv.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <numeric>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

// The column's cells, for a file without quotes or blank lines (the
// benchmark's): a line per row after the header, cells between commas.
std::vector<std::string_view> cells_of(bbvi::data::CsvTable const& table, char const* column) {
  auto const& header = table.header();
  std::size_t const index = static_cast<std::size_t>(std::find(header.begin(), header.end(), column) - header.begin());
  std::string_view const text = table.text();
  std::vector<std::string_view> cells;
  for (std::size_t line = text.find('\n') + 1; line != 0 && line < text.size(); line = text.find('\n', line) + 1) {
    std::size_t begin = line;
    for (std::size_t c = 0; c < index; ++c) begin = text.find(',', begin) + 1;
    std::size_t const end = std::min(text.find_first_of(",\r\n", begin), text.size());
    if (end > begin) cells.push_back(text.substr(begin, end - begin));
  }
  return cells;
}

double best_milliseconds(std::vector<std::string_view> const& cells, unsigned threads) {
  std::vector<double> out(cells.size());
  double best = 1e300;
  for (int run = 0; run < 5; ++run) {
    auto const start = std::chrono::steady_clock::now();
    auto const convert = [&](unsigned t) {
      for (std::size_t i = cells.size() * t / threads; i < cells.size() * (t + 1) / threads; ++i)
        fast_float::from_chars(cells[i].data(), cells[i].data() + cells[i].size(), out[i]);
    };
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < threads; ++t) workers.emplace_back(convert, t);
    convert(0);
    for (std::thread& w : workers) w.join();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  if (std::accumulate(out.begin(), out.end(), 0.0) == 0.5) std::puts("");  // keeps `out` alive
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  bool const conversion = argc == 4 && std::strcmp(argv[3], "--conversion") == 0;
  if (argc != 3 && !conversion) {
    std::fputs("usage: bench_csv_read FILE COLUMN [--conversion]\n", stderr);
    return 2;
  }
  try {
    bbvi::data::CsvTable const table = bbvi::data::CsvTable::from_file(argv[1]);
    if (conversion) {
      std::vector<std::string_view> const cells = cells_of(table, argv[2]);
      unsigned const cores = std::max(1u, std::thread::hardware_concurrency());
      std::printf("%.1f %.1f %u\n", best_milliseconds(cells, 1), best_milliseconds(cells, cores), cores);
      return 0;
    }
    std::vector<double> const column = table.real_column(argv[2]);
    std::printf("%zu rows, sum %.17g\n", column.size(), std::accumulate(column.begin(), column.end(), 0.0));
  } catch (std::exception const& e) {
    std::fprintf(stderr, "bench_csv_read: %s\n", e.what());
    return 1;
  }
}
