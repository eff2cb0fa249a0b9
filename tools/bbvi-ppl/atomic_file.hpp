#pragma once
// How bbvi-ppl writes the files a run produces (docs/output.md, "How the
// files are written"): what a path names is respected. A regular file, new
// or existing, is written to a temporary file beside it and renamed over it,
// so that a reader sees the old file or the whole new one, never half of
// it; the new file keeps an existing one's permissions and owner. A symbolic
// link is followed to its target, which is replaced in the same way, in its
// own directory. A FIFO, a character device (/dev/null, a terminal) or an
// open descriptor (/dev/stdout, /dev/fd/N) is written in place. A directory
// is refused.
#include <sys/types.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace bbvi::cli {

// "cannot write 'PATH': REASON", the path as given and the system's reason.
class OutputError : public std::runtime_error {
 public:
  OutputError(std::string const& path, std::string const& reason);
  OutputError(std::string const& path, int error);  // the reason of an errno
  std::size_t file = 0;                             // which file of a set could not be written
};

struct OutputTarget {
  enum class Kind {
    replaced,    // a regular file, new or existing: a temporary beside it, renamed over it
    stream,      // a FIFO or a character device: opened and written in place
    descriptor,  // /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: written to descriptor N
  };
  Kind kind = Kind::replaced;
  std::string path;     // as given
  std::string file;     // every symbolic link followed: the file replaced or opened
  int descriptor = -1;  // Kind::descriptor
  bool exists = false;  // Kind::replaced: there is a file, whose mode and owner the new one keeps
  mode_t mode = 0;
  uid_t owner = 0;
  gid_t group = 0;
  // The same for two paths that name one file, whatever links lead there;
  // empty for a character device, which may be written twice.
  std::string identity;
};

// Where `path`'s bytes go, checked without changing anything: a directory,
// a block device, a socket, a closed or read-only descriptor and a missing
// directory are refused. With `probe`, a file to be replaced is checked the
// one sure way, by creating its temporary file and removing it again
// (the directory may be read-only, on a read-only file system, full of
// inodes...). Throws OutputError.
OutputTarget locate_output(std::string const& path, bool probe);

// What locate_output's identity is for an existing file (an input, say);
// empty when there is none.
std::string identity_of_file(std::string const& path);

struct OutputFile {
  std::string path;
  std::string contents;
};

// Writes the files as a set: first every temporary file, then every FIFO,
// device and descriptor, then every rename. A failure before the renames
// (a full disk, an interrupted write) replaces none of the files, and no
// temporary file is left behind in any case. Throws OutputError (its `file`
// says which) or Interrupted (interrupt.hpp) when SIGINT or SIGTERM asked
// the run to stop.
void write_output_set(std::vector<OutputFile> const& files);

// A set of one.
void write_file_atomically(std::string const& path, std::string const& contents);

}  // namespace bbvi::cli
