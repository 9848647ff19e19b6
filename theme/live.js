// 動かせる図: <figure data-live="名前"> の静的な図 (<img>) を、同じ関数を WebAssembly で動かす図に
// 置き換え、スライダーと数の欄を足す。JavaScript が動かない・WebAssembly を読めないときは静的な図が残る。
// 図と数は Rust の側（crates/web → xtask::figures::live）がすべて作り、ここでは書式を変えない。
// ネットワークには出ない: 読むのは同じサイトの live/pkg/ だけ。
(function () {
  "use strict";
  var figures = document.querySelectorAll("figure[data-live]");
  if (figures.length === 0) return;
  var root = typeof path_to_root === "string" ? path_to_root : "";
  var url = new URL(root + "live/pkg/book_live.js", document.baseURI).href;

  function el(tag, cls) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    return e;
  }

  function setup(fig, spec, wasm) {
    var img = fig.querySelector("img");
    if (!spec || !img) return;
    var holder = el("div", "live-svg");
    holder.setAttribute("role", "img");
    holder.setAttribute("aria-label", img.alt);
    var controls = el("div", "live-controls");
    var inputs = spec.sliders.map(function (s) {
      var row = el("label", "live-slider");
      var name = el("span", "live-name");
      name.textContent = s.label;
      var input = el("input");
      input.type = "range";
      input.min = String(s.min);
      input.max = String(s.max);
      input.step = String(s.step);
      input.value = String(s.default);
      input.dataset.key = s.key;
      var out = el("output", "live-value");
      out.textContent = input.value;
      row.append(name, input, out);
      controls.append(row);
      return { input: input, out: out };
    });
    var readouts = el("dl", "live-readouts");
    img.replaceWith(holder);
    holder.after(controls, readouts);

    var pending = false;
    function draw() {
      pending = false;
      var values = inputs.map(function (i) { return parseFloat(i.input.value); });
      inputs.forEach(function (i) { i.out.textContent = i.input.value; });
      var result;
      try {
        result = JSON.parse(wasm.render(spec.name, Float64Array.from(values)));
      } catch (e) {
        console.error("動かせる図 " + spec.name + " を描けない: " + e);
        return;
      }
      holder.innerHTML = result.svg;
      readouts.replaceChildren();
      result.readouts.forEach(function (r) {
        var dt = el("dt");
        dt.textContent = r.label;
        var dd = el("dd");
        dd.textContent = r.text;
        readouts.append(dt, dd);
      });
      // ブラウザでの検査が、描き終えた値の組を知るための印
      fig.dataset.liveValues = values.join(",");
    }
    inputs.forEach(function (i) {
      i.input.addEventListener("input", function () {
        if (!pending) {
          pending = true;
          requestAnimationFrame(draw);
        }
      });
    });
    draw();
  }

  import(url)
    .then(function (wasm) {
      return wasm.default().then(function () { return wasm; });
    })
    .then(function (wasm) {
      var specs = JSON.parse(wasm.specs());
      // ブラウザでの検査がネイティブの結果と比べるために、関数をそのまま見せる
      window.bookLive = { specs: specs, render: function (n, v) { return wasm.render(n, Float64Array.from(v)); } };
      figures.forEach(function (fig) {
        setup(fig, specs.find(function (s) { return s.name === fig.dataset.live; }), wasm);
      });
    })
    .catch(function (e) {
      console.warn("動かせる図を読めないので、静的な図のままにする: " + e);
    });
})();
