#pragma once
// Fusion adapters for the parser's tree, and nothing else (as in Spirit's
// calc9 and rexpr examples). Positions are not adapted: annotate_position
// stamps them when a rule succeeds.
#include "grammar/x3_ast.hpp"

#include <boost/fusion/include/adapt_struct.hpp>

BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Operation, op, operand)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Chain, first, rest)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Expression, condition, branches)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Conditional, when_true, when_false)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Negation, sign, operand)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Call, function, args)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::ArrayLiteral, open, elements)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Indexed, name, index, last, column)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Constraint, bound, value)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Declaration, type, constraints, name, size, value)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::MatrixDeclaration, constraints, rows, columns, name, value)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::ShapeDeclaration, shape, size, name, value)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Sample, lhs, distribution, args)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::TargetIncrement, keyword, value)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Assignment, target, value)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Loop, variable, first, last, body)
BOOST_FUSION_ADAPT_STRUCT(bbvi::grammar::x3ast::Block, kind, automatic, statements)
