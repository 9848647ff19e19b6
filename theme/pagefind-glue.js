// Pagefind の検索 UI を mdBook の画面に組み込む。
// mdBook の組み込み検索は日本語の語を索引しないので使わず（book.toml で無効）、
// ビルド後に Pagefind が作る book/pagefind/ を読む。
(function () {
  "use strict";
  var root = typeof path_to_root === "string" ? path_to_root : "";
  var loaded = false;

  function el(tag, attrs, html) {
    var e = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (html) e.innerHTML = html;
    return e;
  }

  function load(then) {
    if (loaded) { then(); return; }
    var css = el("link", { rel: "stylesheet", href: root + "pagefind/pagefind-ui.css" });
    document.head.appendChild(css);
    var s = el("script", { src: root + "pagefind/pagefind-ui.js" });
    s.onload = function () {
      new PagefindUI({
        element: "#pagefind-search",
        // 相対パスのままだと import() が裸のモジュール名と解釈するので、絶対 URL にする
        bundlePath: new URL(root + "pagefind/", document.baseURI).href,
        // 結果のリンクをサイトの根からの道にする（GitHub Pages のような下位パスでも正しく飛ぶ）
        baseUrl: new URL(root || "./", document.baseURI).pathname,
        showSubResults: true,
        showImages: false,
        resetStyles: false,
        // 結果のリンクは、ページの先頭ではなく、検索語を定義している節（見出し）を開く。
        // 節ごとの当たり（sub_results）から、(1) 抜粋が検索語をそのまま含む節を優先し、(2) その中で
        // いちばん重い当たりの重みが最大の節、(3) 同じなら重みつきの得点の和が大きい節、(4) それも同じなら
        // ページの前の節を選ぶ。用語を定義した箇所は重みが最大（前処理 search-terms）なので、定義の節が開く
        processResult: function (result) {
          var norm = function (t) { return String(t || "").replace(/<[^>]*>/g, "").replace(/\s+/g, "").toLowerCase(); };
          var input = document.querySelector("#pagefind-search input");
          var q = norm(input && input.value);
          var subs = result.sub_results || [];
          var top = function (s) {
            return (s.weighted_locations || []).reduce(function (m, w) { return Math.max(m, w.weight); }, 0);
          };
          var sum = function (s) {
            return (s.weighted_locations || []).reduce(function (t, w) { return t + w.balanced_score; }, 0);
          };
          var cands = subs.filter(function (s) { return q && norm(s.excerpt).indexOf(q) >= 0; });
          if (!cands.length) cands = subs;
          var best = null;
          cands.forEach(function (s) {
            if (!best || top(s) > top(best) || (top(s) === top(best) && sum(s) > sum(best))) best = s;
          });
          if (best && best.anchor) {
            result.url = best.url;
            result.excerpt = best.excerpt;
          }
          return result;
        },
      });
      loaded = true;
      then();
    };
    s.onerror = function () {
      document.getElementById("pagefind-search").textContent =
        "検索索引 (pagefind/) がない。`bash scripts/serve.sh` か `bash scripts/build-book.sh` で作る。";
      then();
    };
    document.head.appendChild(s);
  }

  function focusInput() {
    var input = document.querySelector("#pagefind-search input");
    if (input) input.focus();
  }

  function toggle(open) {
    var panel = document.getElementById("pagefind-panel");
    var btn = document.getElementById("pagefind-toggle");
    var show = open === undefined ? panel.classList.contains("hidden") : open;
    panel.classList.toggle("hidden", !show);
    btn.setAttribute("aria-expanded", String(show));
    if (show) load(focusInput);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelector("#mdbook-menu-bar .left-buttons");
    if (!buttons) return;
    var btn = el("button", {
      id: "pagefind-toggle", class: "icon-button", type: "button",
      title: "検索 (/)", "aria-label": "検索", "aria-expanded": "false",
      "aria-controls": "pagefind-panel",
    }, '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><circle cx="10" cy="10" r="6.5" fill="none" stroke="currentColor" stroke-width="2.5"/><line x1="15" y1="15" x2="21" y2="21" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/></svg>');
    btn.addEventListener("click", function () { toggle(); });
    buttons.appendChild(btn);

    var panel = el("div", { id: "pagefind-panel", class: "hidden", role: "search" });
    panel.appendChild(el("div", { id: "pagefind-search" }));
    var bar = document.getElementById("mdbook-menu-bar");
    bar.parentNode.insertBefore(panel, bar.nextSibling);

    document.addEventListener("keydown", function (e) {
      var t = e.target;
      var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable);
      if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        toggle(true);
      } else if (e.key === "Escape" && !panel.classList.contains("hidden")) {
        toggle(false);
      }
    });
  });
})();
