#!/usr/bin/env bash
# 本のページで動く図（crates/web）を WebAssembly にして src/live/pkg/ に置く。
# mdBook は src/ の中の Markdown 以外のファイルをそのまま book/ に写すので、book/live/pkg/ になる。
# scripts/build-book.sh が mdbook build の前に呼ぶ。src/live/pkg/ はコミットしない（.gitignore）。
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
cargo build --quiet -p book-live --lib --target wasm32-unknown-unknown --profile wasm
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')
rm -rf src/live/pkg
wasm-bindgen --target web --no-typescript --out-dir src/live/pkg \
  "$target_dir/wasm32-unknown-unknown/wasm/book_live.wasm"
echo "動かせる図: $(wc -c < src/live/pkg/book_live_bg.wasm) バイト（wasm）、$(wc -c < src/live/pkg/book_live.js) バイト（JS の糊）"
