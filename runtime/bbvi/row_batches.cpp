#include "runtime/bbvi/row_batches.hpp"

#include "core/diagnostic.hpp"
#include "runtime/data/csv.hpp"
#include "runtime/random_stream.hpp"
#include "runtime/statements_to_run.hpp"

#include <boost/random/uniform_int_distribution.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <unordered_set>
#include <utility>
#include <variant>

namespace bbvi {

namespace {

// The streams a batch's rows come from, and its split: draw numbers no
// iteration's draws reach.
constexpr std::uint64_t batch_stream = std::uint64_t{1} << 63;
constexpr std::uint64_t split_stream = batch_stream + 1;

[[noreturn]] void fail(std::string const& file, Position pos, std::string message, std::size_t batch) {
  Diagnostic d = error_at(file, pos, std::move(message));
  d.setting = Setting::batch;
  d.setting_value = fmt::format("{}", batch);
  throw DiagnosticError(std::move(d));
}

// The model on all the rows and on a batch of them, statement by statement:
// what varies with the rows read must be one value per row, so that the
// batch's rows are a sample of the model's terms.
class SameReading {
 public:
  SameReading(Program const& full, Program const& batch, std::size_t batch_size)
      : full_(full), batch_size_(batch_size) {
    for (std::size_t s = 0; s < full.data.size(); ++s)
      if (full.data[s].size() != batch.data[s].size()) by_row_.insert(static_cast<int>(s));
  }

  // Whether the node's value has one element per row; throws where it reads
  // the rows otherwise.
  bool by_row(Node const& a, Node const& b) {
    if (a.op != b.op || a.args.size() != b.args.size() || a.function != b.function || a.slot != b.slot)
      fail(full_.file, a.pos, "this is lowered differently on a batch of rows, which then cannot stand for all of them",
           batch_size_);
    bool any = false;
    for (std::size_t k = 0; k < a.args.size(); ++k) any = by_row(a.args[k], b.args[k]) || any;
    bool const self = a.size != b.size;
    if (a.op == Node::Op::constant && a.constant != b.constant)
      fail(full_.file, a.pos, "this reads the number of rows, or a value of all of them, which a batch changes", batch_size_);
    if (a.op == Node::Op::index && by_row_.count(a.slot) != 0)
      fail(full_.file, a.pos, "this reads a row by its number, which a batch of rows may not hold", batch_size_);
    if ((any && !self) || (self && a.whole))
      fail(full_.file, a.pos, "this reads many rows at once (a sum, or a whole column), which a batch of rows cannot "
                              "stand for", batch_size_);
    return self;
  }

  // The statement i of a block on all the rows and on the batch; true for a
  // factor whose terms are one per row.
  bool statement(Statement const& a, Statement const& b) {
    if (a.index() != b.index())
      fail(full_.file, {}, "the model is lowered differently on a batch of rows, which then cannot stand for all of them",
           batch_size_);
    if (auto const* d = std::get_if<Definition>(&a)) {
      Definition const& e = std::get<Definition>(b);
      if (by_row(d->value, e.value)) by_row_.insert(d->slot);
      return false;
    }
    Factor const& f = std::get<Factor>(a);
    Factor const& g = std::get<Factor>(b);
    bool const rows = f.lhs_size != g.lhs_size;
    for (std::size_t k = 0; k < f.args.size() && k < g.args.size(); ++k)
      if (by_row(f.args[k], g.args[k]) && !rows)
        fail(full_.file, f.args[k].pos, fmt::format("'{}' is one value, but this argument has one per row: a batch "
                                                    "of rows cannot stand for it",
                                                    f.lhs_name), batch_size_);
    return rows;
  }

 private:
  Program const& full_;
  std::size_t batch_size_;  // for the messages
  std::unordered_set<int> by_row_;
};

}  // namespace

RowBatches::RowBatches(ast::Program syntax, Program const& full, CompileOptions options, std::size_t batch)
    : syntax_(std::move(syntax)), full_(full), options_(std::move(options)), batch_(batch) {
  if (batch_ < 4 || batch_ >= full_.rows) {
    Diagnostic d = error_at({}, {}, fmt::format("a batch is 4 to N − 1 rows, and the data has N = {}", full_.rows));
    d.setting = Setting::batch;
    d.setting_value = fmt::format("{}", batch_);
    throw DiagnosticError(std::move(d));
  }
  for (std::size_t s = 0; s < full_.data.size(); ++s)
    if (full_.data[s].is_vector && full_.data[s].size() == full_.rows) columns_.push_back(static_cast<int>(s));
  std::vector<std::size_t> first(batch_);
  for (std::size_t r = 0; r < batch_; ++r) first[r] = r;
  Program const on_batch = lowered_on(first);
  for (LatentVariable const& v : full_.latents) {
    LatentVariable const& w = on_batch.latents[static_cast<std::size_t>(&v - full_.latents.data())];
    if (v.size != w.size)
      fail(full_.file, v.pos,
           fmt::format("latent '{}' has an element per row, which a batch of rows cannot stand for", v.name), batch_);
  }
  SameReading reading(full_, on_batch, batch_);
  for (std::size_t i = 0; i < full_.model.size(); ++i)
    if (reading.statement(full_.model[i], on_batch.model[i])) row_statements_.push_back(i);
  for (std::size_t i = 0; i < full_.guide.size(); ++i)
    if (reading.statement(full_.guide[i], on_batch.guide[i]))
      fail(full_.file, std::get<Factor>(full_.guide[i]).pos, "the guide reads the rows, which a batch changes", batch_);
  for (Parameter const& p : full_.parameters)
    if (p.size != on_batch.parameters[static_cast<std::size_t>(&p - full_.parameters.data())].size)
      fail(full_.file, p.pos,
           fmt::format("the guide's parameter '{}' has a size set by the rows, which a batch changes", p.name), batch_);
  // The reduced factors keep the sums of all the rows: only the others are sampled.
  row_statements_.erase(std::remove_if(row_statements_.begin(), row_statements_.end(),
                                       [&](std::size_t i) { return std::get<Factor>(full_.model[i]).reduced(); }),
                        row_statements_.end());
}

std::vector<std::size_t> RowBatches::rows_of(std::uint64_t seed, std::uint64_t iteration, std::size_t size) const {
  // Floyd's sample: B distinct rows in B draws, whatever N is.
  RandomStream rng(seed, iteration, batch_stream);
  std::size_t const n = full_.rows;
  std::unordered_set<std::size_t> chosen;
  std::vector<std::size_t> out;
  out.reserve(size);
  for (std::size_t j = n - size; j < n; ++j) {
    boost::random::uniform_int_distribution<std::size_t> pick(0, j);
    std::size_t const t = pick(rng);
    std::size_t const row = chosen.insert(t).second ? t : j;
    if (row == j) chosen.insert(j);
    out.push_back(row);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::vector<std::size_t>> RowBatches::split(std::vector<std::size_t> const& rows, std::size_t groups,
                                                        std::uint64_t seed, std::uint64_t iteration) const {
  std::vector<std::size_t> shuffled = rows;
  RandomStream rng(seed, iteration, split_stream);
  for (std::size_t i = shuffled.size(); i > 1; --i) {
    boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(shuffled[i - 1], shuffled[pick(rng)]);
  }
  std::vector<std::vector<std::size_t>> out(groups);
  for (std::size_t g = 0; g < groups; ++g) {
    out[g].assign(shuffled.begin() + static_cast<std::ptrdiff_t>(g * shuffled.size() / groups),
                  shuffled.begin() + static_cast<std::ptrdiff_t>((g + 1) * shuffled.size() / groups));
    std::sort(out[g].begin(), out[g].end());
  }
  return out;
}

Program RowBatches::lowered_on(std::vector<std::size_t> const& rows) const {
  // The rows' values as a table of their own, each number written to read
  // back exactly.
  std::string text;
  for (int s : columns_) {
    if (!text.empty()) text += ',';
    text += full_.slot_names[static_cast<std::size_t>(s)];
  }
  text += '\n';
  for (std::size_t r : rows) {
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (c > 0) text += ',';
      fmt::format_to(std::back_inserter(text), "{}",
                     full_.data[static_cast<std::size_t>(columns_[c])].elements[r]);
    }
    text += '\n';
  }
  data::CsvTable const table = data::CsvTable::from_text(std::move(text), full_.file);
  return compile(syntax_, &table, options_);
}

Program RowBatches::program_on(std::vector<std::size_t> const& rows) const {
  Program p = lowered_on(rows);
  double const weight = static_cast<double>(full_.rows) / static_cast<double>(rows.size());
  for (std::size_t i = 0; i < p.model.size(); ++i) {
    auto* f = std::get_if<Factor>(&p.model[i]);
    if (!f) continue;
    Factor const& all = std::get<Factor>(full_.model[i]);
    if (!all.reduced()) {
      // A reduction of the batch's rows alone would not be weighted.
      f->statistics.clear();
      f->affine.reset();
      continue;
    }
    f->statistics = all.statistics;
    f->affine = all.affine;
    // A dense regression's rows are read only where a draw makes its sums
    // not finite (evaluate.cpp): then they stand for all of them.
    if (f->affine) f->weight = weight;
  }
  for (std::size_t i : row_statements_) std::get<Factor>(p.model[i]).weight = weight;
  p.statements_run = statements_to_run(p);
  return p;
}

}  // namespace bbvi
