#!/usr/bin/env bash
# L × L トーラスの Ising 強磁性体の 1 スピン更新メトロポリス法（T = T_c）の、反転の試み 1 回あたりの時間を、
# Rust（genmodel の LatticeMetropolis と多スピン符号化の MultiSpinMetropolis、1 スレッド）と
# NumPy（市松模様の 2 つの副格子と np.roll、bench/metropolis_numpy.py）で同じ実行の中で交互に測り、
# 中央値と比（NumPy/Rust）を表にする。
#
#   bash bench/metropolis.sh                 # 各 3 回、L = 64 128 256 512 1024
#   bash bench/metropolis.sh 5               # 各 5 回
#   bash bench/metropolis.sh 3 64 256        # L を指定（偶数）
#
# NumPy は bench/requirements.txt で固定した版を ${XDG_CACHE_HOME:-$HOME/.cache}/diffusion-book/bench-venv の
# venv に入れて使う（初回だけ pip が PyPI に接続する）。NumPy の要素ごとの演算は 1 スレッドである。
# 値の検査: L ≤ 128（どちらも数千掃引以上焼きなまされる）で、受理率が Rust の 2 つの実装と NumPy の間で
# 0.02 以内に一致しなければ失敗（終了コード 1）にする（受理率は平衡での期待値が走査の順によらない）。
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-3}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "使い方: bash bench/metropolis.sh [回数] [L ...]" >&2
  exit 2
fi
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(64 128 256 512 1024)

# ---- NumPy の venv（py と numpy_version を決める）
# shellcheck source=bench/numpy-venv.sh
source bench/numpy-venv.sh

# ---- Rust
cargo build --quiet --release -p genmodel --example bench_metropolis
bin=$(example_bin bench_metropolis)

# ---- 交互に測る（負荷の揺れが片方にだけ乗らないように）
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
load_before=$(uptime | sed 's/.*load average: //')
for ((r = 1; r <= runs; r++)); do
  "$bin" "${sizes[@]}" >"$out/rust.$r"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    "$py" bench/metropolis_numpy.py "${sizes[@]}" >"$out/numpy.$r"
done
load_after=$(uptime | sed 's/.*load average: //')

# ---- 検査と表
"$py" - "$out" "$runs" "$numpy_version" "$load_before" "$load_after" "$(nproc)" <<'EOF'
import statistics
import sys
from pathlib import Path

out, runs, numpy_version, load_before, load_after, cores = sys.argv[1:]
runs = int(runs)


def read(path):
    rows = {}
    for line in Path(path).read_text().split("\n"):
        if line:
            f = line.split()
            rows[int(f[0])] = f[1:]
    return rows


rust = [read(f"{out}/rust.{r}") for r in range(1, runs + 1)]
numpy = [read(f"{out}/numpy.{r}") for r in range(1, runs + 1)]
bad = []
print(f"Ising 2 次元、T = T_c、反転の試み 1 回あたりの時間 [ns]（各 {runs} 回を交互に、中央値）")
print(f"machine: {cores} cores, numpy {numpy_version}, load average {load_before} (前) / {load_after} (後)")
print()
print("| L | Rust 単純 [ns] | Rust 多スピン [ns] | NumPy 市松 [ns] | NumPy/単純 | NumPy/多スピン | 受理率（単純・多スピン・NumPy） |")
print("|---:|---:|---:|---:|---:|---:|---|")
for side in sorted(rust[0]):
    plain = statistics.median(float(r[side][0]) for r in rust)
    multi = statistics.median(float(r[side][1]) for r in rust)
    npy = statistics.median(float(r[side][0]) for r in numpy)
    acc = (float(rust[-1][side][4]), float(rust[-1][side][5]), float(numpy[-1][side][2]))
    print(
        f"| {side} | {plain:.2f} | {multi:.3f} | {npy:.1f} | {npy / plain:.1f} | {npy / multi:.0f} | "
        f"{acc[0]:.4f}, {acc[1]:.4f}, {acc[2]:.4f} |"
    )
    if side <= 128 and max(acc) - min(acc) > 0.02:
        bad.append(f"L = {side}: 受理率が一致しない {acc}")
print()
print("各回 [ns]（単純 / 多スピン / NumPy）:")
for side in sorted(rust[0]):
    cols = [" ".join(r[side][k] for r in rust) for k in (0, 1)] + [" ".join(r[side][0] for r in numpy)]
    print(f"  L = {side}: {cols[0]} / {cols[1]} / {cols[2]}")
if bad:
    print("\n".join(["失敗:"] + bad), file=sys.stderr)
    sys.exit(1)
EOF
