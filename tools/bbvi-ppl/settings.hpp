#pragma once
// --set NAME=VALUE: a data constant given on the command line.
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bbvi::cli {

// NAME → VALUE for each --set. A VALUE that is not a finite number is
// refused in the CSV reader's words for the same text ("expected a finite
// number, found '1e400'"). Throws DiagnosticError.
std::map<std::string, double, std::less<>> parse_settings(std::vector<std::string> const& settings);

}  // namespace bbvi::cli
