#!/usr/bin/env bash
# Ising モデルの厳密な ln Z と 1・2 次モーメント（§2.5）の計算時間を、Rust（genmodel）と
# NumPy で同じ実行の中で並べて測り、比を表にする。
#
#   bash bench/run.sh            # N = 16 20 24
#   bash bench/run.sh 12 18      # N を指定
#
# NumPy がなければ `pip install numpy`。OPENBLAS_CORETYPE と OPENBLAS_L2_SIZE は NumPy を遅くするので、
# NumPy のコマンドだけで外す（テストや CI では外さない）。
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(16 20 24)

cargo build --quiet --release -p genmodel --example bench_ising
bin="${CARGO_TARGET_DIR:-target}/release/examples/bench_ising"

rust_out=$(mktemp)
numpy_out=$(mktemp)
trap 'rm -f "$rust_out" "$numpy_out"' EXIT
for n in "${sizes[@]}"; do
  "$bin" "$n" >>"$rust_out"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/ising_numpy.py "$n" >>"$numpy_out"
done

echo "厳密な ln Z + 全 1・2 次モーメント（全 2^N 状態の列挙）、最良の時間"
echo "machine: $(nproc) cores, numpy $(python3 -c 'import numpy; print(numpy.__version__)')"
printf '%4s %12s %12s %10s %16s %s\n' N "Rust [s]" "NumPy [s]" "NumPy/Rust" "ln Z (Rust)" "|Δ ln Z|, |Δ Σ⟨x⟩|, |Δ Σ⟨xx⟩|"
paste -d' ' "$rust_out" "$numpy_out" | awk '{
  dz = $3 - $8; dm = $4 - $9; dc = $5 - $10;
  if (dz < 0) dz = -dz; if (dm < 0) dm = -dm; if (dc < 0) dc = -dc;
  printf "%4d %12.4f %12.4f %9.1fx %16.10f %.1e, %.1e, %.1e\n", $1, $2, $7, $7 / $2, $3, dz, dm, dc;
  if (dz > 1e-8 || dm > 1e-8 || dc > 1e-8) { bad = 1 }
} END { if (bad) { print "失敗: Rust と NumPy の結果が一致しない" > "/dev/stderr"; exit 1 } }'
