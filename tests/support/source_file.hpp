#pragma once
// A file of the source tree (a shipped model, a CSV), for tests that must
// hold exactly what users get rather than a copy.
#include <fstream>
#include <sstream>
#include <string>

namespace bbvi::testing {

inline std::string read_source_file(std::string const& relative) {
  std::ifstream in(std::string(BBVI_SOURCE_DIR) + "/" + relative);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace bbvi::testing
