"""NumPy peer of crates/genmodel/examples/bench_metropolis.rs.

Single-spin-flip Metropolis for the 2-D Ising ferromagnet on an L x L torus
(J = 1, T = T_c), written the way a NumPy user would vectorise it: a
checkerboard of two sublattices updated in turn, neighbour sums with np.roll,
one uniform random number per site per sweep, acceptance probabilities
min(1, exp(-dE/T)) from a 5-entry table indexed by s * (neighbour sum).

For each L, starts from random spins, warms up for >= 0.2 s, then sweeps until
>= 0.5 s have passed. One line per L:
"L ns_per_attempt u acceptance sweeps" (u: energy per spin at the end,
acceptance: fraction of accepted flips in the timed part).
"""

import math
import sys
import time

import numpy as np

T_C = 2.0 / math.log(1.0 + math.sqrt(2.0))
WARM_UP = 0.2
MEASURE = 0.5


def make_sweep(side, coupling, rng):
    ii, jj = np.indices((side, side))
    sublattices = [(ii + jj) % 2 == 0, (ii + jj) % 2 == 1]
    # accept[(s * h + 4) // 2] = min(1, exp(-2 K s h)) for s * h in {-4, -2, 0, 2, 4}
    accept = np.minimum(1.0, np.exp(-2.0 * coupling * np.arange(-4, 5, 2)))

    def sweep(s):
        u = rng.random((side, side))  # one uniform per site per sweep
        flips = 0
        for mask in sublattices:
            h = np.roll(s, 1, 0) + np.roll(s, -1, 0) + np.roll(s, 1, 1) + np.roll(s, -1, 1)
            flip = mask & (u < accept[(s * h + 4) // 2])
            s[flip] *= -1
            flips += int(np.count_nonzero(flip))
        return flips

    return sweep


def energy_per_spin(s):
    return -float(np.sum(s * (np.roll(s, 1, 0) + np.roll(s, 1, 1)))) / s.size


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [64, 128, 256, 512, 1024]
    for side in sizes:
        if side % 2:
            sys.exit(f"L = {side}: the checkerboard needs an even side")
        rng = np.random.default_rng(side)
        s = rng.choice(np.array([-1, 1], dtype=np.int8), size=(side, side))
        sweep = make_sweep(side, 1.0 / T_C, rng)
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < WARM_UP:
            sweep(s)
        sweeps = flips = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < MEASURE:
            flips += sweep(s)
            sweeps += 1
        seconds = time.perf_counter() - t0
        attempts = sweeps * side * side
        print(f"{side} {seconds * 1e9 / attempts:.4f} {energy_per_spin(s):.5f} {flips / attempts:.5f} {sweeps}")


if __name__ == "__main__":
    main()
