#pragma once
// `bbvi-ppl --plot FILE.svg`: a picture of a fit, as one self-contained SVG
// 1.1 document (no scripts, no external resources), from plain data so that
// it knows nothing of programs or fits.
#include <cstddef>
#include <string>
#include <vector>

namespace bbvi::cli {

// One entry per iteration. Only `elbo` sets the length: missing iteration
// numbers count from 1, a missing or non-finite se draws no band there.
struct ElboTrace {
  std::vector<int> iteration;
  std::vector<double> elbo, se;
};

struct MarginalPlot {
  std::string name;                // "mu", "theta[3]"
  std::vector<double> draws;       // from the fitted guide, for the histogram
  std::vector<double> x, density;  // the fitted marginal density on a grid (the mass at
                                   // each integer for a discrete latent); may be empty
  // Each draw's importance weight, on any scale (the histogram normalises
  // them); empty: every draw weighs the same.
  std::vector<double> weights;
  // Integer-valued: bins of unit width centred on the integers, bars and
  // curve as probabilities.
  bool discrete = false;
};

// Panels beyond this many are left out (the caption says how many), so that
// a model with thousands of per-row latents still gives a small file.
inline constexpr std::size_t svg_max_panels = 24;

// The ELBO trace with its ±2 se band on top, then a grid of small panels,
// one per latent element: its weighted draws as a histogram scaled as a
// density (a probability for a discrete latent), so that it sits on the
// scale of the fitted density curve drawn over it. Each bar's <title> gives
// its bin and height. Non-finite values and draws are skipped, never
// written; text is escaped.
std::string svg_report(std::string const& title, ElboTrace const& trace, std::vector<MarginalPlot> const& marginals);

}  // namespace bbvi::cli
