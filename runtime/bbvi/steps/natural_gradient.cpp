// The default step (docs/method.md, 'The natural-gradient step'), in two
// phases:
// - approach: far from the optimum, full steps u ← u + η δ along the natural
//   gradient δ, bounded by a trust region ½ ρ² δᵀFδ ≤ κ on the change of q,
//   until a step is within that bound and its gradient is indistinguishable
//   from noise, or would gain no more than its noise costs;
// - averaging: steps ρ_k = η/√k, k counting the iterations of the phase at
//   which the gradient was noise (a significant one keeps the current step
//   instead of decaying early), and the result is the mean of the latter
//   half of these iterates (Polyak–Ruppert; tail_average.hpp). Here
//   δ = F̄⁻¹ Ĉov(s, f), with F̄ the Fisher averaged over the phase: unbiased,
//   so the average settles at the optimum itself rather than where the
//   regression's O(1/S) bias would put it.
//
// Stopping rule (converged()): after more than a window of noise-level
// averaging iterations, (a) the window's mean natural gradient is
// indistinguishable from noise — a Wald test against the estimates' own
// standard errors — and (b) the averaged iterate's own Monte-Carlo noise, as
// KL (TailAverage::noise_kl), is below the tolerance.
#include "runtime/bbvi/fit.hpp"
#include "runtime/bbvi/newton_direction.hpp"
#include "runtime/bbvi/numerical_trouble.hpp"
#include "runtime/bbvi/steps/step.hpp"
#include "runtime/bbvi/tail_average.hpp"
#include "runtime/bbvi/tail_gradient.hpp"
#include "runtime/evaluate.hpp"

#include <Eigen/Cholesky>
#include <boost/math/distributions/fisher_f.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <optional>

namespace bbvi {

namespace {

constexpr std::size_t window = 5;
// Hutchinson's probes for the Newton step's noise: its estimate's relative
// error is about √(2/probes) on a diagonal-dominated M, enough for a
// stopping rule that compares it with a tolerance.
constexpr int noise_probes = 8;
// A step that would move q by less than this many nats is noise whatever the
// standard errors say (they vanish when the guide family holds the posterior).
constexpr double negligible_kl = 1e-6;

// ½ δᵀFδ: the KL a full step along δ moves q by.
double step_kl(GradientEstimate const& e) { return 0.5 * e.fisher.quadratic(e.natural); }

// ½ tr(F Cov δ): the KL the estimate's own noise accounts for.
double noise_kl(GradientEstimate const& e) { return 0.5 * (e.fisher * e.natural_covariance).trace(); }

// δᵀ (Cov + c·exact_inverse)⁻¹ δ. On the blocks where the estimator used the
// family's exact Fisher F (local expectations), the floor c F⁻¹ makes a
// deviation that would move q by less than negligible_kl count as noise:
// there a coordinate can be estimated exactly (a log sd under a quadratic
// blanket), its standard error vanishes, and rounding would look significant.
// The covariance is block-diagonal: the statistic is a sum over its blocks.
double wald(GradientEstimate const& e) {
  BlockDiagonal total = e.natural_covariance;
  if (!e.exact_fisher_inverse.empty())
    total.add_times(e.exact_fisher_inverse, 2 * negligible_kl / static_cast<double>(e.natural.size()));
  return total.inverse_quadratic(e.natural);
}

// The F distribution's 95% point: boost finds it by iterating, and the same
// (P, dof) come back iteration after iteration. By thread: chains fit on
// several.
double f_quantile_95(double p, double dof) {
  thread_local std::map<std::pair<double, double>, double> known;
  if (known.size() > 4096) known.clear();
  auto const [at, fresh] = known.try_emplace({p, dof}, 0.0);
  if (fresh) at->second = boost::math::quantile(boost::math::fisher_f(p, dof), 0.95);
  return at->second;
}

// The 95% point of wald() when the true gradient is zero. With the
// covariance estimated from few draws this is far above χ²_P: W/P is
// F(P, dof) for a regression; Hotelling's T² adds (dof + P − 1)/dof.
double critical_value(GradientEstimate const& e, Eigen::Index left_out = 0) {
  double const P = static_cast<double>(e.natural.size() - left_out);
  double const f = f_quantile_95(P, e.dof);
  return P * f * (e.hotelling ? (e.dof + P - 1) / e.dof : 1.0);
}

bool is_noise(GradientEstimate const& e) {
  double const w = wald(e);
  return step_kl(e) < negligible_kl || (std::isfinite(w) && w < critical_value(e));
}

// is_noise on every coordinate but `apart`: their δ zero, and their rows
// and columns of the covariances those of an independent unit variance, so
// that the Wald statistic is the others' marginal one. For the locations
// where the decrement certifies them ('The stopping rule'): estimated near
// exactly by local expectations, their gradient reads the iterate's wander
// by the other coordinates' noise as significant.
bool is_noise_apart_from(GradientEstimate e, std::vector<Eigen::Index> const& apart) {
  std::vector<bool> out(static_cast<std::size_t>(e.natural.size()), false);
  for (Eigen::Index i : apart) {
    out[static_cast<std::size_t>(i)] = true;
    e.natural[i] = 0;
  }
  for (std::size_t b = 0; b < e.natural_covariance.block_count(); ++b) {
    Block const& indices = e.natural_covariance.indices(b);
    for (std::size_t k = 0; k < indices.size(); ++k) {
      if (!out[static_cast<std::size_t>(indices[k])]) continue;
      Eigen::Index const at = static_cast<Eigen::Index>(k);
      Eigen::MatrixXd& covariance = e.natural_covariance.block(b);
      covariance.row(at).setZero();
      covariance.col(at).setZero();
      covariance(at, at) = 1;
      if (e.exact_fisher_inverse.empty()) continue;
      e.exact_fisher_inverse.block(b).row(at).setZero();
      e.exact_fisher_inverse.block(b).col(at).setZero();
    }
  }
  double const w = wald(e);
  return step_kl(e) < negligible_kl ||
         (std::isfinite(w) && w < critical_value(e, static_cast<Eigen::Index>(apart.size())));
}

// Whether a full step would gain no more than the estimate's noise moves q
// by: E[½δ̂ᵀFδ̂] is ½δᵀFδ + ½tr(F Cov δ̂). Where some coordinates are
// estimated nearly exactly (a log sd whose local expectation the
// neighbours' scores control), the Wald test reads the gradient that the
// other coordinates' noise leaves them as significant, though a step gains
// less from it than the noise costs (measured on a 25-coefficient ridge
// with the noise a latent: the approach never ended, and fits were 0.03 to
// 0.07 nats short at 30 s; 0.0006 to 0.004 with this).
bool within_noise(GradientEstimate const& e) { return step_kl(e) <= 2 * noise_kl(e); }

// The window's mean natural gradient, whose covariance is the mean
// covariance over m (each iteration draws afresh), and the ELBO averaged
// likewise.
GradientEstimate window_mean(std::deque<GradientEstimate> const& w) {
  double const m = static_cast<double>(w.size());
  Eigen::Index const P = w.front().natural.size();
  GradientEstimate mean;
  mean.natural = Eigen::VectorXd::Zero(P);
  mean.natural_covariance = w.front().natural_covariance.zero_like();
  mean.fisher = w.front().fisher.zero_like();
  mean.dof = 0;
  mean.exact_fisher_inverse = w.front().exact_fisher_inverse;
  for (GradientEstimate const& e : w) {
    mean.natural += e.natural / m;
    mean.natural_covariance.add_over(e.natural_covariance, m * m);
    mean.fisher.add_over(e.fisher, m);
    mean.elbo += e.elbo / m;
    mean.elbo_variance += e.elbo_variance / (m * m);
    mean.dof += e.dof;
    mean.hotelling = mean.hotelling || e.hotelling;
  }
  return mean;
}

// One iteration's Newton direction on the locations (newton_direction.hpp)
// with the gradient it was solved for, or nothing where M̂ was not positive
// definite.
struct CoupledDirection {
  bool measured = false;  // the estimate had a coupling
  bool exact_curvature = false;  // M̂ without Monte-Carlo error of its own (local expectations)
  std::vector<Eigen::Index> coordinates;
  Eigen::VectorXd gradient, variance;
  Eigen::MatrixXd covariance;  // in full, where the estimate knows it
  double dof = 0;
  Eigen::SparseMatrix<double> curvature;  // the M it was solved with
  NewtonDirection newton;
};

// With `curvature`, M is that (an average over iterations) rather than this
// iteration's M̂.
CoupledDirection couple(GradientEstimate const& e, Eigen::SparseMatrix<double> const* curvature = nullptr) {
  CoupledDirection c;
  if (!e.coupling) return c;
  c.measured = true;
  c.exact_curvature = e.coupling->cautious_curvature.size() == 0;
  c.coordinates = e.coupling->coordinates;
  c.gradient = e.coupling->gradient;
  c.variance = e.coupling->gradient_variance;
  c.covariance = e.coupling->gradient_covariance;
  c.dof = e.coupling->dof;
  c.curvature = curvature ? *curvature : e.coupling->curvature;
  c.newton = newton_direction(c.curvature, c.gradient);
  return c;
}

// ½ tr(F Cov δ) over the coordinates that are not the coupled locations:
// the KL by which one full step's noise moves them.
double others_noise_kl(GradientEstimate const& e, CoupledDirection const& c) {
  std::vector<bool> location(static_cast<std::size_t>(e.natural.size()), false);
  for (Eigen::Index i : c.coordinates) location[static_cast<std::size_t>(i)] = true;
  Eigen::VectorXd const product = (e.fisher * e.natural_covariance).diagonal();
  double others = 0;
  for (Eigen::Index i = 0; i < e.natural.size(); ++i)
    if (!location[static_cast<std::size_t>(i)]) others += 0.5 * product[i];
  return others;
}

// Whether the locations' gradient is indistinguishable from noise: Newton's
// step M⁻¹g has the same Wald statistic as g itself, Σ g²/var (the rows'
// intercepts taken as independent), here against F(L, dof).
bool is_noise(CoupledDirection const& c) {
  if (c.newton.decrement < negligible_kl) return true;
  double const L = static_cast<double>(c.gradient.size());
  double const w = c.covariance.size() > 0 ? c.gradient.dot(c.covariance.ldlt().solve(c.gradient))
                                           : (c.gradient.array().square() / c.variance.array()).sum();
  double const dof = std::max(1.0, c.dof);
  return std::isfinite(w) && w < L * f_quantile_95(L, dof);
}

// The honest stopping rule on the locations: over the window, M̂ positive
// definite every time, the mean decrement ½ḡᵀΔ̄ (the ELBO still to gain)
// below the tolerance, and so its Monte-Carlo error, estimated from the
// window's own spread, ½ Σ (Δ_t − Δ̄)ᵀ(g_t − ḡ) / (m(m − 1)). Nothing to
// certify where no coupling was measured.
bool certified(std::deque<CoupledDirection> const& w, double tolerance) {
  if (std::none_of(w.begin(), w.end(), [](CoupledDirection const& c) { return c.measured; })) return true;
  for (CoupledDirection const& c : w)
    if (!c.measured || !c.newton.positive_definite) return false;
  double const m = static_cast<double>(w.size());
  Eigen::VectorXd g = Eigen::VectorXd::Zero(w.front().gradient.size()), step = g;
  for (CoupledDirection const& c : w) {
    g += c.gradient / m;
    step += c.newton.step / m;
  }
  double spread = 0;
  for (CoupledDirection const& c : w) spread += (c.newton.step - step).dot(c.gradient - g);
  double const error = m > 1 ? 0.5 * spread / (m * (m - 1)) : HUGE_VAL;
  return 0.5 * g.dot(step) < tolerance && error < tolerance;
}

class NaturalGradient final : public Step {
 public:
  explicit NaturalGradient(StepContext const& c) : program_(c.program), settings_(c.settings) {}

  bool usable(GradientEstimate const& e) const override { return e.natural.allFinite(); }
  std::string_view direction() const override { return "the natural gradient"; }

  StepTaken take(Draws const& d, GradientEstimate e, GradientEstimator& estimator,
                 Eigen::VectorXd const& u) override {
    // The locations move by Newton's step where M̂ allows, its length
    // measured in M: ½ΔᵀMΔ is the ELBO it gains, where ½ΔᵀFΔ would count a
    // ridge's length as a change of q and crawl (docs/method.md, 'The
    // coupled step').
    CoupledDirection coupled =
        e.coupling && e.coupling->cautious_curvature.size() > 0 ? couple(e, &e.coupling->cautious_curvature) : couple(e);
    bool newton = takes_newton(coupled);
    if (newton && phase_ == Phase::approach) adapt_radius(coupled.newton.decrement);
    // The locations are done approaching when their gradient is noise, or,
    // where M̂ is exact, when what is left to gain on them is no more than
    // the other coordinates' noise moves q by in a step: where the
    // locations' gradient is near exact (local expectations), that noise
    // alone keeps it significant, and a joint quadratic bounds the gain it
    // leaves on the locations by the KL it moves the others by
    // (docs/method.md, 'The coupled step'). Measured on a 1,000-group
    // hierarchical model: the approach ended after 20 iterations, not 1,500.
    // A noisy M̂ (a logistic ridge's) makes the decrement too rough for that.
    bool const locations_settled =
        is_noise(coupled) || (coupled.exact_curvature && coupled.newton.decrement <= others_noise_kl(e, coupled));
    if (phase_ == Phase::approach && step_kl(e) <= settings_.trust_region && (is_noise(e) || within_noise(e)) &&
        (!newton || locations_settled)) {
      phase_ = Phase::averaging;
      noise_iterations_ = 1;
      // What the approach learned of M̂'s reach no longer applies: steps
      // are noise from here on, and M̄ is young.
      radius_ = settings_.trust_region;
    }
    double rho = settings_.step_size;
    if (phase_ == Phase::averaging) {
      if (fisher_sum_.empty()) fisher_sum_ = e.fisher.zero_like();
      fisher_sum_ += e.fisher;
      mean_fisher_ = fisher_sum_ / ++fisher_count_;
      e = estimator.unbiased(d, e, mean_fisher_);
      // Likewise M: this iteration's M̂, measured from the draws that gave
      // g, would make M̂⁻¹g biased where M̂ has Monte-Carlo error (a
      // logistic likelihood's), and could be indefinite where the mean is not.
      if (coupled.measured) {
        curvature_sum_ = curvature_count_++ == 0 ? e.coupling->curvature : curvature_sum_ + e.coupling->curvature;
        mean_curvature_ = curvature_sum_ / static_cast<double>(curvature_count_);
        coupled = couple(e, &mean_curvature_);
        newton = takes_newton(coupled);
      }
      rho /= std::sqrt(noise_iterations_);
      // The locations' own gradient is left out of this count: where their
      // estimate is near exact (local expectations) it reads the iterate's
      // displacement by the other coordinates' noise as significant, and
      // the steps would not decay (measured: 42 of 1,613 iterations counted
      // on a 100-group hierarchical model, 2,228 iterations to converge;
      // 466 without it).
      if (is_noise(e) || within_noise(e)) ++noise_iterations_;
    }
    Eigen::VectorXd direction = e.natural;
    if (newton) direction(coupled.coordinates).setZero();
    double const kl = 0.5 * e.fisher.quadratic(direction);
    if (rho * rho * kl > settings_.trust_region) rho = std::sqrt(settings_.trust_region / kl);
    newton_scale_ = 0;
    if (newton) {
      if (rho * rho * coupled.newton.decrement > radius_) rho = std::sqrt(radius_ / coupled.newton.decrement);
      if (e.coupling->local_curvature) {
        // M holds only here: the step's change of q is held to the same
        // radius, which grows while the steps gain what M predicts.
        Eigen::VectorXd along = Eigen::VectorXd::Zero(e.natural.size());
        along(coupled.coordinates) = coupled.newton.step;
        double const change = 0.5 * e.fisher.quadratic(along);
        if (rho * rho * change > radius_) rho = std::sqrt(radius_ / change);
      }
      direction(coupled.coordinates) = coupled.newton.step;
      newton_scale_ = rho;
    }
    if (!std::isfinite(rho) || !direction.allFinite())
      throw NumericalError(error_at(program_.file, {}, "the natural gradient is not finite at the guide's parameters (" +
                                                           describe_parameters(program_, u) + ")"));
    StepTaken taken;
    taken.change = rho * direction;
    // The step's own estimate, δ, in Euclidean units: F·δ with F the Fisher it used.
    taken.gradient = e.fisher * e.natural;
    taken.variance = (e.fisher * e.natural_covariance * e.fisher).diagonal();
    if (newton) {
      taken.gradient(coupled.coordinates) = coupled.gradient;
      taken.variance(coupled.coordinates) = coupled.variance;
    }
    Eigen::VectorXd const next = u + taken.change;
    if (phase_ == Phase::averaging) {
      tail_.add(next, newton ? coupled_noise_kl(e, coupled) : noise_kl(e));
      ++averaged_;
      if (coupled.measured) {
        // An iteration that measured no gradient stands in the tail with an
        // infinite variance: nothing is certified until it has left.
        Eigen::Index const L = coupled.gradient.size();
        while (tail_gradient_.added() + 1 < averaged_)
          tail_gradient_.add(Eigen::VectorXd::Zero(L), Eigen::VectorXd::Constant(L, HUGE_VAL));
        tail_gradient_.add(coupled.gradient, coupled.variance);
        if (coupled.covariance.size() > 0) {
          covariance_sum_ = covariance_count_++ == 0 ? coupled.covariance : covariance_sum_ + coupled.covariance;
        }
      }
    }
    taken.settling = phase_ == Phase::averaging;
    taken.record = {0, e.elbo, std::sqrt(e.elbo_variance), rho, phase_ == Phase::averaging ? tail_.mean() : next};
    recent_.push_back(std::move(e));
    if (recent_.size() > window) recent_.pop_front();
    recent_coupled_.push_back(std::move(coupled));
    if (recent_coupled_.size() > window) recent_coupled_.pop_front();
    return taken;
  }

  void taken_back(Eigen::VectorXd const& u) override {
    if (phase_ == Phase::averaging) tail_.replace_last(u);
  }

  bool converged() const override {
    if (noise_iterations_ <= static_cast<int>(window)) return false;
    // The three tests read nothing but the fit's state: the cheapest, the
    // decrement's, goes first, and the others are made only where it holds.
    if (!certified(recent_coupled_, settings_.tolerance) && !certified_at_tail()) return false;
    GradientEstimate const mean = window_mean(recent_);
    // Where Newton's step moves the locations, their remaining gain is
    // certified by the decrement, not by this test.
    bool const newton = !recent_coupled_.empty() && takes_newton(recent_coupled_.back());
    return (newton ? is_noise_apart_from(mean, recent_coupled_.back().coordinates) : is_noise(mean)) &&
           tail_noise_kl() < settings_.tolerance;
  }

  void finish(FitResult& r) const override {
    GradientEstimate const mean = window_mean(recent_);
    r.elbo = mean.elbo;
    r.elbo_se = std::sqrt(mean.elbo_variance);
    r.cannot_certify = std::any_of(recent_coupled_.begin(), recent_coupled_.end(), [](CoupledDirection const& c) {
      return c.measured && !c.newton.positive_definite;
    });
    if (tail_.tail_length() == 0) return;
    r.u = tail_.mean();
    if (!mean_fisher_.empty()) {
      r.noise_kl = tail_noise_kl();
      r.fisher = mean_fisher_;
      r.locations = location_metric();
    }
  }

 private:
  enum class Phase { approach, averaging };

  // The averaged result's noise (tail_average.hpp), in M̄ on the locations
  // where the fit steps them by Newton's step: the ELBO's own metric there.
  double tail_noise_kl() const {
    std::optional<LocationMetric> const locations = location_metric();
    return tail_.noise_kl(mean_fisher_, locations ? &*locations : nullptr);
  }
  std::optional<LocationMetric> location_metric() const {
    if (settings_.per_factor || curvature_count_ == 0 || recent_coupled_.empty() ||
        mean_curvature_.nonZeros() <= mean_curvature_.rows())
      return std::nullopt;
    return LocationMetric{recent_coupled_.back().coordinates, mean_curvature_};
  }

  // noise_kl of a step that is Newton's on the locations: the other
  // coordinates' ½ tr(F Cov δ), and the Newton step's own noise measured
  // in M, as the tail is (tail_noise_kl): ½ tr(M⁻¹V).
  double coupled_noise_kl(GradientEstimate const& e, CoupledDirection const& c) {
    // Streams of their own, apart from the draws' (seed, iteration, draw).
    RandomStream rng(settings_.seed, ~std::uint64_t{0} - ++probe_rounds_, 0);
    return others_noise_kl(e, c) + (c.covariance.size() > 0
                                        ? decrement_noise(c.curvature, c.covariance, rng, noise_probes)
                                        : decrement_noise(c.curvature, c.variance, rng, noise_probes));
  }

  // The stopping rule's decrement at the tail's mean ū (tail_gradient.hpp),
  // with M averaged over the averaging phase: where one iteration's gradient
  // is too noisy for a window of them to certify (a logistic likelihood, a
  // latent noise scale), the tail's mean gradient is not. The decrement and
  // what noise alone adds to it on average must both be below the tolerance.
  bool certified_at_tail() const {
    if (curvature_count_ == 0 || tail_gradient_.added() != averaged_ || tail_gradient_.length() < window)
      return false;
    Eigen::VectorXd const g = tail_gradient_.mean();
    NewtonDirection const at_mean = newton_direction(mean_curvature_, g);
    if (!at_mean.positive_definite || !(at_mean.decrement < settings_.tolerance)) return false;
    RandomStream rng(settings_.seed, ~std::uint64_t{0} - tail_gradient_.length(), 1);
    if (covariance_count_ > 0) {
      // The mean over the tail's T iterations of independent estimates: C̄/T,
      // with C̄ over the averaging phase (it changes slowly).
      double const T = static_cast<double>(tail_gradient_.length());
      Eigen::MatrixXd const mean = covariance_sum_ / (static_cast<double>(covariance_count_) * T);
      return decrement_noise(mean_curvature_, mean, rng, noise_probes) < settings_.tolerance;
    }
    return decrement_noise(mean_curvature_, tail_gradient_.mean_variance(), rng, noise_probes) < settings_.tolerance;
  }

  // Newton's step on the locations where M̂ allows it and couples some of
  // them: uncoupled locations (the canonical model's one mean) gain nothing
  // from it over their own natural gradients, and its trust region, built
  // for a ridge, held the canonical model at N = 10⁶ to 84 iterations
  // (32 without). The stopping rule measures the decrement either way.
  bool takes_newton(CoupledDirection const& c) const {
    if (settings_.per_factor || !c.newton.positive_definite) return false;
    return c.curvature.nonZeros() > c.curvature.rows();
  }

  // The trust region of Newton's step on the locations: ½ΔᵀMΔ ≤ radius_. It
  // grows fourfold while the last shortened step gained at least half of
  // what M predicted (the decrement falls to (1 − ρ)² of itself on a
  // quadratic), and falls back towards κ when it did not.
  void adapt_radius(double decrement) {
    if (newton_scale_ > 0 && newton_scale_ < 1 && last_decrement_ > 0) {
      double const predicted = (1 - newton_scale_) * (1 - newton_scale_) * last_decrement_;
      if (last_decrement_ - decrement >= 0.5 * (last_decrement_ - predicted))
        radius_ *= 4;
      else
        radius_ = std::max(settings_.trust_region, radius_ / 4);
    }
    last_decrement_ = decrement;
  }

  Program const& program_;
  FitSettings const& settings_;
  Phase phase_ = Phase::approach;
  int noise_iterations_ = 0;  // of the averaging phase, counting from 1: ρ = η/√noise_iterations_
  BlockDiagonal fisher_sum_;
  BlockDiagonal mean_fisher_;  // over the averaging phase so far
  int fisher_count_ = 0;
  Eigen::SparseMatrix<double> curvature_sum_;  // M̂ over the averaging phase so far
  Eigen::SparseMatrix<double> mean_curvature_;
  int curvature_count_ = 0;
  TailGradient tail_gradient_;  // the locations', alongside tail_
  Eigen::MatrixXd covariance_sum_;  // of their gradients' full covariances, where known, over the averaging phase
  int covariance_count_ = 0;
  std::size_t averaged_ = 0;    // iterates added to tail_
  // tail_.noise_kl caches its autocorrelations as the tail grows: the
  // stopping rule's question changes that cache, not the answer.
  mutable TailAverage tail_;
  std::deque<GradientEstimate> recent_;
  std::deque<CoupledDirection> recent_coupled_;
  double radius_ = settings_.trust_region;
  double newton_scale_ = 0;  // ρ of the last Newton step; 0: there was none
  double last_decrement_ = 0;
  std::uint64_t probe_rounds_ = 0;
};

}  // namespace

std::unique_ptr<Step> make_natural_gradient(StepContext const& c) { return std::make_unique<NaturalGradient>(c); }

}  // namespace bbvi
