// Every fit in cases.txt gives exactly the result pinned in golden/: the
// same JSON, every number the same double, or, for a fit that fails or is
// refused, the same standard error and exit status. README.md in this folder
// says what that pins and when the goldens may be regenerated.
#include "tests/support/run_binary.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using bbvi::testing::Run;
using bbvi::testing::slurp;
namespace fs = std::filesystem;
// Ordered, so that a change in the order of the keys shows too.
using Json = nlohmann::ordered_json;

namespace {

fs::path const root = BBVI_SOURCE_DIR;
fs::path const folder = root / "tests" / "equivalence";
fs::path const golden = folder / "golden";

// The groups, one TEST_CASE each so that ctest spreads them over the cores.
std::vector<std::string> const groups = {"natural-gradient", "adagrad", "adam", "defaults", "trouble", "options"};

struct Case {
  std::string name;       // golden/NAME.json, or golden/NAME.stderr and golden/NAME.status
  std::string arguments;  // as a shell splits them
  std::string group() const { return name.substr(0, name.find('/')); }
};

std::vector<Case> read_cases() {
  std::ifstream in(folder / "cases.txt");
  std::vector<Case> out;
  std::string line;
  while (std::getline(in, line)) {
    std::size_t const start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    std::size_t const blank = line.find_first_of(" \t", start);
    std::size_t const arguments = blank == std::string::npos ? blank : line.find_first_not_of(" \t", blank);
    out.push_back({line.substr(start, blank - start), arguments == std::string::npos ? "" : line.substr(arguments)});
  }
  return out;
}

// The fields that legitimately differ between two runs of one fit.
void drop_varying_fields(Json& result) { result.erase("seconds"); }

std::string kind_of(Json const& j) {
  if (j.is_number_float()) return "a real";
  if (j.is_number()) return "an integer";
  return j.type_name();
}

// Where `now` first differs from `expected`, with both values; nothing when
// they are the same. Numbers are compared as doubles, sign of zero included.
std::optional<std::string> first_difference(Json const& expected, Json const& now, std::string const& path) {
  auto differ = [&](std::string const& what) {
    return path + ": " + what + " (golden " + expected.dump() + ", now " + now.dump() + ")";
  };
  if (kind_of(expected) != kind_of(now)) return differ("golden is " + kind_of(expected) + ", now " + kind_of(now));
  if (expected.is_number_float()) {
    double const a = expected.get<double>(), b = now.get<double>();
    if (a == b && std::signbit(a) == std::signbit(b)) return std::nullopt;
    std::ostringstream values;
    values.precision(17);
    values << path << ": golden " << a << ", now " << b;
    return values.str();
  }
  if (expected.is_object()) {
    auto e = expected.begin();
    auto n = now.begin();
    for (; e != expected.end() && n != now.end(); ++e, ++n) {
      if (e.key() != n.key())
        return path + ": golden has key \"" + e.key() + "\" where now there is \"" + n.key() + "\"";
      if (auto d = first_difference(e.value(), n.value(), path + "." + e.key())) return d;
    }
    if (e != expected.end()) return path + ": key \"" + e.key() + "\" is gone";
    if (n != now.end()) return path + ": key \"" + n.key() + "\" is new";
    return std::nullopt;
  }
  if (expected.is_array()) {
    if (expected.size() != now.size())
      return path + ": golden has " + std::to_string(expected.size()) + " elements, now " + std::to_string(now.size());
    for (std::size_t k = 0; k < expected.size(); ++k)
      if (auto d = first_difference(expected[k], now[k], path + "[" + std::to_string(k) + "]")) return d;
    return std::nullopt;
  }
  if (expected != now) return differ("differs");
  return std::nullopt;
}

void check_case(Case const& c) {
  INFO("case " << c.name << ": bbvi-ppl " << c.arguments);
  Run const r = bbvi::testing::run_binary(c.arguments + " --output -", root);
  fs::path const json = golden / (c.name + ".json");
  if (!fs::exists(json)) {
    std::string const status = slurp(golden / (c.name + ".status"));
    REQUIRE_FALSE(status.empty());
    CHECK(r.status == std::stoi(status));
    CHECK(r.err == slurp(golden / (c.name + ".stderr")));
    return;
  }
  INFO("its standard error:\n" << r.err);
  REQUIRE(r.status == 0);
  Json now;
  try {
    now = Json::parse(r.out);
  } catch (Json::parse_error const& e) {
    FAIL_CHECK("the JSON on standard output does not parse: " << e.what());
    return;
  }
  CHECK(now.contains("seconds"));
  drop_varying_fields(now);
  std::optional<std::string> const difference = first_difference(Json::parse(slurp(json)), now, "$");
  if (difference) FAIL_CHECK(*difference);
}

void check_group(std::string const& group) {
  int run = 0;
  for (Case const& c : read_cases()) {
    if (c.group() != group) continue;
    check_case(c);
    ++run;
  }
  CHECK(run > 0);
}

// The names in the help's `--OPTION TEXT:{a,b,c}`.
std::set<std::string> choices_of(std::string const& help, std::string const& option) {
  std::size_t const at = help.find(option + " TEXT:{");
  REQUIRE(at != std::string::npos);
  std::size_t const open = help.find('{', at) + 1;
  std::istringstream list(help.substr(open, help.find('}', open) - open));
  std::set<std::string> out;
  for (std::string name; std::getline(list, name, ',');) out.insert(name);
  return out;
}

}  // namespace

TEST_CASE("equivalence: natural-gradient fits give their golden results") { check_group("natural-gradient"); }
TEST_CASE("equivalence: adagrad fits give their golden results") { check_group("adagrad"); }
TEST_CASE("equivalence: adam fits give their golden results") { check_group("adam"); }
TEST_CASE("equivalence: fits with the default options give their golden results") { check_group("defaults"); }
TEST_CASE("equivalence: retried and failing fits give their golden results") { check_group("trouble"); }
TEST_CASE("equivalence: fits with options give their golden results") { check_group("options"); }

TEST_CASE("equivalence: every case has a golden and a test, and every example model every method and estimator") {
  std::vector<Case> const cases = read_cases();
  std::set<std::string> names;
  for (Case const& c : cases) {
    INFO("case " << c.name);
    CHECK(std::find(groups.begin(), groups.end(), c.group()) != groups.end());
    bool const succeeds = fs::exists(golden / (c.name + ".json"));
    bool const fails = fs::exists(golden / (c.name + ".stderr")) && fs::exists(golden / (c.name + ".status"));
    CHECK(succeeds != fails);
    names.insert(c.name);
  }
  for (auto const& e : fs::recursive_directory_iterator(golden)) {
    if (!e.is_regular_file()) continue;
    std::string const name = fs::relative(e.path(), golden).replace_extension().generic_string();
    INFO("golden file " << e.path().string());
    CHECK(names.count(name) == 1);
  }
  Run const help = bbvi::testing::run_binary("--help");
  for (auto const& model : fs::directory_iterator(root / "models")) {
    if (model.path().extension() != ".model") continue;
    std::string const stem = model.path().stem().string();
    CHECK(names.count("defaults/" + stem) == 1);
    for (std::string const& method : choices_of(help.out, "--method"))
      for (std::string const& estimator : choices_of(help.out, "--estimator")) {
        INFO("the cases run " << stem << " with every --method and --estimator");
        CHECK(names.count(method + "/" + stem + "." + estimator) == 1);
      }
  }
}
