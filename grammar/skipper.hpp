#pragma once
// What the parser skips between tokens: blanks and the three comment styles.
// An `inline auto const`, so that config.hpp's context type and the one the
// parser is called with are the same type: X3 instantiates each rule for one
// context type, and any other type fails at link time.
#include <boost/spirit/home/x3.hpp>

#include <algorithm>
#include <string_view>

namespace bbvi::grammar {

namespace x3 = boost::spirit::x3;

// `/* ... */`. A plain X3 expression would leave an unterminated comment
// unskipped and the user would get "expected ';'" at its '/'. This parser
// instead reports the comment that never ends, pointing at its start.
struct BlockCommentParser : x3::parser<BlockCommentParser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const&, RContext&, Attribute&) const {
    if (last - first < 2 || first[0] != '/' || first[1] != '*') return false;
    std::string_view constexpr close = "*/";
    Iterator const end = std::search(first + 2, last, close.begin(), close.end());
    if (end == last) throw x3::expectation_failure<Iterator>(first, "'*/' to end this comment");
    first = end + 2;
    return true;
  }
};

inline auto const line_comment = (x3::lit("//") | '#') >> *(x3::char_ - x3::eol);
inline auto const skipper = x3::space | line_comment | BlockCommentParser{};

using skipper_type = std::remove_cv_t<decltype(skipper)>;

}  // namespace bbvi::grammar
