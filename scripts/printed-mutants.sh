#!/usr/bin/env bash
# 印刷された式の変異テスト: ページの式の LaTeX を壊し、印刷された式のテストが見破るかを数える。
# 結果は tests/printed/mutants.md に書き、`cargo xtask index` で検証索引に載せる。
set -euo pipefail
cd "$(dirname "$0")/.."
export PRINTED_MUTANTS_DATE="${PRINTED_MUTANTS_DATE:-$(date +%F)}"
cargo test -p book --test printed -- --ignored --exact mutation::printed_mutation_score
cargo run -q -p xtask -- index
