//! 有限個の状態の上の確率分布（確率ベクトル）。

use crate::error::{Error, Result, ensure_finite};
use crate::prec::PROB_SUM_TOLERANCE;
use ndarray::{Array1, ArrayView1, AsArray, Ix1};

/// 検査済みの確率ベクトル `p = (p(0), …, p(K-1))`。
///
/// すべての成分が有限かつ非負で、和が 1（許容誤差 [`PROB_SUM_TOLERANCE`]）であることを構築時に
/// 確かめ、和で割り直して持つ。許容誤差の範囲でずれた入力（和が `1 - 1e-10` など）も、
/// 割り直した後は丸め誤差を除いて和が 1 の分布になる。KL 情報量 (2.3) の引数 `p`, `q` はこの型で受け取る。
///
/// # Errors
///
/// - 空: [`Error::EmptyInput`]
/// - NaN・±∞: [`Error::NonFinite`]
/// - 負の成分（`-0.0` は 0 として受け入れる）: [`Error::NegativeProbability`]
/// - 和が 1 でない: [`Error::NotNormalized`]
///
/// # Examples
///
/// ```
/// use genmodel::{distribution::Categorical, ndarray::array, Error};
///
/// let p = Categorical::new(array![0.25, 0.75])?;
/// assert_eq!(p.probabilities(), array![0.25, 0.75]);
/// assert!(matches!(Categorical::new(array![0.5, 0.6]), Err(Error::NotNormalized { .. })));
/// assert!(matches!(Categorical::new(array![-0.5, 1.5]), Err(Error::NegativeProbability { .. })));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    p: Array1<f64>,
}

impl Categorical {
    /// 確率ベクトルを検査して包む。
    ///
    /// # Errors
    ///
    /// 型の説明を参照。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::Categorical, ndarray::array};
    ///
    /// assert!(Categorical::new(array![1.0, 0.0]).is_ok());
    /// assert!(Categorical::new(array![f64::NAN, 1.0]).is_err());
    /// ```
    pub fn new(p: Array1<f64>) -> Result<Self> {
        let sum = check_weights("確率", p.view())?;
        if (sum - 1.0).abs() > PROB_SUM_TOLERANCE {
            return Err(Error::NotNormalized {
                sum,
                tolerance: PROB_SUM_TOLERANCE,
            });
        }
        Ok(Self {
            p: p.mapv(|v| v.max(0.0) / sum),
        })
    }

    /// 非負の重み `w` を和で割って確率ベクトルにする（`p(x) = w(x) / Σ w`）。
    ///
    /// # Errors
    ///
    /// - 空: [`Error::EmptyInput`]
    /// - NaN・±∞: [`Error::NonFinite`]
    /// - 負の重み: [`Error::NegativeProbability`]
    /// - 重みの和が 0: [`Error::NotNormalized`]
    ///
    /// 和が `f64` の範囲を超える重み（`[1e308, 1e308]`）も、最大の重みで割ってから足すので正しく扱う。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::distribution::Categorical;
    ///
    /// let p = Categorical::from_weights(&[1.0, 3.0])?;
    /// assert_eq!(p.probabilities(), genmodel::ndarray::array![0.25, 0.75]);
    /// assert!(Categorical::from_weights(&[0.0, 0.0]).is_err());
    /// assert_eq!(Categorical::from_weights(&[1e308, 1e308])?.probabilities()[0], 0.5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_weights<'a>(w: impl AsArray<'a, f64, Ix1>) -> Result<Self> {
        let w: ArrayView1<'a, f64> = w.into();
        check_weights("重み", w)?;
        let max = w.fold(0.0_f64, |m, &v| m.max(v));
        if max <= 0.0 {
            return Err(Error::NotNormalized {
                sum: 0.0,
                tolerance: PROB_SUM_TOLERANCE,
            });
        }
        let scaled = w.mapv(|v| v.max(0.0) / max);
        let sum = scaled.sum();
        Ok(Self { p: scaled / sum })
    }

    /// 最大が 1 の非負で有限な重みを和で割る（検査ずみの重みのための内部の近道）。
    pub(crate) fn from_unit_max_weights(w: Array1<f64>) -> Self {
        let sum = w.sum();
        Self { p: w / sum }
    }

    /// 確率 `p(0), …, p(K-1)`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::Categorical, ndarray::array};
    ///
    /// assert_eq!(Categorical::new(array![1.0])?.probabilities()[0], 1.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn probabilities(&self) -> ArrayView1<'_, f64> {
        self.p.view()
    }

    /// 状態の数 `K`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::Categorical, ndarray::array};
    ///
    /// assert_eq!(Categorical::new(array![0.5, 0.5, 0.0])?.len(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // 構築時に空を弾くので常に非空
    pub fn len(&self) -> usize {
        self.p.len()
    }

    /// 台 `{x : p(x) > 0}`（昇順）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::Categorical, ndarray::array};
    ///
    /// assert_eq!(Categorical::new(array![0.5, 0.0, 0.5])?.support(), vec![0, 2]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn support(&self) -> Vec<usize> {
        (0..self.p.len()).filter(|&i| self.p[i] > 0.0).collect()
    }
}

/// 空でなく、有限で、負でないことを確かめて和を返す（`-0.0` は 0 として通す）。
fn check_weights(what: &'static str, w: ArrayView1<'_, f64>) -> Result<f64> {
    if w.is_empty() {
        return Err(Error::EmptyInput);
    }
    ensure_finite(what, w.iter().copied())?;
    if let Some((index, &value)) = w.indexed_iter().find(|(_, v)| **v < 0.0) {
        return Err(Error::NegativeProbability { index, value });
    }
    Ok(w.sum())
}
