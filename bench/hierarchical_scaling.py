#!/usr/bin/env python3
"""Time and memory per iteration of a hierarchical fit against its number of groups J.

The model is models/eight_schools.model with J set on the command line, and
`rows` rows of data per group (each a noisy measurement of its group's
effect), generated here from a fixed seed. Each J is fitted twice with
default options, with --iters A and --iters B, on one thread and no
importance draws: the difference of the two whole-process times over B - A
is the time an iteration takes, free of reading and setting up (B grows
until the difference is at least a second, and the iterations are those the
fits report, in case one stopped before its cap); the peak resident memory is
that of the longer run. A J whose iteration takes longer
than the budget ends the sweep (the larger ones would take longer still).

Then each J is fitted once more with default options and all threads, to
its own stop, as a user would run it: the whole process's wall time and peak
memory (/usr/bin/time), its iterations, and the KL of the fitted guide from
the mean-field optimum. The optimum is computed here, independently of the
engine: given the population parameters (mu's and log tau's mean and log
sd), every group's optimal eta has a closed form, and the ELBO is closed
form under this guide (tests/support/eight_schools_reference.cpp holds the
same algebra), so a Newton search over those four finds it in O(J) per
evaluation. A full fit whose process would take longer than the
full_budget_seconds (judged by the per-iteration time) is not run.

usage: bench/hierarchical_scaling.py BBVI_PPL [J ...]
"""
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

rows = 5
budget_seconds = 20.0
full_budget_seconds = 1200.0
log_2pi = math.log(2 * math.pi)


def write_data(path, groups, seed=17):
    rng = random.Random(seed)
    effects = [rng.gauss(4.0, 3.0) for _ in range(groups)]
    with open(path, "w") as f:
        f.write("school,y,sigma\n")
        for j in range(groups):
            for _ in range(rows):
                sigma = rng.uniform(5.0, 15.0)
                f.write(f"{j + 1},{effects[j] + rng.gauss(0.0, sigma):.6f},{sigma:.6f}\n")


def run(binary, data, groups, iterations):
    """Wall seconds, iterations made and peak RSS (MB, of any child so far) of one fit."""
    start = time.monotonic()
    done = subprocess.run([binary, "models/eight_schools.model", data, "--set", f"J={groups}", "--iters",
                           str(iterations), "--draws", "0", "--threads", "1", "--quiet", "--output", "-"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"hierarchical_scaling: J = {groups}: {done.stderr.strip()}")
    made = json.loads(done.stdout)["iterations"]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KB on Linux
    return seconds, made, peak


def read_groups(path, groups):
    """Per group: rows, Σ 1/σ², Σ y/σ², Σ y²/σ²; and Σ over rows of −½ log 2π − log σ."""
    stats = [[0, 0.0, 0.0, 0.0] for _ in range(groups)]
    constant = 0.0
    with open(path) as f:
        next(f)
        for line in f:
            school, y, sigma = line.split(",")
            y, sigma = float(y), float(sigma)
            w = 1 / (sigma * sigma)
            g = stats[int(school) - 1]
            g[0] += 1
            g[1] += w
            g[2] += w * y
            g[3] += w * y * y
            constant += -0.5 * log_2pi - math.log(sigma)
    return stats, constant


def best_groups(stats, mu_mean, tau1, tau2):
    """Each group's optimal eta mean and sd given E tau = tau1, E tau² = tau2."""
    out = []
    for _, sw, swy, _ in stats:
        precision = 1 + tau2 * sw
        out.append(((tau1 * (swy - mu_mean * sw)) / precision, 1 / math.sqrt(precision)))
    return out


def elbo(stats, constant, mu_mean, mu_sd, lt_mean, lt_sd, etas):
    """The closed-form ELBO of the guide (mu_mean, mu_sd, lt_mean, lt_sd, [(eta_mean, eta_sd)])."""
    tau1 = math.exp(lt_mean + lt_sd * lt_sd / 2)
    tau2 = math.exp(2 * lt_mean + 2 * lt_sd * lt_sd)
    total = -0.5 * log_2pi - math.log(5) - (mu_mean * mu_mean + mu_sd * mu_sd) / 50  # mu ~ Normal(0, 5)
    total += math.log(2) - 0.5 * log_2pi - math.log(5) - tau2 / 50  # tau ~ HalfNormal(5)
    total += constant
    for (_, sw, swy, swyy), (e, s) in zip(stats, etas):
        total += -0.5 * log_2pi - (e * e + s * s) / 2 + 0.5 * (1 + log_2pi) + math.log(s)
        # Σ w (y − mu − tau eta)² in expectation, from the group's sums.
        squares = swyy - 2 * mu_mean * swy + mu_mean * mu_mean * sw
        second = squares - 2 * tau1 * e * (swy - mu_mean * sw) + (mu_sd * mu_sd + tau2 * (e * e + s * s)) * sw
        total -= second / 2
    return total + 0.5 * (1 + log_2pi) + math.log(mu_sd) + 0.5 * (1 + log_2pi) + math.log(lt_sd) + lt_mean


def optimum(stats, constant):
    """Newton (central differences) on (mu_mean, log mu_sd, lt_mean, log lt_sd), the groups at their best."""
    def guide(theta):
        mu_mean, mu_sd, lt_mean, lt_sd = theta[0], math.exp(theta[1]), theta[2], math.exp(theta[3])
        tau1 = math.exp(lt_mean + lt_sd * lt_sd / 2)
        tau2 = math.exp(2 * lt_mean + 2 * lt_sd * lt_sd)
        return mu_mean, mu_sd, lt_mean, lt_sd, best_groups(stats, mu_mean, tau1, tau2)

    def objective(theta):
        try:
            return elbo(stats, constant, *guide(theta))
        except (OverflowError, ValueError):  # a trial step far out: not an improvement
            return -math.inf

    theta, h = [0.0, 0.0, 0.0, 0.0], 1e-4

    def at(*moves):
        t = list(theta)
        for i, d in moves:
            t[i] += d
        return objective(t)

    for _ in range(200):
        gradient = [(at((i, h)) - at((i, -h))) / (2 * h) for i in range(4)]
        hessian = [[0.0] * 4 for _ in range(4)]
        for i in range(4):
            for j in range(i + 1):
                hessian[i][j] = hessian[j][i] = (at((i, h), (j, h)) - at((i, h), (j, -h)) - at((i, -h), (j, h)) +
                                                 at((i, -h), (j, -h))) / (4 * h * h)
        step = solve([[-x for x in row] for row in hessian], gradient)
        newton = step is not None and sum(a * b for a, b in zip(step, gradient)) > 0
        # Done when the Newton step would gain under 10⁻¹⁰ nats: the ELBO's
        # rounding (its size times 10⁻¹⁶, over h) keeps the gradient itself
        # from reaching a fixed tolerance once there are thousands of groups.
        if newton and 0.5 * sum(a * b for a, b in zip(step, gradient)) < 1e-10:
            return guide(theta)
        if not newton:
            step = gradient
        current = objective(theta)
        while not objective([a + b for a, b in zip(theta, step)]) >= current and max(map(abs, step)) > 1e-14:
            step = [x / 2 for x in step]
        theta = [a + b for a, b in zip(theta, step)]
    sys.exit("hierarchical_scaling: the reference optimisation did not converge")


def solve(a, b):
    """a x = b by Gaussian elimination with partial pivoting; None if singular."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        if abs(m[p][c]) < 1e-300:
            return None
        m[c], m[p] = m[p], m[c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            for k in range(c, n + 1):
                m[r][k] -= f * m[c][k]
    x = [0.0] * n
    for r in reversed(range(n)):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x


def kl_normal(m1, s1, m2, s2):
    return math.log(s2 / s1) + (s1 * s1 + (m1 - m2) ** 2) / (2 * s2 * s2) - 0.5


def kl_to_optimum(params, best):
    mu_mean, mu_sd, lt_mean, lt_sd, etas = best
    total = kl_normal(params["mu_mean"], params["mu_sd"], mu_mean, mu_sd)
    total += kl_normal(params["log_tau_mean"], params["log_tau_sd"], lt_mean, lt_sd)
    for m, s, (e, t) in zip(params["eta_mean"], params["eta_sd"], etas):
        total += kl_normal(m, s, e, t)
    return total


def full_fit(binary, data, groups, scratch):
    """Whole-process seconds, peak MB, iterations, converged, and the result, of a default fit."""
    peak_file = os.path.join(scratch, "peak")
    start = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak_file, binary, "models/eight_schools.model", data,
                           "--set", f"J={groups}", "--quiet", "--output", "-"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"hierarchical_scaling: J = {groups}: {done.stderr.strip()}")
    with open(peak_file) as f:
        peak = float(f.read().split()[-1]) / 1024
    result = json.loads(done.stdout)
    return seconds, peak, result


def main():
    binary = sys.argv[1]
    sizes = [int(j) for j in sys.argv[2:]] or [10, 30, 100, 300, 1000, 3000, 10000]
    print(f"  {'J':>6} {'rows':>7} {'s / iteration':>14} {'peak MB':>9}   growth of the time per iteration")
    previous = None
    per_iteration_of = {}
    with tempfile.TemporaryDirectory() as scratch:
        for groups in sizes:
            data = os.path.join(scratch, f"j{groups}.csv")
            write_data(data, groups)
            short, first, _ = run(binary, data, groups, 1)
            if short > budget_seconds:
                print(f"  {groups:>6} {groups * rows:>7}   one iteration took {short:.0f} s, over the {budget_seconds:.0f} s "
                      f"budget: stopped here")
                break
            cap = 3
            while True:
                long, made, peak = run(binary, data, groups, cap)
                if long - short >= 1.0 or made < cap or cap >= 3000:
                    break
                cap *= 10
            per_iteration = (long - short) / max(made - first, 1)
            growth = ""
            if previous:
                j0, t0 = previous
                growth = f"J^{math.log(per_iteration / t0) / math.log(groups / j0):.2f} since J = {j0}"
            print(f"  {groups:>6} {groups * rows:>7} {per_iteration:>14.4f} {peak:>9.0f}   {growth}")
            previous = (groups, per_iteration)
            per_iteration_of[groups] = per_iteration
        print()
        print(f"  {'J':>6} {'whole s':>8} {'peak MB':>8} {'iterations':>10} {'converged':>9} {'KL':>9}   default options, "
              "all threads")
        for groups, per_iteration in per_iteration_of.items():
            if per_iteration * 1000 > full_budget_seconds:
                print(f"  {groups:>6}   skipped: 1,000 iterations would take {per_iteration * 1000:.0f} s")
                continue
            data = os.path.join(scratch, f"j{groups}.csv")
            stats, constant = read_groups(data, groups)
            best = optimum(stats, constant)
            seconds, peak, result = full_fit(binary, data, groups, scratch)
            kl = kl_to_optimum(result["params"], best)
            print(f"  {groups:>6} {seconds:>8.1f} {peak:>8.0f} {result['iterations']:>10} "
                  f"{str(result['converged']).lower():>9} {kl:>9.2g}")


if __name__ == "__main__":
    main()
