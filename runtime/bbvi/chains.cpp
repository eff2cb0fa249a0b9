#include "runtime/bbvi/chains.hpp"

#include "core/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <exception>

namespace bbvi {

std::vector<FitResult> fit_chains(Program const& program, FitOptions const& options, int chains) {
  std::vector<FitResult> results(static_cast<std::size_t>(chains));
  // The cores are shared out between the chains (the result never depends
  // on how many threads a fit has).
  int const cores = options.threads > 0 ? options.threads : WorkerPool::available_cores();
  auto const options_of = [&](std::size_t c, int threads) {
    FitOptions chain = options;
    chain.seed = options.seed + c;
    chain.threads = threads;
    if (c > 0) chain.on_iteration = nullptr;  // one progress line, the first chain's
    return chain;
  };
  if (options.ranks && options.ranks->size() > 1) {
    // Ranks exchange each draw in the same order, which chains on threads of
    // their own would not: one chain after another, each with every core.
    std::exception_ptr first;
    for (std::size_t c = 0; c < results.size(); ++c) try {
        results[c] = fit(program, options_of(c, options.threads));
      } catch (...) {
        if (!first) first = std::current_exception();
      }
    if (first) std::rethrow_exception(first);
    return results;
  }
  // One thread per chain, so that every chain runs even when one fails; the
  // pool rethrows the failure of the lowest chain.
  WorkerPool(chains).run(results.size(),
                         [&](std::size_t c) { results[c] = fit(program, options_of(c, std::max(1, cores / chains))); });
  return results;
}

ChainAgreement chain_agreement(std::vector<FitResult> const& chains, std::size_t reference) {
  ChainAgreement a;
  FitResult const& from = chains[reference];
  if (chains.size() < 2 || from.fisher.empty()) return a;
  a.measured = true;
  for (std::size_t c = 0; c < chains.size(); ++c) {
    if (c == reference || chains[c].fisher.empty()) continue;
    Eigen::VectorXd const delta = chains[c].u - from.u;
    double const kl = metric_kl(from.fisher, from.locations ? &*from.locations : nullptr, delta);
    if (kl >= a.largest_kl) {
      a.largest_kl = kl;
      a.noise_kl = from.noise_kl + chains[c].noise_kl;
    }
  }
  constexpr double rounding_kl = 1e-6;
  a.agree = a.largest_kl <= std::max(10 * a.noise_kl, rounding_kl);
  return a;
}

std::size_t reported_chain(std::vector<FitResult> const& chains, ChainAgreement const& agreement) {
  if (agreement.measured && agreement.agree) return 0;
  FitResult const& best = *std::max_element(
      chains.begin(), chains.end(), [](FitResult const& a, FitResult const& b) { return a.elbo < b.elbo; });
  constexpr double rounding = 1e-9;  // relative: ELBOs computed in different orders
  std::size_t c = 0;
  while (chains[c].elbo < best.elbo - 2 * std::hypot(chains[c].elbo_se, best.elbo_se) -
                              rounding * std::max(1.0, std::abs(best.elbo)))
    ++c;
  return c;
}

ChainChoice choose_chain(std::vector<FitResult> const& chains) {
  ChainChoice choice;
  choice.agreement = chain_agreement(chains);
  choice.reported = reported_chain(chains, choice.agreement);
  if (choice.reported != 0) choice.agreement = chain_agreement(chains, choice.reported);
  return choice;
}

}  // namespace bbvi
