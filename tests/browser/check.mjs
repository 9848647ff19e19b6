// 組み上げた本を、ヘッドレス Chromium で読者と同じように開いて確かめる。
// 使い方: node tests/browser/check.mjs <ベース URL> <スクリーンショットの置き場>
// （scripts/browser-check.sh が、固定版の playwright-core と Debian の chromium で走らせる）
//
// 各章で: KaTeX のエラー要素がない / 別行立ての数式がすべて大きさをもつ /
// KaTeX のフォントが実際に読み込まれた / 自サイト以外への要求がない / コンソールエラーがない /
// 実行ボタンがなくコピーボタンがある。さらに日本語の検索と、明暗 2 テーマの画面写真。
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

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
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

const tocPage = await newPage();
await tocPage.page.goto(`${base}/toc.html`);
const chapters = await tocPage.page.$$eval("a[href$='.html']", (as) =>
  [...new Set(as.map((a) => a.getAttribute("href")))].filter((h) => !/^https?:/.test(h)));
await tocPage.context.close();
if (chapters.length < 3) fail(`目次から章が読めない: ${chapters}`);

const weights = [];
for (const ch of chapters) {
  const { context, page, log } = await newPage();
  await page.goto(`${base}/${ch}`, { waitUntil: "networkidle" });
  await page.evaluate(() => document.fonts.ready);
  const r = await page.evaluate(() => {
    const displays = [...document.querySelectorAll(".katex-display")];
    const zero = displays.filter((d) => { const b = d.getBoundingClientRect(); return !(b.width > 0 && b.height > 0); }).length;
    const katexFonts = [...document.fonts].filter((f) => f.family.replace(/"/g, "").startsWith("KaTeX_"));
    return {
      errors: document.querySelectorAll(".katex-error").length,
      displays: displays.length,
      inline: document.querySelectorAll(".katex").length,
      zero,
      loadedFonts: katexFonts.filter((f) => f.status === "loaded").map((f) => f.family.replace(/"/g, "")),
      mainFont: document.fonts.check('16px "KaTeX_Main"'),
      rawTex: /\\tag\{|\$\$/.test(document.querySelector("main").innerText),
      playButtons: document.querySelectorAll(".play-button").length,
      rustBlocks: document.querySelectorAll("pre code.language-rust").length,
      clipButtons: document.querySelectorAll(".clip-button").length,
    };
  });
  console.log(`${ch}: 数式 ${r.displays} 個（行内を含め ${r.inline}）、KaTeX フォント ${[...new Set(r.loadedFonts)].length} 種を読み込み`);
  if (r.errors) fail(`${ch}: KaTeX のエラー要素が ${r.errors} 個`);
  if (r.zero) fail(`${ch}: 大きさ 0 の別行数式が ${r.zero} 個`);
  if (r.rawTex) fail(`${ch}: 描画されていない TeX が本文に残っている`);
  if (r.inline > 0 && !r.loadedFonts.includes("KaTeX_Main")) fail(`${ch}: KaTeX_Main フォントが読み込まれていない（代替フォントで表示）`);
  if (r.playButtons) fail(`${ch}: 失敗するしかない実行ボタンが ${r.playButtons} 個ある`);
  if (r.rustBlocks && r.clipButtons < r.rustBlocks) fail(`${ch}: コピーボタンがコードブロックより少ない`);
  if (log.external.length) fail(`${ch}: 外部ホストへの要求: ${log.external.join(", ")}`);
  if (log.console.length) fail(`${ch}: コンソールエラー: ${log.console.join(" | ")}`);
  weights.push({ ch, ...log.bytes });
  await context.close();
}

// 検証索引の式番号リンクが、その番号の式に着くこと: 目印の直後の別行数式の番号を読む
{
  const { context, page } = await newPage();
  await page.goto(`${base}/appendix/verification-index.html`);
  const links = await page.$$eval("main table a[href*='#eq-']", (as) => as.map((a) => ({ href: a.href, text: a.textContent })));
  if (links.length === 0) fail("検証索引に式へのリンクがない");
  let ok = 0;
  for (const { href, text } of links) {
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
    if (tag !== text) fail(`検証索引のリンク ${text} → ${href} は式 ${tag} に着く`);
    else ok++;
  }
  console.log(`検証索引のリンク: ${ok}/${links.length} が正しい式に着く`);
  await context.close();
}

// 日本語の検索: 文の途中にだけ現れる語と、見出しの語
async function search(query, at = base) {
  const { context, page, log } = await newPage();
  await page.goto(`${at}/introduction.html`, { waitUntil: "networkidle" });
  await page.keyboard.press("/");
  const input = page.locator("#pagefind-search input");
  await input.waitFor({ timeout: 10000 });
  await input.fill(query);
  await page.locator(".pagefind-ui__result").first().waitFor({ timeout: 10000 });
  const hrefs = await page.$$eval(".pagefind-ui__result-link", (as) => as.map((a) => a.getAttribute("href")));
  // 先頭の結果を実際にたどり、ページが開くこと（404 でないこと）を確かめる
  const resp = await page.goto(new URL(hrefs[0], page.url()).href);
  if (!resp || resp.status() !== 200) fail(`検索「${query}」の先頭の結果 ${hrefs[0]} が開けない（${resp && resp.status()}）`);
  if (log.console.length) fail(`検索「${query}」: コンソールエラー: ${log.console.join(" | ")}`);
  if (log.external.length) fail(`検索「${query}」: 外部ホストへの要求: ${log.external.join(", ")}`);
  await context.close();
  return hrefs;
}
const queries = JSON.parse(fs.readFileSync(new URL("./searches.json", import.meta.url)));
for (const { query, first } of queries) {
  const hrefs = await search(query);
  const top = (hrefs[0] || "").split("#")[0].replace(/^.*\//, "");
  console.log(`検索「${query}」: ${hrefs.length} 件、先頭 ${hrefs[0]}`);
  if (top !== first) fail(`検索「${query}」の先頭が ${first} ではなく ${hrefs[0]}`);
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
  const hrefs = await search("大数の法則", subBase);
  if (!(hrefs[0] || "").startsWith(new URL(subBase).pathname + "/")) fail(`下位パス: 検索結果のリンク ${hrefs[0]} が下位パスの外を指す`);
  console.log(`下位パス ${new URL(subBase).pathname}/: 数式のフォントと検索（先頭 ${hrefs[0]}）が動く`);
}

// 明・暗のテーマで 1 章の画面写真
fs.mkdirSync(shots, { recursive: true });
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

await browser.close();
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
