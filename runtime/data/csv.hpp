#pragma once
// A CSV file read once (mapped, not copied): the named columns a model binds.
//
// Format (RFC 4180, with the leniencies a hand-edited file needs):
// - The first non-blank line is the header naming the columns; cells are
//   separated by commas only. A UTF-8 byte-order mark at the start is dropped.
// - Lines end in LF or CRLF, or in CR alone in a file with no LF (the old
//   Mac OS's line ends); the last line may lack one; blank lines at the end
//   are ignored. A blank line elsewhere is a row (with one empty cell).
// - The text is UTF-8 (or ASCII): a UTF-16 file is rejected as such, and a NUL
//   byte in the header or in a cell of a requested column is named.
// - Spaces and tabs around a cell are trimmed. A cell may be double-quoted;
//   inside quotes `""` is a quote and commas and line breaks are text.
// - An empty header name (R's write.csv writes one over its row names) is
//   allowed; such a column cannot be requested.
//
// Errors are DiagnosticErrors whose position is the file's line (the header is
// line 1) and the 1-based character column where the offending cell's text
// starts (its first non-blank character; an empty cell's start). Messages name the row as the data
// row number: 1-based, header excluded, so row r is usually line r + 1.
// The constructors raise structural errors (empty file, duplicate column name,
// a row with the wrong number of cells, a broken quote); the cells of a column
// are checked only when the column is requested, so a text column the model
// does not use may hold anything.
#include "core/position.hpp"
#include "runtime/data/column_cache.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bbvi::data {

class CsvTable {
 public:
  // An unreadable file is a DiagnosticError for the file as a whole (line 0).
  static CsvTable from_file(std::string const& path);
  // `file_name` is used only in diagnostics.
  static CsvTable from_text(std::string text, std::string file_name);

  std::string const& file() const { return file_; }
  // The whole file text (without a byte-order mark), for rendering
  // diagnostics; valid as long as some copy of the table is.
  std::string_view text() const { return text_; }
  std::size_t rows() const;  // data rows, header excluded
  std::vector<std::string> const& header() const { return header_; }
  bool has_column(std::string_view name) const;
  // Where the column's name stands in the header; line 0 if there is no such column.
  Position header_position(std::string_view name) const;
  // Where the cell of data row `row` (1-based) in the column starts; line 0
  // if there is no such column or row.
  Position cell_position(std::string_view name, std::size_t row) const;

  // Every cell of the column as a finite double ("1.5", "-2e3", "+4", " 7 ").
  // Rejects empty cells, text, trailing junk ("1.5x"), nan and inf, and values
  // too large for a double.
  std::vector<double> real_column(std::string_view name) const;
  // Every cell as an integer. "3", "-2" and "+4" are integers; so is a number
  // written with a fraction or exponent whose value is a whole number and
  // exactly representable ("3.0", "1e3": tools that pass integers through
  // floating point write these). "2.5" is not.
  std::vector<std::int64_t> int_column(std::string_view name) const;

  // The file as it was read, for a column cache: none for a table from
  // text, or from a file that is not a regular one (a pipe).
  std::optional<FileStamp> const& stamp() const { return stamp_; }
  // From now on, real_column and int_column take a column from `cache`
  // where it holds it for this file as it is, and store the columns they
  // parse there (--cache; column_cache.hpp). A table without a stamp
  // ignores it.
  void use_cache(std::shared_ptr<ColumnCache const> cache) { cache_ = std::move(cache); }

 private:
  // `owner` keeps `text` alive: a string, or a read-only mapping of the file.
  CsvTable(std::shared_ptr<void const> owner, std::string_view text, std::string file_name);

  struct Span {
    std::size_t begin, end;  // byte offsets into text_
  };
  // Record 0 is the header, record r is data row r.
  Span raw_cell(std::size_t record, std::size_t column) const;
  Span trimmed_cell(std::size_t record, std::size_t column) const;
  std::size_t column_index(std::string_view name) const;  // npos if absent
  std::size_t require_column(std::string_view name) const;
  Position locate(std::size_t offset) const;
  [[noreturn]] void fail_at(std::size_t offset, std::string message) const;

  // Every cell of the column through `parse` (parse_real, parse_int); the
  // first that fails is reported, with `problem` naming what is wrong.
  template <typename T, typename Parse, typename Problem>
  std::vector<T> parsed_column(std::string_view name, Parse const& parse, Problem const& problem) const;
  // The column from the cache where it has it, else `parse()`, stored there.
  template <typename T, typename Load, typename Parse>
  std::vector<T> cached_column(std::string_view name, Load const& load, Parse const& parse) const;

  void use_line_feeds();
  void split();
  bool index_lines(std::size_t pos, std::size_t width);
  Span raw_cell_by_lines(std::size_t record, std::size_t column) const;
  // visit(row, trimmed cell) for every data row of the column, on several
  // threads for a large file; returns the lowest row for which it returned
  // false, or rows() + 1.
  template <typename Visit>
  std::size_t visit_column(std::size_t column, Visit const& visit) const;
  std::size_t scan_record(std::size_t p, std::size_t limit, std::vector<std::size_t>& out) const;

  std::string file_;
  std::shared_ptr<void const> owner_;
  std::string_view text_;
  std::vector<std::string> header_;
  // Where each cell starts, record by record (M per record), then where the
  // last record ends: cell c of record r spans [offsets_[r*M+c],
  // offsets_[r*M+c+1] − 1), the −1 skipping the comma, or the line break
  // before the next record. One vector for all cells keeps a file with
  // quotes at 8 bytes per cell and no allocation per cell.
  std::vector<std::size_t> offsets_;
  // A file with no quote in its data rows keeps only the header in
  // offsets_ (its records are its lines, found by walking them), and where
  // each thread's share of the rows starts: the byte and the row, then one
  // past the last share. Empty for a file with quotes.
  struct LineShare {
    std::size_t begin, first_row;
  };
  std::vector<LineShare> line_shares_;
  std::size_t rows_ = 0;
  std::size_t limit_ = 0;  // just past the last visible character
  std::optional<FileStamp> stamp_;
  std::shared_ptr<ColumnCache const> cache_;
};

}  // namespace bbvi::data
