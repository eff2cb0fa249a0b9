#include "tools/bbvi-ppl/option_wording.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace bbvi::cli {

std::string_view flag_of(Setting s) {
  switch (s) {
    case Setting::none: return "";
    case Setting::samples: return "--samples";
    case Setting::method: return "--method";
    case Setting::estimator: return "--estimator";
    case Setting::constant_override: return "--set";
    case Setting::batch: return "--batch";
  }
  return "";
}

Diagnostic worded_as_options(Diagnostic d) {
  // From the last mention back, so that the earlier ones' offsets still hold.
  std::sort(d.mentions.begin(), d.mentions.end(),
            [](SettingMention const& a, SettingMention const& b) { return a.begin < b.begin; });
  for (auto m = d.mentions.rbegin(); m != d.mentions.rend(); ++m)
    d.message.replace(m->begin, m->end - m->begin, flag_of(m->setting));
  d.mentions.clear();
  if (d.setting != Setting::none) {
    d.message = fmt::format("{} {}: {}", flag_of(d.setting), d.setting_value, d.message);
    d.setting = Setting::none;
    d.setting_value.clear();
  }
  std::transform(std::make_move_iterator(d.notes.begin()), std::make_move_iterator(d.notes.end()), d.notes.begin(),
                 worded_as_options);
  return d;
}

}  // namespace bbvi::cli
