#!/usr/bin/env python3
"""A valid .model with many declarations, for timing `bbvi-ppl check` against its size.

  bench/generate_model.py constants N   N data constants, each from the one before (c_i = c_{i-1} + 1)
  bench/generate_model.py latents N     N latents in a chain: z_i ~ Normal(z_{i-1}, 1), each with a
                                        guide factor and its own variational parameter

Both models have one data column x (any CSV with a column x will do) and print to standard output.
"""
import sys


def constants(n):
    lines = ["data {", "  real x[N];", "  real c0 = 0.5;"]
    lines += [f"  real c{i} = c{i - 1} + 1;" for i in range(1, n)]
    lines += ["}", "latent {", "  real mu;", "}",
              "model {", f"  mu ~ Normal(c{n - 1}, 1);", "  x ~ Normal(mu, 1);", "}",
              "guide {", "  real m = 0;", "  real<lower=0> s = 1;", "  mu ~ Normal(m, s);", "}"]
    return lines


def latents(n):
    lines = ["data {", "  real x[N];", "}", "latent {"]
    lines += [f"  real z{i};" for i in range(n)]
    lines += ["}", "model {", "  z0 ~ Normal(0, 1);"]
    lines += [f"  z{i} ~ Normal(z{i - 1}, 1);" for i in range(1, n)]
    lines += [f"  x ~ Normal(z{n - 1}, 1);", "}", "guide {"]
    lines += [f"  real m{i} = 0;\n  z{i} ~ Normal(m{i}, 1);" for i in range(n)]
    lines += ["}"]
    return lines


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("constants", "latents"):
        sys.exit(__doc__)
    generate = constants if sys.argv[1] == "constants" else latents
    sys.stdout.write("\n".join(generate(int(sys.argv[2]))) + "\n")
