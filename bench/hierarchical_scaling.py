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


def main():
    binary = sys.argv[1]
    sizes = [int(j) for j in sys.argv[2:]] or [10, 30, 100, 300, 1000, 3000, 10000]
    print(f"  {'J':>6} {'rows':>7} {'s / iteration':>14} {'peak MB':>9}   growth of the time per iteration")
    previous = None
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


if __name__ == "__main__":
    main()
