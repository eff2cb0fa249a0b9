#include "runtime/data/column_cache.hpp"

#include "core/diagnostic.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace bbvi::data {

namespace {

// A column file: this header, the key (the CSV's path, a NUL, the column's
// name) padded with zeros to a multiple of 8 bytes, then the values, 8 bytes
// each.
struct Header {
  char magic[8];
  std::uint32_t byte_order;  // byte_order_mark as this machine writes it
  std::uint32_t kind;        // real or integer
  std::uint64_t csv_size;
  std::int64_t modified_ns;
  std::uint64_t rows;
  std::uint64_t key_length;
};
static_assert(sizeof(Header) == 48, "the header is 48 bytes, with no padding");

constexpr char magic[8] = {'b', 'b', 'v', 'i', 'c', 'o', 'l', '1'};
constexpr std::uint32_t byte_order_mark = 0x01020304;
constexpr std::uint32_t real_kind = 1, integer_kind = 2;

std::string key_of(FileStamp const& file, std::string_view column) {
  std::string key = file.path;
  key.push_back('\0');
  key.append(column);
  return key;
}

std::size_t padded(std::size_t n) { return (n + 7) / 8 * 8; }

// FNV-1a, 64 bits: a file name for the key, which the file holds in full.
std::uint64_t hash_of(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// Closes the descriptor whatever happens.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

bool write_all(int fd, void const* data, std::size_t n) {
  auto const* p = static_cast<char const*>(data);
  while (n > 0) {
    ssize_t const written = ::write(fd, p, n);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    p += written;
    n -= static_cast<std::size_t>(written);
  }
  return true;
}

}  // namespace

ColumnCache::ColumnCache(std::string directory) : directory_(std::move(directory)) {
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error || !std::filesystem::is_directory(directory_)) {
    std::string const why = error ? error.message() : "it is not a directory";
    throw DiagnosticError(
        error_at(directory_, {}, fmt::format("cannot use it as the directory of the column cache: {}", why)));
  }
}

std::string ColumnCache::path_of(FileStamp const& file, std::string_view column, bool integer) const {
  return fmt::format("{}/{:016x}.{}", directory_, hash_of(key_of(file, column)), integer ? "int" : "real");
}

std::optional<std::vector<char>> ColumnCache::load(FileStamp const& file, std::string_view column, bool integer,
                                                   std::size_t rows) const {
  Descriptor const in{::open(path_of(file, column, integer).c_str(), O_RDONLY | O_CLOEXEC)};
  struct ::stat info {};
  if (in.fd < 0 || ::fstat(in.fd, &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
  std::string const key = key_of(file, column);
  std::size_t const size = sizeof(Header) + padded(key.size()) + 8 * rows;
  if (static_cast<std::uint64_t>(info.st_size) != size) return std::nullopt;
  void* const at = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, in.fd, 0);
  if (at == MAP_FAILED) return std::nullopt;
  auto const* bytes = static_cast<char const*>(at);
  Header header;
  std::memcpy(&header, bytes, sizeof header);
  bool const matches = std::memcmp(header.magic, magic, sizeof magic) == 0 && header.byte_order == byte_order_mark &&
                       header.kind == (integer ? integer_kind : real_kind) && header.csv_size == file.size &&
                       header.modified_ns == file.modified_ns && header.rows == rows &&
                       header.key_length == key.size() && key.compare(0, key.size(), bytes + sizeof header,
                                                                      key.size()) == 0;
  std::optional<std::vector<char>> out;
  if (matches) {
    char const* values = bytes + sizeof header + padded(key.size());
    out.emplace(values, values + 8 * rows);
  }
  ::munmap(at, size);
  return out;
}

std::optional<std::vector<double>> ColumnCache::load_real(FileStamp const& file, std::string_view column,
                                                          std::size_t rows) const {
  std::optional<std::vector<char>> const bytes = load(file, column, false, rows);
  if (!bytes) return std::nullopt;
  std::vector<double> out(rows);
  if (rows > 0) std::memcpy(out.data(), bytes->data(), bytes->size());
  return out;
}

std::optional<std::vector<std::int64_t>> ColumnCache::load_int(FileStamp const& file, std::string_view column,
                                                               std::size_t rows) const {
  std::optional<std::vector<char>> const bytes = load(file, column, true, rows);
  if (!bytes) return std::nullopt;
  std::vector<std::int64_t> out(rows);
  if (rows > 0) std::memcpy(out.data(), bytes->data(), bytes->size());
  return out;
}

void ColumnCache::store(FileStamp const& file, std::string_view column, std::vector<double> const& values) const {
  store(file, column, false, values.data(), values.size());
}

void ColumnCache::store(FileStamp const& file, std::string_view column,
                        std::vector<std::int64_t> const& values) const {
  store(file, column, true, values.data(), values.size());
}

void ColumnCache::store(FileStamp const& file, std::string_view column, bool integer, void const* values,
                        std::size_t rows) const {
  std::string const key = key_of(file, column), path = path_of(file, column, integer);
  Header header{};
  std::memcpy(header.magic, magic, sizeof magic);
  header.byte_order = byte_order_mark;
  header.kind = integer ? integer_kind : real_kind;
  header.csv_size = file.size;
  header.modified_ns = file.modified_ns;
  header.rows = rows;
  header.key_length = key.size();
  std::string temporary = directory_ + "/.column-XXXXXX";
  int error = 0;
  {
    Descriptor const out{::mkstemp(temporary.data())};
    if (out.fd < 0) {
      error = errno;
    } else {
      std::string const padding(padded(key.size()) - key.size(), '\0');
      bool const written = write_all(out.fd, &header, sizeof header) && write_all(out.fd, key.data(), key.size()) &&
                           write_all(out.fd, padding.data(), padding.size()) &&
                           write_all(out.fd, values, 8 * rows);
      if (!written) error = errno != 0 ? errno : EIO;
    }
  }
  if (error == 0 && ::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error == 0) return;
  ::unlink(temporary.c_str());
  std::lock_guard<std::mutex> const lock(mutex_);
  if (problem_.empty())
    problem_ = fmt::format("cannot write '{}': {}", path, std::generic_category().message(error));
}

std::string ColumnCache::problem() const {
  std::lock_guard<std::mutex> const lock(mutex_);
  return problem_;
}

}  // namespace bbvi::data
