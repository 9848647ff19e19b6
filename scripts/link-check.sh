#!/usr/bin/env bash
# 組み上げた本 (book/) の内部リンクとアンカー（#eq-2-11 など）がすべて解決することを、
# リンク検査器 lychee（固定版）で確かめる。外部へのリンクはネットワークがないので調べない。
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
install_crate lychee "$LYCHEE_VERSION"
[ -f book/index.html ] || { echo "book/ がない: 先に bash scripts/build-book.sh" >&2; exit 1; }
# print.html は全章の写しで、同じリンクを 2 度調べることになるので除く
lychee --offline --include-fragments --no-progress --root-dir "$PWD/book" \
  --exclude-path 'book/print.html' --exclude-path 'book/pagefind' \
  'book/**/*.html'
