#pragma once
// A place in a source file (a .model file or a CSV file): 1-based line and
// column. Line 0 means "the file as a whole" (for example an unreadable file).
namespace bbvi {

struct Position {
  int line = 0;
  int column = 0;
};

inline bool operator==(Position a, Position b) { return a.line == b.line && a.column == b.column; }
inline bool operator!=(Position a, Position b) { return !(a == b); }

}  // namespace bbvi
