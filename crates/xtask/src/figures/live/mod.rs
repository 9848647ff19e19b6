//! 読者が動かせる図。本のページの中で WebAssembly として動く（`crates/web`）。
//!
//! 1 枚の図は [`LiveSpec`]: スライダーの並びと、その値から図と数を作る関数 `render`。
//! 静的な図 (`src/figures/*.svg`) は同じ `render` をスライダーの既定値で呼んだものなので、
//! JavaScript の動かない読者が見る図と、動かした図とは食い違いようがない。
//! ページの中の図が出す数（[`Readout`]）は、ネイティブのビルドが出す数と一致することを
//! ブラウザでの検査が確かめる（`cargo run -p xtask -- live` がネイティブの側の数を書く）。

pub mod ising_lattice;
pub mod kl_surface;
pub mod learning_rate;
pub mod score_field;
pub mod vae_latent;

use super::Figure;
use std::fmt;

/// スライダー 1 本: 値は `min + k·step`（k = 0, 1, …）で `max` を超えない。
#[derive(Debug, Clone, Copy)]
pub struct Slider {
    /// 名前（英字。HTML の属性とテストに使う）。
    pub key: &'static str,
    /// ページに出すラベル（記号と単位）。
    pub label: &'static str,
    /// 最小値。
    pub min: f64,
    /// 最大値。
    pub max: f64,
    /// 刻み。
    pub step: f64,
    /// 既定値（静的な図の値）。
    pub default: f64,
}

/// 乱数の種のスライダー（1 から 20。既定は 1）。標本を引く図が共通に使う。
pub const SEED: Slider = Slider {
    key: "seed",
    label: "乱数の種",
    min: 1.0,
    max: 20.0,
    step: 1.0,
    default: 1.0,
};

/// 図の横に出す数 1 つ: 値と、ページに出す文字列（書式はここで決め、ブラウザでは変えない）。
#[derive(Debug, Clone, PartialEq)]
pub struct Readout {
    /// 何の数か（例: `E/N の推定`）。
    pub label: String,
    /// 値。
    pub value: f64,
    /// ページに出す文字列（誤差の幅を含めてよい）。
    pub text: String,
}

impl Readout {
    /// 値を小数点以下 `digits` 桁で書いた数。
    pub fn fixed(label: &str, value: f64, digits: usize) -> Self {
        Self {
            label: label.to_string(),
            value,
            text: minus(&format!("{value:.digits$}")),
        }
    }

    /// 値を有効数字 `digits + 1` 桁の指数表記（`1.23e−5`）で書いた数。
    pub fn scientific(label: &str, value: f64, digits: usize) -> Self {
        Self {
            label: label.to_string(),
            value,
            text: minus(&format!("{value:.digits$e}")),
        }
    }

    /// 値と標準誤差 `se` を `値 ± 2·se` の形で書いた数（小数点以下 `digits` 桁）。
    pub fn with_error(label: &str, value: f64, se: f64, digits: usize) -> Self {
        Self {
            label: label.to_string(),
            value,
            text: minus(&format!("{value:.digits$} ± {:.digits$}", 2.0 * se)),
        }
    }
}

/// 負号をマイナス記号 − にする（図の目盛りと同じ）。
fn minus(s: &str) -> String {
    s.replace('-', "−")
}

/// 動かせる図の 1 回の描画: SVG と、図の横に出す数。
#[derive(Debug, Clone, PartialEq)]
pub struct LiveFigure {
    /// SVG の文字列。
    pub svg: String,
    /// 図の横に出す数。
    pub readouts: Vec<Readout>,
}

/// 動かせる図の 1 枚。
#[derive(Debug, Clone, Copy)]
pub struct LiveSpec {
    /// 名前（HTML の `data-live` の値）。
    pub name: &'static str,
    /// 既定値で描いた静的な図のファイル名（`src/figures/` の中）。
    pub file: &'static str,
    /// スライダー。
    pub sliders: &'static [Slider],
    /// スライダーの値（[`check`] を通ったもの）から図を描く。
    pub render: fn(&[f64]) -> Result<LiveFigure, LiveError>,
    /// ブラウザでの検査がスライダーを動かして確かめる値の組（既定値のほかに）。
    pub cases: &'static [&'static [f64]],
}

/// 動かせる図の誤り。
#[derive(Debug, Clone, PartialEq)]
pub enum LiveError {
    /// その名前の図がない。
    UnknownFigure(String),
    /// 値の数がスライダーの数と違う。
    WrongCount {
        /// スライダーの数。
        expected: usize,
        /// 渡された値の数。
        got: usize,
    },
    /// 値が有限でないか、範囲の外か、刻みに乗っていない。
    OutOfRange {
        /// スライダーの名前。
        key: &'static str,
        /// 渡された値。
        value: f64,
    },
    /// 計算が失敗した（genmodel の誤り）。
    Compute(String),
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownFigure(n) => write!(f, "動かせる図 {n} はない"),
            Self::WrongCount { expected, got } => {
                write!(f, "スライダーは {expected} 本だが値が {got} 個ある")
            }
            Self::OutOfRange { key, value } => {
                write!(
                    f,
                    "スライダー {key} の値 {value} は範囲の外か刻みに乗っていない"
                )
            }
            Self::Compute(e) => write!(f, "計算が失敗した: {e}"),
        }
    }
}

impl std::error::Error for LiveError {}

impl From<genmodel::Error> for LiveError {
    fn from(e: genmodel::Error) -> Self {
        Self::Compute(e.to_string())
    }
}

/// 本の動かせる図のすべて。
pub const SPECS: [&LiveSpec; 5] = [
    &kl_surface::SPEC,
    &learning_rate::SPEC,
    &ising_lattice::SPEC,
    &vae_latent::SPEC,
    &score_field::SPEC,
];

/// 名前から図を探す。
///
/// # Errors
///
/// その名前の図がなければ [`LiveError::UnknownFigure`]。
pub fn spec(name: &str) -> Result<&'static LiveSpec, LiveError> {
    SPECS
        .iter()
        .copied()
        .find(|s| s.name == name)
        .ok_or_else(|| LiveError::UnknownFigure(name.to_string()))
}

/// 値がスライダーの数・範囲・刻みに合うことを確かめる。
///
/// # Errors
///
/// 数が違えば [`LiveError::WrongCount`]、有限でない・範囲の外・刻みに乗らない値は
/// [`LiveError::OutOfRange`]。
pub fn check(spec: &LiveSpec, values: &[f64]) -> Result<(), LiveError> {
    if values.len() != spec.sliders.len() {
        return Err(LiveError::WrongCount {
            expected: spec.sliders.len(),
            got: values.len(),
        });
    }
    for (s, &v) in spec.sliders.iter().zip(values) {
        // 刻みの何倍か: ブラウザは 10 進で刻むので、2 進の丸めの分（1e-9 倍）だけ許す
        let k = (v - s.min) / s.step;
        let on_grid = (k - k.round()).abs() <= 1e-9 * k.abs().max(1.0);
        if !v.is_finite() || v < s.min || v > s.max || !on_grid {
            return Err(LiveError::OutOfRange {
                key: s.key,
                value: v,
            });
        }
    }
    Ok(())
}

/// 名前の図を値 `values` で描く。
///
/// # Errors
///
/// 名前・値が合わなければ [`spec`]・[`check`] の誤り、計算が失敗すれば [`LiveError::Compute`]。
///
/// # Examples
///
/// ```
/// use xtask::figures::live;
/// let s = live::spec("learning-rate").unwrap();
/// let defaults: Vec<f64> = s.sliders.iter().map(|s| s.default).collect();
/// let fig = live::render("learning-rate", &defaults).unwrap();
/// assert!(fig.svg.starts_with("<svg"));
/// assert!(live::render("learning-rate", &[]).is_err());
/// ```
pub fn render(name: &str, values: &[f64]) -> Result<LiveFigure, LiveError> {
    let spec = spec(name)?;
    check(spec, values)?;
    (spec.render)(values)
}

/// スライダーの既定値。
pub fn defaults(spec: &LiveSpec) -> Vec<f64> {
    spec.sliders.iter().map(|s| s.default).collect()
}

/// 静的な図: それぞれの動かせる図を既定値で描いたもの。
pub fn figures() -> Vec<Figure> {
    SPECS
        .iter()
        .map(|s| Figure {
            file: s.file,
            svg: (s.render)(&defaults(s)).expect("既定値で描ける").svg,
        })
        .collect()
}

/// すべての図のスライダーを JSON で（ページがスライダーを作るのに使う）。
pub fn specs_json() -> String {
    let all: Vec<serde_json::Value> = SPECS
        .iter()
        .map(|s| {
            let sliders: Vec<serde_json::Value> = s
                .sliders
                .iter()
                .map(|k| {
                    serde_json::json!({
                        "key": k.key, "label": k.label, "min": k.min, "max": k.max,
                        "step": k.step, "default": k.default,
                    })
                })
                .collect();
            serde_json::json!({ "name": s.name, "file": s.file, "sliders": sliders })
        })
        .collect();
    serde_json::Value::Array(all).to_string()
}

impl LiveFigure {
    /// `{"svg": …, "readouts": [{"label", "value", "text"}, …]}` の JSON。
    pub fn to_json(&self) -> String {
        self.json_value().to_string()
    }

    fn json_value(&self) -> serde_json::Value {
        let readouts: Vec<serde_json::Value> = self
            .readouts
            .iter()
            .map(|r| serde_json::json!({ "label": r.label, "value": r.value, "text": r.text }))
            .collect();
        serde_json::json!({ "svg": self.svg, "readouts": readouts })
    }
}

/// ネイティブのビルドで、すべての図の既定値と検査用の値の組を描いた結果を JSON で
/// （`cargo run -p xtask -- live`。ブラウザでの検査が WebAssembly の結果と比べる）。
///
/// # Errors
///
/// 描けない値の組があればその誤り。
pub fn cases_json() -> Result<String, LiveError> {
    let mut out = Vec::new();
    for s in SPECS {
        let mut sets = vec![defaults(s)];
        sets.extend(s.cases.iter().map(|c| c.to_vec()));
        for values in sets {
            let fig = render(s.name, &values)?;
            out.push(serde_json::json!({
                "name": s.name, "values": values, "figure": fig.json_value(),
            }));
        }
    }
    Ok(serde_json::Value::Array(out).to_string())
}
