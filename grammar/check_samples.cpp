// '~' statements: the distribution and its arguments, the left side, one
// prior and one guide factor per latent, and the guide factor's support.
#include "grammar/checker.hpp"
#include "grammar/declared_support.hpp"
#include "grammar/suggest.hpp"

#include <fmt/format.h>

#include <cctype>
#include <map>
#include <optional>
#include <string>

namespace bbvi::checker {

namespace {

std::string arguments(std::size_t n) { return n == 1 ? "1 argument" : fmt::format("{} arguments", n); }

}  // namespace

std::optional<std::string_view> from_stan(DistributionCatalog const& catalog, std::string_view stan) {
  auto const folded = [](std::string_view name) {
    std::string out;
    for (char ch : name)
      if (ch != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  std::string const key = stan == "double_exponential" ? "laplace" : folded(stan);
  for (auto const& [name, signature] : catalog)
    if (folded(name) == key) return std::string_view(name);
  return std::nullopt;
}

namespace {

void check_distribution(Checker& c, ast::Sample const& sample) {
  auto const found = c.catalog.find(sample.distribution);
  if (found == c.catalog.end()) {
    if (auto const ours = from_stan(c.catalog, sample.distribution)) {
      c.error(sample.distribution_pos, fmt::format("'{}' is spelled '{}' here", sample.distribution, *ours));
      return;
    }
    std::vector<std::string_view> names;
    for (auto const& [name, signature] : c.catalog) names.push_back(name);
    c.error(sample.distribution_pos, fmt::format("unknown distribution '{}'{}", sample.distribution,
                                                 did_you_mean(sample.distribution, names)));
    return;
  }
  std::vector<std::string> const& parameters = found->second.parameters;
  if (sample.args.size() == parameters.size()) return;
  c.error(sample.distribution_pos,
          fmt::format("{} takes {} ({}), but {} {} given", sample.distribution,
                      arguments(parameters.size()), fmt::join(parameters, ", "), sample.args.size(),
                      sample.args.size() == 1 ? "was" : "were"));
}

// The latent or data column a '~' draws, or nullptr when the left side is
// not one the block allows (after saying so).
Symbol const* check_left_side(Checker& c, ast::Sample const& sample, ast::BlockKind block, int order) {
  Symbol const* s = c.symbols.find(sample.lhs.name, block);
  if (!s) {
    std::vector<std::string_view> candidates;
    for (Symbol const& t : c.symbols.all())
      if (t.kind == SymbolKind::latent || (block == ast::BlockKind::model && t.kind == SymbolKind::data_column))
        candidates.push_back(t.name);
    c.error(sample.lhs.pos, fmt::format("unknown name '{}'{}", sample.lhs.name,
                                        did_you_mean(sample.lhs.name, candidates)));
    return nullptr;
  }
  bool const in_model = block == ast::BlockKind::model;
  if (is_matrix(*s)) {
    c.error(sample.lhs.pos, fmt::format("the matrix '{}' cannot be the left side of '~': observe a column of the CSV "
                                        "declared as a vector instead",
                                        s->name));
    return nullptr;
  }
  if (s->kind != SymbolKind::latent && !(in_model && s->kind == SymbolKind::data_column)) {
    c.error(sample.lhs.pos,
            in_model ? fmt::format("the left side of '~' must be a latent or a data column, not {}", named(*s))
                     : fmt::format("the left side of '~' in the guide must be a latent, not {}", named(*s)));
    return nullptr;
  }
  if (sample.lhs.kind == ast::ExprKind::index && !in_model && s->kind == SymbolKind::latent) {
    c.error(sample.lhs.pos, fmt::format("a guide factor draws a whole latent: give '{}' one '~' here", s->name));
    return nullptr;
  }
  if (sample.lhs.kind == ast::ExprKind::index) {
    UseContext const context = in_model ? UseContext::model : UseContext::guide_factor;
    if (!s->declaration->size) c.error(sample.lhs.pos, fmt::format("{} is a scalar and cannot be indexed", named(*s)));
    for (ast::Expr const& bound : sample.lhs.args)
      check_expression(c, bound,
                       Use{block, order, sample.lhs.args.size() == 2 ? UseContext::slice_bound : context, s->name});
  }
  return s;
}

void check_sample(Checker& c, ast::Sample const& sample, ast::BlockKind block, int order) {
  if (sample.target_increment) {
    check_expression(c, sample.args[0], Use{block, order, UseContext::model, "target"});
    return;
  }
  Symbol const* drawn = check_left_side(c, sample, block, order);
  check_distribution(c, sample);
  UseContext const context = block == ast::BlockKind::model ? UseContext::model : UseContext::guide_factor;
  auto const signature = c.catalog.find(sample.distribution);
  for (std::size_t i = 0; i < sample.args.size(); ++i) {
    Use const use{block, order, context, drawn ? std::string_view(drawn->name) : sample.lhs.name};
    if (signature != c.catalog.end() && signature->second.reads_matrix(i))
      check_matrix_expression(c, sample.args[i], use);
    else
      check_expression(c, sample.args[i], use);
  }
}

// The '~' statements of one block whose left side is a latent or data column.
std::map<Symbol const*, std::vector<ast::Sample const*>> samples_by_variable(Checker const& c,
                                                                             ast::Block const& block) {
  std::map<Symbol const*, std::vector<ast::Sample const*>> found;
  ast::for_each_nested(block.statements, [&](ast::Statement const& statement) {
    auto const* sample = std::get_if<ast::Sample>(&statement);
    if (!sample) return;
    Symbol const* s = c.symbols.find(sample->lhs.name, block.kind);
    // A latent's element or slice in the model is a term, not its prior
    // (docs/language.md, 'Slices'): it may have several. A data column's
    // parts are observed once each, which the lowering checks row by row.
    bool const part = s && sample->lhs.kind == ast::ExprKind::index && block.kind == ast::BlockKind::model;
    if (part) return;
    if (s && (s->kind == SymbolKind::latent || s->kind == SymbolKind::data_column)) found[s].push_back(sample);
  });
  return found;
}

// Whether any statement of the model reads `name` (a '~'s arguments, a local's value).
bool model_reads(ast::Block const& model, std::string const& name) {
  auto const is_it = [&](std::string const& n) { return n == name; };
  bool reads = false;
  ast::for_each_nested(model.statements, [&](ast::Statement const& statement) {
    if (auto const* d = std::get_if<ast::Declaration>(&statement)) {
      reads = reads || (d->value && ast::reads_name(*d->value, is_it));
    } else if (auto const* a = std::get_if<ast::Assignment>(&statement)) {
      reads = reads || ast::reads_name(a->value, is_it);
    } else if (auto const* sample = std::get_if<ast::Sample>(&statement)) {
      reads = reads || ast::reads_name(sample->lhs, is_it);
      for (ast::Expr const& arg : sample->args) reads = reads || ast::reads_name(arg, is_it);
    }
  });
  return reads;
}

void report_repeats(Checker& c, std::vector<ast::Sample const*> const& samples, std::string const& message,
                    std::string const& first_note) {
  for (std::size_t i = 1; i < samples.size(); ++i) {
    Diagnostic& e = c.error(samples[i]->pos, message);
    c.note(e, samples[0]->pos, first_note);
  }
}

}  // namespace

void check_samples(Checker& c) {
  for_each_statement(c.program, [&](ast::Block const& block, ast::Statement const& statement, int order) {
    if (auto const* sample = std::get_if<ast::Sample>(&statement)) check_sample(c, *sample, block.kind, order);
  });
}

// In the model each latent is drawn exactly once and each data column
// observed at most once (a column never drawn is a covariate); in the guide
// each latent has exactly one factor. Indexed left sides count for the name.
void check_sample_counts(Checker& c) {
  auto const priors = samples_by_variable(c, c.program.model);
  auto const factors = samples_by_variable(c, c.program.guide);
  for (Symbol const& s : c.symbols.all()) {
    auto const prior = priors.find(&s);
    auto const factor = factors.find(&s);
    if (s.kind == SymbolKind::data_column && prior != priors.end())
      report_repeats(c, prior->second, fmt::format("data column '{}' is already observed by an earlier '~'", s.name),
                     fmt::format("'{}' is first observed here", s.name));
    if (s.kind != SymbolKind::latent) continue;
    // A latent without a '~' has a flat prior (flat_priors, a note): on an
    // unbounded support only the model's terms can make its posterior proper.
    bool const bounded = (s.declaration->lower && s.declaration->upper) || s.declaration->simplex;
    if (prior == priors.end() && !bounded && !model_reads(c.program.model, s.name))
      c.error(s.declaration->name_pos,
              fmt::format("latent '{}' has no prior and the model never reads it: its posterior would be flat on "
                          "{}, which is no distribution; give it a prior with '~'",
                          s.name, declared_type(*s.declaration)));
    else if (prior != priors.end())
      report_repeats(c, prior->second, fmt::format("latent '{}' already has a prior in the model block", s.name),
                     fmt::format("the first prior of '{}' is here", s.name));
    if (factor == factors.end())
      c.error(s.declaration->name_pos, fmt::format("latent '{}' has no guide factor in the guide block", s.name));
    else
      report_repeats(c, factor->second, fmt::format("latent '{}' already has a guide factor", s.name),
                     fmt::format("the first guide factor of '{}' is here", s.name));
  }
}

// q(z) must put its mass where z lives: a guide factor's support is the
// latent's declared support.
void check_guide_supports(Checker& c) {
  for (auto const& [latent, samples] : samples_by_variable(c, c.program.guide)) {
    if (latent->kind != SymbolKind::latent) continue;
    std::optional<Support> const declared = declared_support(*latent->declaration);
    if (!declared) continue;  // an int latent without lower=0, reported with its declaration
    for (ast::Sample const* sample : samples) {
      auto const found = c.catalog.find(sample->distribution);
      if (found == c.catalog.end() || found->second.support == *declared) continue;
      Support const actual = found->second.support;
      std::string const type = declared_type(*latent->declaration);
      std::string message;
      if (is_discrete(*declared) && !is_discrete(actual))
        message = fmt::format("{} is {}, a discrete latent, but its guide factor {} is continuous (support {})",
                              latent->name, type, sample->distribution, support_spelling(actual));
      else if (!is_discrete(*declared) && is_discrete(actual))
        message = fmt::format("{} is {}, a continuous latent, but its guide factor {} is discrete (support {})",
                              latent->name, type, sample->distribution, support_spelling(actual));
      else
        message = fmt::format("{} is {}, but its guide factor {} has support {}", latent->name, type,
                              sample->distribution, support_spelling(actual));
      Diagnostic& e = c.error(sample->distribution_pos, message);
      c.note(e, latent->declaration->pos, fmt::format("'{}' is declared here", latent->name));
    }
  }
}

}  // namespace bbvi::checker
