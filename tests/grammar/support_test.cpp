// tests/grammar/support_test.cpp tests grammar/declared_support.hpp, expr_source.hpp, suggest.hpp
#include "grammar/declared_support.hpp"
#include "grammar/expr_source.hpp"
#include "grammar/parse.hpp"
#include "grammar/suggest.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

using namespace bbvi;

namespace {

ast::Declaration latent(std::string const& declaration) {
  ast::Program const p = parse_program("latent { " + declaration + " } model { } guide { }", "t.model");
  return std::get<ast::Declaration>(p.latent.statements.at(0));
}

}  // namespace

TEST_CASE("declared_support: from the type and the literal bounds") {
  CHECK(declared_support(latent("real a;")) == Support::real);
  CHECK(declared_support(latent("real<lower=0> a;")) == Support::positive);
  CHECK(declared_support(latent("real<lower=0.0, upper=1> a;")) == Support::unit_interval);
  CHECK(declared_support(latent("real<upper=1, lower=0> a;")) == Support::unit_interval);
  CHECK(declared_support(latent("real<lower=-1, upper=1> a;")) == Support::interval);
  CHECK(declared_support(latent("real<lower=c> a;")) == Support::lower_bounded);
  CHECK(declared_support(latent("real<lower=2> a;")) == Support::lower_bounded);
  CHECK(declared_support(latent("real<upper=0> a;")) == Support::upper_bounded);
  CHECK(declared_support(latent("real<lower=0, upper=c> a;")) == Support::interval);
  CHECK(declared_support(latent("int<lower=0> a;")) == Support::nonnegative_integer);
  CHECK(declared_support(latent("int<lower=0, upper=1> a;")) == Support::binary);
  CHECK(declared_support(latent("int<lower=0, upper=K> a;")) == Support::bounded_integer);
  CHECK(declared_support(latent("int<lower=1, upper=K> a;")) == Support::categorical);
  CHECK(declared_support(latent("int<lower=1, upper=N> a;")) == Support::categorical);
  CHECK_FALSE(declared_support(latent("int a;")));
  CHECK_FALSE(declared_support(latent("int<lower=1> a;")));
}

TEST_CASE("declared_type: as the user would write it") {
  CHECK(declared_type(latent("real a;")) == "real");
  CHECK(declared_type(latent("real<upper=1, lower=0> a;")) == "real<lower=0, upper=1>");
  CHECK(declared_type(latent("int<lower=0, upper=K - 1> a;")) == "int<lower=0, upper=K - 1>");
}

TEST_CASE("to_source: only the parentheses that are needed") {
  auto round_trip = [](std::string const& e) {
    return to_source(*latent("real<lower=" + e + "> a;").lower);
  };
  CHECK(round_trip("a - (b - c)") == "a - (b - c)");
  CHECK(round_trip("(a - b) - c") == "a - b - c");
  CHECK(round_trip("(a + b) * c") == "(a + b) * c");
  CHECK(round_trip("-(x^2)") == "-x^2");
  CHECK(round_trip("(-x)^2") == "(-x)^2");
  CHECK(round_trip("2^(3^2)") == "2^3^2");
  CHECK(round_trip("(2^3)^2") == "(2^3)^2");
  CHECK(round_trip("2^-1") == "2^-1");
  CHECK(round_trip("pow(x[i], 0.5)") == "pow(x[i], 0.5)");
}

TEST_CASE("closest_match: within edit distance 2, ignoring case") {
  CHECK(closest_match("mu1", {"mu0", "tau"}) == "mu0");
  CHECK(closest_match("normal", {"Normal", "Gamma"}) == "Normal");
  CHECK(closest_match("Gama", {"Normal", "Gamma"}) == "Gamma");
  CHECK(closest_match("b", {"N"}) == "");
  CHECK(closest_match("lambda", {"mu", "tau"}) == "");
}
