// mdBook の画面の文言（ボタンの title・aria-label、テーマの名前、ページ送り）を日本語にする。
// mdBook 0.5 には画面の文言を言語で切り替える設定がないので、テンプレート（index.hbs）を写して
// 保守する代わりに、要素の id とクラス（mdBook が変えずに保つもの）を手がかりに書き換える。
// JavaScript が動かない環境では英語の文言のまま残るだけで、本文には影響しない。
(() => {
  "use strict";
  const label = (el, text) => {
    if (!el) return;
    el.title = text;
    el.setAttribute("aria-label", text);
  };
  const byId = (id) => document.getElementById(id);
  label(byId("mdbook-sidebar-toggle"), "目次の表示・非表示");
  label(byId("mdbook-theme-toggle"), "テーマを変える");
  byId("mdbook-theme-list")?.setAttribute("aria-label", "テーマ");
  byId("mdbook-sidebar")?.setAttribute("aria-label", "目次");
  const themes = {
    "mdbook-theme-default_theme": "自動",
    "mdbook-theme-light": "ライト",
    "mdbook-theme-rust": "Rust（明るい）",
    "mdbook-theme-coal": "コール（暗い）",
    "mdbook-theme-navy": "ネイビー（暗い）",
    "mdbook-theme-ayu": "Ayu（暗い）",
  };
  for (const [id, text] of Object.entries(themes)) {
    const el = byId(id);
    if (el) el.textContent = text;
  }
  document.querySelectorAll('a[href$="print.html"]').forEach((a) => label(a, "本全体を印刷する"));
  document.querySelectorAll('a[rel="prev"]').forEach((a) => label(a, "前の節"));
  document.querySelectorAll('a[rel~="next"]').forEach((a) => label(a, "次の節"));
  document.querySelectorAll('nav[aria-label="Page navigation"]').forEach((n) =>
    n.setAttribute("aria-label", "ページ送り"),
  );
  // コードのコピーボタンは book.js が作る（このスクリプトはその後に読み込まれる）
  document.querySelectorAll(".clip-button").forEach((b) => label(b, "クリップボードにコピー"));
})();
