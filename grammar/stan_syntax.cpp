#include "grammar/stan_syntax.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace bbvi::grammar {

namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// The source with its comments marked, read token by token from a place.
class Text {
 public:
  explicit Text(std::string_view source) : s_(source), comment_(source.size(), false) {
    std::size_t i = 0;
    while (i < s_.size()) {
      if (s_[i] == '#' || s_.compare(i, 2, "//") == 0) {
        for (; i < s_.size() && s_[i] != '\n'; ++i) comment_[i] = true;
      } else if (s_.compare(i, 2, "/*") == 0) {
        std::size_t const close = s_.find("*/", i + 2);
        std::size_t const stop = close == std::string_view::npos ? s_.size() : close + 2;
        for (; i < stop; ++i) comment_[i] = true;
      } else {
        ++i;
      }
    }
  }

  std::size_t size() const { return s_.size(); }
  char at(std::size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

  // The next token's first character at or after i, past blanks and comments.
  std::size_t skip_blank(std::size_t i) const {
    while (i < s_.size() && (comment_[i] || std::isspace(static_cast<unsigned char>(s_[i])) != 0)) ++i;
    return i;
  }

  std::string_view word(std::size_t i) const {
    if (i >= s_.size()) return {};
    std::size_t stop = i;
    while (stop < s_.size() && is_word_char(s_[stop])) ++stop;
    return s_.substr(i, stop - i);
  }

  // The word at i and where the next token starts.
  std::pair<std::string_view, std::size_t> next_word(std::size_t i) const {
    std::string_view const w = word(i);
    return {w, skip_blank(i + w.size())};
  }

  // What `open` at i encloses, as written, and the next token after its
  // `close`; nullopt when i holds no `open` or it is never closed.
  std::optional<std::pair<std::string_view, std::size_t>> enclosed(std::size_t i, char open, char close) const {
    if (at(i) != open) return std::nullopt;
    int depth = 0;
    for (std::size_t j = i; j < s_.size(); ++j) {
      if (comment_[j]) continue;
      if (s_[j] == open) ++depth;
      if (s_[j] == close && --depth == 0) return std::pair{s_.substr(i + 1, j - i - 1), skip_blank(j + 1)};
    }
    return std::nullopt;
  }

  // The first token of the statement that holds i: after the last ';', '{'
  // or '}' before it.
  std::size_t statement_start(std::size_t i) const {
    while (i > 0 && (comment_[i - 1] || std::string_view(";{}").find(s_[i - 1]) == std::string_view::npos)) --i;
    return skip_blank(i);
  }

 private:
  std::string_view s_;
  std::vector<bool> comment_;
};

std::optional<std::string> stan_block(Text const& t, std::size_t i) {
  auto const [first, after] = t.next_word(i);
  std::string_view const second = t.word(after);
  if (first == "parameters")
    return std::string("'parameters' is Stan's block; here the parameters are latents, declared in a 'latent' "
                       "block, and their variational family goes in a 'guide' block");
  if (first == "transformed" && second == "parameters")
    return std::string("Stan's 'transformed parameters' block is not part of this language; write its "
                       "definitions as locals at the top of the model block ('real theta[J] = mu + tau * eta;')");
  if (first == "transformed" && second == "data")
    return std::string("Stan's 'transformed data' block is not part of this language; write its definitions in "
                       "the data block ('real log_x[N] = log(x);'), where they are computed once from the columns");
  if (first == "generated" && second == "quantities")
    return std::string("Stan's 'generated quantities' block is not part of this language; compute them from "
                       "draws of the fitted guide, which a fit writes as CSV on request (docs/output.md)");
  if (first == "functions")
    return std::string("Stan's 'functions' block is not part of this language: it has no user-defined functions");
  return std::nullopt;
}

// `vector<lower=0>[N] x` → `real<lower=0> x[N]`; `array[N] real x` likewise.
std::optional<std::string> stan_declaration(Text const& t, std::size_t start) {
  auto const [type, after_type] = t.next_word(start);
  if (type == "vector" || type == "row_vector") {
    std::size_t i = after_type;
    std::string constraints;
    if (auto const c = t.enclosed(i, '<', '>')) {
      constraints = fmt::format("<{}>", c->first);
      i = c->second;
    }
    auto const size = t.enclosed(i, '[', ']');
    if (!size) return std::nullopt;
    std::string_view const name = t.word(size->second);
    return fmt::format("'{}{}[{}] {}' is Stan; here write 'real{} {}[{}]'", type, constraints, size->first, name,
                       constraints, name, size->first);
  }
  if (type == "array") {
    auto const size = t.enclosed(after_type, '[', ']');
    if (!size) return std::nullopt;
    auto const [element, after_element] = t.next_word(size->second);
    std::size_t i = after_element;
    std::string constraints;
    if (auto const c = t.enclosed(i, '<', '>')) {
      constraints = fmt::format("<{}>", c->first);
      i = c->second;
    }
    std::string_view const name = t.word(i);
    return fmt::format("'array[{}] {}{} {}' is Stan; here write '{}{} {}[{}]'", size->first, element, constraints,
                       name, element, constraints, name, size->first);
  }
  // simplex and cholesky_factor_cov are types here too (docs/language.md, 'The guide block').
  static constexpr std::array<std::string_view, 6> missing_types{
      "ordered", "positive_ordered", "unit_vector", "cov_matrix", "corr_matrix", "cholesky_factor_corr"};
  if (std::find(missing_types.begin(), missing_types.end(), type) != missing_types.end() &&
      (t.at(after_type) == '[' || t.at(after_type) == '<'))
    return fmt::format("'{}' is a Stan type that this language does not have; its types are 'real' and 'int', "
                       "scalars or vectors ('real x[K]'), matrices ('matrix[N, K] X'), 'simplex[K]' and "
                       "'cholesky_factor_cov[K]'",
                       type);
  return std::nullopt;
}

std::optional<std::string> stan_statement(Text const& t, std::size_t start) {
  auto const [first, after] = t.next_word(start);
  if (first == "while" && t.at(after) == '(')
    return std::string("'while' loops are Stan's, and not part of this language: a loop here runs over a range "
                       "known before the fit, 'for (t in 1:N) { … }'");
  if (first == "if" && t.at(after) == '(')
    return std::string("'if' statements are Stan's, and not part of this language");
  return std::nullopt;
}

}  // namespace

std::optional<StanConstruct> stan_construct(std::string_view source, char const* where) {
  Text const t(source);
  std::size_t const i = static_cast<std::size_t>(where - source.data());
  if (t.word(i) == "T" && t.at(t.skip_blank(i + 1)) == '[')
    return StanConstruct{where, "truncation 'T[...]' is Stan's, and not part of this language: a prior on a bounded "
                                "latent is its density on the declared support, untruncated ('HalfNormal(s)' is a "
                                "normal truncated at 0)"};
  if (auto message = stan_block(t, i)) return StanConstruct{where, std::move(*message)};
  std::size_t const start = t.statement_start(i);
  if (start > i) return std::nullopt;
  auto message = stan_declaration(t, start);
  if (!message) message = stan_statement(t, start);
  if (!message) return std::nullopt;
  return StanConstruct{source.data() + start, std::move(*message)};
}

}  // namespace bbvi::grammar
