#pragma once
// The iterator and context types the grammar is instantiated for. parse.cpp
// must call the parser with exactly this context, or the link fails with
// "undefined reference to parse_rule<...>": X3 instantiates each rule for
// one context type only (BOOST_SPIRIT_INSTANTIATE in grammar/program.cpp).
#include "grammar/parse_state.hpp"
#include "grammar/skipper.hpp"

#include <functional>  // std::reference_wrapper
#include <string_view>
#include <type_traits>

namespace bbvi::grammar {

using iterator_type = std::string_view::const_iterator;
// The handlers hand iterators to SourceMap, which takes pointers into the text.
static_assert(std::is_same_v<iterator_type, char const*>);
using phrase_context_type = x3::phrase_parse_context<skipper_type>::type;
using context_type =
    x3::context<parse_state_tag, std::reference_wrapper<ParseState>, phrase_context_type>;

}  // namespace bbvi::grammar
