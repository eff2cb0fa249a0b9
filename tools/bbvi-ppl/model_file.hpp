#pragma once
#include <string>

namespace bbvi::cli {

// The text of the model file at `path`. Throws DiagnosticError naming the
// file: "no such model file", "is a directory, not a model file", or, for
// any other failure, the system's reason in the CSV reader's words
// ("cannot read the file: Permission denied").
std::string read_model_file(std::string const& path);

}  // namespace bbvi::cli
