#pragma once
// A misspelt option (`--chain 4`, `--seeds 2`) named, with the option it is
// closest to, instead of CLI11's "The following arguments were not
// expected: 4 --chain".
#include <CLI/CLI.hpp>

#include <string>

namespace bbvi::cli {

// "unknown option '--chain'; did you mean '--chains'?" for the first
// argument of argv that looks like a long option and that neither `app` nor
// any of its subcommands has; empty when there is none.
std::string unknown_option_message(CLI::App const& app, int argc, char const* const* argv);

}  // namespace bbvi::cli
