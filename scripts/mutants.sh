#!/usr/bin/env bash
# 変異テスト: cargo-mutants（固定版）が genmodel のコードに誤り（演算子の入れ替え、戻り値の差し替えなど）を
# 1 つずつ入れ、テストがそれに気づくか（テストが落ちるか）を確かめる。
# 遅い（2 コアで数時間）ので CI では走らせない。結果は tests/mutants/summary.md に書き、検証索引に載せる。
#
#   bash scripts/mutants.sh                      すべての変異を試す
#   bash scripts/mutants.sh -f crates/genmodel/src/kl.rs   一部のファイルだけ（cargo mutants の引数をそのまま渡す）
#   bash scripts/mutants.sh --summary-only DIR   既存の結果 DIR/mutants.out から要約だけ作り直す
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

out=target/mutants
if [ "${1:-}" = "--summary-only" ]; then
  out=$2
  elapsed=${3:-}
else
  install_crate cargo-mutants "$CARGO_MUTANTS_VERSION"
  start=$SECONDS
  # 終了コード 2（見逃しあり）・3（時間切れあり）でも要約は作る
  cargo mutants -p genmodel --profile mutants --copy-target=false --cap-lints=true --no-shuffle -j "${JOBS:-2}" -o "$out" "$@" || true
  elapsed=$((SECONDS - start))
fi
bash scripts/mutants-summary.sh "$out/mutants.out" "$elapsed" > tests/mutants/summary.md
cargo xtask index
cat tests/mutants/summary.md
! grep -q "説明のない見逃し" tests/mutants/summary.md
