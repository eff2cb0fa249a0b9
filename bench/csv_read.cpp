// Reading one column of a CSV file and nothing else, as a process of its own,
// so that bench/run can set it beside `wc -l` on the same file:
//   bench_csv_read FILE COLUMN
// prints the column's row count and sum (so that no part of the read is
// optimised away).
#include "runtime/data/csv.hpp"

#include <cstdio>
#include <exception>
#include <numeric>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fputs("usage: bench_csv_read FILE COLUMN\n", stderr);
    return 2;
  }
  try {
    bbvi::data::CsvTable const table = bbvi::data::CsvTable::from_file(argv[1]);
    std::vector<double> const column = table.real_column(argv[2]);
    std::printf("%zu rows, sum %.17g\n", column.size(), std::accumulate(column.begin(), column.end(), 0.0));
  } catch (std::exception const& e) {
    std::fprintf(stderr, "bench_csv_read: %s\n", e.what());
    return 1;
  }
}
