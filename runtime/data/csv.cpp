#include "runtime/data/csv.hpp"
#include "runtime/data/numbers.hpp"

#include "core/diagnostic.hpp"
#include "core/parallel.hpp"
#include "core/text_encoding.hpp"

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace bbvi::data {

namespace {

constexpr std::size_t npos = std::string::npos;

// '\r' is trimmed like a blank, which is all CRLF line ends need.
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_space(char c) { return is_blank(c) || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Threads for `bytes` of work: one below 4 MB (a thread costs more than it
// saves there), else every core up to 8.
std::size_t worker_threads(std::size_t bytes) {
  if (bytes < (std::size_t{4} << 20)) return 1;
  return static_cast<std::size_t>(std::clamp(WorkerPool::available_cores(), 1, 8));
}

// task(0) … task(n − 1), each on a thread of its own (the first on the caller's).
void in_parallel(std::size_t n, std::function<void(std::size_t)> const& task) {
  WorkerPool(static_cast<int>(n)).run(n, task);
}

// The rows [0, n) in one contiguous range per thread, each parsed by
// `parse_row(row)` (true: parsed); returns the lowest row that did not
// parse, or n.
template <typename ParseRow>
std::size_t parse_rows(std::size_t n, std::size_t bytes, ParseRow const& parse_row) {
  std::size_t const threads = worker_threads(bytes);
  std::vector<std::size_t> first_bad(threads, n);
  in_parallel(threads, [&](std::size_t t) {
    for (std::size_t row = n * t / threads; row < n * (t + 1) / threads; ++row)
      if (!parse_row(row)) {
        first_bad[t] = row;
        return;
      }
  });
  return *std::min_element(first_bad.begin(), first_bad.end());
}

// Where the unquoted cell at `p` ends: its comma or line break, or `limit`.
// Ordinary text is skipped eight bytes at a time: (w − 0x01…01) & ~w &
// 0x80…80 is nonzero exactly when a byte of w is zero, here a byte equal to
// ',' or '\n' after the xor, whatever the machine's byte order.
std::size_t end_of_unquoted_cell(std::string_view text, std::size_t p, std::size_t limit) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  auto const has_zero_byte = [](std::uint64_t w) { return ((w - ones) & ~w & highs) != 0; };
  for (; p + 8 <= limit; p += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + p, 8);
    if (has_zero_byte(word ^ (ones * ',')) || has_zero_byte(word ^ (ones * '\n'))) break;
  }
  while (p < limit && text[p] != ',' && text[p] != '\n') ++p;
  return p;
}

// A quoted cell's content without its quotes (and blanks just inside them), for
// numbers; numbers have no quotes to unescape.
std::string_view unquote_for_number(std::string_view cell) {
  if (cell.size() >= 2 && cell.front() == '"') return trim(cell.substr(1, cell.size() - 2));
  return cell;
}

std::string decode_text(std::string_view cell) {
  if (cell.size() < 2 || cell.front() != '"') return std::string(cell);
  std::string out;
  std::string_view const inner = cell.substr(1, cell.size() - 2);
  for (std::size_t i = 0; i < inner.size(); ++i) {
    out += inner[i];
    if (inner[i] == '"') ++i;  // the scanner only lets "" through: keep one
  }
  return out;
}

// The cell as the user wrote it, shortened so that one bad cell of a long text
// column cannot flood the terminal.
std::string excerpt(std::string_view cell) {
  constexpr std::size_t limit = 40;
  if (cell.size() <= limit) return std::string(cell);
  std::size_t end = limit;  // not inside a UTF-8 character
  while (end > 0 && (static_cast<unsigned char>(cell[end]) & 0xC0) == 0x80) --end;
  return std::string(cell.substr(0, end)) + "...";
}

std::string plural(std::size_t n, char const* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// A header cell that reads as a number: a file whose first row is all such
// cells has no header (its first data row would otherwise name columns "1").
bool looks_numeric(std::string const& cell) {
  double value = 0;
  auto const [end, error] = fast_float::from_chars(cell.data(), cell.data() + cell.size(), value);
  return !cell.empty() && error == std::errc() && end == cell.data() + cell.size();
}

}  // namespace

namespace {

// The file mapped read-only: no copy of its bytes, and pages the kernel
// already holds are used in place. Null for what cannot be mapped (an empty
// file, a pipe), which is then read the ordinary way.
std::shared_ptr<void const> map_file(int fd, std::size_t size) {
  if (size == 0) return nullptr;
  void* const at = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (at == MAP_FAILED) return nullptr;
  return std::shared_ptr<void const>(at, [size](void const* p) { ::munmap(const_cast<void*>(p), size); });
}

[[noreturn]] void cannot_read(std::string const& path, std::string const& why) {
  throw DiagnosticError(error_at(path, {}, fmt::format("cannot read the file: {}", why)));
}

}  // namespace

CsvTable CsvTable::from_file(std::string const& path) {
  // One read of the whole file: the table keeps the text and cell offsets into it.
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) cannot_read(path, std::generic_category().message(errno));
  struct ::stat info {};
  bool const regular = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  std::size_t const size = regular ? static_cast<std::size_t>(info.st_size) : 0;
  std::shared_ptr<void const> mapping = regular ? map_file(fd, size) : nullptr;
  ::close(fd);
  if (mapping) {
    CsvTable table(mapping, std::string_view(static_cast<char const*>(mapping.get()), size), path);
    std::error_code error;
    std::filesystem::path const absolute = std::filesystem::absolute(path, error);
    if (!error)
      table.stamp_ = FileStamp{absolute.lexically_normal().string(), static_cast<std::uint64_t>(info.st_size),
                               static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec};
    return table;
  }
  if (std::filesystem::is_directory(path)) cannot_read(path, std::generic_category().message(EISDIR));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) cannot_read(path, "the read failed");
  return from_text(text.str(), path);
}

CsvTable CsvTable::from_text(std::string text, std::string file_name) {
  auto const owned = std::make_shared<std::string const>(std::move(text));
  return CsvTable(owned, *owned, std::move(file_name));
}

CsvTable::CsvTable(std::shared_ptr<void const> owner, std::string_view text, std::string file_name)
    : file_(std::move(file_name)), owner_(std::move(owner)), text_(text) {
  if (looks_like_utf16(text_)) throw DiagnosticError(error_at(file_, {}, std::string(utf16_message)));
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // UTF-8 BOM
  if (line_break_of(text_) == '\r') use_line_feeds();
  split();
}

// A file saved with the old Mac OS's line ends (CR alone) is read from a copy
// whose CRs are LFs: the reader's scans look for LF only, and such files are
// rare enough that they, not every file, pay for a copy. Its positions are
// the same as in the original, where source_line() breaks lines at CR.
void CsvTable::use_line_feeds() {
  auto copy = std::make_shared<std::string>(text_);
  std::replace(copy->begin(), copy->end(), '\r', '\n');
  text_ = *copy;
  owner_ = std::move(copy);
}

// Splits the record at `p` into `out` (where each cell starts) and returns
// where the next record starts; the last cell ends just before that.
std::size_t CsvTable::scan_record(std::size_t p, std::size_t limit, std::vector<std::size_t>& out) const {
  for (;;) {
    out.push_back(p);
    while (p < limit && is_blank(text_[p])) ++p;
    if (p < limit && text_[p] == '"') {
      std::size_t const open = p++;
      for (;; ++p) {
        if (p >= limit) fail_at(open, "this quoted cell has no closing quote");
        if (text_[p] != '"') continue;
        if (p + 1 < limit && text_[p + 1] == '"') ++p;  // "" is a quote
        else break;
      }
      ++p;
      while (p < limit && is_blank(text_[p])) ++p;
      if (p < limit && text_[p] != ',' && text_[p] != '\n')
        fail_at(p, "unexpected text after the closing quote of a cell (quotes in a "
                   "quoted cell are written \"\")");
    } else {
      p = end_of_unquoted_cell(text_, p, limit);
    }
    if (p < limit && text_[p] == ',') {
      ++p;
      continue;
    }
    return p + 1;  // past the line break, or one past `limit` (as if one followed)
  }
}

void CsvTable::split() {
  // Everything after the last visible character is blank trailing lines.
  std::size_t limit = text_.size();
  while (limit > 0 && is_space(text_[limit - 1])) --limit;
  std::size_t pos = 0;
  while (pos < limit && is_space(text_[pos])) ++pos;
  if (pos >= limit)
    throw DiagnosticError(
        error_at(file_, {}, "the file is empty: expected a header row naming the columns"));
  std::size_t const newline = text_.rfind('\n', pos);
  pos = newline == npos ? 0 : newline + 1;  // the header's line, leading blanks and all

  std::size_t const header_start = pos;
  pos = scan_record(pos, limit, offsets_);
  // A NUL in a data cell is named when its column is parsed; the header's
  // names are printed in messages, so a NUL there is named now.
  if (std::size_t const nul = first_nul_byte(text_.substr(header_start, pos - header_start)); nul != npos)
    fail_at(header_start + nul, "the header holds a NUL byte (a zero byte): a CSV file is text; is this the file "
                                "you meant?");
  std::size_t const width = offsets_.size();
  offsets_.push_back(pos);  // where the header's last cell ends, until the first row's start stands there
  std::unordered_map<std::string_view, std::size_t> seen;
  for (std::size_t c = 0; c < width; ++c) {
    Span const s = trimmed_cell(0, c);  // record 0 needs no width: header_ can still be empty
    header_.push_back(decode_text(text_.substr(s.begin, s.end - s.begin)));
  }
  if (std::all_of(header_.begin(), header_.end(), looks_numeric))
    fail_at(trimmed_cell(0, 0).begin,
            "the first row holds numbers, not column names: expected a header row naming the columns");
  for (std::size_t c = 0; c < width; ++c) {
    if (header_[c].empty()) continue;  // unnamed columns cannot be requested
    auto const [it, inserted] = seen.emplace(header_[c], c);
    if (inserted) continue;
    Diagnostic d = error_at(file_, locate(trimmed_cell(0, c).begin),
                            fmt::format("the header names column '{}' twice", header_[c]));
    Diagnostic note = error_at(file_, locate(trimmed_cell(0, it->second).begin),
                               fmt::format("'{}' is first named here", header_[c]));
    note.severity = Severity::note;
    d.notes.push_back(std::move(note));
    throw DiagnosticError(std::move(d));
  }

  offsets_.pop_back();
  offsets_.push_back(pos);  // where the header's last cell ends
  limit_ = limit;
  if (pos >= limit) return;  // a header and no rows
  if (std::memchr(text_.data() + pos, '"', limit - pos) == nullptr && index_lines(pos, width)) return;
  offsets_.pop_back();

  // Reserving for every line (a slight overestimate with quoted line breaks)
  // avoids the vector's doubling, which would briefly need three times the memory.
  auto const lines = std::count(text_.begin() + static_cast<std::ptrdiff_t>(std::min(pos, limit)),
                                text_.begin() + static_cast<std::ptrdiff_t>(limit), '\n');
  offsets_.reserve(offsets_.size() + (static_cast<std::size_t>(lines) + 1) * width + 1);
  for (std::size_t row = 1; pos < limit; ++row) {
    std::size_t const first = offsets_.size();
    pos = scan_record(pos, limit, offsets_);
    std::size_t const cells = offsets_.size() - first;
    if (cells == width) continue;
    offsets_.push_back(pos);  // where this row's last cell ends, for the message
    if (cells > width)
      fail_at(trimmed_cell(row, width).begin,
              fmt::format("row {} has {}, but the header names {}", row, plural(cells, "cell"),
                          plural(width, "column")));
    Span const only = trimmed_cell(row, 0);
    if (cells == 1 && only.begin == only.end)
      fail_at(raw_cell(row, 0).begin, fmt::format("row {} is blank, but the header names {}", row,
                                                  plural(width, "column")));
    fail_at(raw_cell(row, 0).begin, fmt::format("row {} has {}, but the header names {}", row,
                                                plural(cells, "cell"), plural(width, "column")));
  }
  offsets_.push_back(pos);  // where the last row's last cell ends
  rows_ = (offsets_.size() - 1) / width - 1;
}

// Without a quote in the data rows, every line is a record and every comma
// ends a cell, so the rows need no index of their cells: a column is parsed
// by walking the lines, and the only index is where each thread's share of
// the lines starts (a share starts just after a line break). Each share
// counts its rows and checks their widths; a row with the wrong number of
// cells makes this return false, and the rows are then split one by one
// (with an index of every cell) for the exact message.
bool CsvTable::index_lines(std::size_t pos, std::size_t width) {
  std::size_t const threads = worker_threads(limit_ - pos);
  std::vector<LineShare> shares(threads + 1, LineShare{limit_ + 1, 0});
  shares[0].begin = pos;
  for (std::size_t t = 1; t < threads; ++t) {
    std::size_t const middle = std::max(shares[t - 1].begin, pos + (limit_ - pos) * t / threads);
    void const* const line_break = std::memchr(text_.data() + middle, '\n', limit_ - middle);
    if (line_break) shares[t].begin = static_cast<std::size_t>(static_cast<char const*>(line_break) - text_.data()) + 1;
  }
  std::vector<char> ragged(threads, 0);
  in_parallel(threads, [&](std::size_t t) {
    std::string_view const text = text_;
    std::size_t rows = 0;
    for (std::size_t p = shares[t].begin; p < shares[t + 1].begin && p < limit_; ++rows) {
      std::size_t cells = 0;
      for (bool more = true; more; ++cells) {
        p = end_of_unquoted_cell(text, p, limit_);
        more = p < limit_ && text[p] == ',';
        ++p;  // past the comma or line break (or one past `limit_`, as if one followed)
      }
      if (cells != width) {
        ragged[t] = 1;
        return;
      }
    }
    shares[t + 1].first_row = rows;  // until the sums below
  });
  if (std::find(ragged.begin(), ragged.end(), 1) != ragged.end()) return false;
  shares[0].first_row = 1;
  for (std::size_t t = 1; t <= threads; ++t) shares[t].first_row += shares[t - 1].first_row;
  rows_ = shares[threads].first_row - 1;
  line_shares_ = std::move(shares);
  return true;
}

std::size_t CsvTable::rows() const { return rows_; }

CsvTable::Span CsvTable::raw_cell(std::size_t record, std::size_t column) const {
  if (record > 0 && !line_shares_.empty()) return raw_cell_by_lines(record, column);
  std::size_t const at = record * header_.size() + column;
  return {offsets_[at], offsets_[at + 1] - 1};
}

// The cell found by walking from the start of the record's share: the
// quote-free layout's way, used for a message or a position, not in a loop.
CsvTable::Span CsvTable::raw_cell_by_lines(std::size_t record, std::size_t column) const {
  auto const share = std::upper_bound(line_shares_.begin(), line_shares_.end(), record,
                                      [](std::size_t r, LineShare const& s) { return r < s.first_row; }) - 1;
  std::size_t p = share->begin;
  for (std::size_t r = share->first_row; r < record; ++r) p = text_.find('\n', p) + 1;
  for (std::size_t c = 0; c < column; ++c) p = end_of_unquoted_cell(text_, p, limit_) + 1;
  return {p, end_of_unquoted_cell(text_, p, limit_)};
}

CsvTable::Span CsvTable::trimmed_cell(std::size_t record, std::size_t column) const {
  Span s = raw_cell(record, column);
  while (s.end > s.begin && is_blank(text_[s.end - 1])) --s.end;
  while (s.begin < s.end && is_blank(text_[s.begin])) ++s.begin;
  return s;  // an all-blank cell keeps its start, where an error about it points
}

std::size_t CsvTable::column_index(std::string_view name) const {
  if (name.empty()) return npos;
  auto const it = std::find(header_.begin(), header_.end(), name);
  return it == header_.end() ? npos : static_cast<std::size_t>(it - header_.begin());
}

bool CsvTable::has_column(std::string_view name) const { return column_index(name) != npos; }

Position CsvTable::header_position(std::string_view name) const {
  std::size_t const c = column_index(name);
  return c == npos ? Position{} : locate(trimmed_cell(0, c).begin);
}

Position CsvTable::cell_position(std::string_view name, std::size_t row) const {
  std::size_t const c = column_index(name);
  return c == npos || row == 0 || row > rows() ? Position{} : locate(trimmed_cell(row, c).begin);
}

std::size_t CsvTable::require_column(std::string_view name) const {
  std::size_t const c = column_index(name);
  if (c != npos) return c;
  std::string names;
  for (auto const& h : header_)
    if (!h.empty()) names += fmt::format("{}'{}'", names.empty() ? "" : ", ", excerpt(h));
  fail_at(raw_cell(0, 0).begin,
          fmt::format("the header has no column '{}' (its columns: {})", name, names));
}

Position CsvTable::locate(std::size_t offset) const {
  auto const first = text_.begin();
  auto const at = first + static_cast<std::ptrdiff_t>(offset);
  int const line = 1 + static_cast<int>(std::count(first, at, '\n'));
  std::size_t const nl = offset == 0 ? npos : text_.rfind('\n', offset - 1);
  std::size_t const line_start = nl == npos ? 0 : nl + 1;
  // Columns count characters, not bytes: skip UTF-8 continuation bytes.
  int column = 1;
  for (std::size_t i = line_start; i < offset; ++i)
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
  return {line, column};
}

void CsvTable::fail_at(std::size_t offset, std::string message) const {
  throw DiagnosticError(error_at(file_, locate(offset), std::move(message)));
}

template <typename Visit>
std::size_t CsvTable::visit_column(std::size_t column, Visit const& visit) const {
  if (line_shares_.empty()) {
    std::size_t const bad = parse_rows(rows_, text_.size(), [&](std::size_t i) {
      Span const s = trimmed_cell(i + 1, column);
      return visit(i + 1, text_.substr(s.begin, s.end - s.begin));
    });
    return bad + 1;
  }
  std::size_t const threads = line_shares_.size() - 1;
  std::vector<std::size_t> first_bad(threads, rows_ + 1);
  std::size_t const width = header_.size();
  in_parallel(threads, [&](std::size_t t) {
    std::string_view const text = text_;
    std::size_t p = line_shares_[t].begin;
    for (std::size_t row = line_shares_[t].first_row; row < line_shares_[t + 1].first_row; ++row) {
      for (std::size_t c = 0; c < column; ++c) p = end_of_unquoted_cell(text, p, limit_) + 1;
      std::size_t const end = end_of_unquoted_cell(text, p, limit_);
      if (!visit(row, trim(text.substr(p, end - p)))) {
        first_bad[t] = row;
        return;
      }
      p = end + 1;
      if (column + 1 < width) p = text.find('\n', end) + 1;  // npos + 1 == 0 only past the last row
    }
  });
  return *std::min_element(first_bad.begin(), first_bad.end());
}

template <typename T, typename Parse, typename Problem>
std::vector<T> CsvTable::parsed_column(std::string_view name, Parse const& parse, Problem const& problem) const {
  std::size_t const c = require_column(name);
  std::size_t const n = rows();
  std::vector<T> out(n);
  auto const cell_of = [&](std::size_t row) {
    Span const s = trimmed_cell(row, c);
    return std::string_view(text_.data() + s.begin, s.end - s.begin);
  };
  // In parallel for a large file; the first bad cell, if any, is then
  // parsed again below for its message.
  std::size_t const bad = visit_column(c, [&](std::size_t row, std::string_view cell) {
    return parse(unquote_for_number(cell), out[row - 1]) == Parsed::ok;
  });
  for (std::size_t row = bad; row <= n; ++row) {
    std::string_view const cell = cell_of(row);
    Parsed const p = parse(unquote_for_number(cell), out[row - 1]);
    if (p == Parsed::ok) continue;
    std::string const where = fmt::format("column '{}', row {}: ", name, row);
    std::size_t const start = trimmed_cell(row, c).begin;
    if (std::size_t const nul = first_nul_byte(cell); nul != npos)
      fail_at(static_cast<std::size_t>(cell.data() - text_.data()) + nul, where + "the cell holds a NUL byte (a zero byte)");
    if (p == Parsed::empty) fail_at(start, where + "the cell is empty");
    fail_at(start, where + problem(p, excerpt(cell)));
  }
  return out;
}

template <typename T, typename Load, typename Parse>
std::vector<T> CsvTable::cached_column(std::string_view name, Load const& load, Parse const& parse) const {
  if (!cache_ || !stamp_ || column_index(name) == npos) return parse();
  if (std::optional<std::vector<T>> kept = load(*cache_, *stamp_, name, rows_)) return std::move(*kept);
  std::vector<T> values = parse();
  cache_->store(*stamp_, name, values);
  return values;
}

std::vector<double> CsvTable::real_column(std::string_view name) const {
  return cached_column<double>(
      name,
      [](ColumnCache const& c, FileStamp const& f, std::string_view n, std::size_t r) { return c.load_real(f, n, r); },
      [&] { return parsed_column<double>(name, parse_real, real_problem); });
}

std::vector<std::int64_t> CsvTable::int_column(std::string_view name) const {
  return cached_column<std::int64_t>(
      name,
      [](ColumnCache const& c, FileStamp const& f, std::string_view n, std::size_t r) { return c.load_int(f, n, r); },
      [&] {
        return parsed_column<std::int64_t>(name, parse_int, [](Parsed p, std::string const& cell) {
          return p == Parsed::out_of_range ? fmt::format("the integer '{}' is too large", cell)
                                           : fmt::format("expected an integer, found '{}'", cell);
        });
      });
}

}  // namespace bbvi::data
