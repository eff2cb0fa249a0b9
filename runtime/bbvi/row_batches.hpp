#pragma once
// A subsampled fit's batches of rows (docs/method.md, 'Subsampled fits'):
// each iteration reads B of the model's N rows, drawn without replacement
// from a stream of their own, and the model lowered on them stands for the
// model on all of them, each row's terms counting N/B times. What does not
// vary by row stays as it is, and so do a column reduced to its statistics
// and a dense regression's sums, which are those of all the rows.
#include "grammar/ast.hpp"
#include "runtime/compile.hpp"
#include "runtime/program.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bbvi {

class RowBatches {
 public:
  // `full` is `syntax` lowered with `options` on all the rows, and outlives
  // this. Throws DiagnosticError (about Setting::batch) where B is not
  // between 4 and N − 1, and where a batch cannot stand for the rows: a
  // latent with an element per row, or a value that reads the rows other
  // than one at a time (sum(y), y[1], N itself), named where it is written.
  RowBatches(ast::Program syntax, Program const& full, CompileOptions options, std::size_t batch);

  std::size_t batch() const { return batch_; }
  std::size_t rows() const { return full_.rows; }
  // The model statements whose terms are one per row and are subsampled:
  // the factors of the program_on() programs that carry the weight N/B.
  std::vector<std::size_t> const& row_statements() const { return row_statements_; }

  // Iteration t's rows, 0-based and ascending: B of the N drawn without
  // replacement from the stream (seed, t) of their own, so the same for any
  // number of threads.
  std::vector<std::size_t> rows_of(std::uint64_t seed, std::uint64_t iteration) const {
    return rows_of(seed, iteration, batch_);
  }
  // The same for a batch of `size` rows, below N.
  std::vector<std::size_t> rows_of(std::uint64_t seed, std::uint64_t iteration, std::size_t size) const;
  // The model lowered on those rows, weighted to stand for all of them.
  Program program_on(std::vector<std::size_t> const& rows) const;
  // Iteration t's batch split at random into `groups` of nearly equal size,
  // each ascending (subsampling_noise.hpp).
  std::vector<std::vector<std::size_t>> split(std::vector<std::size_t> const& rows, std::size_t groups,
                                              std::uint64_t seed, std::uint64_t iteration) const;
  std::string const& file() const { return full_.file; }

 private:
  Program lowered_on(std::vector<std::size_t> const& rows) const;

  ast::Program syntax_;
  Program const& full_;
  CompileOptions options_;
  std::size_t batch_;
  std::vector<int> columns_;  // the data slots with a value per row
  std::vector<std::size_t> row_statements_;
};

}  // namespace bbvi
