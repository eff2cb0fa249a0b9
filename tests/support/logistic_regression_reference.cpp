#include "tests/support/logistic_regression_reference.hpp"

#include <Eigen/Cholesky>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <stdexcept>
#include <vector>

namespace bbvi::reference {

namespace {

constexpr double log_2pi = 1.8378770664093454836;
constexpr double sqrt_pi = 1.7724538509055160273;
constexpr double inv_sqrt_2pi = 0.39894228040143267794;

struct HermiteRule {
  std::vector<double> node, weight;  // ∫ e^(−x²) g(x) dx ≈ Σ w_i g(x_i)
};

// Newton's method on the orthonormal Hermite recurrence from the asymptotic
// guesses of Numerical Recipes' gauher (3rd ed., §4.6): accurate to rounding
// in every weight, even the tail weights an eigenvector would lose.
HermiteRule make_hermite_rule(int n) {
  HermiteRule rule;
  rule.node.assign(static_cast<std::size_t>(n), 0);
  rule.weight.assign(static_cast<std::size_t>(n), 0);
  double const pim4 = 0.75112554446494248286;  // π^(−1/4)
  double z = 0;
  for (int i = 0; i < (n + 1) / 2; ++i) {
    auto const at = [&](int j) { return rule.node[static_cast<std::size_t>(j)]; };
    if (i == 0)
      z = std::sqrt(2.0 * n + 1) - 1.85575 * std::pow(2.0 * n + 1, -0.16667);
    else if (i == 1)
      z -= 1.14 * std::pow(n, 0.426) / z;
    else if (i == 2)
      z = 1.86 * z - 0.86 * at(0);
    else if (i == 3)
      z = 1.91 * z - 0.91 * at(1);
    else
      z = 2 * z - at(i - 2);
    double derivative = 0;
    for (int iteration = 0; iteration < 100; ++iteration) {
      double p1 = pim4, p2 = 0;
      for (int j = 0; j < n; ++j) {
        double const p3 = p2;
        p2 = p1;
        p1 = z * std::sqrt(2.0 / (j + 1)) * p2 - std::sqrt(static_cast<double>(j) / (j + 1)) * p3;
      }
      derivative = std::sqrt(2.0 * n) * p2;
      double const previous = z;
      z = previous - p1 / derivative;
      if (std::fabs(z - previous) <= 1e-15 * std::max(1.0, std::fabs(z))) break;
    }
    std::size_t const lo = static_cast<std::size_t>(i), hi = static_cast<std::size_t>(n - 1 - i);
    rule.node[lo] = z;
    rule.node[hi] = -z;
    rule.weight[lo] = rule.weight[hi] = 2 / (derivative * derivative);
  }
  // Newton from these guesses can land twice on one node for large n (it
  // does at n = 256): then the nodes are not strictly decreasing, or the
  // weights do not sum to √π.
  double total = 0;
  for (std::size_t i = 0; i < rule.node.size(); ++i) {
    total += rule.weight[i];
    if (i > 0 && !(rule.node[i] < rule.node[i - 1]))
      throw std::logic_error(fmt::format("the {}-node Gauss-Hermite rule has a repeated node", n));
  }
  if (!(std::fabs(total - sqrt_pi) < 1e-13))
    throw std::logic_error(fmt::format("the {}-node Gauss-Hermite rule's weights sum to {}", n, total));
  return rule;
}

HermiteRule const& hermite_rule(int n) {
  static std::map<int, HermiteRule> const rules = [] {
    std::map<int, HermiteRule> m;
    for (int k : {16, 32, 64, 128, 192}) m.emplace(k, make_hermite_rule(k));
    return m;
  }();
  auto const found = rules.find(n);
  if (found == rules.end()) throw std::invalid_argument(fmt::format("expected_softplus: no {}-node rule", n));
  return found->second;
}

// f(η) = log(1 + e^η) and its derivatives 1..4, from t = e^(−|η|) so that
// nothing overflows: f = max(η, 0) + log1p(t), σ = inv_logit(η), f'' = σ(1 − σ).
std::array<double, 5> softplus_derivatives(double eta) {
  double const t = std::exp(-std::fabs(eta));
  double const sigma = eta >= 0 ? 1 / (1 + t) : t / (1 + t);
  double const f2 = t / ((1 + t) * (1 + t));
  return {std::max(eta, 0.0) + std::log1p(t), sigma, f2, f2 * (1 - 2 * sigma),
          f2 * (1 - 6 * sigma + 6 * sigma * sigma)};
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

SoftplusMoments by_hermite(double mean, double sd, int nodes) {
  HermiteRule const& rule = hermite_rule(nodes);
  SoftplusMoments m;
  for (std::size_t i = 0; i < rule.node.size(); ++i) {
    std::array<double, 5> const d = softplus_derivatives(mean + sd * std::sqrt(2.0) * rule.node[i]);
    for (std::size_t j = 0; j < 5; ++j) m.derivative[j] += rule.weight[i] * d[j];
  }
  for (double& v : m.derivative) v /= sqrt_pi;
  return m;
}

// Wide η: f = max(η, 0) + g with g = log1p(e^(−|η|)) bent at 0 and under
// 5e-18 beyond |η| = 40, so E f = E max(η, 0) + ∫ g φ, and E f' = P(η > 0) +
// ∫ (σ(η) − 1[η > 0]) φ; f'', f''', f'''' are smooth and as small beyond 40.
SoftplusMoments by_panels(double mean, double sd, double width) {
  using legendre = boost::math::quadrature::gauss<double, 20>;
  SoftplusMoments m;
  double const z = mean / sd;
  m.derivative[0] = mean * normal_cdf(z) + sd * inv_sqrt_2pi * std::exp(-0.5 * z * z);
  m.derivative[1] = normal_cdf(z);
  double const lo = std::max(-40.0, mean - 12 * sd), hi = std::min(40.0, mean + 12 * sd);
  auto const integrate = [&](double a, double b) {
    if (!(b > a)) return;
    int const panels = static_cast<int>(std::ceil((b - a) / width));
    double const h = (b - a) / panels;
    for (int p = 0; p < panels; ++p) {
      double const centre = a + (p + 0.5) * h;
      for (std::size_t i = 0; i < legendre::abscissa().size(); ++i)
        for (double sign : {-1.0, 1.0}) {
          double const eta = centre + sign * 0.5 * h * legendre::abscissa()[i];
          double const u = (eta - mean) / sd;
          double const w = 0.5 * h * legendre::weights()[i] * inv_sqrt_2pi / sd * std::exp(-0.5 * u * u);
          std::array<double, 5> d = softplus_derivatives(eta);
          d[0] -= std::max(eta, 0.0);
          d[1] -= eta > 0 ? 1 : 0;
          for (std::size_t j = 0; j < 5; ++j) m.derivative[j] += w * d[j];
        }
    }
  };
  integrate(lo, std::min(hi, 0.0));
  integrate(std::max(lo, 0.0), hi);
  return m;
}

// Σ_n x_nk g_n and the like, over the rows' predictive means and variances.
struct RowMoments {
  Eigen::VectorXd mean, variance;
  Eigen::MatrixXd expectation;  // N × 5: E f^(j)(η_n)
};

RowMoments row_moments(LogisticRegression const& r, MeanFieldNormal const& q, ExpectationRule const& rule) {
  RowMoments rows;
  rows.mean = r.x * q.mean;
  rows.variance = r.x.cwiseAbs2() * q.sd.cwiseAbs2();
  rows.expectation.resize(r.x.rows(), 5);
  for (Eigen::Index n = 0; n < r.x.rows(); ++n) {
    SoftplusMoments const m = expected_softplus(rows.mean[n], std::sqrt(rows.variance[n]), rule);
    for (Eigen::Index j = 0; j < 5; ++j) rows.expectation(n, j) = m.derivative[static_cast<std::size_t>(j)];
  }
  return rows;
}

Eigen::VectorXd gradient_from(LogisticRegression const& r, MeanFieldNormal const& q, RowMoments const& rows) {
  Eigen::Index const k = q.mean.size();
  double const v0 = r.prior_sd * r.prior_sd;
  Eigen::VectorXd g(2 * k);
  g.head(k) = r.x.transpose() * (r.y - rows.expectation.col(1)) -
              (q.mean.array() - r.prior_mean).matrix() / v0;
  Eigen::VectorXd const curvature = r.x.cwiseAbs2().transpose() * rows.expectation.col(2);
  for (Eigen::Index i = 0; i < k; ++i) g[k + i] = 1 - q.sd[i] * q.sd[i] * (curvature[i] + 1 / v0);
  return g;
}

// The Hessian in (m, log s): with E_j = E f^(j)(η_n) and v_n = Σ x_nk² s_k²,
// ∂²/∂m∂m = −Xᵀ diag(E_2) X − I/σ0², ∂²/∂m_k∂log s_j = −s_j² Σ x_nk x_nj² E_3,
// ∂²/∂log s_k∂log s_j = −2 δ_kj s_k² (Σ x_nk² E_2 + 1/σ0²) − s_k² s_j² Σ x_nk² x_nj² E_4.
Eigen::MatrixXd hessian_from(LogisticRegression const& r, MeanFieldNormal const& q, RowMoments const& rows) {
  Eigen::Index const k = q.mean.size();
  double const v0 = r.prior_sd * r.prior_sd;
  Eigen::MatrixXd const x2 = r.x.cwiseAbs2();
  Eigen::VectorXd const s2 = q.sd.cwiseAbs2();
  Eigen::MatrixXd h(2 * k, 2 * k);
  h.topLeftCorner(k, k) = -r.x.transpose() * rows.expectation.col(2).asDiagonal() * r.x;
  h.topLeftCorner(k, k).diagonal().array() -= 1 / v0;
  h.topRightCorner(k, k) = -(r.x.transpose() * rows.expectation.col(3).asDiagonal() * x2) * s2.asDiagonal();
  h.bottomLeftCorner(k, k) = h.topRightCorner(k, k).transpose();
  h.bottomRightCorner(k, k) =
      -(s2.asDiagonal() * (x2.transpose() * rows.expectation.col(4).asDiagonal() * x2) * s2.asDiagonal());
  Eigen::VectorXd const curvature = x2.transpose() * rows.expectation.col(2);
  for (Eigen::Index i = 0; i < k; ++i) h(k + i, k + i) -= 2 * s2[i] * (curvature[i] + 1 / v0);
  return h;
}

// −H z = g for a negative definite H as ill-conditioned as a 0.9999 ridge
// makes it: scaled to unit diagonal, with a refinement. Empty if −H is not
// positive definite.
Eigen::VectorXd ascent_direction(Eigen::MatrixXd const& h, Eigen::VectorXd const& g) {
  Eigen::MatrixXd const a = -h;
  if ((a.diagonal().array() <= 0).any()) return {};
  Eigen::VectorXd const d = a.diagonal().cwiseSqrt().cwiseInverse();
  Eigen::MatrixXd const scaled = d.asDiagonal() * a * d.asDiagonal();
  Eigen::LLT<Eigen::MatrixXd> const llt(scaled);
  if (llt.info() != Eigen::Success) return {};
  Eigen::VectorXd z = d.cwiseProduct(llt.solve(d.cwiseProduct(g)));
  z += d.cwiseProduct(llt.solve(d.cwiseProduct(g - a * z)));
  return z;
}

double log_posterior(LogisticRegression const& r, Eigen::VectorXd const& b) {
  Eigen::VectorXd const eta = r.x * b;
  double total = 0;
  for (Eigen::Index n = 0; n < eta.size(); ++n) total += r.y[n] * eta[n] - softplus_derivatives(eta[n])[0];
  double const v0 = r.prior_sd * r.prior_sd;
  return total - (b.array() - r.prior_mean).square().sum() / (2 * v0);
}

LaplaceApproximation laplace_from(LogisticRegression const& r, Eigen::VectorXd b) {
  double const v0 = r.prior_sd * r.prior_sd;
  auto const precision_at = [&](Eigen::VectorXd const& at) {
    Eigen::VectorXd const eta = r.x * at;
    Eigen::VectorXd w(eta.size());
    for (Eigen::Index n = 0; n < eta.size(); ++n) w[n] = softplus_derivatives(eta[n])[2];
    Eigen::MatrixXd p = r.x.transpose() * w.asDiagonal() * r.x;
    p.diagonal().array() += 1 / v0;
    return p;
  };
  // The log posterior is concave: damped Newton steps from b. They stop at
  // a decrement of 1e-24, or where two in a row are below what the log
  // posterior's rounding resolves (1e-15 of its size), which at 100,000
  // rows is far above 1e-24.
  double previous = HUGE_VAL;
  for (int iteration = 0; iteration < 200; ++iteration) {
    Eigen::VectorXd const eta = r.x * b;
    Eigen::VectorXd p(eta.size());
    for (Eigen::Index n = 0; n < eta.size(); ++n) p[n] = softplus_derivatives(eta[n])[1];
    Eigen::VectorXd const g = r.x.transpose() * (r.y - p) - (b.array() - r.prior_mean).matrix() / v0;
    Eigen::MatrixXd const precision = precision_at(b);
    Eigen::VectorXd step = ascent_direction(-precision, g);
    if (step.size() == 0) throw std::runtime_error("laplace_approximation: the precision is not positive definite");
    double const decrement = g.dot(step);
    if (decrement < 1e-24) return {b, precision};
    // Once the gain g·step / 2 is small, Newton's full step is safe, and a
    // search would chase differences the log posterior's rounding hides.
    double const current = log_posterior(r, b);
    double const resolved = 1e-15 * std::abs(current);
    if (decrement < resolved && previous < resolved) return {b, precision};
    previous = decrement;
    if (decrement > 1e-6)
      while (!(log_posterior(r, b + step) > current) && step.norm() > 1e-14 * (1 + b.norm())) step /= 2;
    b += step;
  }
  throw std::runtime_error("laplace_approximation: no mode after 200 Newton steps");
}

// Started from the mode at c = 0 moved to x2 = c + u (the intercept less c
// times the slope), which the prior alone keeps from being the mode itself.
double correlation_at(LogisticRegression r, Eigen::MatrixXd const& centred, Eigen::VectorXd const& centred_mode,
                      double centre) {
  r.x = centred;
  r.x.col(1).array() += centre;
  Eigen::VectorXd start = centred_mode;
  start[0] -= centre * centred_mode[1];
  return max_abs_correlation(laplace_from(r, start).precision);
}

std::string linear_predictor(LogisticRegression const& r) {
  std::string s = "b[1]";
  for (Eigen::Index k = 1; k < r.x.cols(); ++k) s += fmt::format(" + b[{}] * x{}", k + 1, k + 1);
  return s;
}

}  // namespace

SoftplusMoments expected_softplus(double mean, double sd, ExpectationRule const& rule) {
  if (!(sd >= 0) || !std::isfinite(mean) || !std::isfinite(sd))
    throw std::invalid_argument(fmt::format("expected_softplus: mean {} and sd {}", mean, sd));
  if (sd <= rule.narrow_up_to_sd) return by_hermite(mean, sd, rule.narrow_nodes);
  if (sd <= rule.hermite_up_to_sd) return by_hermite(mean, sd, rule.hermite_nodes);
  return by_panels(mean, sd, rule.panel_width);
}

LaplaceApproximation laplace_approximation(LogisticRegression const& r) {
  return laplace_from(r, Eigen::VectorXd::Constant(r.x.cols(), r.prior_mean));
}

LogisticRegression correlated_logistic_regression(int coefficients, std::size_t rows, double correlation,
                                                  std::uint64_t seed) {
  if (coefficients < 2 || rows < 2 || !(correlation > 0 && correlation < 1))
    throw std::invalid_argument("correlated_logistic_regression: needs K >= 2, N >= 2 and 0 < correlation < 1");
  LogisticRegression r;
  boost::random::mt19937_64 rng(seed);
  boost::random::normal_distribution<double> normal;
  Eigen::Index const n = static_cast<Eigen::Index>(rows);
  Eigen::MatrixXd x(n, coefficients);
  double const half = std::sqrt(0.5);  // common and own parts: correlation 0.5, sd 1
  for (Eigen::Index i = 0; i < n; ++i) {
    x(i, 0) = 1;
    x(i, 1) = normal(rng);
    double const common = normal(rng);
    for (int k = 2; k < coefficients; ++k) x(i, k) = 1 + half * common + half * normal(rng);
  }
  // The truth on the centred scale: a slope of 1 per sd of x2, ±0.5 on the
  // others, and an intercept putting the mean log-odds at 0.3, so that
  // neither outcome is rare and N = 50 rows do not separate.
  Eigen::VectorXd centred_truth(coefficients);
  centred_truth[1] = 1;
  double others = 0;
  for (int k = 2; k < coefficients; ++k) others += centred_truth[k] = k % 2 == 0 ? 0.5 : -0.5;
  centred_truth[0] = 0.3 - others;
  boost::random::mt19937_64 outcome_rng(seed ^ 0x9e3779b97f4a7c15ULL);
  boost::random::uniform_01<double> uniform;
  Eigen::VectorXd const eta = x * centred_truth;
  r.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) r.y[i] = uniform(outcome_rng) < softplus_derivatives(eta[i])[1] ? 1 : 0;

  // Bisection on log c, where 1 − |corr| falls with c: compare log(1 − |corr|).
  double const target = std::log1p(-correlation);
  r.x = x;
  Eigen::VectorXd const centred_mode = laplace_approximation(r).mode;
  auto const gap = [&](double log_c) {
    return std::log1p(-correlation_at(r, x, centred_mode, std::exp(log_c))) - target;
  };
  double lo = -4, hi = 7;
  if (!(gap(lo) > 0 && gap(hi) < 0))
    throw std::invalid_argument(fmt::format(
        "correlated_logistic_regression: no centre gives correlation {} for K = {}, N = {}", correlation,
        coefficients, rows));
  for (int i = 0; i < 200 && hi - lo > 1e-13; ++i) {
    double const mid = (lo + hi) / 2;
    (gap(mid) > 0 ? lo : hi) = mid;
  }
  r.centre = std::exp((lo + hi) / 2);
  x.col(1).array() += r.centre;
  r.x = std::move(x);
  r.truth = centred_truth;
  r.truth[0] -= r.centre * centred_truth[1];  // the same log-odds with x2 = c + u
  return r;
}

double elbo(LogisticRegression const& r, MeanFieldNormal const& q, ExpectationRule const& rule) {
  RowMoments const rows = row_moments(r, q, rule);
  double const likelihood = r.y.dot(rows.mean) - rows.expectation.col(0).sum();
  double const v0 = r.prior_sd * r.prior_sd;
  double prior = 0, entropy = 0;
  for (Eigen::Index k = 0; k < q.mean.size(); ++k) {
    double const d = q.mean[k] - r.prior_mean;
    prior += -0.5 * (log_2pi + std::log(v0)) - (d * d + q.sd[k] * q.sd[k]) / (2 * v0);
    entropy += 0.5 * (1 + log_2pi) + std::log(q.sd[k]);
  }
  return likelihood + prior + entropy;
}

Eigen::VectorXd elbo_gradient(LogisticRegression const& r, MeanFieldNormal const& q, ExpectationRule const& rule) {
  return gradient_from(r, q, row_moments(r, q, rule));
}

double scaled_gradient_norm(LogisticRegression const& r, MeanFieldNormal const& q) {
  Eigen::Index const k = q.mean.size();
  Eigen::VectorXd g = elbo_gradient(r, q);
  g.head(k).array() *= q.sd.array();
  return g.cwiseAbs().maxCoeff();
}

MeanFieldNormal mean_field_optimum(LogisticRegression const& r) {
  LaplaceApproximation const laplace = laplace_approximation(r);
  Eigen::Index const k = laplace.mode.size();
  MeanFieldNormal q{laplace.mode, laplace.precision.diagonal().cwiseSqrt().cwiseInverse()};
  auto const moved = [&](Eigen::VectorXd const& step) {
    return MeanFieldNormal{q.mean + step.head(k), (q.sd.array() * step.tail(k).array().exp()).matrix()};
  };
  for (int iteration = 0; iteration < 100; ++iteration) {
    RowMoments const rows = row_moments(r, q, {});
    Eigen::VectorXd const g = gradient_from(r, q, rows);
    Eigen::VectorXd scaled = g;
    scaled.head(k).array() *= q.sd.array();
    if (scaled.cwiseAbs().maxCoeff() < 1e-10) return q;
    Eigen::VectorXd step = ascent_direction(hessian_from(r, q, rows), g);
    // Where the ELBO is not concave in (m, log s), a short step along the
    // gradient in the guide's own widths, which the search below shortens.
    if (step.size() == 0 || !step.allFinite() || step.dot(g) <= 0) {
      step = scaled;
      step.head(k).array() *= q.sd.array();
    }
    // No sd moves by more than a factor e in one step.
    double const largest_log_step = step.tail(k).cwiseAbs().maxCoeff();
    if (largest_log_step > 1) step /= largest_log_step;
    // Close in, the predicted gain g·step / 2 is below what the ELBO's
    // rounding can tell apart: take the step as it is.
    if (g.dot(step) > 1e-9) {
      double const current = elbo(r, q);
      while (!(elbo(r, moved(step)) > current) && step.norm() > 1e-14) step /= 2;
    }
    q = moved(step);
  }
  throw std::runtime_error("logistic mean_field_optimum: the gradient is not below 1e-10 after 100 Newton steps");
}

double elbo_gap(LogisticRegression const& r, MeanFieldNormal const& optimum, MeanFieldNormal const& q) {
  return elbo(r, optimum) - elbo(r, q);
}

double worst_relative_sd_error(MeanFieldNormal const& optimum, MeanFieldNormal const& q) {
  return (q.sd.array() / optimum.sd.array() - 1).abs().maxCoeff();
}

std::string logistic_model(LogisticRegression const& r) {
  std::string data = "data {\n";
  for (Eigen::Index k = 1; k < r.x.cols(); ++k) data += fmt::format("  real x{}[N];\n", k + 1);
  data += "  int<lower=0, upper=1> y[N];\n";
  data += fmt::format("  int K = {};\n", r.x.cols());
  data += fmt::format("  real prior_mean = {:.17g};\n  real<lower=0> prior_sd = {:.17g};\n}}\n", r.prior_mean,
                      r.prior_sd);
  return fmt::format(
      "// A logistic regression on an uncentred covariate x2: b[1] the intercept.\n{}"
      "latent {{ real b[K]; }}\n"
      "model {{\n  b ~ Normal(prior_mean, prior_sd);\n  y ~ Bernoulli(inv_logit({}));\n}}\n"
      "guide {{\n  real b_mean[K] = 0;\n  real<lower=0> b_sd[K] = 1;\n  b ~ Normal(b_mean, b_sd);\n}}\n",
      data, linear_predictor(r));
}

std::string logistic_csv(LogisticRegression const& r) {
  std::string csv;
  for (Eigen::Index k = 1; k < r.x.cols(); ++k) csv += fmt::format("x{},", k + 1);
  csv += "y\n";
  csv.reserve(static_cast<std::size_t>(r.x.size()) * 24);
  for (Eigen::Index i = 0; i < r.x.rows(); ++i) {
    for (Eigen::Index k = 1; k < r.x.cols(); ++k) csv += fmt::format("{:.17g},", r.x(i, k));
    csv += fmt::format("{}\n", r.y[i] > 0 ? 1 : 0);
  }
  return csv;
}

}  // namespace bbvi::reference
