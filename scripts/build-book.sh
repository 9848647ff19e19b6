#!/usr/bin/env bash
# 本を book/ にビルドし、次のどれかがあれば失敗する:
# - mdBook・mdbook-katex の警告（KaTeX の描画失敗は WARN を出すだけでビルドは通ってしまう）
# - 描画されずに残った生の TeX（\tag{ や $$ が HTML に残っている）
# - 自サイト以外のホストを参照する src= / href=（本文中の出典リンク <a href> は除く）
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

log=$(mktemp)
t0=$(date +%s%N)
mdbook build 2>&1 | tee "$log"
t1=$(date +%s%N)
echo "mdbook build: $(( (t1 - t0) / 1000000 )) ms"

fail=0
if grep -E 'WARN|ERROR' "$log" >/dev/null; then
  echo "失敗: mdbook build が警告を出した" >&2
  fail=1
fi
rm -f "$log"

# 検索索引（Pagefind）。本文 <main> だけを、KaTeX の描画結果を除いて索引する。
# print.html・toc.html・404.html と、序章の写しである index.html は索引しない。
"$PAGEFIND" --site book --root-selector main --exclude-selectors ".katex" \
  --glob "{introduction,ch*,appendix/*}.html" --quiet
[ -f book/pagefind/pagefind-ui.js ] || { echo "失敗: Pagefind の索引ができていない" >&2; fail=1; }

pages=$(find book -name '*.html' ! -name 'print.html' ! -name 'toc.html' ! -name '404.html')
if grep -l -F -e '\tag{' -e '$$' $pages >/dev/null 2>&1; then
  echo "失敗: 描画されていない TeX が残っている:" >&2
  grep -l -F -e '\tag{' -e '$$' $pages >&2
  fail=1
fi

# 外部参照: ページが読み込むもの（src=、<link href=、CSS の url(...)）に http(s):// があってはならない
ext=$( { grep -rhoE '(src|srcset)="(https?:)?//[^"]*"' book --include='*.html' || true
        grep -rhoE '<link[^>]*href="(https?:)?//[^"]*"' book --include='*.html' || true
        grep -rhoE 'url\((https?:)?//[^)]*\)' book --include='*.css' || true
        grep -rhoE '@import[^;]*(https?:)?//[^;]*' book --include='*.css' || true; } | sort -u)
if [ -n "$ext" ]; then
  echo "失敗: 外部ホストへの参照がある:" >&2
  echo "$ext" >&2
  fail=1
fi
[ -f book/katex/katex.min.css ] && [ -f book/katex/fonts/KaTeX_Main-Regular.woff2 ] || {
  echo "失敗: KaTeX の CSS・フォントが book/katex/ にない" >&2
  fail=1
}
exit $fail
