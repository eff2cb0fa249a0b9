#pragma once
// The grammar's entry point: the rule for a whole .model file. Its templates
// are compiled once, in program.cpp; everyone else sees only this declaration.
#include "grammar/x3_ast.hpp"

#include <boost/spirit/home/x3.hpp>

namespace bbvi::grammar {

namespace x3 = boost::spirit::x3;

struct program_class;
using program_type = x3::rule<program_class, x3ast::Program>;
BOOST_SPIRIT_DECLARE(program_type)

program_type const& program();

}  // namespace bbvi::grammar
