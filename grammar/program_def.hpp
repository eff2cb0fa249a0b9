#pragma once
// The rules of the .model grammar. Only program.cpp includes this file.
//
// Every rule has a name that reads well after "expected ": an expectation
// failure (`a > b`) reports the name of the rule that failed, so the names are
// the error messages ("expected ';'", "expected '}' to close the model block").
#include "grammar/annotate.hpp"
#include "grammar/ast.hpp"
#include "grammar/keywords.hpp"
#include "grammar/program.hpp"
#include "grammar/x3_ast.hpp"
#include "grammar/x3_ast_adapted.hpp"

#include <boost/spirit/home/x3.hpp>

namespace bbvi::grammar {

namespace x3 = boost::spirit::x3;

namespace rules {

using x3::alnum;
using x3::alpha;
using x3::char_;
using x3::digit;
using x3::lexeme;
using x3::lit;
using x3::raw;

// A punctuation token with a name for messages.
template <typename Id, typename Parser>
auto token(char const* name, Parser parser) {
  return x3::rule<Id>{name} = x3::as_parser(parser);
}

// A keyword ends where a word would: `realx` is a name, not `real` + `x`.
inline auto const word_end = !(alnum | '_');

template <typename Id>
auto keyword(char const* word) {
  return x3::rule<Id>{word} = lexeme[lit(word) >> word_end];
}

struct reserved_words : x3::symbols<> {
  reserved_words() {
    for (auto word : keywords) add(std::string(word));
  }
};
inline reserved_words const reserved;

struct base_types : x3::symbols<ast::BaseType> {
  base_types() { add("real", ast::BaseType::real)("int", ast::BaseType::integer); }
};
inline base_types const base_type_names;

// ---- punctuation ----------------------------------------------------------
auto const semicolon = token<struct semicolon_id>("';'", ';');
auto const comma = token<struct comma_id>("','", ',');
auto const equals = token<struct equals_id>("'='", '=');
auto const tilde = token<struct tilde_id>("'~'", '~');
auto const open_paren = token<struct open_paren_id>("'('", '(');
auto const close_paren = token<struct close_paren_id>("')'", ')');
auto const open_args = token<struct open_args_id>("'(' after the distribution name", '(');
auto const close_args = token<struct close_args_id>("',' or ')'", ')');
auto const open_bracket = token<struct open_bracket_id>("'['", '[');
auto const close_bracket = token<struct close_bracket_id>("']'", ']');
auto const open_angle = token<struct open_angle_id>("'<'", '<');
auto const close_angle = token<struct close_angle_id>("',' or '>' to close the constraints", '>');
auto const end_of_input =
    token<struct end_of_input_id>("a 'data', 'latent', 'model' or 'guide' block", x3::eoi);

// ---- rule IDs: positioned nodes are stamped on success --------------------
struct identifier_token_class;
struct number_token_class;
struct number_class : annotate_position {};
struct name_class : annotate_position {};
struct call_class : annotate_position {};
struct indexed_class : annotate_position {};
struct array_literal_class : annotate_position {};
struct primary_class;
struct power_class;
struct power_operation_class : annotate_position {};
struct unary_class;
struct negation_class : annotate_position {};
struct term_class;
struct term_operation_class : annotate_position {};
struct sum_class;
struct sum_operation_class : annotate_position {};
struct relational_class;
struct relational_operation_class : annotate_position {};
struct equality_class;
struct equality_operation_class : annotate_position {};
struct conjunction_class;
struct conjunction_operation_class : annotate_position {};
struct disjunction_class;
struct disjunction_operation_class : annotate_position {};
struct conditional_class : annotate_position {};
struct expression_class;
struct argument_list_class;
struct constraint_class : annotate_position {};
struct bound_name_class;
struct constraint_list_class;
struct type_name_class;
struct variable_name_class : annotate_position {};
struct size_class;
struct initial_value_class;
struct declaration_class : annotate_position {};
struct matrix_declaration_class : annotate_position {};
struct shape_name_class;
struct shape_declaration_class : annotate_position {};
struct sample_lhs_class;
struct distribution_name_class : annotate_position {};
struct sample_class : annotate_position {};
struct target_increment_class : annotate_position {};
struct assignment_class : annotate_position {};
struct loop_class : annotate_position {};
struct loop_body_class;
struct statement_class;
struct data_block_class : annotate_position {};
struct latent_block_class : annotate_position {};
struct model_block_class : annotate_position {};
struct guide_block_class : annotate_position {};
struct automatic_guide_block_class : annotate_position {};
struct block_class;

// ---- tokens ---------------------------------------------------------------
x3::rule<identifier_token_class, std::string> const identifier_token = "a name";
x3::rule<number_token_class, std::string> const number_token = "a number";

auto const identifier_token_def =
    !lexeme[reserved >> word_end] >> raw[lexeme[(alpha | '_') >> *(alnum | '_')]];

// 3, 2.5, 1., .5, 1e-3, 2.5E+10. A leading minus is unary negation.
auto const number_token_def = raw[lexeme[(+digit >> -(lit('.') >> *digit) | lit('.') >> +digit) >>
                                         -(char_("eE") >> -char_("+-") >> +digit)]];

// ---- expressions ----------------------------------------------------------
x3::rule<number_class, x3ast::Number> const number = "a number";
x3::rule<name_class, x3ast::Identifier> const name = "a name";
x3::rule<call_class, x3ast::Call> const call = "a function call";
x3::rule<indexed_class, x3ast::Indexed> const indexed = "an indexed name";
x3::rule<array_literal_class, x3ast::ArrayLiteral> const array_literal = "an array literal";
x3::rule<primary_class, x3ast::Operand> const primary = "an expression";
x3::rule<power_class, x3ast::Chain> const power = "an expression";
x3::rule<power_operation_class, x3ast::Operation> const power_operation = "an expression";
x3::rule<unary_class, x3ast::Operand> const unary = "an expression";
x3::rule<negation_class, x3ast::Negation> const negation = "an expression";
x3::rule<term_class, x3ast::Chain> const term = "an expression";
x3::rule<term_operation_class, x3ast::Operation> const term_operation = "an expression";
x3::rule<sum_class, x3ast::Chain> const sum = "an expression";
x3::rule<sum_operation_class, x3ast::Operation> const sum_operation = "an expression";
x3::rule<relational_class, x3ast::Chain> const relational = "an expression";
x3::rule<relational_operation_class, x3ast::Operation> const relational_operation = "an expression";
x3::rule<equality_class, x3ast::Chain> const equality = "an expression";
x3::rule<equality_operation_class, x3ast::Operation> const equality_operation = "an expression";
x3::rule<conjunction_class, x3ast::Chain> const conjunction = "an expression";
x3::rule<conjunction_operation_class, x3ast::Operation> const conjunction_operation = "an expression";
x3::rule<disjunction_class, x3ast::Chain> const disjunction = "an expression";
x3::rule<disjunction_operation_class, x3ast::Operation> const disjunction_operation = "an expression";
x3::rule<conditional_class, x3ast::Conditional> const conditional = "an expression";
x3::rule<expression_class, x3ast::Expression> const expression = "an expression";
x3::rule<argument_list_class, std::vector<x3ast::Expression>> const argument_list = "arguments";

auto const number_def = number_token;
auto const name_def = identifier_token;
// A density's value is set off by '|' (`Normal_lpdf(y | mu, sigma)`, as in
// Stan); any argument list reads it as a ','.
auto const bar = token<struct bar_id>("'|'", lit('|') >> !lit('|'));
auto const argument_list_def = -(expression >> *((comma | bar) > expression));
auto const call_def = identifier_token >> '(' > argument_list > close_args;
auto const indexed_def =
    identifier_token >> '[' > expression > -(':' > expression) > -(',' > expression) > close_bracket;
auto const array_literal_def =
    char_('{') > (expression % comma) > token<struct close_array_id>("',' or '}' to close the array", '}');
auto const primary_def = number | call | indexed | name | array_literal | (open_paren > expression > close_paren);

// The two-character operators as the one-character codes of x3ast::Operation.
struct relational_codes : x3::symbols<char> {
  relational_codes() { add("<=", 'l')(">=", 'g')("<", '<')(">", '>'); }
};
struct equality_codes : x3::symbols<char> {
  equality_codes() { add("==", 'e')("!=", 'n'); }
};
inline relational_codes const relational_operator;
inline equality_codes const equality_operator;

// Precedence, loosest first, as in Stan: ?:, then ||, &&, == !=, < <= > >=,
// + -, * /, unary minus and !, then ^. `^` takes a unary on its right, so
// 2^3^2 is 2^(3^2) and 2^-1 is 2^(-1); unary minus takes a power, so -x^2
// is -(x^2). A constraint's bound is a sum: its '>' closes the constraints.
auto const power_def = primary >> *power_operation;
auto const power_operation_def = char_('^') > unary;
auto const unary_def = negation | power;
auto const negation_def = char_("-!") > unary;
auto const term_def = unary >> *term_operation;
auto const term_operation_def = char_("*/") > unary;
auto const sum_def = term >> *sum_operation;
auto const sum_operation_def = char_("+-") > term;
auto const relational_def = sum >> *relational_operation;
auto const relational_operation_def = relational_operator > sum;
auto const equality_def = relational >> *equality_operation;
auto const equality_operation_def = equality_operator > relational;
auto const conjunction_def = equality >> *conjunction_operation;
auto const conjunction_operation_def = (lit("&&") >> x3::attr('&')) > equality;
auto const disjunction_def = conjunction >> *disjunction_operation;
auto const disjunction_operation_def = (lit("||") >> x3::attr('|')) > conjunction;
auto const conditional_def = lit('?') > expression > token<struct colon_id>("':'", ':') > expression;
auto const expression_def = disjunction >> -conditional;

// ---- declarations: TYPE[<lower=E, upper=E>] NAME[SIZE] [= EXPR]; ----------
x3::rule<type_name_class, ast::BaseType> const type_name = "'real' or 'int'";
x3::rule<bound_name_class, std::string> const bound_name = "'lower' or 'upper'";
x3::rule<constraint_class, x3ast::Constraint> const constraint = "'lower' or 'upper'";
x3::rule<constraint_list_class, std::vector<x3ast::Constraint>> const constraint_list = "'<'";
x3::rule<variable_name_class, x3ast::Identifier> const variable_name = "a variable name";
x3::rule<size_class, x3ast::Expression> const size = "'['";
x3::rule<initial_value_class, x3ast::Expression> const initial_value = "'='";
x3::rule<declaration_class, x3ast::Declaration> const declaration = "a declaration";

auto const type_name_def = lexeme[base_type_names >> word_end];
auto const bound_name_def = lexeme[(x3::string("lower") | x3::string("upper")) >> word_end];
auto const constraint_def = bound_name > equals > sum;
auto const constraint_list_def = open_angle > constraint > *(comma > constraint) > close_angle;
auto const variable_name_def = identifier_token;
auto const size_def = open_bracket > expression > close_bracket;
auto const initial_value_def = equals > expression;
auto const declaration_def =
    type_name >> -constraint_list > variable_name > -size > -initial_value > semicolon;

// matrix[N, K] X; (CmdStan's columns X.1 ... X.K): the sizes come before the
// name. In the model, matrix[K, K] S = E; a covariance.
x3::rule<matrix_declaration_class, x3ast::MatrixDeclaration> const matrix_declaration = "a matrix declaration";
auto const matrix_declaration_def = keyword<struct matrix_keyword_id>("matrix") >> -constraint_list > open_bracket >
                                    expression > comma > expression > close_bracket > variable_name > -initial_value >
                                    semicolon;

// simplex[K] p [= {...}]; a variational parameter on the simplex, and
// cholesky_factor_cov[K] L [= ...]; a full-rank guide's factor.
x3::rule<shape_name_class, std::string> const shape_name = "'simplex' or 'cholesky_factor_cov'";
x3::rule<shape_declaration_class, x3ast::ShapeDeclaration> const shape_declaration =
    "a simplex or Cholesky factor declaration";
auto const shape_name_def = lexeme[(x3::string("simplex") | x3::string("cholesky_factor_cov")) >> word_end];
auto const shape_declaration_def =
    shape_name > open_bracket > expression > close_bracket > variable_name > -initial_value > semicolon;

// ---- samples: LHS ~ Dist(args); -------------------------------------------
x3::rule<sample_lhs_class, x3ast::Operand> const sample_lhs = "a name";
x3::rule<distribution_name_class, x3ast::Identifier> const distribution_name =
    "a distribution name after '~'";
x3::rule<sample_class, x3ast::Sample> const sample = "a '~' statement";

auto const sample_lhs_def = indexed | name;
auto const distribution_name_def = identifier_token;
auto const sample_def =
    sample_lhs > tilde > distribution_name > open_args > argument_list > close_args > semicolon;

// ---- target += E; ---------------------------------------------------------
x3::rule<target_increment_class, x3ast::TargetIncrement> const target_increment = "a 'target +=' statement";
auto const target_increment_def = lexeme[x3::string("target") >> word_end] >> lit("+=") > expression > semicolon;

// ---- blocks ---------------------------------------------------------------
x3::rule<statement_class, x3ast::Statement> const statement = "a statement";

// ---- NAME[INDEX] = E; -----------------------------------------------------
// `=` but not `==`; before it, the target parses as a '~' statement's left side.
x3::rule<assignment_class, x3ast::Assignment> const assignment = "an assignment";
auto const assign = token<struct assign_id>("'='", lit('=') >> !lit('='));
auto const assignment_def = sample_lhs >> assign > expression > semicolon;

// ---- for (t in A:B) BODY --------------------------------------------------
x3::rule<loop_class, x3ast::Loop> const loop = "a 'for' loop";
x3::rule<loop_body_class, std::vector<x3ast::Statement>> const loop_body = "a statement or '{' after the loop's ')'";
auto const loop_def = keyword<struct for_keyword_id>("for") > open_paren > variable_name >
                      keyword<struct in_keyword_id>("in") > expression > token<struct range_id>("':'", ':') >
                      expression > close_paren > loop_body;
auto const loop_body_def = (lit('{') > *statement > token<struct close_loop_id>("'}' to close the loop", '}')) |
                           x3::repeat(1)[statement];

auto const statement_def = target_increment | loop | matrix_declaration | shape_declaration | declaration | assignment |
                           sample;

x3::rule<data_block_class, x3ast::Block> const data_block = "'data' block";
x3::rule<latent_block_class, x3ast::Block> const latent_block = "'latent' block";
x3::rule<model_block_class, x3ast::Block> const model_block = "'model' block";
x3::rule<guide_block_class, x3ast::Block> const guide_block = "'guide' block";
x3::rule<automatic_guide_block_class, x3ast::Block> const automatic_guide_block = "'guide auto;'";
x3::rule<block_class, x3ast::Block> const block = "a block";

// Any statement in any block: parse.cpp says what each block may hold.
// After the keyword everything is expected, so `data` alone asks for its '{'.
auto const data_block_def =
    keyword<struct data_keyword_id>("data") > x3::attr(ast::BlockKind::data) > x3::attr(false) >
    token<struct open_data_id>("'{' after 'data'", '{') > *statement >
    token<struct close_data_id>("'}' to close the data block", '}');
auto const latent_block_def =
    keyword<struct latent_keyword_id>("latent") > x3::attr(ast::BlockKind::latent) > x3::attr(false) >
    token<struct open_latent_id>("'{' after 'latent'", '{') > *statement >
    token<struct close_latent_id>("'}' to close the latent block", '}');
auto const model_block_def =
    keyword<struct model_keyword_id>("model") > x3::attr(ast::BlockKind::model) > x3::attr(false) >
    token<struct open_model_id>("'{' after 'model'", '{') > *statement >
    token<struct close_model_id>("'}' to close the model block", '}');
auto const guide_block_def =
    keyword<struct guide_keyword_id>("guide") > x3::attr(ast::BlockKind::guide) > x3::attr(false) >
    token<struct open_guide_id>("'{' after 'guide' (or 'guide auto;')", '{') > *statement >
    token<struct close_guide_id>("'}' to close the guide block", '}');
// `guide auto;`: the automatic guide, said explicitly (docs/language.md,
// 'Automatic guides'). Tried before the written block, which it shares its
// first word with.
auto const automatic_guide_block_def =
    keyword<struct automatic_guide_keyword_id>("guide") >> keyword<struct auto_keyword_id>("auto") >>
    x3::attr(ast::BlockKind::guide) >> x3::attr(true) >> x3::attr(std::vector<x3ast::Statement>()) >
    token<struct automatic_guide_end_id>("';' after 'guide auto'", ';');
auto const block_def = data_block | latent_block | model_block | automatic_guide_block | guide_block;

BOOST_SPIRIT_DEFINE(identifier_token, number_token, number, name, call, indexed, array_literal, primary, power,
                    power_operation, unary, negation, term, term_operation, sum, sum_operation, relational,
                    relational_operation, equality, equality_operation, conjunction, conjunction_operation,
                    disjunction, disjunction_operation, conditional, expression, argument_list, type_name,
                    bound_name, constraint, constraint_list, variable_name, size, initial_value, declaration,
                    matrix_declaration, shape_name, shape_declaration,
                    sample_lhs, distribution_name, sample, target_increment, assignment, loop, loop_body, statement,
                    data_block, latent_block,
                    model_block, guide_block, automatic_guide_block, block)

}  // namespace rules

// The top rule also reports the syntax error.
struct program_class : report_syntax_error {};

program_type const program_rule = "a .model program";
auto const program_rule_def = *rules::block > rules::end_of_input;
BOOST_SPIRIT_DEFINE(program_rule)

program_type const& program() { return program_rule; }

}  // namespace bbvi::grammar
