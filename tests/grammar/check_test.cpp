// tests/grammar/check_test.cpp tests grammar/check.hpp: one rule per test.
#include "grammar/check.hpp"

#include "grammar/parse.hpp"
#include "tests/grammar/test_catalog.hpp"

#include "tests/support/source_file.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <string>

using namespace bbvi;

namespace {

// Every diagnostic of `source`, rendered; empty when the program is valid.
std::string check(std::string const& source) {
  std::string out;
  for (Diagnostic const& d : check_program(parse_program(source, "t.model"), test::small_catalog()))
    out += render(d, source);
  return out;
}

// Only the "file:line:col: error: message" lines, for tests that pin several.
std::string headlines(std::string const& source) {
  std::string out;
  for (Diagnostic const& d : check_program(parse_program(source, "t.model"), test::small_catalog()))
    out += std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column) + ": " + d.message + "\n";
  return out;
}

// The canonical model of docs/language.md, as shipped.
std::string const canonical = testing::read_source_file("models/normal_gamma.model");

// A small valid program; each argument adds lines at the end of its block.
// As is, data spans lines 1-4, latent 5-7, model 8-11 and guide 12-16; each
// added line moves the blocks after it down by one.
std::string program(std::string const& data, std::string const& latent, std::string const& model,
                    std::string const& guide) {
  return "data {\n  real x[N];\n  real c = 1;\n" + data + "}\n" +
         "latent {\n  real mu;\n" + latent + "}\n" +
         "model {\n  mu ~ Normal(c, 1);\n  x ~ Normal(mu, 1);\n" + model + "}\n" +
         "guide {\n  real m = 0;\n  real<lower=0> s = 1;\n  mu ~ Normal(m, s);\n" + guide + "}\n";
}

}  // namespace

TEST_CASE("check: the canonical model is valid") { CHECK(check(canonical) == ""); }

TEST_CASE("check: the test program skeleton is valid") { CHECK(check(program("", "", "", "")) == ""); }

TEST_CASE("check: unknown name, with a suggestion within edit distance 2") {
  CHECK(check("data { real mu0 = 0; }\n"
              "latent { real mu; }\n"
              "model { mu ~ Normal(mu1, 1); }\n"
              "guide { mu ~ Normal(0, 1); }\n") ==
        "t.model:3:21: error: unknown name 'mu1'; did you mean 'mu0'?\n"
        "  model { mu ~ Normal(mu1, 1); }\n"
        "                      ^\n");
  CHECK(headlines(program("", "", "  real e = zzz;\n", "")) == "11:12: unknown name 'zzz'\n");
}

TEST_CASE("check: unknown function and unknown distribution suggest the nearest") {
  CHECK(headlines(program("", "", "  real e = exq(c);\n", "")) ==
        "11:12: unknown function 'exq'; did you mean 'exp'?\n");
  CHECK(check("latent { real mu; }\nmodel { mu ~ Normall(0, 1); }\nguide { mu ~ Normal(0, 1); }\n") ==
        "t.model:2:14: error: unknown distribution 'Normall'; did you mean 'Normal'?\n"
        "  model { mu ~ Normall(0, 1); }\n"
        "               ^\n");
  CHECK(headlines("latent { real mu; }\nmodel { mu ~ normal(0, 1); }\nguide { mu ~ Normal(0, 1); }\n") ==
        "2:14: 'normal' is spelled 'Normal' here\n");
}

TEST_CASE("check: wrong number of arguments for a distribution or a function") {
  CHECK(check("latent { real mu; }\nmodel { mu ~ Normal(0, 1, 2); }\nguide { mu ~ Normal(0, 1); }\n") ==
        "t.model:2:14: error: Normal takes 2 arguments (mean, sd), but 3 were given\n"
        "  model { mu ~ Normal(0, 1, 2); }\n"
        "               ^\n");
  CHECK(headlines("latent { int<lower=0> k; }\nmodel { k ~ Poisson(1, 2); }\nguide { k ~ Poisson(); }\n") ==
        "2:13: Poisson takes 1 argument (rate), but 2 were given\n"
        "3:13: Poisson takes 1 argument (rate), but 0 were given\n");
  CHECK(headlines(program("", "", "  real e = pow(c);\n  real f = exp(c, c);\n", "")) ==
        "11:12: pow takes 2 arguments, but 1 was given\n"
        "12:12: exp takes 1 argument, but 2 were given\n");
}

TEST_CASE("check: a latent without a prior or a guide factor") {
  CHECK(check(program("", "  real<lower=0> tau;\n", "", "")) ==
        "t.model:7:17: error: latent 'tau' has no prior and the model never reads it:"
        " its posterior would be flat on real<lower=0>, which is no distribution; give it a prior with '~'\n"
        "    real<lower=0> tau;\n"
        "                  ^\n"
        "t.model:7:17: error: latent 'tau' has no guide factor in the guide block\n"
        "    real<lower=0> tau;\n"
        "                  ^\n");
}

TEST_CASE("check: a latent with two priors or two guide factors, with a note at the first") {
  CHECK(check(program("", "", "  mu ~ Normal(0, 2);\n", "")) ==
        "t.model:11:3: error: latent 'mu' already has a prior in the model block\n"
        "    mu ~ Normal(0, 2);\n"
        "    ^\n"
        "t.model:9:3: note: the first prior of 'mu' is here\n"
        "    mu ~ Normal(c, 1);\n"
        "    ^\n");
  CHECK(headlines(program("", "", "", "  mu ~ Normal(0, s);\n")) == "16:3: latent 'mu' already has a guide factor\n");
}

TEST_CASE("check: a data column is observed at most once") {
  CHECK(headlines(program("", "", "  x ~ Normal(0, 1);\n", "")) ==
        "11:3: data column 'x' is already observed by an earlier '~'\n");
}

TEST_CASE("check: the left side of '~' is a latent or data column in the model, a latent in the guide") {
  CHECK(headlines(program("", "", "  c ~ Normal(0, 1);\n", "")) ==
        "11:3: the left side of '~' must be a latent or a data column, not the constant 'c'\n");
  CHECK(headlines(program("", "", "", "  x ~ Normal(0, 1);\n")) ==
        "16:3: the left side of '~' in the guide must be a latent, not the data column 'x'\n");
}

TEST_CASE("check: a guide factor's support differs from the latent's") {
  CHECK(check(program("", "  real<lower=0> tau;\n", "  tau ~ Gamma(1, 1);\n", "  tau ~ Normal(m, s);\n")) ==
        "t.model:18:9: error: tau is real<lower=0>, but its guide factor Normal has support real\n"
        "    tau ~ Normal(m, s);\n"
        "          ^\n"
        "t.model:7:3: note: 'tau' is declared here\n"
        "    real<lower=0> tau;\n"
        "    ^\n");
}

TEST_CASE("check: an int latent with a continuous guide factor, and the reverse") {
  CHECK(headlines(program("", "  int<lower=0, upper=1> z;\n", "  z ~ Bernoulli(0.5);\n", "  z ~ Normal(m, s);\n")) ==
        "18:7: z is int<lower=0, upper=1>, a discrete latent, but its guide factor Normal is continuous "
        "(support real)\n");
  CHECK(headlines("latent { real mu; }\n"
                  "model { mu ~ Normal(0, 1); }\n"
                  "guide { mu ~ Poisson(1); }\n") ==
        "3:14: mu is real, a continuous latent, but its guide factor Poisson is discrete "
        "(support int<lower=0>)\n");
}

TEST_CASE("check: int latents need lower=0") {
  CHECK(headlines(program("", "  int k;\n", "  k ~ Poisson(1);\n", "  k ~ Poisson(s);\n")) ==
        "7:3: int latents need lower=0: declare 'k' as int<lower=0> or int<lower=0, upper=n>, or as "
        "int<lower=1, upper=K> for a Categorical\n");
  CHECK(headlines(program("", "  int<lower=1> k;\n", "  k ~ Poisson(1);\n", "  k ~ Poisson(s);\n")) ==
        "7:13: int latents need lower=0: declare 'k' as int<lower=0> or int<lower=0, upper=n>, or as "
        "int<lower=1, upper=K> for a Categorical\n");
  // lower=1 with an upper bound is a Categorical's support 1..K.
  CHECK(headlines(program("", "  int<lower=1, upper=3> k;\n", "  k ~ Poisson(1);\n", "  k ~ Poisson(s);\n")) ==
        "18:7: k is int<lower=1, upper=3>, but its guide factor Poisson has support int<lower=0>\n");
}

TEST_CASE("check: supports follow the literal bounds") {
  CHECK(check(program("", "  int<lower=0> k;\n", "  k ~ Poisson(1);\n", "  k ~ Poisson(s);\n")) == "");
  CHECK(headlines(program("", "  real<lower=-1, upper=1> r;\n", "  r ~ Normal(0, 1);\n", "  r ~ Normal(m, s);\n")) ==
        "18:7: r is real<lower=-1, upper=1>, but its guide factor Normal has support real\n");
}

TEST_CASE("check: a guide factor that depends on a latent breaks the mean-field rule") {
  CHECK(check(program("", "  real<lower=0> tau;\n", "  tau ~ Gamma(1, 1);\n", "  tau ~ Gamma(mu, 1);\n")) ==
        "t.model:18:15: error: the guide factor of 'tau' depends on the latent 'mu', but guide factors may "
        "depend only on variational parameters and constants (mean field)\n"
        "    tau ~ Gamma(mu, 1);\n"
        "                ^\n");
}

TEST_CASE("check: a guide declaration that depends on a latent or a data column") {
  CHECK(headlines(program("", "", "", "  real v = mu + 1;\n  real w = x;\n")) ==
        "16:12: 'v' depends on the latent 'mu', but guide declarations may depend only on variational "
        "parameters and constants (mean field)\n"
        "17:12: 'w' depends on the data column 'x', but guide declarations may depend only on variational "
        "parameters and constants (mean field)\n");
}

TEST_CASE("check: guide declarations are parameters or, if they use one, guide locals") {
  CHECK(check(program("", "", "", "  real<lower=0> s2 = s * s;\n  real m2[3] = 0;\n")) == "");
  CHECK(headlines(program("", "", "", "  int k = 1;\n")) ==
        "16:3: variational parameter 'k' must be real: it is optimised on a continuous scale\n");
}

TEST_CASE("check: a name declared twice, with a note at the first") {
  CHECK(check(program("", "  real c;\n", "", "")) ==
        "t.model:7:8: error: 'c' is already declared\n"
        "    real c;\n"
        "         ^\n"
        "t.model:3:8: note: 'c' is first declared here\n"
        "    real c = 1;\n"
        "         ^\n");
  CHECK(headlines(program("", "", "  real m = 1;\n", "")) == "");  // model and guide scopes are separate
  CHECK(headlines(program("", "", "", "  real m = 1;\n")) == "16:8: 'm' is already declared\n");
  CHECK(headlines(program("  int N = 3;\n", "", "", "")) == "4:7: 'N' is the number of data rows and cannot be declared\n");
}

TEST_CASE("check: the data block cannot use latents or guide parameters") {
  CHECK(headlines(program("  real d = mu;\n  real e = m;\n", "", "", "")) ==
        "4:12: the data block cannot use the latent 'mu'\n"
        "5:12: the data block cannot use the variational parameter 'm'\n");
}

TEST_CASE("check: a data value that reads the data is derived data; a constant's reads constants") {
  CHECK(headlines(program("  real d = mean(x);\n  real e = N;\n  real f = sqrt(c) * 2;\n  real h[N] = log(x) + d;\n",
                          "", "", "")) == "");
  CHECK(headlines(program("  real d = g;\n  real g = 1;\n", "", "", "")) ==
        "4:12: 'g' is used before it is declared\n");
}

TEST_CASE("check: an int constant holds an integer; a vector with a value is data, an int one of integers") {
  CHECK(headlines(program("  real d[3] = 1;\n  int J = 2.5;\n  int K = 2 * 3;\n  int w[2] = {1, 2.5};\n", "", "", "")) ==
        "5:11: 'J' is an int, but its value is not an integer\n"
        "7:14: 'w' is an int, but its value is not an integer\n");
}

TEST_CASE("check: a data column has size N") {
  CHECK(headlines(program("  real y[3];\n  real z;\n", "", "", "")) ==
        "4:10: data column 'y' must have size N, the number of CSV rows\n"
        "5:8: 'z' has neither a size nor a value: declare a data column as 'real z[N];' or a constant as "
        "'real z = 1;'\n");
}

TEST_CASE("check: a latent or parameter size is an int expression of literals, int constants and N") {
  CHECK(check(program("  int J = 3;\n", "  real a[N];\n  real b[J];\n  real d[2];\n",
                      "  a ~ Normal(0, 1);\n  b ~ Normal(0, 1);\n  d ~ Normal(0, 1);\n",
                      "  real ma[N] = 0;\n  a ~ Normal(ma, 1);\n  b ~ Normal(0, 1);\n  d ~ Normal(0, 1);\n")) == "");
  CHECK(headlines(program("  real r = 3;\n", "  real a[r];\n  real b[x];\n  real d[0];\n", "", "")) ==
        "8:8: latent 'a' has no prior and the model never reads it:"
        " its posterior would be flat on real, which is no distribution; give it a prior with '~'\n"
        "8:8: latent 'a' has no guide factor in the guide block\n"
        "8:10: the size of 'a' must be an int: N, int literals and int constants, with + - *\n"
        "9:8: latent 'b' has no prior and the model never reads it:"
        " its posterior would be flat on real, which is no distribution; give it a prior with '~'\n"
        "9:8: latent 'b' has no guide factor in the guide block\n"
        "9:10: a size can use only literals, constants and N, not the data column 'x'\n"
        "10:8: latent 'd' has no prior and the model never reads it:"
        " its posterior would be flat on real, which is no distribution; give it a prior with '~'\n"
        "10:8: latent 'd' has no guide factor in the guide block\n"
        "10:10: the size of 'd' must be at least 1\n");
}

TEST_CASE("check: latents have no value, model declarations must have one") {
  CHECK(headlines(program("", "  real v = 1;\n", "  v ~ Normal(0, 1);\n  real e;\n", "  v ~ Normal(m, s);\n")) ==
        "7:12: latent 'v' cannot have a value: it is drawn from its prior ('v ~ ...;' in the model block)\n"
        "13:8: model local 'e' needs a value ('e = ...'): the model block declares only deterministic "
        "definitions\n");
}

TEST_CASE("check: a model local used before its declaration, or in its own definition") {
  CHECK(check(program("", "", "  real e = f;\n  real f = e + 1;\n  real g = g;\n", "")) ==
        "t.model:11:12: error: 'f' is used before it is declared\n"
        "    real e = f;\n"
        "             ^\n"
        "t.model:12:8: note: 'f' is declared here\n"
        "    real f = e + 1;\n"
        "         ^\n"
        "t.model:13:12: error: 'g' is used in its own definition\n"
        "    real g = g;\n"
        "             ^\n"
        "t.model:13:8: note: 'g' is declared here\n"
        "    real g = g;\n"
        "         ^\n");
}

TEST_CASE("check: the model and the guide cannot use each other's declarations") {
  CHECK(headlines(program("", "", "  real e = m;\n", "  real v = e;\n")) ==
        "11:12: the model cannot use the variational parameter 'm'; it belongs to the guide\n"
        "17:12: the guide cannot use the model local 'e'; it belongs to the model\n");
}

TEST_CASE("check: indexing") {
  CHECK(headlines(program("  int<lower=1> g[N];\n  int J = 2;\n", "  real theta[J];\n",
                          "  theta ~ Normal(0, 1);\n  real e = theta[g] + theta[1] + theta[x] + c[1];\n",
                          "  theta ~ Normal(0, 1);\n")) ==
        "15:40: an index must be an int, but the data column 'x' is real\n"
        "15:45: the constant 'c' is a scalar and cannot be indexed\n");
}

TEST_CASE("check: a cycle among the model's '~' statements") {
  std::string const cyclic = "latent { real a; real b; }\n"
                             "model {\n"
                             "  real e = b * 2;\n"
                             "  a ~ Normal(e, 1);\n"
                             "  b ~ Normal(a, 1);\n"
                             "}\n"
                             "guide { a ~ Normal(0, 1); b ~ Normal(0, 1); }\n";
  CHECK(check(cyclic) ==
        "t.model:5:3: error: the model's '~' statements form a cycle: 'b' depends on 'a', which depends on 'b'\n"
        "    b ~ Normal(a, 1);\n"
        "    ^\n"
        "t.model:4:3: note: 'a' is drawn here\n"
        "    a ~ Normal(e, 1);\n"
        "    ^\n");
  CHECK(headlines("latent { real a; }\nmodel { a ~ Normal(a, 1); }\nguide { a ~ Normal(0, 1); }\n") ==
        "2:9: the model's '~' statements form a cycle: 'a' depends on itself\n");
}

TEST_CASE("check: bounds use only literals, constants and N") {
  CHECK(headlines(program("  int<lower=1, upper=N> g[N];\n", "  real<lower=c> b;\n  real<upper=mu> u;\n",
                          "  b ~ Normal(0, 1);\n  u ~ Normal(0, 1);\n",
                          "  b ~ Normal(m, s);\n  u ~ Normal(m, s);\n")) ==
        "9:14: a bound can use only literals, constants and N, not the latent 'mu'\n"
        // a bound that is not a literal makes the support an interval
        "21:7: b is real<lower=c>, but its guide factor Normal has support real\n"
        "22:7: u is real<upper=mu>, but its guide factor Normal has support real\n");
}

TEST_CASE("check: diagnostics come in source order") {
  std::string const out = headlines(program("", "  real<lower=0> tau;\n", "  real e = zz;\n", "  real v = yy;\n"));
  CHECK(out ==
        "7:17: latent 'tau' has no prior and the model never reads it:"
        " its posterior would be flat on real<lower=0>, which is no distribution; give it a prior with '~'\n"
        "7:17: latent 'tau' has no guide factor in the guide block\n"
        "12:12: unknown name 'zz'\n"
        "18:12: unknown name 'yy'\n");
}
