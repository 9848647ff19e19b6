//! 本のページの中で動く図。[`xtask::figures::live`] の関数を wasm-bindgen で JavaScript に見せる。
//!
//! `scripts/build-live.sh` が `wasm32-unknown-unknown` 向けにビルドし、`src/live/pkg/` に置く。
//! ページの `theme/live.js` が [`specs`] でスライダーを作り、動かすたびに [`render`] を呼ぶ。
//! 図を描く関数は静的な図 (`src/figures/*.svg`) を作るものと同じなので、2 つは食い違わない。
#![forbid(unsafe_code)]

use wasm_bindgen::prelude::*;
use xtask::figures::live;

/// すべての動かせる図の名前・静的な図のファイル・スライダー（JSON の配列）。
///
/// # Examples
///
/// ```
/// let specs: Vec<serde_json::Value> = serde_json::from_str(&book_live::specs()).unwrap();
/// assert!(specs.iter().any(|s| s["name"] == "kl-surface"));
/// ```
#[wasm_bindgen]
pub fn specs() -> String {
    live::specs_json()
}

/// 名前 `name` の図をスライダーの値 `values` で描き、`{"svg", "readouts"}` の JSON を返す。
///
/// # Errors
///
/// 名前がない、値の数が違う、値が範囲の外・刻みの外・有限でない、計算が失敗したときは、
/// 理由を書いた JavaScript の `Error` を投げる（[`live::LiveError`]）。
///
/// # Examples
///
/// ```
/// let json = book_live::render("learning-rate", &[1.5]).unwrap();
/// let fig: serde_json::Value = serde_json::from_str(&json).unwrap();
/// assert!(fig["svg"].as_str().unwrap().starts_with("<svg"));
/// ```
#[wasm_bindgen]
pub fn render(name: &str, values: &[f64]) -> Result<String, JsError> {
    live::render(name, values)
        .map(|f| f.to_json())
        .map_err(|e| JsError::new(&e.to_string()))
}
