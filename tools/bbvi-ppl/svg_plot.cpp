#include "tools/bbvi-ppl/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace bbvi::cli {
namespace {

// Layout, in SVG user units (pixels at 100% zoom).
constexpr double page_width = 960;
constexpr double page_margin = 20;
constexpr double elbo_plot_height = 200;
constexpr int panels_per_row = 3;
constexpr double panel_gap = 20;
constexpr double panel_height = 200;
constexpr double caption_line = 16;

constexpr double largest = std::numeric_limits<double>::max();

// ---- Text ----------------------------------------------------------------

// The code point at the start of `s` and its length in bytes; length 0 when
// the bytes there are not well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
std::pair<char32_t, std::size_t> decode_utf8(std::string_view s) {
  auto const b0 = static_cast<unsigned char>(s[0]);
  std::size_t const length = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || length > s.size()) return {0, 0};
  char32_t cp = length == 1 ? b0 : b0 & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    auto const b = static_cast<unsigned char>(s[k]);
    if ((b >> 6) != 0x2) return {0, 0};
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < smallest[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, length};
}

// XML 1.0's Char production.
bool xml_char(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Text for character data or a double-quoted attribute. XML 1.0 forbids most
// control characters even as references, and a file name may hold bytes that
// are not UTF-8: both become U+FFFD, so the document always parses.
std::string xml_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    switch (s[i]) {
      case '&': out += "&amp;"; ++i; continue;
      case '<': out += "&lt;"; ++i; continue;
      case '>': out += "&gt;"; ++i; continue;
      case '"': out += "&quot;"; ++i; continue;
      default: break;
    }
    auto const [cp, length] = decode_utf8(s.substr(i));
    if (length == 0 || !xml_char(cp)) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, for one bad byte
      i += std::max<std::size_t>(length, 1);
      continue;
    }
    out.append(s.substr(i, length));
    i += length;
  }
  return out;
}

// Every coordinate goes through here: a tenth of a pixel, never "nan" or
// "inf". Points far off a plot (an ELBO of -1e6 on an axis spanning a few
// nats) are pulled in to 1e5 px, where the clip path hides them; the line
// still leaves the plot within about a pixel of where it should.
std::string num(double v) {
  if (std::isnan(v)) v = 0;
  return fmt::format("{:.1f}", std::round(std::clamp(v, -1e5, 1e5) * 10) / 10 + 0.0);  // + 0.0: no "-0.0"
}

// ---- Scales --------------------------------------------------------------

// The smallest and largest of the finite values added.
struct Extent {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

// A finite interval lo < hi of data values. Spans are taken by halves so that
// hi - lo cannot overflow, even for values near ±DBL_MAX.
struct Range {
  double lo = 0, hi = 1;
  double half_span() const { return hi / 2 - lo / 2; }
  double fraction(double v) const { return (v / 2 - lo / 2) / half_span(); }  // 0 at lo, 1 at hi
  double at(double t) const { return lo * (1 - t) + hi * t; }
  bool contains(double v) const { return lo <= v && v <= hi; }
};

// `e` (not empty), widened when it is a single value (by 5% of it, at least
// 0.05, each side) and padded by the given shares of its span.
Range range_of(Extent const& e, double pad_lo, double pad_hi) {
  double lo = e.lo, hi = e.hi;
  if (!(lo < hi)) {
    double const d = 0.05 * std::max(std::abs(lo), 1.0);
    lo = std::max(lo - d, -largest);
    hi = std::min(hi + d, largest);
  }
  double const half = hi / 2 - lo / 2;
  return {std::max(lo - 2 * pad_lo * half, -largest), std::min(hi + 2 * pad_hi * half, largest)};
}

// About five ticks at round values (1, 2 or 5 times a power of ten), at
// least `min_step` apart (1 for iteration numbers).
struct Ticks {
  std::vector<double> at;
  int decimals = 0;      // enough to tell the ticks apart
  bool general = false;  // %g instead, for tiny steps or huge values
};

Ticks ticks(Range const& r, double min_step = 0) {
  double const raw = r.half_span() * 0.4;
  int e = static_cast<int>(std::floor(std::log10(raw)));
  double const f = raw / std::pow(10.0, e);
  int m = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
  if (m == 10) m = 1, ++e;
  double step = m * std::pow(10.0, e);
  if (step < min_step) step = min_step, e = 0;
  Ticks t;
  if (!std::isfinite(step) || !(step > 0)) return t;
  t.decimals = std::max(0, -e);
  t.general = e < -6 || std::max(std::abs(r.lo), std::abs(r.hi)) >= 1e12;
  double const first = std::ceil(r.lo / step);
  for (int i = 0; i < 12; ++i) {
    double const v = (first + i) * step + 0.0;  // + 0.0: no "-0"
    if (v > r.hi || (!t.at.empty() && v == t.at.back())) break;
    t.at.push_back(v);
  }
  return t;
}

std::string tick_label(double v, Ticks const& t) {
  return t.general ? fmt::format("{:.6g}", v) : fmt::format("{:.{}f}", v, t.decimals);
}

// A plot area on the page and the data ranges it shows.
struct Frame {
  double left = 0, top = 0, width = 0, height = 0;
  Range x, y;
  double px(double v) const { return left + x.fraction(v) * width; }
  double py(double v) const { return top + (1 - y.fraction(v)) * height; }
  double bottom() const { return top + height; }
};

void draw_frame(std::string& out, Frame const& f) {
  out += fmt::format(R"(<rect class="frame" x="{}" y="{}" width="{}" height="{}"/>)"
                     "\n",
                     num(f.left), num(f.top), num(f.width), num(f.height));
}

// The frame, and tick marks with labels on both axes.
void draw_axes(std::string& out, Frame const& f, double x_min_step) {
  draw_frame(out, f);
  Ticks const tx = ticks(f.x, x_min_step);
  for (double v : tx.at)
    out += fmt::format(R"(<line class="tick" x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)"
                       R"(<text x="{0}" y="{3}" text-anchor="middle">{4}</text>)"
                       "\n",
                       num(f.px(v)), num(f.bottom()), num(f.bottom() + 4), num(f.bottom() + 15),
                       xml_text(tick_label(v, tx)));
  Ticks const ty = ticks(f.y);
  for (double v : ty.at)
    out += fmt::format(R"(<line class="tick" x1="{0}" y1="{1}" x2="{2}" y2="{1}"/>)"
                       R"(<text x="{3}" y="{4}" text-anchor="end">{5}</text>)"
                       "\n",
                       num(f.left - 4), num(f.py(v)), num(f.left), num(f.left - 6), num(f.py(v) + 4),
                       xml_text(tick_label(v, ty)));
}

void draw_text(std::string& out, std::string_view css_class, double x, double y, std::string_view text,
               std::string_view anchor = "start") {
  out += fmt::format(R"(<text class="{}" x="{}" y="{}" text-anchor="{}">{}</text>)"
                     "\n",
                     css_class, num(x), num(y), anchor, xml_text(text));
}

// ---- The ELBO trace ------------------------------------------------------

// Draws the trace below `top` across the page; returns the y below it.
//
// The y-axis is fitted to the last half of the iterations (their values and
// bands), not to the whole trace: the first iterations can sit at -1e6 while
// the fit converges near -166, and an axis spanning both would draw the
// converged part, the one worth reading, as a flat line. Earlier points
// outside that axis leave the plot through its edge (clipped), and the
// caption says how many. A symlog axis would keep them in view, but bends
// the scale just where the ±2 se band needs to be read in nats.
double draw_trace(std::string& out, ElboTrace const& trace, double top) {
  std::size_t const n = trace.elbo.size();
  auto const iteration = [&](std::size_t i) {
    return i < trace.iteration.size() ? trace.iteration[i] : static_cast<int>(i) + 1;
  };
  auto const se = [&](std::size_t i) {
    return i < trace.se.size() ? std::abs(trace.se[i]) : std::numeric_limits<double>::quiet_NaN();
  };
  auto const fit_extent = [&](std::size_t from) {
    Extent e;
    for (std::size_t i = from; i < n; ++i) {
      if (!std::isfinite(trace.elbo[i])) continue;
      e.add(trace.elbo[i]);
      e.add(trace.elbo[i] - 2 * se(i));
      e.add(trace.elbo[i] + 2 * se(i));
    }
    return e;
  };
  std::size_t fitted_from = n / 2;
  Extent ys = fit_extent(fitted_from);
  if (ys.empty()) ys = fit_extent(fitted_from = 0);
  Extent xs;
  std::size_t finite = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (std::isfinite(trace.elbo[i])) xs.add(iteration(i)), ++finite;

  Frame f;
  f.left = page_margin + 72;  // room for labels such as -1234567.5
  f.top = top + 24;
  f.width = page_width - page_margin - 10 - f.left;
  f.height = elbo_plot_height;
  out += "<g class=\"elbo\" id=\"elbo\">\n";
  draw_text(out, "panel-title", page_margin, top + 14, "ELBO");
  if (finite == 0) {
    draw_frame(out, f);
    draw_text(out, "caption", f.left + f.width / 2, f.top + f.height / 2, "no finite ELBO values to plot", "middle");
    out += "</g>\n";
    return f.bottom() + 24;
  }
  f.x = range_of(xs, 0, 0);
  f.y = range_of(ys, 0.05, 0.05);
  draw_axes(out, f, 1);
  draw_text(out, "axis-title", f.left + f.width / 2, f.bottom() + 30, "iteration", "middle");

  out += fmt::format(R"(<clipPath id="elbo-clip"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>)"
                     "\n"
                     R"svg(<g clip-path="url(#elbo-clip)">)svg"
                     "\n",
                     num(f.left), num(f.top), num(f.width), num(f.height));
  // The band: one closed outline per run of iterations whose value and se are
  // both finite; along the top forwards, then back along the bottom.
  std::string band;
  std::vector<std::string> lower;  // the run's bottom points, in iteration order
  auto const close_run = [&] {
    if (lower.size() >= 2) {
      for (auto p = lower.rbegin(); p != lower.rend(); ++p) band += "L" + *p;
      band += "Z";
    } else if (lower.size() == 1) {
      band.erase(band.rfind('M'));  // a single iteration encloses no area
    }
    lower.clear();
  };
  for (std::size_t i = 0; i < n; ++i) {
    double const v = trace.elbo[i], hi = v + 2 * se(i), lo = v - 2 * se(i);
    if (!std::isfinite(v) || !std::isfinite(hi) || !std::isfinite(lo)) {
      close_run();
      continue;
    }
    std::string const x = num(f.px(iteration(i)));
    band += (lower.empty() ? "M" : "L") + x + "," + num(f.py(hi));
    lower.push_back(x + "," + num(f.py(lo)));
  }
  close_run();
  if (!band.empty()) out += fmt::format("<path class=\"elbo-band\" d=\"{}\"/>\n", band);

  // The line: a new subpath after each non-finite value, so a gap shows as one.
  std::string line;
  bool pen_up = true;
  std::size_t outside = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double const v = trace.elbo[i];
    if (!std::isfinite(v)) {
      pen_up = true;
      continue;
    }
    if (!f.y.contains(v)) ++outside;
    line += (pen_up ? "M" : "L") + num(f.px(iteration(i))) + "," + num(f.py(v));
    pen_up = false;
  }
  out += fmt::format("<path class=\"elbo-trace\" d=\"{}\"/>\n</g>\n", line);

  double y = f.bottom() + 48;
  std::string caption = band.empty() ? "Line: the ELBO's estimate at each iteration."
                                     : "Line: the ELBO's estimate at each iteration; band: \xC2\xB1 2 standard errors.";
  if (finite < n) caption += fmt::format(" {} non-finite values are not drawn.", n - finite);
  draw_text(out, "caption", page_margin, y, caption);
  if (outside > 0) {
    y += caption_line;
    draw_text(out, "caption", page_margin, y,
              fmt::format("The y-axis is fitted to the last half of the iterations (from iteration {}): {} of the "
                          "{} points lie outside it.",
                          iteration(fitted_from), outside, finite));
  }
  out += "</g>\n";
  return y + caption_line;
}

// ---- The marginals -------------------------------------------------------

// Equal-width bins over `range`, each bar's height a density.
struct Histogram {
  Range range;
  std::vector<double> density;
};

// Bins by Freedman–Diaconis (width 2 IQR / n^(1/3)), or √n of them when the
// IQR is zero; between 1 and 50, which a panel about 290 px wide can show.
// The bins cover the draws between the 0.5% and 99.5% order statistics, so a
// few draws far out in a heavy tail do not squeeze the rest into one bin.
// Each bar is its count / (all finite draws × bin width): the bars' area is
// the share of draws they hold, on the scale of the density curve.
std::optional<Histogram> histogram(std::vector<double> const& draws) {
  std::vector<double> v;
  v.reserve(draws.size());
  for (double d : draws)
    if (std::isfinite(d)) v.push_back(d);
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  std::size_t const n = v.size(), trim = (n - 1) / 200, quarter = (n - 1) / 4;
  Extent central;
  central.add(v[trim]);
  central.add(v[n - 1 - trim]);
  Histogram h;
  h.range = range_of(central, 0, 0);
  double const iqr = v[n - 1 - quarter] - v[quarter];
  double bins = std::ceil(std::sqrt(static_cast<double>(n)));
  if (iqr > 0) bins = std::ceil(2 * h.range.half_span() / (2 * iqr / std::cbrt(static_cast<double>(n))));
  if (!std::isfinite(bins)) bins = 50;
  auto const count = static_cast<std::size_t>(std::clamp(bins, 1.0, 50.0));
  std::vector<std::size_t> counts(count, 0);
  for (double d : v)
    if (h.range.contains(d)) {
      auto const k = static_cast<std::size_t>(std::clamp(std::floor(h.range.fraction(d) * static_cast<double>(count)), 0.0, static_cast<double>(count - 1)));
      ++counts[k];
    }
  double const width = 2 * h.range.half_span() / static_cast<double>(count);
  for (std::size_t c : counts) {
    double const density = static_cast<double>(c) / (static_cast<double>(n) * width);
    h.density.push_back(std::isfinite(density) ? density : 0);
  }
  return h;
}

void draw_marginal(std::string& out, MarginalPlot const& m, std::size_t index, double left, double top,
                   double width) {
  out += fmt::format("<g class=\"marginal\" id=\"marginal-{}\">\n<title>{}</title>\n", index + 1, xml_text(m.name));
  draw_text(out, "panel-title", left, top + 14, m.name);
  Frame f;
  f.left = left + 44;  // room for density labels such as 0.035
  f.top = top + 22;
  f.width = width - 44 - 8;
  f.height = panel_height - 22 - 22;

  std::optional<Histogram> const h = histogram(m.draws);
  std::vector<std::pair<double, double>> curve;
  for (std::size_t i = 0; i < std::min(m.x.size(), m.density.size()); ++i)
    curve.emplace_back(m.x[i], m.density[i]);
  Extent xs, ys;
  ys.add(0);
  bool any_curve = false;
  for (auto const& [x, d] : curve)
    if (std::isfinite(x) && std::isfinite(d)) xs.add(x), ys.add(d), any_curve = true;
  if (h) {
    xs.add(h->range.lo);
    xs.add(h->range.hi);
    for (double d : h->density) ys.add(d);
  }
  if (!h && !any_curve) {
    draw_frame(out, f);
    draw_text(out, "caption", f.left + f.width / 2, f.top + f.height / 2, "no finite draws", "middle");
    out += "</g>\n";
    return;
  }
  f.x = range_of(xs, 0.02, 0.02);
  f.y = range_of(ys, 0, 0.08);
  draw_axes(out, f, 0);

  if (h) {
    std::size_t const bins = h->density.size();
    for (std::size_t k = 0; k < bins; ++k) {
      if (h->density[k] <= 0) continue;
      double const x0 = f.px(h->range.at(static_cast<double>(k) / static_cast<double>(bins)));
      double const x1 = f.px(h->range.at(static_cast<double>(k + 1) / static_cast<double>(bins)));
      double const y = f.py(h->density[k]);
      out += fmt::format(R"(<rect class="bar" x="{}" y="{}" width="{}" height="{}"/>)"
                         "\n",
                         num(x0), num(y), num(x1 - x0), num(f.py(0) - y));
    }
  }
  if (any_curve) {
    std::string path;
    bool pen_up = true;
    for (auto const& [x, d] : curve) {
      if (!std::isfinite(x) || !std::isfinite(d)) {
        pen_up = true;
        continue;
      }
      path += (pen_up ? "M" : "L") + num(f.px(x)) + "," + num(f.py(d));
      pen_up = false;
    }
    out += fmt::format("<path class=\"density\" d=\"{}\"/>\n", path);
  }
  out += "</g>\n";
}

// Draws the panels, three to a row, below `top`; returns the y below them.
double draw_marginals(std::string& out, std::vector<MarginalPlot> const& marginals, double top) {
  if (marginals.empty()) return top;
  std::size_t const shown = std::min(marginals.size(), svg_max_panels);
  double const width = (page_width - 2 * page_margin - (panels_per_row - 1) * panel_gap) / panels_per_row;
  for (std::size_t k = 0; k < shown; ++k) {
    double const left = page_margin + static_cast<double>(k % panels_per_row) * (width + panel_gap);
    double const panel_top = top + static_cast<double>(k / panels_per_row) * (panel_height + panel_gap);
    draw_marginal(out, marginals[k], k, left, panel_top, width);
  }
  double y = top + static_cast<double>((shown + panels_per_row - 1) / panels_per_row) * (panel_height + panel_gap);
  draw_text(out, "caption", page_margin, y, "Bars: draws from the fitted guide, as a density (Freedman\xE2\x80\x93"
                                            "Diaconis bins over the central 99% of the draws).");
  y += caption_line;
  draw_text(out, "caption", page_margin, y, "Lines: the fitted marginal densities.");
  if (shown < marginals.size()) {
    y += caption_line;
    out += fmt::format(R"(<text class="caption" id="left-out" x="{}" y="{}">)"
                       "Showing the first {} of {} latent elements; {} are left out.</text>\n",
                       num(page_margin), num(y), shown, marginals.size(), marginals.size() - shown);
  }
  return y + caption_line;
}

// Styles by class, so each bar or tick carries one attribute, not five.
constexpr std::string_view style = R"(<style type="text/css">
text { font-family: sans-serif; font-size: 11px; fill: #222; }
.title { font-size: 16px; font-weight: bold; }
.panel-title { font-size: 12px; font-weight: bold; }
.caption { fill: #555; }
.frame { fill: none; stroke: #888; }
.tick { stroke: #888; }
.elbo-band { fill: #1f77b4; fill-opacity: 0.25; stroke: none; }
.elbo-trace { fill: none; stroke: #1f77b4; stroke-width: 1.2; }
.bar { fill: #9ecae1; stroke: #fff; stroke-width: 0.5; }
.density { fill: none; stroke: #d62728; stroke-width: 1.5; }
</style>
)";

}  // namespace

std::string svg_report(std::string const& title, ElboTrace const& trace, std::vector<MarginalPlot> const& marginals) {
  std::string body;
  draw_text(body, "title", page_margin, 28, title);
  double y = draw_trace(body, trace, 44);
  y = draw_marginals(body, marginals, y + 8);
  double const height = std::ceil(y + page_margin);

  std::string out = fmt::format(R"(<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{0}" height="{1}" viewBox="0 0 {0} {1}">
<title>{2}</title>
)",
                                page_width, height, xml_text(title));
  out += style;
  out += fmt::format(R"(<rect width="{}" height="{}" fill="#fff"/>)"
                     "\n",
                     page_width, height);  // opaque, for viewers with a dark background
  out += body;
  out += "</svg>\n";
  return out;
}

}  // namespace bbvi::cli
