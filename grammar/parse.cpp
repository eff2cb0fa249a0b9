#include "grammar/parse.hpp"

#include "grammar/config.hpp"
#include "grammar/convert.hpp"
#include "core/diagnostic.hpp"
#include "grammar/nesting.hpp"
#include "grammar/program.hpp"
#include "grammar/source_map.hpp"
#include "core/text_encoding.hpp"

#include <fmt/format.h>

#include <array>
#include <functional>  // std::ref

namespace bbvi {

namespace {

namespace x3 = boost::spirit::x3;
using grammar::x3ast::Block;

// Blocks in the order the language requires; data is the only optional one.
constexpr std::array<ast::BlockKind, 4> block_order = {ast::BlockKind::data, ast::BlockKind::latent,
                                                       ast::BlockKind::model, ast::BlockKind::guide};

char const* block_word(ast::BlockKind kind) {
  switch (kind) {
    case ast::BlockKind::data: return "data";
    case ast::BlockKind::latent: return "latent";
    case ast::BlockKind::model: return "model";
    case ast::BlockKind::guide: return "guide";
  }
  return "model";
}

std::size_t rank(ast::BlockKind kind) { return static_cast<std::size_t>(kind); }
static_assert(static_cast<std::size_t>(ast::BlockKind::guide) == 3, "rank() follows block_order");

Diagnostic with_note(Diagnostic error, Position where, std::string message) {
  Diagnostic note = error_at(error.file, where, std::move(message));
  note.severity = Severity::note;
  error.notes.push_back(std::move(note));
  return error;
}

grammar::x3ast::Program run_parser(std::string_view source, std::string const& file) {
  grammar::ParseState state{file, grammar::SourceMap(source), std::nullopt};
  grammar::x3ast::Program blocks;
  grammar::iterator_type first = source.begin();
  auto const parser = x3::with<grammar::parse_state_tag>(std::ref(state))[grammar::program()];
  // No post-skip: the top rule already skips up to its end-of-input check,
  // and skipping again after a failure could meet an unterminated comment
  // outside the rule that reports it. A parse that stops early always leaves
  // an error behind, since the top rule expects the end of input.
  bool const ok = x3::phrase_parse(first, source.end(), parser, grammar::skipper, blocks,
                                   x3::skip_flag::dont_post_skip);
  if (!ok || state.error) throw DiagnosticError(state.error.value_or(error_at(file, {}, "syntax error")));
  return blocks;
}

// The blocks come in the order data, latent, model, guide, each at most
// once; data and guide may be absent. The first violation is reported.
void check_block_order(grammar::x3ast::Program const& blocks, std::string const& file) {
  std::array<Block const*, 4> seen{};
  for (Block const& block : blocks) {
    std::size_t const k = rank(block.kind);
    char const* const word = block_word(block.kind);
    if (seen[k])
      throw DiagnosticError(with_note(error_at(file, block.pos, fmt::format("a second {} block", word)),
                                      seen[k]->pos, fmt::format("the first {} block is here", word)));
    for (std::size_t later = k + 1; later < seen.size(); ++later)
      if (seen[later])
        throw DiagnosticError(with_note(
            error_at(file, block.pos,
                     fmt::format("the {} block must come before the {} block", word,
                                 block_word(block_order[later]))),
            seen[later]->pos, fmt::format("the {} block is here", block_word(block_order[later]))));
    for (std::size_t earlier = rank(ast::BlockKind::latent); earlier < k; ++earlier)
      if (!seen[earlier])
        throw DiagnosticError(error_at(file, block.pos,
                                       fmt::format("expected '{}' block before the {} block",
                                                   block_word(block_order[earlier]), word)));
    seen[k] = &block;
  }
  // The guide may be absent: the model then gets the automatic one
  // (automatic_guide.hpp).
  for (std::size_t k = rank(ast::BlockKind::latent); k < rank(ast::BlockKind::guide); ++k) {
    if (seen[k]) continue;
    if (blocks.empty())
      throw DiagnosticError(error_at(file, {1, 1},
                                     "the file has no blocks: a model is an optional data block, then the "
                                     "latent, model and guide blocks"));
    Block const& last = blocks.back();
    throw DiagnosticError(error_at(file, last.end,
                                   fmt::format("expected '{}' block after the {} block",
                                               block_word(block_order[k]), block_word(last.kind))));
  }
}

// The name an assignment's target assigns to.
std::string target_name(grammar::x3ast::Operand const& target) {
  if (auto const* indexed = boost::get<boost::spirit::x3::forward_ast<grammar::x3ast::Indexed>>(&target))
    return indexed->get().name;
  if (auto const* name = boost::get<grammar::x3ast::Identifier>(&target)) return name->name;
  return "x";
}

// The data and latent blocks only declare; a '~' there is a common slip.
// Loops and assignments are the model's.
void reject_misplaced_statements(Block const& block, std::string const& file) {
  for (auto const& statement : block.statements)
    if (auto const* t = boost::get<grammar::x3ast::TargetIncrement>(&statement);
        t && block.kind != ast::BlockKind::model)
      throw DiagnosticError(error_at(file, t->pos,
                                     fmt::format("'target +=' cannot be in the {} block: it adds to the model's log "
                                                 "density, in the model block",
                                                 block_word(block.kind))));
  for (auto const& statement : block.statements) {
    if (block.kind == ast::BlockKind::model) break;
    if (auto const* loop = boost::get<boost::spirit::x3::forward_ast<grammar::x3ast::Loop>>(&statement))
      throw DiagnosticError(error_at(file, loop->get().pos,
                                     fmt::format("a 'for' loop cannot be in the {} block: loops belong in the model "
                                                 "block",
                                                 block_word(block.kind))));
    if (auto const* a = boost::get<grammar::x3ast::Assignment>(&statement))
      throw DiagnosticError(error_at(file, a->pos,
                                     fmt::format("an assignment cannot be in the {} block: declare '{} = …;' with its "
                                                 "value, or assign an element of a model local in the model block",
                                                 block_word(block.kind), target_name(a->target))));
  }
  if (block.kind != ast::BlockKind::data && block.kind != ast::BlockKind::latent) return;
  for (auto const& statement : block.statements) {
    auto const* sample = boost::get<grammar::x3ast::Sample>(&statement);
    if (!sample) continue;
    throw DiagnosticError(error_at(
        file, sample->pos,
        fmt::format("a '~' statement cannot be in the {} block; priors and likelihood terms "
                    "belong in the model block, guide factors in the guide block",
                    block_word(block.kind))));
  }
}

// A model is UTF-8 text: UTF-16 is named as such, and a NUL byte is pointed
// at (the parser would only say that it expected something else there).
void check_encoding(std::string_view source, std::string const& file) {
  if (looks_like_utf16(source)) throw DiagnosticError(error_at(file, {}, std::string(utf16_message)));
  std::size_t const nul = first_nul_byte(source);
  if (nul == std::string_view::npos) return;
  throw DiagnosticError(error_at(file, grammar::SourceMap(source).locate(source.data() + nul),
                                 "a NUL byte (a zero byte): a model file is text; is this the file you meant?"));
}

// Each parsed statement is released once converted, so that the parser's
// tree and the converted one are not both held whole: the memory of the one
// is reused for the other.
ast::Block to_ast(Block& block, std::string const& file) {
  ast::Block out;
  out.kind = block.kind;
  out.pos = block.pos;
  out.statements.reserve(block.statements.size());
  for (auto& statement : block.statements) {
    out.statements.push_back(grammar::to_ast(statement, file));
    statement = grammar::x3ast::Statement();
  }
  return out;
}

}  // namespace

ast::Program parse_program(std::string_view source, std::string const& file) {
  check_encoding(source, file);
  grammar::check_nesting(source, file);
  grammar::x3ast::Program blocks = run_parser(source, file);
  check_block_order(blocks, file);
  ast::Program program;
  program.file = file;
  for (Block& block : blocks) {
    reject_misplaced_statements(block, file);
    ast::Block converted = to_ast(block, file);
    switch (block.kind) {
      case ast::BlockKind::data: program.data = std::move(converted); break;
      case ast::BlockKind::latent: program.latent = std::move(converted); break;
      case ast::BlockKind::model: program.model = std::move(converted); break;
      case ast::BlockKind::guide:
        program.guide_end = block.end;
        if (block.automatic) {
          program.guide_auto = true;
          program.guide_auto_pos = block.pos;
          break;
        }
        program.guide = std::move(converted);
        program.has_guide = true;
        break;
    }
  }
  return program;
}

}  // namespace bbvi
