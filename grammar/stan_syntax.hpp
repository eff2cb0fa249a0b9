#pragma once
// Stan users write Stan: `vector[N] x;`, a `parameters` block, `T[0,]`. Where
// a syntax error sits on such a construct, the message names it and gives
// this language's spelling, or says that the language has no such thing,
// instead of the bare "expected '~'" the grammar alone would give
// (docs/language.md, 'Stan syntax').
#include <optional>
#include <string>
#include <string_view>

namespace bbvi::grammar {

struct StanConstruct {
  char const* at = nullptr;  // where the caret goes: the construct's first character
  std::string message;
};

// The Stan construct at or around `where` (a syntax error's place in
// `source`), or nullopt.
std::optional<StanConstruct> stan_construct(std::string_view source, char const* where);

}  // namespace bbvi::grammar
