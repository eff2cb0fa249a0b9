#include "tools/bbvi-ppl/unknown_option.hpp"

#include "grammar/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace bbvi::cli {

namespace {

void long_names(CLI::App const& app, std::vector<std::string>& names) {
  for (CLI::Option const* option : app.get_options())
    for (std::string const& name : option->get_lnames()) names.push_back("--" + name);
  for (CLI::App const* sub : app.get_subcommands([](CLI::App const*) { return true; })) long_names(*sub, names);
}

}  // namespace

std::string unknown_option_message(CLI::App const& app, int argc, char const* const* argv) {
  std::vector<std::string> names;
  long_names(app, names);
  std::vector<std::string_view> const candidates(names.begin(), names.end());
  for (int a = 1; a < argc; ++a) {
    std::string_view argument = argv[a];
    if (argument == "--") break;  // what follows is positional
    if (argument.size() < 3 || argument.substr(0, 2) != "--") continue;
    argument = argument.substr(0, argument.find('='));
    if (std::find(candidates.begin(), candidates.end(), argument) != candidates.end()) continue;
    std::string const closest = closest_match(argument, candidates);
    return closest.empty() ? fmt::format("unknown option '{}' (--help lists them)", argument)
                           : fmt::format("unknown option '{}'; did you mean '{}'?", argument, closest);
  }
  return {};
}

}  // namespace bbvi::cli
