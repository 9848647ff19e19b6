"""NumPy peer of crates/genmodel/examples/bench_ising.rs.

Exact ln Z and all first and second moments of an Ising model over x in {-1, 1}^N,
by enumerating all 2^N states in chunks, vectorised with NumPy (BLAS for the
second moments). Same parameters and output format as the Rust binary:
one line per N: "N seconds ln_Z sum<x_k> sum<x_k x_l>".
"""

import math
import sys
import time

import numpy as np

CHUNK = 1 << 16


def model(n):
    h = np.array([0.3 * math.sin(k + 1) for k in range(n)])
    jm = np.zeros((n, n))
    for k in range(n):
        for l in range(k + 1, n):
            v = 0.8 * math.cos(7 * k + 3 * l + 1) / math.sqrt(n)
            jm[k, l] = v
            jm[l, k] = v
    return h, jm


def exact(h, jm):
    n = h.size
    shifts = np.arange(n, dtype=np.int64)
    ref = -np.inf
    z = 0.0
    mean = np.zeros(n)
    second = np.zeros((n, n))
    for start in range(0, 1 << n, CHUNK):
        idx = np.arange(start, min(start + CHUNK, 1 << n), dtype=np.int64)
        x = 1.0 - 2.0 * ((idx[:, None] >> shifts) & 1)  # bit k = 1 <=> x_k = -1
        # exponent: sum_{k<l} J x x + sum h x = 0.5 x^T J x + h.x
        e = 0.5 * np.einsum("ij,ij->i", x @ jm, x) + x @ h
        m = e.max()
        if m > ref:
            scale = math.exp(ref - m) if np.isfinite(ref) else 0.0
            z *= scale
            mean *= scale
            second *= scale
            ref = m
        w = np.exp(e - ref)
        z += w.sum()
        mean += w @ x
        second += x.T @ (w[:, None] * x)
    iu = np.triu_indices(n, 1)
    return ref + math.log(z), mean / z, second[iu] / z


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [16, 20, 24]
    for n in sizes:
        h, jm = model(n)
        repeats = 5 if n <= 16 else 3 if n <= 20 else 1
        best = math.inf
        for _ in range(repeats):
            t = time.perf_counter()
            log_z, mean, corr = exact(h, jm)
            best = min(best, time.perf_counter() - t)
        print(f"{n} {best:.6f} {log_z:.12f} {mean.sum():.12f} {corr.sum():.12f}")


if __name__ == "__main__":
    main()
