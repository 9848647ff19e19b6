// 動かせる図（figure[data-live]）を、ヘッドレス Chromium で読者と同じように動かして確かめる。
// 使い方: node tests/browser/live.mjs <ベース URL> <book のディレクトリ> <ネイティブの結果の JSON>
// （scripts/browser-check.sh が、`cargo run -p xtask -- live` の出力を渡して走らせる）
//
// 図ごとに、幅 390 px と 1280 px で:
// - WebAssembly の描いた図が静的な図と入れ替わり、既定値の数がネイティブと一致する
// - スライダーを検査用の値の組に動かすと図が変わり、ページに出る数の文字列がネイティブと一致する
// - ページの中の関数を直接呼んだ結果（SVG と数の値）がネイティブと一致する（同じ入力に同じ数）
// - コンソールエラーがない、自サイト以外への要求がない、390 px で図とスライダーが画面に収まる
// JavaScript を切ったページでは、静的な図がそのまま出ることも確かめる。
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";

const [base, bookDir, nativeFile] = process.argv.slice(2);
const origin = new URL(base).origin;
const native = JSON.parse(fs.readFileSync(nativeFile, "utf8"));
const failures = [];
const fail = (msg) => { failures.push(msg); console.log(`  失敗: ${msg}`); };

// 図の名前 → それを載せたページ（print.html は全章の写しなので除く）
const pages = {};
for (const f of fs.readdirSync(bookDir)) {
  if (!f.endsWith(".html") || f === "print.html") continue;
  const html = fs.readFileSync(path.join(bookDir, f), "utf8");
  for (const m of html.matchAll(/data-live="([^"]+)"/g)) pages[m[1]] = f;
}
const names = [...new Set(native.map((c) => c.name))];
for (const n of names) if (!pages[n]) fail(`図 ${n} を載せたページがない`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// 値が一致するか: 2 進で同じなら「一致」。exp・ln などは WebAssembly（Rust の libm）と
// ネイティブ（glibc）で最後の 1 ビットが違いうるので、相対 1e-9 まで許し、最大の違いを報告する
// （KL 情報量のように大きな数の差で求まる値では、その 1 ビットが 1e-12 を超えて増える）
let identical = 0, close = 0, worst = 0;
function sameValue(a, b) {
  if (Object.is(a, b)) { identical++; return true; }
  const rel = Math.abs(a - b) / Math.max(1e-300, Math.abs(b));
  if (rel <= 1e-9) { close++; worst = Math.max(worst, rel); return true; }
  return false;
}

const timings = [];
for (const name of names) {
  if (!pages[name]) continue;
  const cases = native.filter((c) => c.name === name);
  for (const width of [390, 1280]) {
    const where = `${pages[name]} の ${name}（幅 ${width}）`;
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const external = [], errors = [];
    await context.route("**/*", (route) => {
      const u = route.request().url();
      if (u.startsWith(origin) || u.startsWith("data:") || u.startsWith("blob:")) return route.continue();
      external.push(u);
      return route.abort();
    });
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${base}/${pages[name]}`, { waitUntil: "load" });
    const fig = `figure[data-live="${name}"]`;
    try {
      await page.waitForSelector(`${fig}[data-live-values] .live-svg svg`, { timeout: 20000 });
    } catch {
      fail(`${where}: 動く図に入れ替わらない（${errors.join(" | ")}）`);
      await context.close();
      continue;
    }
    const shown = () => page.$$eval(`${fig} .live-readouts dd`, (dd) => dd.map((d) => d.textContent));
    const svgOf = () => page.$eval(`${fig} .live-svg`, (h) => h.innerHTML);
    const first = await svgOf();
    for (const [k, c] of cases.entries()) {
      const label = `${where}、値 [${c.values.join(", ")}]`;
      if (k > 0) {
        // 読者と同じように、スライダーの値を変えて input を送る
        await page.$$eval(`${fig} .live-slider input`, (inputs, values) => {
          inputs.forEach((input, i) => { input.value = String(values[i]); });
          inputs.forEach((input) => input.dispatchEvent(new Event("input", { bubbles: true })));
        }, c.values);
        try {
          await page.waitForFunction(([f, v]) => document.querySelector(f).dataset.liveValues === v,
            [fig, c.values.join(",")], { timeout: 20000 });
        } catch {
          fail(`${label}: スライダーを動かしても描き直さない`);
          continue;
        }
        if ((await svgOf()) === first) fail(`${label}: スライダーを動かしても図が変わらない`);
      }
      const texts = await shown();
      const want = c.figure.readouts.map((r) => r.text);
      if (JSON.stringify(texts) !== JSON.stringify(want)) {
        fail(`${label}: ページの数 ${JSON.stringify(texts)} がネイティブ ${JSON.stringify(want)} と違う`);
      }
      // ページの中の関数を直接呼ぶ（同じ入力 → 同じ SVG と数）。時間も測る
      const got = await page.evaluate(([n, v]) => {
        const t = performance.now();
        const json = window.bookLive.render(n, v);
        return { ms: performance.now() - t, fig: JSON.parse(json) };
      }, [name, c.values]);
      timings.push({ name, width, values: c.values, ms: got.ms });
      if (got.fig.svg !== c.figure.svg) fail(`${label}: WebAssembly の SVG がネイティブと違う`);
      got.fig.readouts.forEach((r, i) => {
        const w = c.figure.readouts[i];
        if (!w || r.label !== w.label || r.text !== w.text || !sameValue(r.value, w.value)) {
          fail(`${label}: 数 ${JSON.stringify(r)} がネイティブ ${JSON.stringify(w)} と違う`);
        }
      });
    }
    // 範囲の外の値は、例外（JavaScript の Error）になって図を壊さない
    const bad = await page.evaluate((n) => {
      try { window.bookLive.render(n, [Number.NaN]); return "投げない"; } catch (e) { return String(e); }
    }, name);
    if (bad === "投げない") fail(`${where}: 不正な値で例外にならない`);
    if (width === 390) {
      const fit = await page.$eval(fig, (f) => {
        const vw = document.documentElement.clientWidth;
        const over = [...f.querySelectorAll(".live-svg svg, .live-slider input, .live-readouts")]
          .filter((e) => e.getBoundingClientRect().right > vw + 0.5 || e.getBoundingClientRect().left < -0.5).length;
        const inputs = [...f.querySelectorAll(".live-slider input")].map((i) => i.getBoundingClientRect().width);
        return { over, minInput: Math.min(...inputs), pageScrolls: document.documentElement.scrollWidth > vw + 0.5 };
      });
      if (fit.over) fail(`${where}: ${fit.over} 個の要素が画面からはみ出す`);
      if (fit.pageScrolls) fail(`${where}: ページが横にスクロールする`);
      if (fit.minInput < 120) fail(`${where}: スライダーが狭すぎる（${fit.minInput.toFixed(0)} px）`);
      await page.$eval(fig, (f) => f.scrollIntoView());
      await page.screenshot({ path: `target/screenshots/live-${name}-390.png` });
    }
    if (external.length) fail(`${where}: 外部への要求: ${external.join(", ")}`);
    if (errors.length) fail(`${where}: コンソールのエラー・警告: ${errors.join(" | ")}`);
    await context.close();
  }
}
// JavaScript が動かない読者には、静的な図（同じ関数を既定値で描いた SVG）が残る
{
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 900 } });
  const page = await context.newPage();
  for (const name of names) {
    if (!pages[name]) continue;
    await page.goto(`${base}/${pages[name]}`, { waitUntil: "load" });
    const img = await page.$eval(`figure[data-live="${name}"] img`, (i) => ({ w: i.naturalWidth, src: i.getAttribute("src") }))
      .catch(() => null);
    if (!img || !(img.w > 0)) fail(`${pages[name]} の ${name}: JavaScript なしで静的な図が出ない`);
    else console.log(`${name}: JavaScript なしでは静的な図 ${img.src}（幅 ${img.w}）`);
  }
  await context.close();
}
await browser.close();

const wasm = fs.statSync(path.join(bookDir, "live/pkg/book_live_bg.wasm")).size;
const glue = fs.statSync(path.join(bookDir, "live/pkg/book_live.js")).size;
const own = fs.statSync(path.join(bookDir, "theme/live.js")).size + fs.statSync(path.join(bookDir, "theme/live.css")).size;
console.log(`動かせる図: ${names.length} 枚、転送量 wasm ${(wasm / 1024).toFixed(0)} KiB + JS の糊 ${(glue / 1024).toFixed(1)} KiB + live.js・live.css ${(own / 1024).toFixed(1)} KiB（図のあるページだけが読む）`);
console.log(`数の値: ${identical} 個が 2 進で一致、${close} 個が相対 1e-9 以内で一致（最大の相対差 ${worst.toExponential(1)}）`);
for (const n of names) {
  const ms = timings.filter((t) => t.name === n).map((t) => t.ms);
  if (ms.length) console.log(`  ${n}: 1 回の描画 ${Math.min(...ms).toFixed(1)}〜${Math.max(...ms).toFixed(1)} ms（WebAssembly）`);
}
if (failures.length) {
  console.log(`\n動かせる図の検査: ${failures.length} 件の失敗`);
  process.exit(1);
}
console.log("動かせる図の検査: すべて通過");
