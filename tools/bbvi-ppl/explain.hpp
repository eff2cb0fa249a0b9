#pragma once
// `bbvi-ppl explain`: what the fit will do with a model, before it does it —
// each group of guide parameters with its Markov blanket (the model's terms,
// whole or element by element, whose value depends on the group's latents),
// and the estimator and draws per iteration it will use.
#include "runtime/bbvi/fit.hpp"
#include "runtime/program.hpp"

#include <string>
#include <string_view>

namespace bbvi::cli {

// `model_source`: the model file's text, whose statements are quoted.
std::string explain(Program const& program, std::string_view model_source, FitOptions const& options);

}  // namespace bbvi::cli
