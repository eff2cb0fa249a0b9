#!/usr/bin/env python3
"""Seconds per iteration of every estimator, against the default's (`local`), on the example models
and on generated ones that look like real data.

  bench/estimator_cost.py BINARY DATA_DIR

Each estimator runs with its own default draws, one thread, no stopping on noise (--tolerance
1e-300; a fit whose estimates have no noise at all still stops), to an iteration cap; the time per
iteration is the fit's own time (the JSON's `seconds`: no reading of the data, no report) less that
of a fit of 2 iterations, over the iterations between (the least of three such on the small models).
An estimator whose fit fails (numerically, or too few draws for it) shows as --. The last column
is the default's time over the cheapest estimator's: the cheapest per iteration, not the one that
converges soonest (see bench/README.md, 'Cost of an iteration per estimator').
"""
import json
import math
import os
import random
import subprocess
import sys

from hierarchical_scaling import write_data as write_hierarchical

ESTIMATORS = ["basic", "rb", "cv", "regression", "regression-groups", "regression-rb", "regression-rb-joint", "local"]


def write_rows(path, rows, seed, row):
    """A CSV with columns x and y, x ~ Normal(0, 2) and y = row(x, rng)."""
    rng = random.Random(seed)
    with open(path, "w") as f:
        f.write("x,y\n")
        for _ in range(rows):
            x = rng.gauss(0, 2)
            f.write(f"{x:.6f},{row(x, rng)}\n")


def write_linear(path, rows):
    write_rows(path, rows, 5, lambda x, rng: f"{1 + 0.5 * x + rng.gauss(0, 1.5):.6f}")


def write_logistic(path, rows):
    write_rows(path, rows, 6, lambda x, rng: 1 if rng.random() < 1 / (1 + math.exp(-(0.3 + 0.8 * x))) else 0)


def write_wide_regression(model_path, data_path, rows=5000, coefficients=25, seed=11):
    """24 uncentred predictors (means 50, sds 10, correlated 0.8), the noise scale a latent."""
    rng = random.Random(seed)
    beta = [rng.gauss(0, 1) for _ in range(coefficients)]
    with open(data_path, "w") as f:
        f.write(",".join(f"x{k}" for k in range(2, coefficients + 1)) + ",y\n")
        for _ in range(rows):
            base = rng.gauss(0, 1)
            xs = [50 + 10 * (0.9 * base + 0.44 * rng.gauss(0, 1)) for _ in range(coefficients - 1)]
            y = beta[0] + sum(b * x for b, x in zip(beta[1:], xs)) / 10 + rng.gauss(0, 2)
            f.write(",".join(f"{x:.4f}" for x in xs) + f",{y:.4f}\n")
    mean = " + ".join(["b1"] + [f"b{k} * x{k}" for k in range(2, coefficients + 1)])
    lines = ["data {"] + [f"  real x{k}[N];" for k in range(2, coefficients + 1)] + ["  real y[N];", "}"]
    lines += ["latent {"] + [f"  real b{k};" for k in range(1, coefficients + 1)] + ["  real<lower=0> sigma;", "}"]
    lines += ["model {"] + [f"  b{k} ~ Normal(0, 10);" for k in range(1, coefficients + 1)]
    lines += ["  sigma ~ HalfNormal(5);", f"  y ~ Normal({mean}, sigma);", "}", "guide {"]
    for k in range(1, coefficients + 1):
        lines += [f"  real m{k} = 0;", f"  real<lower=0> s{k} = 1;", f"  b{k} ~ Normal(m{k}, s{k});"]
    lines += ["  real ls = 0;", "  real<lower=0> ss = 0.5;", "  sigma ~ LogNormal(ls, ss);", "}"]
    with open(model_path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_robust(path, rows=1000, seed=7):
    """Uncentred x (mean 50, sd 10) and Student-t noise of 4 degrees of freedom, scale 2."""
    rng = random.Random(seed)
    with open(path, "w") as f:
        f.write("x,y\n")
        for _ in range(rows):
            x = rng.gauss(50, 10)
            noise = rng.gauss(0, 1) / math.sqrt(rng.gammavariate(2, 1) / 2)
            f.write(f"{x:.4f},{1 + 0.3 * x + 2 * noise:.4f}\n")


def fit_seconds(binary, model, data, extra, estimator, cap):
    """The fit's own seconds and its iterations, or None where it fails."""
    done = subprocess.run([binary, model, data, "--estimator", estimator, "--iters", str(cap), "--tolerance",
                           "1e-300", "--draws", "0", "--threads", "1", "--quiet", "--output", "-"] + extra,
                          capture_output=True, text=True)
    try:  # a fit stopped at the cap says so in its exit status, and still writes its result
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        return None
    return result["seconds"], result["iterations"]


def per_iteration(binary, model, data, extra, estimator, cap, repeats):
    """Seconds an iteration past the fit's start: the difference between a fit to the cap and one of 2
    iterations, over the iterations between; the least of `repeats` such differences. A fit that stops
    by itself early (an exact estimator) would otherwise carry its first iteration's set-up."""
    best = None
    for _ in range(repeats):
        full, start = fit_seconds(binary, model, data, extra, estimator, cap), \
            fit_seconds(binary, model, data, extra, estimator, 2)
        if not full or not start or full[1] <= start[1]:
            return None
        each = (full[0] - start[0]) / (full[1] - start[1])
        best = each if best is None else min(best, each)
    return best


def main():
    binary, data = sys.argv[1], sys.argv[2]
    os.makedirs(data, exist_ok=True)
    linear, logistic = os.path.join(data, "linear1000000.csv"), os.path.join(data, "logistic100000.csv")
    wide_model, wide_data = os.path.join(data, "wide25.model"), os.path.join(data, "wide25.csv")
    if not os.path.exists(linear):
        write_linear(linear, 1000000)
    if not os.path.exists(logistic):
        write_logistic(logistic, 100000)
    if not os.path.exists(wide_data):
        write_wide_regression(wide_model, wide_data)
    hierarchical = os.path.join(data, "hierarchical100.csv")
    if not os.path.exists(hierarchical):
        write_hierarchical(hierarchical, 100)
    robust = os.path.join(data, "robust1000.csv")
    if not os.path.exists(robust):
        write_robust(robust)
    # (name, model, data, extra options, iteration cap, repeats): the small models, and the reduced
    # linear regression, run long enough for their iterations to outweigh the timer's resolution.
    cases = [(name, f"models/{name}.model", f"models/{name}.csv", [], 2000, 3)
             for name in ["normal_gamma", "linear_regression", "logistic_regression", "beta_bernoulli",
                          "gamma_poisson", "two_sources", "eight_schools"]]
    # The example models whose local colours evaluate their points (bench/README.md, 'A draw's local
    # work'), at caps their cost allows.
    cases += [(name, f"models/{name}.model", f"models/{name}.csv", [], cap, 1)
              for name, cap in [("ar1", 2000), ("mixture", 200), ("changepoint", 50)]]
    cases += [("eight_schools, centred", "bench/eight_schools_centred.model", "models/eight_schools.csv", [], 2000, 3),
              ("robust regression, N = 1,000", "bench/robust_regression.model", robust, [], 25, 1)]
    cases += [("linear_regression, N = 10^6", "models/linear_regression.model", linear, [], 500, 1),
              ("logistic_regression, N = 10^5", "models/logistic_regression.model", logistic, [], 25, 1),
              ("25 coefficients, N = 5,000", wide_model, wide_data, [], 25, 1),
              ("eight_schools, J = 100 (500 rows)", "models/eight_schools.model", hierarchical, ["--set", "J=100"],
               200, 1)]
    print("  ms per iteration, one thread; the default is local")
    print("  " + "model".ljust(32) + "".join(e.rjust(20) for e in ESTIMATORS) + "  local / cheapest")
    for name, model, data_file, extra, cap, repeats in cases:
        times = {e: per_iteration(binary, model, data_file, extra, e, cap, repeats) for e in ESTIMATORS}
        measured = [t for t in times.values() if t]
        cells = "".join((f"{times[e] * 1000:20.3f}" if times[e] else "--".rjust(20)) for e in ESTIMATORS)
        ratio = f"{times['local'] / min(measured):8.1f}" if times["local"] and measured else "--".rjust(8)
        print(f"  {name:32s}{cells}  {ratio}", flush=True)


if __name__ == "__main__":
    main()
