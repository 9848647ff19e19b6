#!/usr/bin/env bash
# 64 × 20 の RBM の厳密な対数尤度（ln Z は 2^20 個の隠れ状態の列挙）を、Rust（genmodel）と NumPy で
# 同じ実行の中で交互に測り、中央値と比（NumPy/Rust）、算術の下限に対する比を表にする。
#
#   bash bench/rbm_loglik.sh        # 各 3 回
#   bash bench/rbm_loglik.sh 5      # 各 5 回
#
# NumPy は bench/requirements.txt で固定した版を、
# ${XDG_CACHE_HOME:-$HOME/.cache}/diffusion-book/bench-venv の venv に入れて使う（初回だけ pip が PyPI に接続する）。
# NumPy（BLAS）のスレッドは 2 にする。Rust 側は 1 スレッドである。
# 2 つの ln Z が相対 1e-9 で一致しない、またはパラメータのビット列が違うときは失敗（終了コード 1）にする。
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-3}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "使い方: bash bench/rbm_loglik.sh [回数]" >&2
  exit 2
fi

# ---- NumPy の venv（py と numpy_version を決める）
# shellcheck source=bench/numpy-venv.sh
source bench/numpy-venv.sh

# ---- Rust の版
cargo build --quiet --release -p xtask --example bench_rbm_loglik
bin=$(example_bin bench_rbm_loglik)

# ---- 交互に測る（負荷の揺れが片方にだけ乗らないように）
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
load_before=$(uptime | sed 's/.*load average: //')
for ((r = 1; r <= runs; r++)); do
  "$bin" >"$out/rust.$r"
  # OPENBLAS_CORETYPE・OPENBLAS_L2_SIZE は NumPy を遅くすることがあるので NumPy のコマンドだけで外す
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 \
    "$py" bench/rbm_loglik.py >"$out/numpy.$r"
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
    return dict(line.split(maxsplit=1) for line in Path(path).read_text().splitlines() if line)


rust = [read(f"{out}/rust.{r}") for r in range(1, runs + 1)]
numpy = [read(f"{out}/numpy.{r}") for r in range(1, runs + 1)]
bad = []
for r, (a, b) in enumerate(zip(rust, numpy), 1):
    if a["param_fnv1a"] != b["param_fnv1a"]:
        bad.append(f"{r} 回目: パラメータのビット列が違う ({a['param_fnv1a']} と {b['param_fnv1a']})")
    for key in ("ln_z", "mean_log_likelihood"):
        x, y = float(a[key]), float(b[key])
        if not abs(x - y) <= 1e-9 * max(abs(x), abs(y)):
            bad.append(f"{r} 回目: {key} が一致しない (Rust {x!r}, NumPy {y!r})")

med = lambda rows, key: statistics.median(float(row[key]) for row in rows)
t_rust = med(rust, "seconds")
t_numpy = med(numpy, "seconds")
t_sp = med(rust, "softplus_ns")
lower = (1 << 20) * 64 * t_sp * 1e-9
lz_r, lz_n = float(rust[0]["ln_z"]), float(numpy[0]["ln_z"])
ll = float(rust[0]["mean_log_likelihood"])

print(f"RBM 64 × 20、digits 1797 行（2 値）の厳密な平均対数尤度。各 {runs} 回を交互に、時間は中央値")
print(f"machine: {cores} cores, numpy {numpy_version}, load average {load_before} (前) / {load_after} (後)")
print("Rust [s]  :", " ".join(f"{float(x['seconds']):.4f}" for x in rust))
print("NumPy [s] :", " ".join(f"{float(x['seconds']):.3f}" for x in numpy))
print("softplus  :", " ".join(f"{float(x['softplus_ns']):.2f}" for x in rust), "ns")
print(f"ln Z: Rust {lz_r!r}, NumPy {lz_n!r}, 相対差 {abs(lz_r - lz_n) / abs(lz_r):.1e}")
print(f"平均対数尤度: {ll!r}")
print()
print("| Rust [s] | NumPy [s] | NumPy/Rust | softplus 1 回 [ns] | 下限 2^20·64·t [s] | Rust/下限 |")
print("|---:|---:|---:|---:|---:|---:|")
print(f"| {t_rust:.4f} | {t_numpy:.3f} | {t_numpy / t_rust:.1f} | {t_sp:.2f} | {lower:.3f} | {t_rust / lower:.3f} |")
if bad:
    print("\n".join(["失敗:"] + bad), file=sys.stderr)
    sys.exit(1)
EOF
