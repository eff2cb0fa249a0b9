#pragma once
// --plot: a fit's ELBO trace and each latent element's fitted marginal, drawn
// by svg_plot.hpp from the fit and the draws of the fitted guide.
#include "runtime/bbvi/fit.hpp"
#include "runtime/guide_draws.hpp"
#include "runtime/program.hpp"

#include <string>

namespace bbvi::cli {

std::string fit_plot(std::string const& title, Program const& program, FitResult const& result,
                     GuideDraws const& draws);

}  // namespace bbvi::cli
