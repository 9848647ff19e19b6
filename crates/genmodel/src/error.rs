//! クレート全体で使うエラー型。
//!
//! 不正な入力はパニックや NaN ではなく、必ずこの [`Error`] で報告する。

/// このクレートの関数が返すエラー。
///
/// # Examples
///
/// ```
/// use genmodel::{distribution::Categorical, ndarray::Array1, Error};
///
/// assert_eq!(Categorical::new(Array1::zeros(0)), Err(Error::EmptyInput));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// データ（標本・確率・状態）が 1 つもない。
    #[error("入力が空です")]
    EmptyInput,
    /// 長さや次元が合わない。
    #[error("長さ（次元）が合いません: 期待 {expected}, 実際 {actual}")]
    DimensionMismatch {
        /// 期待した長さ。
        expected: usize,
        /// 実際の長さ。
        actual: usize,
    },
    /// NaN や ±∞ が入力に含まれる。
    #[error("{what} の {index} 番目が有限の数ではありません")]
    NonFinite {
        /// どの入力か。
        what: &'static str,
        /// 何番目か。
        index: usize,
    },
    /// 確率が負。
    #[error("確率が負です: {index} 番目 = {value}")]
    NegativeProbability {
        /// 何番目か。
        index: usize,
        /// その値。
        value: f64,
    },
    /// 確率の和が 1 でない。
    #[error("確率の和が 1 ではありません: 和 = {sum} (許容誤差 {tolerance:e})")]
    NotNormalized {
        /// 実際の和。
        sum: f64,
        /// 許した誤差。
        tolerance: f64,
    },
    /// 状態の番号が範囲外。
    #[error("状態 {state} は状態数 {n_states} の範囲外です")]
    StateOutOfRange {
        /// 与えられた状態番号。
        state: usize,
        /// 状態の数。
        n_states: usize,
    },
    /// 行列が対称でない。
    #[error("行列が対称ではありません: 最大の非対称成分 {max_asymmetry:e}")]
    NotSymmetric {
        /// `max |A_ij - A_ji|`。
        max_asymmetry: f64,
    },
    /// 行列が正定値でない。
    #[error("行列が正定値ではありません")]
    NotPositiveDefinite,
    /// 行列が特異に近く、逆行列の精度が保証できない。
    #[error("行列が特異に近すぎます: 条件数 {condition:e} (上限 {limit:e})")]
    IllConditioned {
        /// 推定した条件数。
        condition: f64,
        /// 許した上限。
        limit: f64,
    },
    /// 推定に必要な標本数に足りない。
    #[error("標本数が足りません: 必要 {needed}, 実際 {actual}")]
    TooFewSamples {
        /// 必要な数。
        needed: usize,
        /// 実際の数。
        actual: usize,
    },
    /// パラメータが定義域の外（分散が正でない、など）。
    #[error("パラメータ {name} = {value} は定義域の外です: {requirement}")]
    InvalidParameter {
        /// パラメータの名前。
        name: &'static str,
        /// その値。
        value: f64,
        /// 満たすべき条件。
        requirement: &'static str,
    },
    /// スピンが多すぎて、全 `2^n` 状態の列挙（§2.5）が扱える範囲を超える。
    #[error("スピン数 {n} は列挙できる上限 {max} を超えます")]
    TooManySpins {
        /// 与えられたスピン数。
        n: usize,
        /// この計算で扱える上限。
        max: usize,
    },
    /// 数学的には有限だが、結果が `f64` で表せる範囲を超える（`1e-300` の逆数など）。
    #[error("{what} が f64 で表せる範囲を超えます")]
    Overflow {
        /// どの量か。
        what: &'static str,
    },
    /// 要素数やその積が `usize` や確保できるメモリの範囲を超える。
    #[error("{what} = {requested} は大きすぎます（上限 {max}）")]
    TooLarge {
        /// 何の大きさか。
        what: &'static str,
        /// 求められた大きさ。
        requested: usize,
        /// 扱える上限。
        max: usize,
    },
    /// 反復法（勾配法, §2.6）の途中で目的関数か勾配が有限でなくなった。学習率が大きすぎるときに起こる。
    #[error("{iteration} 回目の反復で発散しました（値 {value}）")]
    Diverged {
        /// 発散した反復の番号（0 は初期値）。
        iteration: usize,
        /// そのときの目的関数の値。
        value: f64,
    },
    /// 不動点の反復（平均場・TAP・確率伝搬法、第 7 章）が、決めた回数のうちに収束しなかった。
    /// 反復は止め、最後の残差を報告する（無限に回らない）。
    #[error("{iterations} 回の反復で収束しませんでした（残差 {residual:e}、許容 {tolerance:e}）")]
    NotConverged {
        /// 反復した回数。
        iterations: usize,
        /// 最後の反復の残差 `max |m_new − m_old|` など。
        residual: f64,
        /// 求めた残差の上限。
        tolerance: f64,
    },
    /// 学習（第 8 章の VAE など）の `step` 歩目（0 から数える）が失敗して、学習を止めた。
    /// パラメータと最適化法の状態は、その前の歩の後のまま残る。
    #[error("{step} 歩目で学習を止めました: {cause}")]
    TrainingStopped {
        /// 失敗した歩の番号。
        step: usize,
        /// その歩の誤り（ミニバッチの NaN、あふれなど）。
        cause: Box<Error>,
    },
}

/// このクレートの `Result`。
pub type Result<T> = std::result::Result<T, Error>;

/// `values` がすべて有限であることを確かめる（`index` は走査順の位置）。
pub(crate) fn ensure_finite(
    what: &'static str,
    values: impl IntoIterator<Item = f64>,
) -> Result<()> {
    match values.into_iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite { what, index }),
        None => Ok(()),
    }
}

/// 長さが `expected` であることを確かめる。
pub(crate) fn ensure_len(expected: usize, actual: usize) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::DimensionMismatch { expected, actual })
    }
}

/// 計算結果の配列がすべて有限であることを確かめ、そのまま返す。
/// 有限の入力から非有限の結果が出るのは `f64` の範囲を超えたときなので [`Error::Overflow`] とする。
pub(crate) fn ensure_output<D: ndarray::Dimension>(
    what: &'static str,
    a: ndarray::Array<f64, D>,
) -> Result<ndarray::Array<f64, D>> {
    if a.iter().all(|v| v.is_finite()) {
        Ok(a)
    } else {
        Err(Error::Overflow { what })
    }
}

/// 計算結果のスカラーが有限であることを確かめる（[`ensure_output`] のスカラー版）。
pub(crate) fn finite_scalar(what: &'static str, v: f64) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::Overflow { what })
    }
}
