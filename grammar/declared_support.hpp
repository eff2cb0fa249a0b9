#pragma once
// What a latent's declaration says about the values it takes, read the way
// the checker compares it with a guide factor's support.
#include "grammar/ast.hpp"
#include "core/support.hpp"

#include <optional>
#include <string>

namespace bbvi {

// real → real; real<lower=0> → positive; real<lower=0, upper=1> →
// unit_interval; any other bounds → interval. int<lower=0> →
// nonnegative_integer; int<lower=0, upper=1> → binary; int<lower=0, upper=n>
// → bounded_integer; int<lower=1, upper=K> → categorical. Bounds count only when written as (negated) literals.
// nullopt for any other int declaration: the language has no
// discrete support for it.
std::optional<Support> declared_support(ast::Declaration const& d);

// The type as declared, for messages: "real<lower=0>", "int<lower=0, upper=K>".
std::string declared_type(ast::Declaration const& d);

// The value of a literal, possibly negated (-2.5); nullopt for anything else.
std::optional<double> literal_value(ast::Expr const& e);

}  // namespace bbvi
