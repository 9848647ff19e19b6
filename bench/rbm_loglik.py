"""NumPy の対照実装: 64 × 20 の RBM の厳密な ln Z と、digits の平均対数尤度。

crates/xtask/examples/bench_rbm_loglik.rs（genmodel）と同じ量を、NumPy の利用者がふつうに
書くベクトル化で求める。bench/rbm_loglik.sh が両方を同じ実行の中で走らせて比べる。

パラメータは乱数ではなく閉じた式で作る（Rust 側と同じ libm の sin・cos をスカラーで呼ぶので、
両方の言語でビットまで同じになる。param_fnv1a の行で確かめる）:

    W[i, j] = 0.05 * sin(1 + 7 i + 13 j)   (i = 0..63 は可視、j = 0..19 は隠れ)
    b[i]    = 0.1 * cos(3 i)
    c[j]    = 0.1 * sin(5 j)

ln Z = logsumexp_h [c・h + Σ_i softplus(b_i + (W h)_i)] を 2^20 個の h 全部について、
2^14 個ずつの塊で求める（softplus は np.logaddexp(0, x)、塊ごとの最大値を基準にした安定な logsumexp）。
平均対数尤度は −mean_v F(v) − ln Z、F(v) = −b・v − Σ_j softplus(c_j + (Wᵀ v)_j)。

データは tests/data/digits.csv（1797 行、画素 64 列 + ラベル）を読み、画素 ≥ 8 を 1 にする。
時間（time.perf_counter）は ln Z と平均対数尤度の計算だけを測り、読み込みは含めない。

出力は 1 行に「名前 値」の機械可読な形:
    param_fnv1a <W, b, c の little-endian f64 のバイト列の FNV-1a 64, 16 進>
    ln_z <ln Z>
    mean_log_likelihood <平均対数尤度>
    seconds <秒>
"""

import math
import sys
import time
from pathlib import Path

import numpy as np

NV = 64
NH = 20
CHUNK = 1 << 14


def parameters():
    w = np.array(
        [[0.05 * math.sin(1 + 7 * i + 13 * j) for j in range(NH)] for i in range(NV)]
    )
    b = np.array([0.1 * math.cos(3 * i) for i in range(NV)])
    c = np.array([0.1 * math.sin(5 * j) for j in range(NH)])
    return w, b, c


def fnv1a(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def load_digits(path):
    table = np.loadtxt(path, delimiter=",", dtype=np.int64)
    pixels = table[:, :-1]
    return (pixels >= 8).astype(np.float64)


def log_z(w, b, c):
    nh = c.size
    shifts = np.arange(nh, dtype=np.int64)
    maxima = []
    sums = []
    for start in range(0, 1 << nh, CHUNK):
        idx = np.arange(start, min(start + CHUNK, 1 << nh), dtype=np.int64)
        h = ((idx[:, None] >> shifts) & 1).astype(np.float64)  # 塊の中の h（行ごと）
        act = h @ w.T + b  # b + W h、形は (塊, 64)
        e = h @ c + np.logaddexp(0.0, act).sum(axis=1)
        m = e.max()
        maxima.append(m)
        sums.append(np.exp(e - m).sum())
    maxima = np.array(maxima)
    top = maxima.max()
    return float(top + math.log(np.dot(np.array(sums), np.exp(maxima - top))))


def mean_log_likelihood(v, w, b, c, lz):
    free = -(v @ b) - np.logaddexp(0.0, v @ w + c).sum(axis=1)
    return float(-free.mean() - lz)


def main():
    root = Path(__file__).resolve().parent.parent
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "tests/data/digits.csv"
    v = load_digits(path)
    w, b, c = parameters()
    param_bytes = b"".join(x.astype("<f8").tobytes() for x in (w, b, c))

    t0 = time.perf_counter()
    lz = log_z(w, b, c)
    ll = mean_log_likelihood(v, w, b, c, lz)
    seconds = time.perf_counter() - t0

    print(f"param_fnv1a {fnv1a(param_bytes):016x}")
    print(f"ln_z {lz!r}")
    print(f"mean_log_likelihood {ll!r}")
    print(f"seconds {seconds!r}")


if __name__ == "__main__":
    main()
