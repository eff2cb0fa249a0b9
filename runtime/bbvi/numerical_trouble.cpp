#include "runtime/bbvi/numerical_trouble.hpp"

#include "runtime/evaluate.hpp"
#include "runtime/random_stream.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace bbvi {

namespace {

std::string element_name(std::string const& name, std::size_t size, std::size_t k) {
  return size == 0 ? name : fmt::format("{}[{}]", name, k + 1);
}

// "mu = 1.3e+150, tau = 2": the first few of many values, then "…".
class ValueList {
 public:
  void add(std::string const& name, double value) {
    if (listed_ == max_listed) {
      more_ = true;
      return;
    }
    text_ += fmt::format("{}{} = {:.6g}", listed_++ == 0 ? "" : ", ", name, value);
  }
  std::string text() const { return more_ ? text_ + ", …" : text_; }

 private:
  static constexpr std::size_t max_listed = 8;
  std::string text_;
  std::size_t listed_ = 0;
  bool more_ = false;
};

std::string latent_values(Program const& program, std::vector<double> const& z) {
  ValueList list;
  for (LatentVariable const& v : program.latents)
    for (std::size_t k = 0; k < v.length(); ++k) list.add(element_name(v.name, v.size, k), z[v.offset + k]);
  return list.text();
}

}  // namespace

std::string describe_parameters(Program const& program, Eigen::VectorXd const& u) {
  std::vector<std::vector<double>> const values = constrained_parameters(program, u);
  ValueList list;
  for (std::size_t i = 0; i < program.parameters.size(); ++i)
    for (std::size_t k = 0; k < values[i].size(); ++k)
      list.add(program.parameters[i].element_name(k), values[i][k]);
  return list.text();
}

namespace {

Factor const* guide_factor_of(Program const& program, std::size_t latent) {
  for (Statement const& st : program.guide)
    if (auto const* f = std::get_if<Factor>(&st); f && f->latent == static_cast<int>(latent)) return f;
  return nullptr;
}

// The first latent element whose entry of `values` (indexed like a draw z)
// is not finite, blamed on its guide factor with `describe(v, k)`.
template <typename Describe>
std::optional<Diagnostic> first_non_finite_latent(Program const& program, std::vector<double> const& values,
                                                  Describe const& describe) {
  for (std::size_t i = 0; i < program.latents.size(); ++i) {
    LatentVariable const& v = program.latents[i];
    for (std::size_t k = 0; k < v.length(); ++k) {
      if (std::isfinite(values[v.offset + k])) continue;
      Factor const* f = guide_factor_of(program, i);
      return error_at(program.file, f ? f->pos : v.pos, describe(v, k));
    }
  }
  return std::nullopt;
}

// The statement to blame for draw z, and what is wrong with it.
Diagnostic blame(Program const& program, Eigen::VectorXd const& u, std::vector<double> const& z) {
  if (auto d = first_non_finite_latent(program, z, [&](LatentVariable const& v, std::size_t k) {
        return fmt::format("the guide drew {} = {} for latent '{}'", element_name(v.name, v.size, k),
                           z[v.offset + k], v.name);
      }))
    return *d;
  std::vector<std::vector<double>> terms;
  log_joint_terms(program, z, terms);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    auto const* f = std::get_if<Factor>(&program.model[i]);
    for (std::size_t k = 0; f && k < terms[i].size(); ++k)
      if (!std::isfinite(terms[i][k]))
        return error_at(program.file, f->pos,
                        fmt::format("the log density of {} under {} is {} at a draw from the guide",
                                    !f->reduced() ? element_name(f->lhs_name, f->lhs_size, k)
                                                          : fmt::format("{} (all {} rows)", f->lhs_name, f->lhs_size),
                                    f->distribution->signature.name,
                                    terms[i][k]));
  }
  std::vector<double> const log_q = log_guide_elements(program, u, z);
  if (auto d = first_non_finite_latent(program, log_q, [&](LatentVariable const& v, std::size_t k) {
        return fmt::format("the guide's log density of {} is {} at its own draw", element_name(v.name, v.size, k),
                           log_q[v.offset + k]);
      }))
    return *d;
  return error_at(program.file, {}, "log p − log q is not finite at a draw from the guide");
}

}  // namespace

Diagnostic explain_non_finite(Program const& program, Eigen::VectorXd const& u, Eigen::VectorXd const& f,
                              std::uint64_t seed, std::uint64_t iteration) {
  Eigen::Index s = 0;
  while (s + 1 < f.size() && std::isfinite(f[s])) ++s;
  RandomStream rng(seed, iteration, static_cast<std::uint64_t>(s));
  std::vector<double> const z = sample_guide(program, u, rng);
  Diagnostic d = blame(program, u, z);
  d.message += fmt::format(" (latents: {}; guide parameters: {})", latent_values(program, z),
                           describe_parameters(program, u));
  return d;
}

}  // namespace bbvi
