#!/usr/bin/env python3
"""A subsampled fit (--batch B) against the fit on every row, side by side.

    bench/subsampling.py BINARY DATA_DIR [N ...] [--batches B ...]

For each N (default 1,000,000), a logistic regression with an uncentred
covariate (x = 16.5 + u, u standard normal: a height in inches) is written
to DATA_DIR once, fitted on every row and with each --batch B (default
1,000 and 10,000), seeds 1-3, 2 threads. It prints each fit's wall clock,
iterations, the iteration from which it read every row, and its KL from the
fit on every row of the same seed, with the time as a ratio to that fit's.
bench/README.md, 'Subsampled fits', has the figures it printed.
"""
import json
import math
import os
import random
import subprocess
import sys
import time

MODEL = """// The logistic regression of bench/subsampling.py.
data { real x[N]; int<lower=0, upper=1> y[N]; }
latent { real b[2]; }
model {
  b ~ Normal(0, 100);
  y ~ Bernoulli(inv_logit(b[1] + b[2] * x));
}
guide {
  real b_mean[2] = 0;
  real<lower=0> b_sd[2] = 1;
  b ~ Normal(b_mean, b_sd);
}
"""


def write_data(path, rows, seed=21):
    rng = random.Random(seed)
    with open(path, "w") as out:
        out.write("x,y\n")
        for _ in range(rows):
            u = rng.gauss(0, 1)
            p = 1 / (1 + math.exp(-(0.3 + 0.8 * u)))
            out.write(f"{16.5 + u:.6f},{1 if rng.random() < p else 0}\n")


def fit(binary, model, data, seed, extra):
    start = time.monotonic()
    out = subprocess.run([binary, model, data, "--quiet", "--output", "-", "--seed", str(seed), "--threads", "2",
                          "--draws", "0"] + extra, check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    result["wall"] = time.monotonic() - start
    return result


def kl(q, p):
    """KL(q || p) between factorised Normal guides given as JSON params."""
    total = 0.0
    for m, s, m0, s0 in zip(q["b_mean"], q["b_sd"], p["b_mean"], p["b_sd"]):
        total += math.log(s0 / s) + (s * s + (m - m0) ** 2) / (2 * s0 * s0) - 0.5
    return total


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    binary, directory = args[0], args[1]
    rest = args[2:]
    batches = [1000, 10000]
    if "--batches" in rest:
        i = rest.index("--batches")
        batches = [int(b) for b in rest[i + 1:]]
        rest = rest[:i]
    sizes = [int(n) for n in rest] or [1000000]
    os.makedirs(directory, exist_ok=True)
    model = os.path.join(directory, "subsampling.model")
    with open(model, "w") as f:
        f.write(MODEL)
    for n in sizes:
        data = os.path.join(directory, f"logistic{n}.csv")
        if not os.path.exists(data):
            write_data(data, n)
        print(f"  N = {n:,}:")
        for seed in (1, 2, 3):
            every = fit(binary, model, data, seed, [])
            print(f"    seed {seed}: every row {every['wall']:7.2f} s, {every['iterations']:4d} iterations")
            for b in batches:
                if b >= n:
                    continue
                sub = fit(binary, model, data, seed, ["--batch", str(b)])
                print(f"            --batch {b:<7} {sub['wall']:7.2f} s, {sub['iterations']:4d} iterations, "
                      f"every row from {sub['all_rows_from']}, KL from every row's {kl(sub['params'], every['params']):.1e}"
                      f", time ratio {sub['wall'] / every['wall']:.2f}")


if __name__ == "__main__":
    main()
