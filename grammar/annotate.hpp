#pragma once
// The handlers X3 calls on rule IDs: annotate_position stamps line:col into a
// node when its rule succeeds; report_syntax_error (on the top rule) turns an
// expectation failure into the one syntax-error diagnostic of the parse.
#include "grammar/parse_state.hpp"
#include "grammar/syntax_error.hpp"
#include "grammar/x3_ast.hpp"

#include <boost/spirit/home/x3.hpp>

#include <type_traits>

namespace bbvi::grammar {

namespace x3 = boost::spirit::x3;

struct annotate_position {
  // X3 has already skipped blanks and comments before `first`.
  template <typename Iterator, typename Node, typename Context>
  void on_success(Iterator const& first, Iterator const& last, Node& node, Context const& context) {
    SourceMap const& source = x3::get<parse_state_tag>(context).get().source;
    if constexpr (std::is_base_of_v<x3ast::Positioned, Node>) node.pos = source.locate(first);
    if constexpr (std::is_base_of_v<x3ast::Spanned, Node>) node.end = source.locate(last);
  }
};

struct report_syntax_error {
  template <typename Iterator, typename Exception, typename Context>
  x3::error_handler_result on_error(Iterator const&, Iterator const& last, Exception const& failure,
                                    Context const& context) {
    // A failed rule rewinds to before the blanks that precede the token, so
    // skip them, or the caret would point at a space. The skipper throws on
    // an unterminated comment: then `where` already stands at its start.
    Iterator where = failure.where();
    try {
      x3::skip_over(where, last, context);
    } catch (x3::expectation_failure<Iterator> const&) {
    }
    ParseState& state = x3::get<parse_state_tag>(context).get();
    state.error = expected_here(state, where, failure.which());
    return x3::error_handler_result::fail;
  }
};

}  // namespace bbvi::grammar
