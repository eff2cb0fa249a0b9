// Every comment and document must be followable from the repository alone:
// a citation names a file in the repository, and a citation of a section of
// one of docs/*.md (the file name, a comma, then the heading in quotes)
// names a heading that file has. A citation broken over two comment lines
// counts as one.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path const root = BBVI_SOURCE_DIR;

std::string read(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool is_text_source(fs::path const& path) {
  static std::set<std::string> const extensions{".cpp", ".hpp", ".h", ".md", ".txt", ".cmake", ".yml", ".yaml",
                                                ".sh", ".py"};
  return extensions.count(path.extension().string()) > 0;
}

// The repository's own sources and documents: everything but git's
// directory and build trees (any directory holding a CMakeCache.txt).
std::vector<fs::path> repository_files() {
  std::vector<fs::path> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory()) {
      if (it->path().filename() == ".git" || fs::exists(it->path() / "CMakeCache.txt")) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && is_text_source(it->path())) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The text with each line's leading blanks and comment markers (//, #, *)
// folded into one space, so that a citation wrapped over lines reads whole.
std::string unwrapped(std::string const& text) {
  std::string out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) start = line.size();
    std::size_t const marker = line.find_first_not_of("/#*", start);
    if (marker != start) start = marker == std::string::npos ? line.size() : line.find_first_not_of(" \t", marker);
    if (start == std::string::npos) start = line.size();
    out += ' ';
    out.append(line, start, std::string::npos);
  }
  return out;
}

// A markdown file's headings, outside fenced code.
std::set<std::string> headings_of(fs::path const& path) {
  std::set<std::string> out;
  std::istringstream lines(read(path));
  std::string line;
  bool fenced = false;
  while (std::getline(lines, line)) {
    if (line.rfind("```", 0) == 0) fenced = !fenced;
    if (fenced || line.empty() || line[0] != '#') continue;
    std::size_t const text = line.find_first_not_of('#');
    if (text == std::string::npos || line[text] != ' ') continue;
    std::string heading = line.substr(text + 1);
    heading.erase(heading.find_last_not_of(" \t\r") + 1);
    out.insert(heading);
  }
  return out;
}

struct Citation {
  std::string document, section;
};

// Every citation of a section in `text`: "docs/", a name of letters, digits,
// '_' and '-', ".md", a comma, spaces, then the heading in single or double
// quotes. Scanned by hand: GCC 12's std::regex does not build
// warning-free at -O2 under the sanitizers.
std::vector<Citation> section_citations(std::string const& text) {
  std::vector<Citation> out;
  std::string const flat = unwrapped(text);
  auto const name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  };
  for (std::size_t at = flat.find("docs/"); at != std::string::npos; at = flat.find("docs/", at + 1)) {
    std::size_t i = at + 5;
    while (i < flat.size() && name_char(flat[i])) ++i;
    if (i == at + 5 || flat.compare(i, 3, ".md") != 0) continue;
    std::string const document = flat.substr(at + 5, i + 3 - (at + 5));
    i += 3;
    if (i >= flat.size() || flat[i] != ',') continue;
    ++i;
    while (i < flat.size() && flat[i] == ' ') ++i;
    if (i >= flat.size() || (flat[i] != '\'' && flat[i] != '"')) continue;
    std::size_t const close = flat.find(flat[i], i + 1);
    if (close == std::string::npos) continue;
    out.push_back({document, flat.substr(i + 1, close - i - 1)});
  }
  return out;
}

// Files that once held the method and the language but are not in the
// repository; spelled in parts so that this file does not cite them.
std::array<std::string, 4> const outside_files{"MATH" + std::string(".md"), "LANGUAGE" + std::string(".md"),
                                               "DESIGN" + std::string(".md"), "STYLE" + std::string(".md")};

}  // namespace

TEST_CASE("citations: the checks see a wrapped section citation and a missing heading") {
  // Spelled in parts, so that the scan of this file does not find it.
  std::vector<Citation> const found = section_citations(std::string("// as derived (docs/") +
                                                        "method.md, 'The trust\n// region').");
  REQUIRE(found.size() == 1);
  CHECK(found[0].document == "method.md");
  CHECK(found[0].section == "The trust region");
  CHECK(headings_of(root / "docs" / "method.md").count("The trust region") == 1);
  CHECK(headings_of(root / "docs" / "method.md").count("No such section") == 0);
}

TEST_CASE("citations: no source or document cites a file that is not in the repository") {
  std::vector<fs::path> const files = repository_files();
  REQUIRE(files.size() > 100);
  for (fs::path const& path : files) {
    std::string const text = read(path);
    for (std::string const& name : outside_files) {
      INFO(fs::relative(path, root).string() << " cites " << name);
      CHECK(text.find(name) == std::string::npos);
    }
  }
}

TEST_CASE("citations: every cited section of docs/*.md is a heading there") {
  std::map<std::string, std::set<std::string>> headings;
  int citations = 0;
  for (fs::path const& path : repository_files()) {
    for (Citation const& c : section_citations(read(path))) {
      ++citations;
      fs::path const document = root / "docs" / c.document;
      INFO(fs::relative(path, root).string() << " cites docs/" << c.document << ", '" << c.section << "'");
      REQUIRE(fs::exists(document));
      if (headings.count(c.document) == 0) headings[c.document] = headings_of(document);
      CHECK(headings[c.document].count(c.section) == 1);
    }
  }
  CHECK(citations > 10);
}
