// `--plot FILE.svg` writes svg_report's document: it must parse as XML whatever
// the names and numbers, draw the trace and one panel per latent up to a cap,
// and never write a non-finite number.
#include "tools/bbvi-ppl/svg_plot.hpp"

#include "tests/support/run_binary.hpp"
#include "tests/support/scratch_dir.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it
#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using bbvi::cli::ElboTrace;
using bbvi::cli::MarginalPlot;
using bbvi::cli::svg_report;
using bbvi::testing::Run;

namespace {

double const not_a_number = std::numeric_limits<double>::quiet_NaN();
double const infinity = std::numeric_limits<double>::infinity();

// Climbs from about -1e6 to -166 within the first 100 iterations, then stays
// there with a little noise, as a fit's estimates do.
ElboTrace converging_trace(int iterations) {
  ElboTrace t;
  for (int i = 1; i <= iterations; ++i) {
    t.iteration.push_back(i);
    t.elbo.push_back(-166 - 1e6 * std::exp(-0.15 * i) + 0.1 * std::sin(i));
    t.se.push_back(0.05);
  }
  return t;
}

// Draws of a standard normal with its density on a grid.
MarginalPlot standard_normal(std::string name, int draws, unsigned seed = 1) {
  MarginalPlot m;
  m.name = std::move(name);
  std::mt19937 rng(seed);
  std::normal_distribution<double> z;
  for (int i = 0; i < draws; ++i) m.draws.push_back(z(rng));
  for (int i = 0; i <= 80; ++i) {
    double const x = -4 + 0.1 * i;
    m.x.push_back(x);
    m.density.push_back(std::exp(-x * x / 2) / 2.5066282746310002);  // sqrt(2 pi)
  }
  return m;
}

void parse(pugi::xml_document& doc, std::string const& svg) {
  pugi::xml_parse_result const r = doc.load_buffer(svg.data(), svg.size());
  INFO(r.description() << " at byte " << r.offset << " of:\n" << svg.substr(0, 2000));
  REQUIRE(r);
}

pugi::xpath_node_set by_class(pugi::xml_node const& node, std::string const& css_class) {
  return node.select_nodes((".//*[@class='" + css_class + "']").c_str());
}

// The points of a path's data: M and L commands, each with one x,y pair.
std::vector<std::pair<double, double>> points(pugi::xml_node const& path) {
  std::string d = path.attribute("d").value();
  std::size_t const commands = std::count(d.begin(), d.end(), 'M') + std::count(d.begin(), d.end(), 'L');
  for (char& c : d)
    if (c == 'M' || c == 'L' || c == 'Z' || c == ',') c = ' ';
  std::istringstream in(d);
  std::vector<std::pair<double, double>> out;
  double x, y;
  while (in >> x >> y) out.emplace_back(x, y);
  CHECK(out.size() == commands);
  return out;
}

// A bar's bin and height, from its <title> "LO to HI: HEIGHT".
struct Bin {
  double lo = 0, hi = 0, height = 0;
};

std::vector<Bin> bins(pugi::xml_node const& panel) {
  std::vector<Bin> out;
  for (pugi::xpath_node const& bar : panel.select_nodes(".//*[@class='bar']")) {
    std::string text = bar.node().child_value("title");
    for (char& c : text)
      if (c == ':') c = ' ';
    std::istringstream in(text);
    Bin b;
    std::string to;
    in >> b.lo >> to >> b.hi >> b.height;
    CHECK(to == "to");
    out.push_back(b);
  }
  return out;
}

// The total variation distance between a panel's bars and its curve, as
// drawn: each bar's pixel height against the curve's at the bar's centre
// (linear between the path's points), both normalised over the bars.
double drawn_total_variation(pugi::xml_node const& panel) {
  double const bottom = [&] {
    pugi::xml_node const frame = panel.select_node(".//*[@class='frame']").node();
    return frame.attribute("y").as_double() + frame.attribute("height").as_double();
  }();
  std::vector<std::pair<double, double>> const curve = points(panel.select_node(".//*[@class='density']").node());
  // Along the path's segments in order (a discrete latent's is a level across each bin).
  auto const curve_height = [&](double x) {
    for (std::size_t i = 1; i < curve.size(); ++i) {
      auto const& [x0, y0] = curve[i - 1];
      auto const& [x1, y1] = curve[i];
      if (x0 < x1 && x0 <= x && x <= x1) {
        double const t = (x - x0) / (x1 - x0);
        return bottom - (y0 * (1 - t) + y1 * t);
      }
    }
    return 0.0;
  };
  std::vector<double> bar, line;
  for (pugi::xpath_node const& b : panel.select_nodes(".//*[@class='bar']")) {
    pugi::xml_node const n = b.node();
    bar.push_back(n.attribute("height").as_double());
    line.push_back(curve_height(n.attribute("x").as_double() + n.attribute("width").as_double() / 2));
  }
  double bar_total = 0, line_total = 0;
  for (std::size_t k = 0; k < bar.size(); ++k) bar_total += bar[k], line_total += line[k];
  REQUIRE(bar_total > 0);
  REQUIRE(line_total > 0);
  double tv = 0;
  for (std::size_t k = 0; k < bar.size(); ++k) tv += std::abs(bar[k] / bar_total - line[k] / line_total) / 2;
  return tv;
}

// The panel of latent `name` in an SVG file bbvi-ppl wrote.
pugi::xml_node panel_named(pugi::xml_document const& doc, std::string const& name) {
  for (pugi::xpath_node const& p : doc.select_nodes("//*[@class='marginal']"))
    if (p.node().child_value("title") == name) return p.node();
  FAIL("no panel for " << name);
  return {};
}

// Fits with --plot and parses the file.
void plot_fit(pugi::xml_document& doc, std::string const& arguments) {
  std::string const svg = (bbvi::testing::scratch_dir() / "fit.svg").string();
  Run const r = bbvi::testing::run_binary(arguments + " --quiet --plot " + svg);
  INFO(r.err);
  REQUIRE(r.status == 0);
  parse(doc, bbvi::testing::slurp(svg));
}

std::string source(std::string const& relative) { return std::string(BBVI_SOURCE_DIR) + "/" + relative; }

// Whether `s` holds a number with two or more decimals. (Not std::regex: under
// the sanitizers GCC 12 warns about its insides, and warnings are errors.)
bool has_long_number(std::string_view s) {
  auto const digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  for (std::size_t i = 1; i + 2 < s.size(); ++i)
    if (s[i] == '.' && digit(s[i - 1]) && digit(s[i + 1]) && digit(s[i + 2])) return true;
  return false;
}

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

TEST_CASE("svg_report: an SVG 1.1 document with its size, and nothing to fetch or run") {
  std::string const svg = svg_report("normal_gamma.model", converging_trace(300), {standard_normal("mu", 1000)});
  CHECK(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"", 0) == 0);
  pugi::xml_document doc;
  parse(doc, svg);
  pugi::xml_node const root = doc.document_element();
  CHECK(std::string(root.name()) == "svg");
  CHECK(std::string(root.attribute("xmlns").value()) == "http://www.w3.org/2000/svg");
  CHECK(std::string(root.attribute("version").value()) == "1.1");
  std::string const width = root.attribute("width").value(), height = root.attribute("height").value();
  CHECK(std::stod(width) > 0);
  CHECK(std::stod(height) > 0);
  CHECK(std::string(root.attribute("viewBox").value()) == "0 0 " + width + " " + height);
  CHECK(doc.select_nodes("//script").empty());
  CHECK(doc.select_nodes("//@href | //@xlink:href | //image | //foreignObject").empty());
  CHECK(svg.find("url(http") == std::string::npos);
}

TEST_CASE("svg_report: numbers in attributes have at most one decimal") {
  std::string const svg = svg_report("m", converging_trace(50), {standard_normal("mu", 500)});
  pugi::xml_document doc;
  parse(doc, svg);
  int attributes = 0;
  for (pugi::xpath_node const& a : doc.select_nodes("//@*")) {
    ++attributes;
    INFO(a.attribute().name() << "=\"" << a.attribute().value() << "\"");
    CHECK_FALSE(has_long_number(a.attribute().value()));
  }
  CHECK(attributes > 100);
}

TEST_CASE("svg_report: the trace has a point per iteration, on an axis that shows its converged part") {
  ElboTrace const trace = converging_trace(300);
  std::string const svg = svg_report("m", trace, {});
  pugi::xml_document doc;
  parse(doc, svg);
  pugi::xpath_node_set const lines = by_class(doc, "elbo-trace");
  REQUIRE(lines.size() == 1);
  auto const line = points(lines.first().node());
  CHECK(line.size() == trace.elbo.size());
  CHECK(by_class(doc, "elbo-band").size() == 1);

  // The last half varies by ±0.1 nat around -166, against -1e6 at the start:
  // on an axis spanning the whole trace it would be one flat line.
  pugi::xml_node const frame = by_class(doc.select_node("//*[@id='elbo']").node(), "frame").first().node();
  double const plot_height = frame.attribute("height").as_double();
  auto const by_y = [](auto const& a, auto const& b) { return a.second < b.second; };
  auto const [lowest, highest] = std::minmax_element(line.begin() + 150, line.end(), by_y);
  CHECK(highest->second - lowest->second > 0.25 * plot_height);
  CHECK(svg.find("The y-axis is fitted to the last half of the iterations (from iteration 151)") != std::string::npos);
}

TEST_CASE("svg_report: one panel per latent, its histogram a density on the curve's scale") {
  std::vector<MarginalPlot> const marginals = {standard_normal("mu", 20000, 1), standard_normal("theta[1]", 20000, 2),
                                               standard_normal("theta[2]", 20000, 3),
                                               standard_normal("sigma", 20000, 4)};
  std::string const svg = svg_report("m", converging_trace(20), marginals);
  pugi::xml_document doc;
  parse(doc, svg);
  pugi::xpath_node_set const panels = by_class(doc, "marginal");
  REQUIRE(panels.size() == marginals.size());
  for (std::size_t k = 0; k < panels.size(); ++k) {
    pugi::xml_node const panel = panels[k].node();
    INFO(marginals[k].name);
    CHECK(std::string(panel.child_value("title")) == marginals[k].name);
    pugi::xpath_node_set const bars = by_class(panel, "bar");
    CHECK(bars.size() >= 10);
    CHECK(bars.size() <= 50);
    pugi::xpath_node_set const curves = by_class(panel, "density");
    REQUIRE(curves.size() == 1);
    CHECK(points(curves.first().node()).size() == marginals[k].x.size());

    // 20,000 draws: the tallest bar is near the curve's peak (SVG's y grows downwards).
    double bar_top = std::numeric_limits<double>::infinity();
    for (pugi::xpath_node const& b : bars) bar_top = std::min(bar_top, b.node().attribute("y").as_double());
    double curve_top = std::numeric_limits<double>::infinity();
    for (auto const& p : points(curves.first().node())) curve_top = std::min(curve_top, p.second);
    double const plot_height = by_class(panel, "frame").first().node().attribute("height").as_double();
    CHECK(std::abs(bar_top - curve_top) < 0.1 * plot_height);
  }
}

TEST_CASE("svg_report: text is escaped") {
  std::string const title = "a &amp; b & c <d> \"e\" 'f'";
  std::string const name = "x<1>&\"";
  std::string const svg = svg_report(title, converging_trace(10), {standard_normal(name, 100)});
  CHECK(svg.find("&amp;amp;") != std::string::npos);
  pugi::xml_document doc;
  parse(doc, svg);
  CHECK(std::string(by_class(doc, "title").first().node().child_value()) == title);
  CHECK(std::string(doc.document_element().child_value("title")) == title);
  CHECK(std::string(by_class(doc, "marginal").first().node().child_value("title")) == name);
}

TEST_CASE("svg_report: bytes XML cannot hold become U+FFFD") {
  // A control character (forbidden in XML 1.0 even as a reference) and a byte
  // that is not UTF-8, as a file name may hold; "é" and "θ" pass through.
  std::string const svg = svg_report("a\x01z \xff caf\xC3\xA9 \xCE\xB8", {}, {});
  CHECK(svg.find('\x01') == std::string::npos);
  CHECK(svg.find('\xff') == std::string::npos);
  pugi::xml_document doc;
  parse(doc, svg);
  CHECK(std::string(by_class(doc, "title").first().node().child_value()) ==
        "a\xEF\xBF\xBDz \xEF\xBF\xBD caf\xC3\xA9 \xCE\xB8");
}

TEST_CASE("svg_report: non-finite values are skipped, never written") {
  ElboTrace trace = converging_trace(40);
  trace.elbo[3] = not_a_number;
  trace.elbo[20] = -infinity;
  trace.elbo[39] = infinity;
  trace.se[10] = not_a_number;
  trace.se[11] = infinity;
  MarginalPlot no_draws;
  no_draws.name = "empty";
  MarginalPlot curve_only = standard_normal("curve_only", 0);
  MarginalPlot holes = standard_normal("holes", 200);
  holes.draws[5] = not_a_number;
  holes.draws[6] = infinity;
  holes.draws[7] = -infinity;
  holes.density[40] = infinity;
  holes.x[10] = not_a_number;
  MarginalPlot all_bad;
  all_bad.name = "all_bad";
  all_bad.draws = {not_a_number, infinity, -infinity};
  all_bad.x = {not_a_number};
  all_bad.density = {infinity};
  MarginalPlot one_value;
  one_value.name = "one_value";
  one_value.draws = {2.5, 2.5, 2.5};

  std::string const svg = svg_report("m", trace, {no_draws, curve_only, holes, all_bad, one_value});
  pugi::xml_document doc;
  parse(doc, svg);
  std::string const text = lowercase(svg);
  CHECK(text.find("nan") == std::string::npos);
  CHECK(text.find("inf") == std::string::npos);
  CHECK(points(by_class(doc, "elbo-trace").first().node()).size() == 37);
  CHECK(by_class(doc, "marginal").size() == 5);
  CHECK(by_class(doc, "bar").size() > 0);
  CHECK(text.find("3 non-finite values are not drawn") != std::string::npos);
}

TEST_CASE("svg_report: an empty trace and no latents still make a document") {
  std::string const svg = svg_report("", {}, {});
  pugi::xml_document doc;
  parse(doc, svg);
  CHECK(std::string(doc.document_element().name()) == "svg");
  CHECK(by_class(doc, "marginal").empty());
  CHECK(by_class(doc, "elbo-trace").empty());
  CHECK(svg.find("no finite ELBO values") != std::string::npos);
}

TEST_CASE("svg_report: panels stop at the cap, and the caption says how many were left out") {
  std::vector<MarginalPlot> marginals;
  for (int i = 1; i <= 30; ++i) marginals.push_back(standard_normal("theta[" + std::to_string(i) + "]", 200, i));
  std::string const svg = svg_report("m", converging_trace(10), marginals);
  pugi::xml_document doc;
  parse(doc, svg);
  CHECK(by_class(doc, "marginal").size() == bbvi::cli::svg_max_panels);
  CHECK(std::string(doc.select_node("//*[@id='left-out']").node().child_value()) ==
        "Showing the first 24 of 30 latent elements; 6 are left out.");

  // 2,000 per-row latents with 1,000 draws each: the file stays small.
  marginals.resize(2000, standard_normal("z", 1000));
  CHECK(svg_report("m", converging_trace(1000), marginals).size() < 250'000);
}

TEST_CASE("svg_report: the bars are the draws as their weights place them") {
  // Weights exp(x − ½) turn draws of N(0, 1) into a sample of N(1, 1): the
  // bars' mean moves to 1 (the weighted mean's sd with 20,000 draws, whose
  // effective number is 20,000/e, is about 0.012), away from the curve.
  MarginalPlot m = standard_normal("mu", 20000, 1);
  for (double x : m.draws) m.weights.push_back(std::exp(x - 0.5));
  std::string const svg = svg_report("m", converging_trace(20), {m});
  pugi::xml_document doc;
  parse(doc, svg);
  pugi::xml_node const panel = by_class(doc, "marginal").first().node();
  double mass = 0, mean = 0;
  for (Bin const& b : bins(panel)) {
    mass += b.height * (b.hi - b.lo);
    mean += b.height * (b.hi - b.lo) * (b.lo + b.hi) / 2;
  }
  mean /= mass;
  CHECK(mass == Approx(1).margin(0.02));  // the central 99% of the draws hold nearly all the weight
  CHECK(mean == Approx(1).margin(0.06));  // 5 sd, and the bins' width of about 0.15 rounds little
  // N(1, 1) against N(0, 1): total variation 2Φ(½) − 1 = 0.38.
  CHECK(drawn_total_variation(panel) == Approx(0.38).margin(0.05));
}

TEST_CASE("svg_report: a discrete latent gets unit bins on the integers and a probability axis") {
  MarginalPlot m;
  m.name = "k";
  m.discrete = true;
  for (int k = 0; k < 4; ++k) m.draws.insert(m.draws.end(), static_cast<std::size_t>(k + 1), k);  // 1, 2, 3, 4 of each
  m.x = {0, 1, 2, 3};
  m.density = {0.1, 0.2, 0.3, 0.4};
  pugi::xml_document doc;
  parse(doc, svg_report("m", converging_trace(20), {m}));
  pugi::xml_node const panel = by_class(doc, "marginal").first().node();
  CHECK(std::string(by_class(panel, "y-unit").first().node().child_value()) == "probability");
  std::vector<Bin> const b = bins(panel);
  REQUIRE(b.size() == 4);
  for (std::size_t k = 0; k < b.size(); ++k) {
    CHECK(b[k].lo == Approx(static_cast<double>(k) - 0.5));
    CHECK(b[k].hi == Approx(static_cast<double>(k) + 0.5));
    CHECK(b[k].height == Approx(static_cast<double>(k + 1) / 10));
  }
  CHECK(drawn_total_variation(panel) < 0.01);  // the bars are the mass the curve gives
}

TEST_CASE("plot: the reweighted draws agree with a good guide and leave a bad one") {
  std::string const canonical = source("models/normal_gamma.model") + " " + source("models/normal_gamma.csv");
  pugi::xml_document doc;
  // The canonical fit (k̂ 0.46): bars and curve differ by the histogram's
  // noise alone. With about 20 bins and 1,000 draws of nearly equal weight,
  // E TV ≈ ½ Σ √(2 p_k / (π S)) ≈ 0.05.
  plot_fit(doc, canonical);
  for (std::string const name : {"mu", "tau"}) {
    INFO(name);
    CHECK(drawn_total_variation(panel_named(doc, name)) < 0.15);
  }
  // Stopped after one iteration, the guide is far wider than the posterior
  // (sd about 0.12 for mu): the weights pile the draws up where the
  // posterior is, and the bars leave the curve. Before, the bars were the
  // guide's own draws and matched it (TV about 0.05).
  plot_fit(doc, canonical + " --iters 1");
  for (std::string const name : {"mu", "tau"}) {
    INFO(name);
    CHECK(drawn_total_variation(panel_named(doc, name)) > 0.4);
  }
  CHECK(std::string(panel_named(doc, "mu").select_node(".//*[@class='y-unit']").node().child_value()) == "density");
}

TEST_CASE("plot: a discrete latent's panel has unit bins centred on the integers") {
  pugi::xml_document doc;
  plot_fit(doc, source("models/two_sources.model") + " " + source("models/two_sources.csv"));
  pugi::xml_node const panel = panel_named(doc, "from_b");
  CHECK(std::string(panel.select_node(".//*[@class='y-unit']").node().child_value()) == "probability");
  std::vector<Bin> const b = bins(panel);
  REQUIRE(b.size() == 2);  // from_b is 0 or 1, and 1,000 draws of the guide (q ≈ 0.1) see both
  double total = 0;
  for (std::size_t k = 0; k < b.size(); ++k) {
    CHECK(b[k].lo == Approx(static_cast<double>(k) - 0.5));
    CHECK(b[k].hi == Approx(static_cast<double>(k) + 0.5));
    total += b[k].height;
  }
  CHECK(total == Approx(1));
  // The guide family holds the exact posterior, so every weight is the same
  // and the bars are the draws' frequencies: |p̂ − q| has sd
  // √(0.1 · 0.9 / 1000) = 0.0095, and 0.04 is 4 of them.
  CHECK(drawn_total_variation(panel) < 0.04);
}
