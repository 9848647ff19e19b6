#!/usr/bin/env bash
# 読むためのコマンド: 道具を（なければ）入れ、本を組み上げて http://localhost:3000 で開く。
#
#   bash scripts/serve.sh          組み上げて配る。日本語の全文検索（Pagefind）が使える。
#                                  原稿を直したら、もう一度このコマンドを実行する。
#   bash scripts/serve.sh --live   mdbook serve で配り、原稿を保存するたびに自動で再描画する。
#                                  ただし検索は使えない（索引は組み上げ時にしか作れない）。
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-3000}"
if [ "${1:-}" = "--live" ]; then
  source scripts/tools.sh
  bash scripts/build-live.sh
  exec mdbook serve --port "$PORT"
fi
bash scripts/build-book.sh
exec cargo xtask serve book "127.0.0.1:$PORT"
