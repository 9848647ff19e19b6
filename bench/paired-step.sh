#!/usr/bin/env bash
# 学習の 1 歩の時間を、PyTorch（bench/<model>_step.py）と与えた Rust のコマンドで同じ実行の中で交互に測り、
# 中央値と比（PyTorch/Rust）を出す。<model> は vae（第 8 章、bench/vae-step.sh）か diffusion（第 10 章、
# bench/diffusion-step.sh）。どちらのコマンドも標準出力に `<model>_step_ns <1 歩の時間の中央値 [ns]>` の行を
# 1 つ出すこと（ほかの行は読まない）。形（H、バッチなど）を両方に同じく渡すのは呼ぶ側の責任である（PyTorch 側は
# TORCH_ARGS をそのまま渡す）。Rust のコマンドは与えたとおりに（引数を分けたまま）実行する。
#
#   bash bench/paired-step.sh diffusion target/release/examples/diffusion_step
#   ROUNDS=9 bash bench/paired-step.sh vae target/release/examples/vae_step
#
# 環境変数: ROUNDS（交互に走らせる回数、既定 5）、TORCH_ARGS（PyTorch の側への追加の引数、既定なし）。
# PyTorch は bench/torch-venv.sh で固定した版の venv（${XDG_CACHE_HOME:-$HOME/.cache}/diffusion-book/torch-venv、
# 初回だけ PyPI から約 2.8 GB）を使う。スレッドは PyTorch の側の既定の 2。使うのは bash と python（venv の python）だけである。
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ] || ! [[ "$1" =~ ^(vae|diffusion)$ ]]; then
  echo "使い方: bash bench/paired-step.sh <vae|diffusion> <Rust のコマンド…>（環境変数 ROUNDS・TORCH_ARGS）" >&2
  exit 2
fi
model="$1"
shift
key="${model}_step_ns"
case "$model" in
  vae) title="VAE の学習の 1 歩の時間" ;;
  diffusion) title="拡散モデルの ε のネットワークの学習の 1 歩の時間" ;;
esac
rounds="${ROUNDS:-5}"
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "ROUNDS は 1 以上の整数: $rounds" >&2
  exit 2
fi
rust_cmd=("$@")
read -r -a torch_args <<<"${TORCH_ARGS:-}"

# ---- PyTorch の venv（torch_py と torch_version を決める。版の表示は標準エラー）
# shellcheck source=bench/torch-venv.sh
source bench/torch-venv.sh
torch_cmd=("$torch_py" "bench/${model}_step.py" ${torch_args[@]+"${torch_args[@]}"})

# ---- 交互に測る（負荷の揺れが片方にだけ乗らないように）
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# コマンドを走らせ、出力を残し、$key の値を返す
run_one() {
  local name=$1 r=$2 value
  shift 2
  if ! "$@" >"$out/$name.$r.out" 2>"$out/$name.$r.err"; then
    echo "失敗: $name の $r 回目（終了コード ≠ 0）" >&2
    cat "$out/$name.$r.out" "$out/$name.$r.err" >&2
    return 1
  fi
  value=$(sed -n "s/^$key \\([0-9.eE+-]*\\)[[:space:]]*\$/\\1/p" "$out/$name.$r.out" | head -n 1)
  if [ -z "$value" ]; then
    echo "失敗: $name の $r 回目の標準出力に $key の行がない" >&2
    cat "$out/$name.$r.out" "$out/$name.$r.err" >&2
    return 1
  fi
  echo "$value"
}
load_before=$(uptime | sed 's/.*load average: //')
torch_ns=()
rust_ns=()
for ((r = 1; r <= rounds; r++)); do
  torch_ns+=("$(run_one torch "$r" "${torch_cmd[@]}")")
  rust_ns+=("$(run_one rust "$r" "${rust_cmd[@]}")")
  echo "$r/$rounds 回目: PyTorch ${torch_ns[-1]} ns, Rust ${rust_ns[-1]} ns" >&2
done
load_after=$(uptime | sed 's/.*load average: //')

# ---- 表
BENCH_TITLE="$title" BENCH_KEY="$key" "$torch_py" - "$rounds" "$(nproc)" "$torch_version" "$load_before" "$load_after" \
  "$(printf '%q ' "${torch_cmd[@]}")" "$(printf '%q ' "${rust_cmd[@]}")" \
  "${torch_ns[*]}" "${rust_ns[*]}" "$(cat "$out/torch.$rounds.err")" <<'EOF'
import os
import statistics
import sys

rounds, cores, torch_version, load_before, load_after, torch_cmd, rust_cmd, t, r, torch_err = sys.argv[1:]
t = [float(v) for v in t.split()]
r = [float(v) for v in r.split()]
mt, mr = statistics.median(t), statistics.median(r)
print(f"{os.environ['BENCH_TITLE']} [ns]（各 {rounds} 回を交互に、各回は 1 歩の時間の中央値、表はその中央値）")
print(f"machine: {cores} cores (nproc), torch {torch_version}, load average {load_before} (前) / {load_after} (後)")
print(f"PyTorch: {torch_cmd.strip()}")
print(f"Rust   : {rust_cmd.strip()}")
print("PyTorch の各回 [ns]:", " ".join(f"{v:.0f}" for v in t))
print("Rust の各回 [ns]   :", " ".join(f"{v:.0f}" for v in r))
print("PyTorch の最後の回の標準エラー:")
for line in torch_err.splitlines():
    print(f"  {line}")
print()
print("| PyTorch [ns] | Rust [ns] | PyTorch/Rust |")
print("|---:|---:|---:|")
print(f"| {mt:.0f} | {mr:.0f} | {mt / mr:.2f} |")
key = os.environ["BENCH_KEY"]
print(f"{key}_torch {mt:.0f}")
print(f"{key}_rust {mr:.0f}")
print(f"ratio_torch_over_rust {mt / mr:.4f}")
EOF
