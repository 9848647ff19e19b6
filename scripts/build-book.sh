#!/usr/bin/env bash
# 本を book/ にビルドし、次のどれかがあれば失敗する:
# - mdBook・mdbook-katex の警告（KaTeX の描画失敗は WARN を出すだけでビルドは通ってしまう）
# - 描画されずに残った生の TeX（\tag{ や $$ が HTML に残っている）
# - 自サイト以外のホストを参照する src= / href=（本文中の出典リンク <a href> は除く）
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

# 動かせる図の WebAssembly（src/live/pkg/。mdBook が book/live/pkg/ に写す）
bash scripts/build-live.sh

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

# 検索索引（Pagefind）。本文 <main> だけを、KaTeX の描画結果と文中のコード（`eq_2_11_…` のような
# テスト名・関数名・ファイル名。結果の抜粋に出さない）を除いて索引する。コードの囲み <pre> の中は索引する。
# print.html・toc.html・404.html と、序章の写しである index.html は索引しない。
# 付録（正誤表・検証索引・対照表・記号表）は data-pagefind-weight で重みを下げ、用語を定義した箇所は
# 前処理 search-terms（book.toml）が重みを上げるので、用語の検索では定義したページが先頭に来る。
"$PAGEFIND" --site book --root-selector main --exclude-selectors ".katex" \
  --exclude-selectors ":not(pre) > code" \
  --glob "{introduction,ch*,appendix/*}.html" --quiet
[ -f book/pagefind/pagefind-ui.js ] || { echo "失敗: Pagefind の索引ができていない" >&2; fail=1; }

pages=$(find book -name '*.html' ! -name 'print.html' ! -name 'toc.html' ! -name '404.html')
# MathML の <annotation encoding="application/x-tex"> は TeX の原文そのもの（読み上げ・コピー用）
# なので除いて探す
raw=$(perl -0777 -ne 's{<annotation encoding="application/x-tex">.*?</annotation>}{}gs;
                     print "$ARGV\n" if /\\tag\{|\$\$/' $pages)
if [ -n "$raw" ]; then
  echo "失敗: 描画されていない TeX が残っている:" >&2
  echo "$raw" >&2
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
