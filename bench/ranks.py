#!/usr/bin/env python3
"""Ranks (mpirun -np K) against one process, side by side.

    bench/ranks.py BINARY DATA_DIR [N ...]

For each N (default 100,000 and 1,000,000), the logistic regression of
bench/subsampling.py is written to DATA_DIR once and fitted, seed 1, as:
one process on 1 thread, 2 ranks of 1 thread each, and one process on 2
threads; each without the importance check (--draws 0) and with it as a
user gets it (its default 1,000 draws, each reading every row). It prints
each run's wall clock (the best of 3, or the one run at N above 100,000),
its ratio to the one-thread process's, and, for the fit alone, the rows
the fit's draws read per second per rank (the log-joint's evaluations
times N, over the time and the ranks); and it checks that every run's
JSON is the one process's but for the time. bench/README.md, 'Ranks', has
the figures.
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from subsampling import MODEL, write_data  # noqa: E402


def run(command, repetitions):
    best, out = None, None
    for _ in range(repetitions):
        start = time.monotonic()
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        elapsed = time.monotonic() - start
        best = elapsed if best is None else min(best, elapsed)
    result = json.loads(out)
    result.pop("seconds", None)
    return best, result


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    binary, data_dir = args[0], args[1]
    sizes = [int(a) for a in args[2:]] or [100_000, 1_000_000]
    launcher = shutil.which("mpirun")
    if launcher is None:
        sys.exit("bench/ranks.py: needs mpirun (apt-get install -y openmpi-bin libopenmpi-dev libboost-mpi1.81-dev)")
    os.makedirs(data_dir, exist_ok=True)
    model = os.path.join(data_dir, "ranks_logistic.model")
    with open(model, "w") as out:
        out.write(MODEL)
    environment = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    os.environ.update(environment)
    for n in sizes:
        data = os.path.join(data_dir, f"logistic_{n}.csv")
        if not os.path.exists(data):
            write_data(data, n)
        for draws in ("0", "1000"):
            fit = [binary, model, data, "--quiet", "--output", "-", "--seed", "1", "--draws", draws]
            runs = [("1 process, 1 thread", 1, fit + ["--threads", "1"]),
                    ("2 ranks, 1 thread each", 2,
                     [launcher, "--oversubscribe", "-np", "2"] + fit + ["--threads", "1"]),
                    ("1 process, 2 threads", 1, fit + ["--threads", "2"])]
            print(f"N = {n:,}, --draws {draws}")
            first_time, first_result = None, None
            for name, ranks, command in runs:
                seconds, result = run(command, 3 if n <= 100_000 else 1)
                if first_time is None:
                    first_time, first_result = seconds, result
                same = "same JSON" if result == first_result else "JSON DIFFERS"
                rows = ""
                if draws == "0":
                    rows = f"{result['log_joint_evaluations'] * n / seconds / ranks / 1e6:7.1f} M rows/s per rank  "
                print(f"  {name:24s} {seconds:7.2f} s  ratio {seconds / first_time:4.2f}  {rows}"
                      f"{result['iterations']} it  {same}")

if __name__ == "__main__":
    main()
