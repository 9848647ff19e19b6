#!/usr/bin/env bash
# 変異テスト: cargo-mutants（固定版）が genmodel のコードに誤り（演算子の入れ替え、戻り値の差し替えなど）を
# 1 つずつ入れ、テストがそれに気づくか（テストが落ちるか）を確かめる。
# 遅い（2 コアで 1 変異あたり約 16 秒、全体で数時間）ので CI では走らせず、ファイルごとに走らせて
# tests/mutants/summary.md の表に書き足す。表の各行は実行を始めたときのファイルのハッシュを持ち、
# そのあとでファイルが変わると cargo test（book_checks）が落ちる。
#
#   bash scripts/mutants.sh -f crates/genmodel/src/divergence.rs   ファイルを選ぶ（cargo mutants の -f。何度でも）
#   bash scripts/mutants.sh                                         すべてのファイル
#
# 1 段目は genmodel のテストだけで走らせる。見逃した変異だけを、2 段目で本全体のテスト
# （印刷された式・演習・本の検査を含む）で走らせ直す。全体を毎回走らせるのと同じ判定を、ずっと短い時間で得る。
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
install_crate cargo-mutants "$CARGO_MUTANTS_VERSION"

out=target/mutants
rm -rf "$out"
mkdir -p "$out"
commit=$(git rev-parse --short HEAD)
if [ -n "$(git status --porcelain -- crates/genmodel)" ]; then
  echo "crates/genmodel にコミットしていない変更がある。記録はコミットと結びつけるので、先にコミットする" >&2
  exit 1
fi
cargo xtask mutants snapshot "$out"
common=(--profile mutants --copy-target=false --cap-lints=true --no-shuffle -j "${JOBS:-2}")
cargo mutants -p genmodel --list > "$out/all.txt"
cargo mutants -p genmodel --list "$@" > "$out/list.txt"
# 終了コード 2（見逃しあり）・3（時間切れあり）でも記録は作る
cargo mutants -p genmodel "${common[@]}" -o "$out" "$@" || true
if [ -s "$out/mutants.out/missed.txt" ]; then
  re=()
  while IFS= read -r m; do
    re+=(-F "^$(printf '%s' "$m" | sed -E 's/[][\\.+*?()|{}^$]/\\&/g')\$")
  done < "$out/mutants.out/missed.txt"
  mkdir -p "$out/book"
  cargo mutants -p genmodel --test-workspace=true "${common[@]}" -o "$out/book" "${re[@]}" || true
fi
cargo xtask mutants record "$out" "$(date +%Y-%m-%d)" "$commit"
cargo xtask index
cat tests/mutants/summary.md
! grep -q "説明のない見逃し" tests/mutants/summary.md
