#pragma once
// The library's diagnostics name command-line settings (core/diagnostic.hpp's
// Setting); here they become the options the user typed, before printing.
#include "core/diagnostic.hpp"

#include <string_view>

namespace bbvi::cli {

// The flag that sets `s` ("--samples"); empty for Setting::none.
std::string_view flag_of(Setting s);

// `d` and its notes as printed: each mention of a setting replaced by its flag,
// and a diagnostic about a setting prefixed with it and its value
// ("--set N=5: N is the number of rows ...").
Diagnostic worded_as_options(Diagnostic d);

}  // namespace bbvi::cli
