#include "runtime/registry.hpp"

#include "runtime/distributions/bernoulli.hpp"
#include "runtime/distributions/bernoulli_logit.hpp"
#include "runtime/distributions/bernoulli_probit.hpp"
#include "runtime/distributions/beta.hpp"
#include "runtime/distributions/binomial.hpp"
#include "runtime/distributions/binomial_logit.hpp"
#include "runtime/distributions/binomial_probit.hpp"
#include "runtime/distributions/categorical.hpp"
#include "runtime/distributions/cauchy.hpp"
#include "runtime/distributions/dirichlet.hpp"
#include "runtime/distributions/exponential.hpp"
#include "runtime/distributions/gamma.hpp"
#include "runtime/distributions/gamma_log.hpp"
#include "runtime/distributions/half_normal.hpp"
#include "runtime/distributions/inv_gamma.hpp"
#include "runtime/distributions/laplace.hpp"
#include "runtime/distributions/lognormal.hpp"
#include "runtime/distributions/logit_normal.hpp"
#include "runtime/distributions/multi_normal.hpp"
#include "runtime/distributions/multi_normal_cholesky.hpp"
#include "runtime/distributions/normal.hpp"
#include "runtime/distributions/neg_binomial2.hpp"
#include "runtime/distributions/neg_binomial2_log.hpp"
#include "runtime/distributions/poisson.hpp"
#include "runtime/distributions/poisson_log.hpp"
#include "runtime/distributions/reflected_lognormal.hpp"
#include "runtime/distributions/shifted_lognormal.hpp"
#include "runtime/distributions/student_t.hpp"
#include "runtime/distributions/uniform.hpp"
#include "runtime/distributions/weibull.hpp"

#include <initializer_list>
#include <string_view>
#include <utility>

namespace bbvi {

namespace {
Registry make_registry() {
  Registry table;
  // A new distribution: one header under distributions/ and one line here.
  table.add<Normal>();
  table.add<Gamma>();
  table.add<Beta>();
  table.add<Exponential>();
  table.add<LogNormal>();
  table.add<InvGamma>();
  table.add<Uniform>();
  table.add<ShiftedLogNormal>();
  table.add<ReflectedLogNormal>();
  table.add<LogitNormal>();
  table.add<StudentT>();
  table.add<Cauchy>();
  table.add<Laplace>();
  table.add<HalfNormal>();
  table.add<Bernoulli>();
  table.add<Binomial>();
  table.add<Poisson>();
  table.add<NegBinomial2>();
  table.add<Weibull>();
  table.add<Categorical>();
  table.add<Dirichlet>();
  table.add<MultiNormal>();
  table.add<MultiNormalCholesky>();
  return table;
}
}  // namespace

DistributionEntry const* Registry::find(std::string_view name) const {
  auto const it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

DistributionCatalog Registry::catalog() const {
  DistributionCatalog c;
  for (auto const& [name, entry] : entries_) c.emplace(name, entry.signature);
  return c;
}

std::vector<DistributionEntry const*> Registry::all() const {
  std::vector<DistributionEntry const*> list;
  for (auto const& [name, entry] : entries_) list.push_back(&entry);
  return list;
}

Registry const& distributions() {
  static Registry const table = make_registry();
  return table;
}

namespace {

// Every link form in one table (registry.hpp): none is a distribution of the
// language, so none is in distributions().
Registry const& link_forms() {
  static Registry const table = [] {
    Registry forms;
    forms.add<BernoulliLogit>();
    forms.add<BinomialLogit>();
    forms.add<BernoulliProbit>();
    forms.add<BinomialProbit>();
    forms.add<PoissonLog>();
    forms.add<NegBinomial2Log>();
    forms.add<GammaLog>();
    return forms;
  }();
  return table;
}

// The form named beside `distribution`'s name in `written_and_form`, if any.
DistributionEntry const* form_of(DistributionEntry const& distribution,
                                 std::initializer_list<std::pair<std::string_view, std::string_view>> written_and_form) {
  for (auto const& [written, form] : written_and_form)
    if (distribution.signature.name == written) return link_forms().find(form);
  return nullptr;
}

}  // namespace

DistributionEntry const* log_odds_form(DistributionEntry const& distribution) {
  return form_of(distribution, {{Bernoulli::name, BernoulliLogit::name}, {Binomial::name, BinomialLogit::name}});
}

DistributionEntry const* probit_form(DistributionEntry const& distribution) {
  return form_of(distribution, {{Bernoulli::name, BernoulliProbit::name}, {Binomial::name, BinomialProbit::name}});
}

DistributionEntry const* log_rate_form(DistributionEntry const& distribution) {
  return form_of(distribution, {{Poisson::name, PoissonLog::name}, {NegBinomial2::name, NegBinomial2Log::name}});
}

DistributionEntry const* log_mean_form(DistributionEntry const& distribution) {
  return form_of(distribution, {{Gamma::name, GammaLog::name}});
}

}  // namespace bbvi
