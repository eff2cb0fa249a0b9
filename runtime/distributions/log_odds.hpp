#pragma once
// Where a probability given as inv_logit(alpha) still gives its logs.
//
// A model's Bernoulli(inv_logit(E)) and Binomial(n, inv_logit(E)) are
// evaluated from the log-odds E (bernoulli_logit.hpp, binomial_logit.hpp):
// p = inv_logit(alpha) as a double rounds to 1 above alpha ≈ 36.7 and to 0
// below −745, where log(1 − p) or log p is −inf although the log density,
// −log(1 + e^∓alpha), is ordinary; and 1 − p keeps fewer digits the nearer
// it comes to 0.
//
// Inside the bounds below, log p and log(1 − p) of the rounded p are within
// 1.4e-9 of the exact values, and the density is computed from p exactly as
// Bernoulli and Binomial compute it, so that a fit whose rows never come
// that near certainty gives the same result as before to the last bit;
// beyond them it is computed on the log-odds scale, to rounding.
namespace bbvi::log_odds {

// p is within a few units in the last place wherever it is a normal double
// (above e^−708), and so is log p.
inline bool log_p_from_p(double alpha) { return alpha > -700; }

// 1 − p is off by about e^alpha units in the last place: 1e-9 relative at
// alpha = 16 (measured: log(1 − p) within 1.4e-9 over [0, 16]).
inline bool log1m_p_from_p(double alpha) { return alpha < 16; }

}  // namespace bbvi::log_odds
