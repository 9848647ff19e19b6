#!/usr/bin/env bash
# mdbook-katex を包む前処理（book.toml の [preprocessor.katex] command）。
#
# output = "htmlAndMathml" では、KaTeX が HTML と並べて MathML を出し、その中に TeX の原文を
# <annotation encoding="application/x-tex">…</annotation> として入れる。mdbook-katex 0.10.0 は
# 描画結果を Markdown の本文にそのまま埋め込むので、そのあと mdBook が MathML の文字（原文の
# _ や *、\widetilde の ~ など）を強調や取り消し線に、\{ や \, をエスケープとして読み、| で表のセルを
# 割ってしまう（タグの対応が崩れて WARN が出る）。そこで mdbook-katex の出力（本の JSON）の
# <math>…</math> の中の文字だけ、Markdown が特別に読む文字を数値文字参照にする。mdBook は参照を
# 元の文字に戻して HTML に書くので、MathML と原文は変わらない。
set -euo pipefail
if [ "${1:-}" = supports ]; then
  exec mdbook-katex "$@"
fi
# JSON の中では \ は \\ と書かれている（改行は mdbook-katex が空白にしてある）。
# KaTeX は文字の " < > & ' を文字参照にして出すので、タグの外の文字に " や < は現れない
mdbook-katex "$@" | perl -0777 -pe '
  s{(<math\b.*?</math>)}{
    my $math = $1;
    $math =~ s{>([^<]+)<}{
      my $text = $1;
      $text =~ s/\\\\/&#92;/g;
      $text =~ s/([_*\[\]`|~])/sprintf("&#%d;", ord($1))/ge;
      ">$text<"
    }ge;
    $math
  }gse'
