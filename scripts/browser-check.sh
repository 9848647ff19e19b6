#!/usr/bin/env bash
# 組み上げた本 (book/) をヘッドレス Chromium で開いて確かめる（tests/browser/check.mjs と、
# 動かせる図の tests/browser/live.mjs）。
# 先に scripts/build-book.sh で book/ を作っておくこと。画面写真は target/screenshots/ に置く。
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
PORT="${BROWSER_CHECK_PORT:-3917}"

CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v google-chrome || true)}"
# 足りないものだけを Debian のパッケージから入れる（GitHub のランナーには Chrome が既にある）
pkgs=()
[ -n "$CHROMIUM" ] || pkgs+=(chromium)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || pkgs+=(fonts-noto-cjk)
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "== Debian のパッケージを入れる: ${pkgs[*]}" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >&2
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq >&2 && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >&2
  else
    echo "次のパッケージが要る: sudo apt-get install ${pkgs[*]}" >&2
    exit 1
  fi
  CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
fi
export CHROMIUM

# playwright-core はブラウザをダウンロードしない。Debian の chromium を executablePath で動かす
install_npm playwright-core "$PLAYWRIGHT_CORE_VERSION"
ln -sfn "$TOOLS_DIR/playwright-core-$PLAYWRIGHT_CORE_VERSION/node_modules" tests/browser/node_modules

[ -f book/index.html ] || { echo "book/ がない: 先に bash scripts/build-book.sh" >&2; exit 1; }
cargo build --quiet -p xtask
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')
"$target_dir/debug/xtask" serve book "127.0.0.1:$PORT" >/dev/null &
server=$!
# 同じ本を下位パス /diffusion-book/ でも配る（GitHub Pages のプロジェクトサイトと同じ形）
"$target_dir/debug/xtask" serve book "127.0.0.1:$((PORT + 1))" /diffusion-book/ >/dev/null &
server2=$!
trap 'kill $server $server2 2>/dev/null || true' EXIT
for p in "$PORT" "$((PORT + 1))"; do
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done

node tests/browser/check.mjs "http://127.0.0.1:$PORT" target/screenshots "http://127.0.0.1:$((PORT + 1))/diffusion-book"

# 動かせる図: ネイティブで描いた結果と、ページの中の WebAssembly の結果を比べる
native=$(mktemp)
"$target_dir/debug/xtask" live > "$native"
node tests/browser/live.mjs "http://127.0.0.1:$PORT" book "$native"
rm -f "$native"
