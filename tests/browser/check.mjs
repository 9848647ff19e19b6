// 組み上げた本を、ヘッドレス Chromium で読者と同じように開いて確かめる。
// 使い方: node tests/browser/check.mjs <ベース URL> <スクリーンショットの置き場>
// （scripts/browser-check.sh が、固定版の playwright-core と Debian の chromium で走らせる）
//
// 各章で: KaTeX のエラー要素がない / 別行立ての数式がすべて大きさをもつ /
// KaTeX のフォントが実際に読み込まれた / 自サイト以外への要求がない / コンソールエラーがない /
// 実行ボタンがなくコピーボタンがある。さらに日本語の検索と、明暗 2 テーマの画面写真
// （長い式や表のある 3 ページは、幅 390 px と 1280 px でも撮る）。
//
// 組版（各章を幅 390 px と 1280 px で、print.html を印刷の媒体で 1280 px と A4 の版面の幅で）:
// 別行立ての数式がはみ出すなら、それ自身の枠の中で横にスクロールし（上下は切れない）、
// 式番号 (.tag) の箱が式の箱 (.base) と重ならない。本文のどの要素も、スクロールする枠の外で
// 画面の端を越えない（越えた部分は #mdbook-body-container の overflow-x: clip で見えなくなる）。
// 表は欄に収まる。390 px ではページ自体が横にスクロールしない。印刷では紙がスクロールしないので、
// 枠の中のスクロールも失敗とする。MathML（読み上げ・コピー用）が各式にあることも確かめる。
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";

const base = process.argv[2];
const shots = process.argv[3];
const subBase = process.argv[4]; // 同じ本を下位パスで配った URL（省略可）
const origin = new URL(base).origin;
const origins = [origin, ...(subBase ? [new URL(subBase).origin] : [])];
const failures = [];
const fail = (msg) => { failures.push(msg); console.log(`  失敗: ${msg}`); };

// 章の一覧は目次 (toc.html) の順に読む
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const t0 = Date.now();

async function newPage(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const log = { external: [], console: [], bytes: { html: 0, css: 0, font: 0, other: 0 } };
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (origins.some((o) => u.startsWith(o)) || u.startsWith("data:") || u.startsWith("blob:")) return route.continue();
    log.external.push(u);
    return route.abort();
  });
  page.on("console", (m) => { if (m.type() === "error") log.console.push(m.text()); });
  page.on("pageerror", (e) => log.console.push(String(e)));
  page.on("response", async (r) => {
    try {
      const body = await r.body();
      const u = r.url().split("?")[0];
      const kind = /\.html$|\/$/.test(u) ? "html" : /\.css$/.test(u) ? "css" : /\.(woff2?|ttf)$/.test(u) ? "font" : "other";
      log.bytes[kind] += body.length;
    } catch { /* リダイレクトなど本文のない応答 */ }
  });
  return { context, page, log };
}

// 組版の測定（ページの中で走らせる）。数式は番号（なければ本文の先頭）で呼ぶ
function measureLayout() {
  const px = 0.5; // 丸めの誤差を見逃す幅
  const vw = document.documentElement.clientWidth;
  const main = document.querySelector("main");
  const scrollsX = (el) => /^(auto|scroll)$/.test(getComputedStyle(el).overflowX);
  const name = (d) => {
    const t = d.querySelector(".tag");
    if (t) return t.textContent.replace(/\s/g, "");
    const tex = d.querySelector("annotation");
    return `「${(tex ? tex.textContent : d.textContent).trim().slice(0, 24)}…」`;
  };
  const inter = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > px &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > px;
  const out = { displays: 0, clipped: [], scrolling: [], vclip: [], overlaps: [], cut: [], boxes: [], tables: [] };
  for (const d of main.querySelectorAll(".katex-display")) {
    out.displays++;
    const box = d.getBoundingClientRect();
    // 式の中身の左右の端（.katex-html の子の箱）と、枠の内側
    let l = Infinity, r = -Infinity;
    for (const e of d.querySelectorAll(".katex-html > *")) {
      const b = e.getBoundingClientRect();
      if (b.width === 0 && b.height === 0) continue;
      l = Math.min(l, b.left); r = Math.max(r, b.right);
    }
    const inL = box.left + d.clientLeft, inR = inL + d.clientWidth;
    // 左へのはみ出しはスクロールしても見えない。右へのはみ出しは、枠がスクロールすれば読める
    if (l < inL - px) out.clipped.push(`${name(d)}（左へ）`);
    else if (r > inR + px || d.scrollWidth > d.clientWidth + 1) (scrollsX(d) ? out.scrolling : out.clipped).push(name(d));
    if (getComputedStyle(d).overflowY !== "visible" && d.scrollHeight > d.clientHeight + 1) out.vclip.push(`${name(d)}（中身が枠より ${d.scrollHeight - d.clientHeight}px 高い）`);
    // 式番号の箱と式の箱（.base）: 番号を含む .base（行ごとの番号の列）は、その中の番号でない子と比べる
    for (const t of d.querySelectorAll(".tag")) {
      const tb = t.getBoundingClientRect();
      const others = [];
      for (const b of d.querySelectorAll(".base")) {
        if (!b.contains(t)) others.push(b);
        else for (const c of b.children) if (!c.contains(t) && !t.contains(c)) others.push(c);
      }
      if (others.some((b) => inter(tb, b.getBoundingClientRect()))) { out.overlaps.push(name(d)); break; }
    }
  }
  // スクロールしない枠の外で、画面の右端（または左端）を越える要素（数式の中は .katex ごとに見る）
  const walk = (el, inScroll) => {
    for (const c of el.children) {
      const b = c.getBoundingClientRect();
      const sc = inScroll || scrollsX(c);
      if (!inScroll && (b.right > vw + px || b.left < -px) && b.width > 0) {
        out.cut.push(`<${c.tagName.toLowerCase()}${c.className ? "." + String(c.className).split(" ")[0] : ""}> ${Math.round(b.left)}–${Math.round(b.right)}px`);
        continue;
      }
      if (!c.classList.contains("katex")) walk(c, sc);
    }
  };
  walk(main, false);
  // スクロールするコードの枠で、中身が枠より広いもの（印刷では見えない部分になる）
  for (const el of main.querySelectorAll("pre")) {
    if (scrollsX(el) && el.scrollWidth > el.clientWidth + 1) out.boxes.push(el.textContent.trim().slice(0, 30));
  }
  // 表は欄に収まる（セルの中で折り返す）。枠の中の横スクロールに頼らない
  out.tables = [...main.querySelectorAll(".table-wrapper")].filter((w) => w.scrollWidth > w.clientWidth + 1)
    .map((w) => `${w.scrollWidth}px > ${w.clientWidth}px`);
  out.pageScroll = document.scrollingElement.scrollWidth - window.innerWidth;
  return out;
}
const layoutTotals = {};
function reportLayout(where, label, m, { print = false, narrow = false } = {}) {
  const t = (layoutTotals[label] ||= { displays: 0, clipped: 0, scrolling: 0, overlaps: 0, vclip: 0, cut: 0, tables: 0, pages: 0, scrollPages: 0 });
  t.displays += m.displays; t.clipped += m.clipped.length; t.scrolling += m.scrolling.length;
  t.overlaps += m.overlaps.length; t.vclip += m.vclip.length; t.cut += m.cut.length; t.tables += m.tables.length; t.pages++;
  if (m.pageScroll > 0) t.scrollPages++;
  if (m.clipped.length) fail(`${where} ${label}: 枠からはみ出して切れる別行数式 ${m.clipped.length} 個: ${m.clipped.join(" ")}`);
  if (m.overlaps.length) fail(`${where} ${label}: 式番号が式に重なる ${m.overlaps.length} 個: ${m.overlaps.join(" ")}`);
  if (m.vclip.length) fail(`${where} ${label}: 上下が切れる別行数式: ${m.vclip.join(" ")}`);
  if (m.cut.length) fail(`${where} ${label}: 画面の端で切れる要素: ${m.cut.slice(0, 5).join(", ")}${m.cut.length > 5 ? " ほか" : ""}`);
  if (m.tables.length) fail(`${where} ${label}: 欄に収まらない表: ${m.tables.join(", ")}`);
  if (narrow && m.pageScroll > 0) fail(`${where} ${label}: ページが横に ${m.pageScroll}px スクロールする`);
  if (print && m.scrolling.length) fail(`${where} ${label}: 紙ではスクロールできないのに枠からはみ出す数式: ${m.scrolling.join(" ")}`);
  if (print && m.boxes.length) fail(`${where} ${label}: 紙ではスクロールできないのに枠より広いコード: ${m.boxes.join(" | ")}`);
}
// 項目を n 個ずつ並行に処理し、結果を元の順に返す（ページの読み込みの待ちを重ねて検査の時間を縮める）
async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); }
  }));
  return out;
}
const nextFrame = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

const tocPage = await newPage();
await tocPage.page.goto(`${base}/toc.html`);
const chapters = await tocPage.page.$$eval("a[href$='.html']", (as) =>
  [...new Set(as.map((a) => a.getAttribute("href")))].filter((h) => !/^https?:/.test(h)));
await tocPage.context.close();
if (chapters.length < 3) fail(`目次から章が読めない: ${chapters}`);

// 組版を見るための画面写真を撮るページと、写す箇所（長い式や表）。幅 390 px と 1280 px、明・暗のテーマ。
// 章を測るときに開いたページで撮る（テーマは mdBook のテーマ選択のボタンで切り替える）
const layoutShots = {
  "ch02-06-gradient-surrogate.html": "#eq-2-44",
  "appendix/matrix-calculus.html": "#eq-a-1",
  "appendix/verification-index.html": "main table",
};
fs.mkdirSync(shots, { recursive: true });
async function layoutShot(page, ch, width) {
  const at = layoutShots[ch];
  if (!at) return;
  // 目印を画面の上から 1/8 のところに置く（上端の固定メニューに隠れないように）
  await page.evaluate((at) => {
    const y = document.querySelector(at).getBoundingClientRect().top + window.scrollY;
    window.scrollTo(0, Math.max(0, y - window.innerHeight / 8));
  }, at);
  for (const theme of ["light", "navy"]) {
    const ok = await page.evaluate((t) => {
      document.getElementById(`mdbook-theme-${t}`).click();
      return document.documentElement.classList.contains(t);
    }, theme);
    if (!ok) fail(`${ch}: テーマ ${theme} に切り替わらない`);
    await nextFrame(page);
    await page.screenshot({ path: path.join(shots, `${path.basename(ch, ".html")}-${width}-${theme}.png`) });
  }
  await page.evaluate(() => document.getElementById("mdbook-theme-light").click());
}

const weights = [];
// 各章を幅 390 px（電話）で開いて測り、1280 px に広げてもう一度測る。結果の報告は目次の順
const results = await pool(chapters, 3, async (ch) => {
  const { context, page, log } = await newPage({ width: 390, height: 844 });
  await page.goto(`${base}/${ch}`, { waitUntil: "networkidle" });
  await page.evaluate(() => document.fonts.ready);
  // 動かせる図は WebAssembly が描き終えてから測る（入れ替わらなければ tests/browser/live.mjs が失敗にする）
  await page.waitForFunction(() => [...document.querySelectorAll("figure[data-live]")]
    .every((f) => f.dataset.liveValues), null, { timeout: 20000 }).catch(() => {});
  const narrow = await page.evaluate(measureLayout);
  await layoutShot(page, ch, 390);
  await page.setViewportSize({ width: 1280, height: 900 });
  await nextFrame(page);
  const wide = await page.evaluate(measureLayout);
  await layoutShot(page, ch, 1280);
  const r = await page.evaluate(() => {
    const displays = [...document.querySelectorAll(".katex-display")];
    const zero = displays.filter((d) => { const b = d.getBoundingClientRect(); return !(b.width > 0 && b.height > 0); }).length;
    const katexFonts = [...document.fonts].filter((f) => f.family.replace(/"/g, "").startsWith("KaTeX_"));
    return {
      errors: document.querySelectorAll(".katex-error").length,
      displays: displays.length,
      inline: document.querySelectorAll(".katex").length,
      // MathML（画面読み上げ・コピー用）が各式にあり、Markdown の強調などに崩されていない
      noMathml: [...document.querySelectorAll(".katex")].filter((k) => !k.querySelector(":scope > .katex-mathml math annotation")).length,
      mangled: document.querySelectorAll(".katex :is(em, strong, del, a, code)").length,
      newlines: document.querySelectorAll(".katex-display .katex-html > .newline").length,
      zero,
      loadedFonts: katexFonts.filter((f) => f.status === "loaded").map((f) => f.family.replace(/"/g, "")),
      mainFont: document.fonts.check('16px "KaTeX_Main"'),
      rawTex: /\\tag\{|\$\$/.test(document.querySelector("main").innerText),
      playButtons: document.querySelectorAll(".play-button").length,
      rustBlocks: document.querySelectorAll("pre code.language-rust").length,
      clipButtons: document.querySelectorAll(".clip-button").length,
      uiJa: document.getElementById("mdbook-sidebar-toggle")?.title === "目次の表示・非表示"
        && [...document.querySelectorAll(".clip-button")].every((b) => b.title === "クリップボードにコピー"),
    };
  });
  await context.close();
  return { ch, narrow, wide, r, log };
});
for (const { ch, narrow, wide, r, log } of results) {
  reportLayout(ch, "390px", narrow, { narrow: true });
  reportLayout(ch, "1280px", wide);
  console.log(`${ch}: 数式 ${r.displays} 個（行内を含め ${r.inline}）、KaTeX フォント ${[...new Set(r.loadedFonts)].length} 種を読み込み`);
  if (r.errors) fail(`${ch}: KaTeX のエラー要素が ${r.errors} 個`);
  if (r.zero) fail(`${ch}: 大きさ 0 の別行数式が ${r.zero} 個`);
  if (r.noMathml) fail(`${ch}: MathML のない数式が ${r.noMathml} 個（book.toml の output = "htmlAndMathml"）`);
  if (r.mangled) fail(`${ch}: 数式の中に Markdown の強調・リンクなどが ${r.mangled} 個（MathML の文字が Markdown として読まれた）`);
  if (r.newlines) fail(`${ch}: 別行数式の最上位の \\\\ が ${r.newlines} 個（aligned や gathered の中で改行する）`);
  if (r.rawTex) fail(`${ch}: 描画されていない TeX が本文に残っている`);
  if (r.inline > 0 && !r.loadedFonts.includes("KaTeX_Main")) fail(`${ch}: KaTeX_Main フォントが読み込まれていない（代替フォントで表示）`);
  if (r.playButtons) fail(`${ch}: 失敗するしかない実行ボタンが ${r.playButtons} 個ある`);
  if (r.rustBlocks && r.clipButtons < r.rustBlocks) fail(`${ch}: コピーボタンがコードブロックより少ない`);
  if (!r.uiJa) fail(`${ch}: 画面の文言（目次・コピーのボタン）が日本語になっていない（theme/ui-ja.js）`);
  if (log.external.length) fail(`${ch}: 外部ホストへの要求: ${log.external.join(", ")}`);
  if (log.console.length) fail(`${ch}: コンソールエラー: ${log.console.join(" | ")}`);
  weights.push({ ch, ...log.bytes });
}

// 印刷（print.html を印刷の媒体で）: 画面と同じ 1280 px と、A4 縦の版面の幅（余白を除いて約 718 px）
{
  const { context, page } = await newPage();
  await page.emulateMedia({ media: "print" });
  await page.goto(`${base}/print.html`, { waitUntil: "networkidle" });
  await page.evaluate(() => document.fonts.ready);
  for (const width of [1280, 718]) {
    await page.setViewportSize({ width, height: 1000 });
    await nextFrame(page);
    reportLayout("print.html", `印刷 ${width}px`, await page.evaluate(measureLayout), { print: true });
  }
  await context.close();
}

// 検証索引の式番号リンクが、その番号の式に着くこと: 目印の直後の別行数式の番号を読む
{
  const { context, page } = await newPage();
  await page.goto(`${base}/appendix/verification-index.html`);
  const links = await page.$$eval("main table a[href*='#eq-']", (as) => as.map((a) => ({ href: a.href, text: a.textContent })));
  await context.close();
  if (links.length === 0) fail("検証索引に式へのリンクがない");
  // 3 つのタブで、続きの範囲に分けてたどる（同じ章の中の移動はページを読み直さない）
  const per = Math.ceil(links.length / 3);
  const slices = [0, 1, 2].map((k) => links.slice(k * per, (k + 1) * per));
  const found = (await pool(slices, 3, async (slice) => {
    const { context, page } = await newPage();
    const out = [];
    for (const { href, text } of slice) {
      await page.goto(href);
      const id = new URL(href).hash.slice(1);
      const tag = await page.evaluate((id) => {
        const a = document.getElementById(id);
        if (!a) return null;
        const d = [...document.querySelectorAll(".katex-display")].find(
          (e) => a.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
        const t = d && d.querySelector(".tag");
        return t ? t.textContent.replace(/\s/g, "") : null;
      }, id);
      out.push({ href, text, tag });
    }
    await context.close();
    return out;
  })).flat();
  let ok = 0;
  for (const { href, text, tag } of found) {
    if (tag !== text) fail(`検証索引のリンク ${text} → ${href} は式 ${tag} に着く`);
    else ok++;
  }
  console.log(`検証索引のリンク: ${ok}/${links.length} が正しい式に着く`);
}

// 日本語の検索（tests/browser/searches.json）: 各語の先頭の結果が、その語を定義したページであること。
// "section": true の語は、先頭の結果のリンクがページの先頭ではなく、語を含む節（見出しの id）を開くこと。
// どの結果の抜粋にもテスト名（eq_2_11_… の形）が出ないこと
async function search(query, at = base) {
  const { context, page, log } = await newPage();
  await page.goto(`${at}/introduction.html`, { waitUntil: "networkidle" });
  await page.keyboard.press("/");
  const input = page.locator("#pagefind-search input");
  await input.waitFor({ timeout: 10000 });
  await input.fill(query);
  // 結果の枠は先に出て、リンクは断片を読んでから入る: リンクが出るまで待つ
  await page.locator(".pagefind-ui__result-link").first().waitFor({ timeout: 10000 });
  // 読み込み中の結果の抜粋が入りきるまで待つ（抜粋は断片を読んでから差し替わる）
  await page.waitForFunction(() => !document.querySelector(".pagefind-ui__loading"), null, { timeout: 10000 }).catch(() => {});
  const hrefs = await page.$$eval(".pagefind-ui__result-link", (as) => as.map((a) => a.getAttribute("href")));
  const excerpts = await page.$$eval(".pagefind-ui__result-excerpt", (es) => es.map((e) => e.textContent));
  const testNames = excerpts.flatMap((e) => e.match(/\beq_(?:\d+|[a-z])_\d+[a-z]?_\w+/g) || []);
  if (testNames.length) fail(`検索「${query}」の抜粋にテスト名: ${[...new Set(testNames)].join(", ")}`);
  // 先頭の結果を実際にたどり、ページが開くこと（404 でないこと）と、開いた節を確かめる
  const resp = await page.goto(new URL(hrefs[0], page.url()).href);
  if (!resp || resp.status() !== 200) fail(`検索「${query}」の先頭の結果 ${hrefs[0]} が開けない（${resp && resp.status()}）`);
  // 開いた節: 目印の見出しから次の同じ以上の見出しまでの文字（見えない別名も含む）
  const section = await page.evaluate(() => {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id) return null;
    const h = document.getElementById(id);
    if (!h) return { missing: id };
    const level = /^H[1-6]$/.test(h.tagName) ? Number(h.tagName[1]) : 7;
    let text = h.textContent;
    for (let e = h.nextElementSibling; e; e = e.nextElementSibling) {
      if (/^H[1-6]$/.test(e.tagName) && Number(e.tagName[1]) <= level) break;
      text += e.textContent;
    }
    return { id, heading: h.textContent.trim(), text };
  });
  if (log.console.length) fail(`検索「${query}」: コンソールエラー: ${log.console.join(" | ")}`);
  if (log.external.length) fail(`検索「${query}」: 外部ホストへの要求: ${log.external.join(", ")}`);
  await context.close();
  return { hrefs, section };
}
const queries = JSON.parse(fs.readFileSync(new URL("./searches.json", import.meta.url)));
const searched = await pool(queries, 3, async (q) => ({ ...q, ...(await search(q.query)) }));
const squash = (t) => t.replace(/\s+/g, "");
for (const { query, first, section: wantSection, hrefs, section } of searched) {
  const top = (hrefs[0] || "").split("#")[0].replace(/^.*\//, "");
  console.log(`検索「${query}」: ${hrefs.length} 件、先頭 ${decodeURIComponent(hrefs[0] || "")}${section && section.heading ? `（節「${section.heading}」）` : ""}`);
  if (top !== first) fail(`検索「${query}」の先頭が ${first} ではなく ${hrefs[0]}`);
  if (section && section.missing) fail(`検索「${query}」の先頭の結果の節 #${section.missing} がページにない`);
  if (wantSection && !(section && section.heading)) fail(`検索「${query}」の先頭の結果がページの先頭を開く（語を含む節を開くはず）`);
  if (section && section.heading && !squash(section.text).includes(squash(query))) fail(`検索「${query}」の先頭の結果が開く節「${section.heading}」に、語が現れない`);
}

// 下位パス（GitHub Pages のプロジェクトサイトの形）でも、数式・フォント・検索が動く
if (subBase) {
  const { context, page, log } = await newPage();
  await page.goto(`${subBase}/ch02-01-kl-divergence.html`, { waitUntil: "networkidle" });
  await page.evaluate(() => document.fonts.ready);
  const fonts = await page.evaluate(() => [...document.fonts].filter((f) => f.status === "loaded").map((f) => f.family.replace(/"/g, "")));
  if (!fonts.includes("KaTeX_Main")) fail("下位パス: KaTeX_Main フォントが読み込まれていない");
  if (log.console.length) fail(`下位パス: コンソールエラー: ${log.console.join(" | ")}`);
  await context.close();
  const { hrefs } = await search("大数の法則", subBase);
  if (!(hrefs[0] || "").startsWith(new URL(subBase).pathname + "/")) fail(`下位パス: 検索結果のリンク ${hrefs[0]} が下位パスの外を指す`);
  console.log(`下位パス ${new URL(subBase).pathname}/: 数式のフォントと検索（先頭 ${hrefs[0]}）が動く`);
}

// 明・暗のテーマで 1 章の画面写真
for (const theme of ["light", "navy"]) {
  const { context, page } = await newPage();
  await page.addInitScript((t) => localStorage.setItem("mdbook-theme", t), theme);
  await page.goto(`${base}/ch02-01-kl-divergence.html`, { waitUntil: "networkidle" });
  await page.evaluate(() => document.fonts.ready);
  const file = path.join(shots, `ch02-01-${theme}.png`);
  await page.screenshot({ path: file });
  const cls = await page.evaluate(() => document.documentElement.className);
  if (!cls.includes(theme)) fail(`テーマ ${theme} が効いていない: ${cls}`);
  console.log(`画面写真: ${file}`);
  await context.close();
}

console.log(`画面写真: ${shots}/<ページ>-<幅>-<テーマ>.png（組版を見る ${Object.keys(layoutShots).length * 4} 枚）`);

await browser.close();
console.log("\n組版（別行数式 / 枠からはみ出して切れる / 枠の中でスクロール / 式番号の重なり / 上下が切れる / 画面の端で切れる要素 / 欄に収まらない表 / 横にスクロールするページ）");
for (const [label, t] of Object.entries(layoutTotals)) {
  console.log(`  ${label}: ${t.displays} / ${t.clipped} / ${t.scrolling} / ${t.overlaps} / ${t.vclip} / ${t.cut} / ${t.tables} / ${t.scrollPages}（${t.pages} ページ）`);
}
console.log("\n章ごとの転送量（HTML / CSS / フォント / その他, KiB）");
for (const w of weights) {
  const k = (b) => (b / 1024).toFixed(1);
  console.log(`  ${w.ch}: ${k(w.html)} / ${k(w.css)} / ${k(w.font)} / ${k(w.other)}  計 ${k(w.html + w.css + w.font + w.other)}`);
}
console.log(`ブラウザでの検査: ${((Date.now() - t0) / 1000).toFixed(1)} 秒、${chapters.length} ページ`);
if (failures.length) {
  console.log(`\n${failures.length} 件の失敗`);
  process.exit(1);
}
console.log("ブラウザでの検査: すべて通過");
