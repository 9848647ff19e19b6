//! 構文解析と評価のエラー型。

use thiserror::Error;

/// 構文解析の失敗。`pos` はマクロ展開後の文字列でのバイト位置である。
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("位置 {pos}: {msg}（`{near}` の付近）")]
pub struct ParseError {
    /// マクロ展開後の LaTeX でのバイト位置。
    pub pos: usize,
    /// 何が読めなかったか。
    pub msg: String,
    /// 位置の前後の抜粋。
    pub near: String,
}

impl ParseError {
    /// `src` の `pos` の前後を抜粋してエラーを作る。
    pub fn at(src: &str, pos: usize, msg: impl Into<String>) -> Self {
        let pos = pos.min(src.len());
        let start = floor_char(src, pos.saturating_sub(12));
        let end = floor_char(src, (pos + 20).min(src.len()));
        ParseError {
            pos,
            msg: msg.into(),
            near: src[start..end].to_string(),
        }
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// 評価の失敗。黙って NaN を返さず、この型で返す。
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EvalError {
    /// 束縛されていない名前。
    #[error("未束縛の名前 `{0}`")]
    Unbound(String),
    /// 形の合わない演算。
    #[error("形が合わない: {op} に {left} と {right}")]
    Shape {
        /// 演算の名前。
        op: String,
        /// 左の形。
        left: String,
        /// 右の形。
        right: String,
    },
    /// 特異行列の逆行列など。
    #[error("特異行列: {0}")]
    Singular(String),
    /// 定義域の外（負の数の対数など）。
    #[error("定義域の外: {0}")]
    Domain(String),
    /// 添字が整数でない、または範囲外。
    #[error("添字の誤り: {0}")]
    Index(String),
    /// 数値積分が許容誤差に収束しない。
    #[error("数値積分が収束しない: {0}")]
    Quadrature(String),
    /// 数値で評価しない構文（δ 関数の点評価など）。
    #[error("評価できない構文: {0}")]
    Unsupported(String),
}

/// 構文解析と評価のどちらかのエラー。
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    /// 構文解析の失敗。
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// 評価の失敗。
    #[error(transparent)]
    Eval(#[from] EvalError),
}
