// tests/grammar/parse_test.cpp tests grammar/parse.hpp
#include "grammar/parse.hpp"

#include "core/diagnostic.hpp"
#include "grammar/nesting.hpp"

#include "tests/support/source_file.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

#include <string>

using namespace bbvi;

namespace {

// The canonical model of docs/language.md, as shipped.
std::string const canonical = testing::read_source_file("models/normal_gamma.model");

// An expression as a Lisp-like string: (neg (pow x 2)). Numbers print with
// "i" when they were written as integers.
std::string sexpr(ast::Expr const& e) {
  auto list = [&](std::string head) {
    for (ast::Expr const& arg : e.args) head += " " + sexpr(arg);
    return "(" + head + ")";
  };
  switch (e.kind) {
    case ast::ExprKind::number: {
      std::string text = std::to_string(e.number);
      text.erase(text.find_last_not_of('0') + 1);
      if (text.back() == '.') text.pop_back();
      return text + (e.integer_literal ? "i" : "");
    }
    case ast::ExprKind::name: return e.name;
    case ast::ExprKind::negate: return list("neg");
    case ast::ExprKind::add: return list("+");
    case ast::ExprKind::subtract: return list("-");
    case ast::ExprKind::multiply: return list("*");
    case ast::ExprKind::divide: return list("/");
    case ast::ExprKind::power: return list("^");
    case ast::ExprKind::call: return list("call " + e.name);
    case ast::ExprKind::index: return list("index " + e.name);
    case ast::ExprKind::matrix_element: return list("element " + e.name);
    case ast::ExprKind::array: return list("array");
    case ast::ExprKind::less: return list("<");
    case ast::ExprKind::less_equal: return list("<=");
    case ast::ExprKind::greater: return list(">");
    case ast::ExprKind::greater_equal: return list(">=");
    case ast::ExprKind::equal: return list("==");
    case ast::ExprKind::not_equal: return list("!=");
    case ast::ExprKind::logical_and: return list("&&");
    case ast::ExprKind::logical_or: return list("||");
    case ast::ExprKind::logical_not: return list("!");
    case ast::ExprKind::conditional: return list("?");
  }
  return "?";
}

std::string const latent_z = "latent { real z; }\n";

// The first argument of `z ~ D(<expression>);` in a model block.
ast::Expr parse_expression(std::string const& expression) {
  ast::Program const p =
      parse_program(latent_z + "model { z ~ D(" + expression + "); } guide { }", "e.model");
  return std::get<ast::Sample>(p.model.statements.at(0)).args.at(0);
}

// Every diagnostic of a failed parse, rendered.
std::string syntax_error(std::string const& source) {
  try {
    parse_program(source, "t.model");
  } catch (DiagnosticError const& e) {
    std::string out;
    for (Diagnostic const& d : e.diagnostics()) out += render(d, source);
    return out;
  }
  return "no error";
}

ast::Declaration const& declaration(ast::Block const& b, std::size_t i) {
  return std::get<ast::Declaration>(b.statements.at(i));
}
ast::Sample const& sample(ast::Block const& b, std::size_t i) { return std::get<ast::Sample>(b.statements.at(i)); }

}  // namespace

TEST_CASE("parse: the canonical model gives the expected blocks and statements") {
  ast::Program const p = parse_program(canonical, "normal_gamma.model");
  CHECK(p.file == "normal_gamma.model");

  REQUIRE(p.data);
  CHECK(p.data->kind == ast::BlockKind::data);
  CHECK(p.data->pos == Position{2, 1});
  REQUIRE(p.data->statements.size() == 5);
  ast::Declaration const& x = declaration(*p.data, 0);
  CHECK(x.name == "x");
  CHECK(x.type == ast::BaseType::real);
  CHECK(x.pos == Position{3, 3});
  CHECK(x.name_pos == Position{3, 8});
  REQUIRE(x.size);
  CHECK(sexpr(*x.size) == "N");
  CHECK(x.size->pos == Position{3, 10});
  CHECK_FALSE(x.value);
  ast::Declaration const& lambda0 = declaration(*p.data, 2);
  CHECK(lambda0.name == "lambda0");
  CHECK(lambda0.name_pos == Position{5, 17});
  REQUIRE(lambda0.lower);
  CHECK(sexpr(*lambda0.lower) == "0i");
  CHECK_FALSE(lambda0.upper);
  CHECK(sexpr(*lambda0.value) == "1i");

  CHECK(p.latent.pos == Position{10, 1});
  REQUIRE(p.latent.statements.size() == 2);
  CHECK(declaration(p.latent, 0).name == "mu");
  CHECK_FALSE(declaration(p.latent, 0).lower);
  CHECK(declaration(p.latent, 1).name == "tau");

  REQUIRE(p.model.statements.size() == 3);
  ast::Sample const& mu = sample(p.model, 1);
  CHECK(mu.pos == Position{17, 3});
  CHECK(sexpr(mu.lhs) == "mu");
  CHECK(mu.distribution == "Normal");
  CHECK(mu.distribution_pos == Position{17, 9});
  REQUIRE(mu.args.size() == 2);
  CHECK(sexpr(mu.args[1]) == "(/ 1i (call sqrt (* lambda0 tau)))");
  CHECK(mu.args[1].pos == Position{17, 23});           // the '/'
  CHECK(mu.args[1].args[1].pos == Position{17, 25});   // sqrt
  CHECK(mu.args[1].args[1].args[0].args[1].pos == Position{17, 40});  // tau

  REQUIRE(p.guide.statements.size() == 6);
  CHECK(declaration(p.guide, 0).name == "mu_N");
  CHECK(sample(p.guide, 5).distribution == "Gamma");
  CHECK(sample(p.guide, 5).pos == Position{28, 3});
}

TEST_CASE("parse: the data block may be absent") {
  ast::Program const p = parse_program("latent { real z; } model { } guide { }", "t.model");
  CHECK_FALSE(p.data);
  CHECK(p.latent.statements.size() == 1);
}

TEST_CASE("parse: unary minus binds looser than ^") {
  CHECK(sexpr(parse_expression("-x^2")) == "(neg (^ x 2i))");
  CHECK(sexpr(parse_expression("-2^2")) == "(neg (^ 2i 2i))");
}

TEST_CASE("parse: ^ is right associative and takes a negated exponent") {
  CHECK(sexpr(parse_expression("2^3^2")) == "(^ 2i (^ 3i 2i))");
  CHECK(sexpr(parse_expression("2^-1")) == "(^ 2i (neg 1i))");
}

TEST_CASE("parse: + - * / are left associative with the usual precedence") {
  CHECK(sexpr(parse_expression("a - b - c")) == "(- (- a b) c)");
  CHECK(sexpr(parse_expression("a / b / c")) == "(/ (/ a b) c)");
  CHECK(sexpr(parse_expression("a + b * c")) == "(+ a (* b c))");
  CHECK(sexpr(parse_expression("(a + b) * c")) == "(* (+ a b) c)");
  CHECK(sexpr(parse_expression("-a * b")) == "(* (neg a) b)");
  CHECK(sexpr(parse_expression("a * -b")) == "(* a (neg b))");
}

TEST_CASE("parse: comparisons, logic and ?: with Stan's precedence") {
  CHECK(sexpr(parse_expression("a < b + 1")) == "(< a (+ b 1i))");
  CHECK(sexpr(parse_expression("a <= b")) == "(<= a b)");
  CHECK(sexpr(parse_expression("a >= b")) == "(>= a b)");
  CHECK(sexpr(parse_expression("a == b < c")) == "(== a (< b c))");
  CHECK(sexpr(parse_expression("a != b")) == "(!= a b)");
  CHECK(sexpr(parse_expression("a && b || c && d")) == "(|| (&& a b) (&& c d))");
  CHECK(sexpr(parse_expression("!a == b")) == "(== (! a) b)");
  CHECK(sexpr(parse_expression("!-a")) == "(! (neg a))");
  CHECK(sexpr(parse_expression("a < b ? 1 : 2")) == "(? (< a b) 1i 2i)");
  CHECK(sexpr(parse_expression("c ? a : d ? e : f")) == "(? c a (? d e f))");
  CHECK(sexpr(parse_expression("(c ? a : b) * 2")) == "(* (? c a b) 2i)");
}

TEST_CASE("parse: a bound is a sum, so its '>' closes the constraints") {
  ast::Program const p = parse_program("latent { real<lower=-1, upper=1 + 1> z; }\nmodel { } guide { }", "b.model");
  auto const& d = std::get<ast::Declaration>(p.latent.statements.at(0));
  REQUIRE(d.upper);
  CHECK(sexpr(*d.upper) == "(+ 1i 1i)");
}

TEST_CASE("parse: calls and indexing") {
  CHECK(sexpr(parse_expression("pow(a, b[i + 1])")) == "(call pow a (index b (+ i 1i)))");
  CHECK(sexpr(parse_expression("f()")) == "(call f)");
  CHECK(sexpr(parse_expression("theta[g] * x")) == "(* (index theta g) x)");
}

TEST_CASE("parse: operator positions are the operator, token positions the first character") {
  ast::Expr const e = parse_expression("a - -b^2");  // model line 2: "model { z ~ D(" is 14 wide
  CHECK(e.pos == Position{2, 17});                    // '-'
  CHECK(e.args[0].pos == Position{2, 15});            // a
  CHECK(e.args[1].pos == Position{2, 19});            // unary '-'
  CHECK(e.args[1].args[0].pos == Position{2, 21});    // '^'
  CHECK(e.args[1].args[0].args[0].pos == Position{2, 20});  // b
}

TEST_CASE("parse: number forms") {
  ast::Expr const three = parse_expression("3");
  CHECK(three.number == 3);
  CHECK(three.integer_literal);
  CHECK(parse_expression("2.5").number == 2.5);
  CHECK_FALSE(parse_expression("2.5").integer_literal);
  CHECK(parse_expression("1e-3").number == Approx(0.001));
  CHECK_FALSE(parse_expression("1e-3").integer_literal);
  CHECK(parse_expression("2E+2").number == 200);
  CHECK_FALSE(parse_expression("2E+2").integer_literal);
  CHECK(parse_expression(".5").number == 0.5);
  CHECK(parse_expression("1.").number == 1);
  CHECK_FALSE(parse_expression("1.").integer_literal);
  CHECK(sexpr(parse_expression("-2.5")) == "(neg 2.5)");
}

TEST_CASE("parse: every comment style, including one at the end without a newline") {
  std::string const source =
      "# hash comment\n"
      "latent { real z; } // line comment\n"
      "/* a block comment\n"
      "   over two lines */ model { z ~ D(1 /* inside */ + 2); }\n"
      "guide { } // the end, without a newline";
  ast::Program const p = parse_program(source, "t.model");
  CHECK(p.model.pos == Position{4, 22});
  CHECK(sexpr(sample(p.model, 0).args[0]) == "(+ 1i 2i)");
  CHECK(parse_program("latent{}model{}guide{}#", "t.model").guide.statements.empty());
  CHECK(parse_program("latent{}model{}guide{}/**/", "t.model").guide.statements.empty());
}

TEST_CASE("parse: keywords need a word boundary") {
  ast::Program const p = parse_program("latent { real realx; int integer; } model { } guide { }", "t.model");
  CHECK(declaration(p.latent, 0).name == "realx");
  CHECK(declaration(p.latent, 1).name == "integer");
}

TEST_CASE("parse: a missing ';' points at the next token, with the source line and a caret") {
  CHECK(syntax_error("latent { real z; }\n"
                     "model {\n"
                     "  z ~ Normal(0, 1)\n"
                     "}\n"
                     "guide { }\n") ==
        "t.model:4:1: error: expected ';'\n"
        "  }\n"
        "  ^\n");
  CHECK(syntax_error("latent {\n"
                     "  real z\n"
                     "  real y;\n"
                     "}\n") ==
        "t.model:3:3: error: expected ';'\n"
        "    real y;\n"
        "    ^\n");
}

TEST_CASE("parse: messages name what was expected") {
  CHECK(syntax_error("latent { real z; } model { z ~ 3; } guide { }") ==
        "t.model:1:32: error: expected a distribution name after '~'\n"
        "  latent { real z; } model { z ~ 3; } guide { }\n"
        "                                 ^\n");
  CHECK(syntax_error("latent { real z; } model { z ~ Normal(0, ); } guide { }") ==
        "t.model:1:42: error: expected an expression\n"
        "  latent { real z; } model { z ~ Normal(0, ); } guide { }\n"
        "                                           ^\n");
  CHECK(syntax_error("latent { real z; }\nmodel { z ~ Normal(0, 1);\nguide { }") ==
        "t.model:3:1: error: expected '}' to close the model block\n"
        "  guide { }\n"
        "  ^\n");
  CHECK(syntax_error("latent { real z; } model") ==
        "t.model:1:25: error: expected '{' after 'model'\n"
        "  latent { real z; } model\n"
        "                          ^\n");
  CHECK(syntax_error("latent { real<lower 0> z; }") ==
        "t.model:1:21: error: expected '='\n"
        "  latent { real<lower 0> z; }\n"
        "                      ^\n");
  CHECK(syntax_error("latent { real<lower=0 z; }") ==
        "t.model:1:23: error: expected ',' or '>' to close the constraints\n"
        "  latent { real<lower=0 z; }\n"
        "                        ^\n");
  CHECK(syntax_error("latent { real z[N; }") ==
        "t.model:1:18: error: expected ']'\n"
        "  latent { real z[N; }\n"
        "                   ^\n");
  CHECK(syntax_error("latent { real z; } model { z 3; } guide { }") ==
        "t.model:1:30: error: expected '~'\n"
        "  latent { real z; } model { z 3; } guide { }\n"
        "                               ^\n");
  CHECK(syntax_error("latent { real z; } model { for (t in 1:3 z ~ Normal(0, 1); } guide { }") ==
        "t.model:1:42: error: expected ')'\n"
        "  latent { real z; } model { for (t in 1:3 z ~ Normal(0, 1); } guide { }\n"
        "                                           ^\n");
  CHECK(syntax_error("latent { real z; } model { for (t in 1:3) { z ~ Normal(0, 1); guide { }") ==
        "t.model:1:63: error: expected '}' to close the loop\n"
        "  latent { real z; } model { for (t in 1:3) { z ~ Normal(0, 1); guide { }\n"
        "                                                                ^\n");
}

TEST_CASE("parse: a reserved word cannot be a name") {
  CHECK(syntax_error("latent { real model; }") ==
        "t.model:1:15: error: expected a variable name ('model' is a reserved word)\n"
        "  latent { real model; }\n"
        "                ^\n");
}

TEST_CASE("parse: the caret is at the token, not at the blanks or comments before it") {
  CHECK(syntax_error("latent { real z /* c */\n\t\t  = ; }") ==
        "t.model:2:7: error: expected an expression\n"
        "  \t\t  = ; }\n"
        "  \t\t    ^\n");
}

TEST_CASE("parse: stray characters are named") {
  CHECK(syntax_error("latent { real z; } model { z ~ Normal(0 @ 1); } guide { }") ==
        "t.model:1:41: error: expected ',' or ')', found stray character '@'\n"
        "  latent { real z; } model { z ~ Normal(0 @ 1); } guide { }\n"
        "                                          ^\n");
}

TEST_CASE("parse: an unterminated comment points at its start") {
  CHECK(syntax_error("latent { real z; } /* model { }\nguide { }") ==
        "t.model:1:20: error: expected '*/' to end this comment\n"
        "  latent { real z; } /* model { }\n"
        "                     ^\n");
}

TEST_CASE("parse: blocks must come in order, once each") {
  CHECK(syntax_error("model { } guide { }") ==
        "t.model:1:1: error: expected 'latent' block before the model block\n"
        "  model { } guide { }\n"
        "  ^\n");
  CHECK(syntax_error("latent { } guide { } model { }") ==
        "t.model:1:12: error: expected 'model' block before the guide block\n"
        "  latent { } guide { } model { }\n"
        "             ^\n");
  // Without a guide block, the model gets the automatic guide (automatic_guide_test.cpp).
  CHECK(syntax_error("latent { } model { }") == "no error");
  // `guide auto;` says the same explicitly; without its ';' or with another
  // word after 'guide', the error says what may follow.
  CHECK(syntax_error("latent { } model { } guide auto;") == "no error");
  CHECK(syntax_error("latent { } model { } guide auto") ==
        "t.model:1:32: error: expected ';' after 'guide auto'\n"
        "  latent { } model { } guide auto\n"
        "                                 ^\n");
  CHECK(syntax_error("latent { } model { } guide x") ==
        "t.model:1:28: error: expected '{' after 'guide' (or 'guide auto;')\n"
        "  latent { } model { } guide x\n"
        "                             ^\n");
  CHECK(syntax_error("latent { } model { } guide auto; guide { }").find("error: a second guide block") !=
        std::string::npos);
  CHECK(syntax_error("latent { } data { } model { } guide { }") ==
        "t.model:1:12: error: the data block must come before the latent block\n"
        "  latent { } data { } model { } guide { }\n"
        "             ^\n"
        "t.model:1:1: note: the latent block is here\n"
        "  latent { } data { } model { } guide { }\n"
        "  ^\n");
  CHECK(syntax_error("latent { } model { } model { } guide { }").find("error: a second model block") !=
        std::string::npos);
  CHECK(syntax_error("") ==
        "t.model:1:1: error: the file has no blocks: a model is an optional data block, then the latent, model "
        "and guide blocks\n");
}

TEST_CASE("parse: a '~' in the data or latent block is rejected with the reason") {
  CHECK(syntax_error("latent { real z; z ~ Normal(0, 1); } model { } guide { }") ==
        "t.model:1:18: error: a '~' statement cannot be in the latent block; priors and likelihood "
        "terms belong in the model block, guide factors in the guide block\n"
        "  latent { real z; z ~ Normal(0, 1); } model { } guide { }\n"
        "                   ^\n");
}

TEST_CASE("parse: a bound given twice") {
  CHECK(syntax_error("latent { real<upper=1, upper=2> z; } model { } guide { }") ==
        "t.model:1:24: error: 'upper' is given twice\n"
        "  latent { real<upper=1, upper=2> z; } model { } guide { }\n"
        "                         ^\n"
        "t.model:1:15: note: 'upper' is first given here\n"
        "  latent { real<upper=1, upper=2> z; } model { } guide { }\n"
        "                ^\n");
}

TEST_CASE("parse: constraints in either order") {
  ast::Program const p = parse_program("latent { real<upper=1, lower=-1> z; } model { } guide { }", "t.model");
  CHECK(sexpr(*declaration(p.latent, 0).lower) == "(neg 1i)");
  CHECK(sexpr(*declaration(p.latent, 0).upper) == "1i");
}

TEST_CASE("parse: nesting up to the limits parses, one step beyond is an error") {
  // D( is the first bracket: 99 more reach the limit of 100.
  std::string const deepest = std::string(99, '(') + "1" + std::string(99, ')');
  CHECK(parse_expression(deepest).height == 1);
  CHECK(syntax_error(latent_z + "model { z ~ D((" + deepest + ")); } guide { }").find("nest more than 100") !=
        std::string::npos);

  std::string signs;
  for (int i = 0; i < grammar::max_unary_chain; ++i) signs += "-\v";  // the parser skips \v as a blank
  CHECK(parse_expression(signs + "1").height == grammar::max_unary_chain + 1);
  CHECK(syntax_error(latent_z + "model { z ~ D(-" + signs + "1); } guide { }").find("unary signs in one chain") !=
        std::string::npos);
  // Each '^' nests the parser one level too, brackets or not.
  std::string powers = "(z)";
  for (int i = 0; i < grammar::max_unary_chain; ++i) powers += "^(z)";
  CHECK(syntax_error(latent_z + "model { z ~ D(" + powers + "); } guide { }") == "no error");
  CHECK(syntax_error(latent_z + "model { z ~ D(" + powers + "^z); } guide { }").find("unary signs in one chain") !=
        std::string::npos);
  // A binary operator ends a chain.
  std::string separated;
  for (int i = 0; i < 3 * grammar::max_unary_chain; ++i) separated += "z^z + ";
  CHECK(syntax_error(latent_z + "model { z ~ D(" + separated + "1); } guide { }") == "no error");

  // A sum of k terms is k − 1 additions deep, above its leaf.
  auto const sum = [](int terms) {
    std::string s = "1";
    for (int i = 1; i < terms; ++i) s += "+1";
    return s;
  };
  CHECK(parse_expression(sum(grammar::max_expression_height)).height == grammar::max_expression_height);
  CHECK(syntax_error(latent_z + "model { z ~ D(" + sum(grammar::max_expression_height + 1) + "); } guide { }")
            .find("more than 1000 operations deep") != std::string::npos);
}

TEST_CASE("parse: matrices, their elements, and array literals") {
  ast::Program const p = parse_program("data { int K = 2; matrix<lower=0>[N, K] X; real w[2] = {0.5, 1}; }\n" +
                                           latent_z + "model { z ~ D(X * b + X[n, 2]); } guide { }",
                                       "m.model");
  ast::Declaration const& x = declaration(*p.data, 1);
  CHECK(x.name == "X");
  REQUIRE(x.matrix_rows);
  CHECK(sexpr(*x.matrix_rows) == "N");
  CHECK(sexpr(*x.size) == "K");
  CHECK(sexpr(*x.lower) == "0i");
  CHECK(sexpr(*declaration(*p.data, 2).value) == "(array 0.5 1i)");
  CHECK(sexpr(sample(p.model, 0).args.at(0)) == "(+ (* X b) (element X n 2i))");
  CHECK(sexpr(parse_expression("{a, -1 + b}")) == "(array a (+ (neg 1i) b))");
}

TEST_CASE("parse: loops, nested and with one-statement bodies, and element assignments") {
  ast::Program const p = parse_program(latent_z + "model { real h[N]; h[1] = z;\n"
                                                  "  for (t in 2:N) { h[t] = h[t - 1] + z; y[t] ~ D(h[t]); }\n"
                                                  "  for (i in 1:2) for (j in i:3) target += h[j]; } guide { }",
                                       "m.model");
  REQUIRE(p.model.statements.size() == 4);
  auto const& first = std::get<ast::Assignment>(p.model.statements[1]);
  CHECK(sexpr(first.target) == "(index h 1i)");
  CHECK(sexpr(first.value) == "z");
  auto const& loop = std::get<ast::Loop>(p.model.statements[2]);
  CHECK(loop.variable.name == "t");
  CHECK(loop.variable.type == ast::BaseType::integer);
  CHECK(sexpr(loop.first) == "2i");
  CHECK(sexpr(loop.last) == "N");
  REQUIRE(loop.body.size() == 2);
  CHECK(sexpr(std::get<ast::Assignment>(loop.body[0]).value) == "(+ (index h (- t 1i)) z)");
  CHECK(sexpr(std::get<ast::Sample>(loop.body[1]).lhs) == "(index y t)");
  auto const& outer = std::get<ast::Loop>(p.model.statements[3]);
  REQUIRE(outer.body.size() == 1);
  auto const& inner = std::get<ast::Loop>(outer.body[0]);
  CHECK(sexpr(inner.first) == "i");
  CHECK(std::get<ast::Sample>(inner.body.at(0)).target_increment);
  // `for` and `in` are reserved; `==` is no assignment.
  CHECK(syntax_error("latent { real in; } model { } guide { }").find("reserved word") != std::string::npos);
  CHECK(syntax_error(latent_z + "model { h[1] == z; } guide { }").find("expected '~'") != std::string::npos);
}

TEST_CASE("parse: a matrix's misspellings are syntax errors at the token") {
  CHECK(syntax_error("data { matrix[N] X; }") == "t.model:1:16: error: expected ','\n"
                                                 "  data { matrix[N] X; }\n"
                                                 "                 ^\n");
  CHECK(syntax_error("data { real w[2] = {1, 2; }") == "t.model:1:25: error: expected ',' or '}' to close the array\n"
                                                       "  data { real w[2] = {1, 2; }\n"
                                                       "                          ^\n");
  CHECK(syntax_error(latent_z + "model { z ~ D(X[1:2, 1]); } guide { }").find("a matrix cannot be sliced") !=
        std::string::npos);
}
