//! 有限個の状態の上の確率分布（確率ベクトル）。

use crate::error::{Error, Result, ensure_finite};
use crate::prec::PROB_SUM_TOLERANCE;

/// 検査済みの確率ベクトル `p = (p(0), …, p(K-1))`。
///
/// すべての成分が有限かつ非負で、和が 1（許容誤差
/// [`PROB_SUM_TOLERANCE`]）であることを構築時に確かめる。
/// KL 情報量 (2.3) の引数 `p`, `q` はこの型で受け取る。
///
/// # Errors
///
/// - 空: [`Error::EmptyInput`]
/// - NaN・±∞: [`Error::NonFinite`]
/// - 負の成分: [`Error::NegativeProbability`]
/// - 和が 1 でない: [`Error::NotNormalized`]
///
/// # Examples
///
/// ```
/// use genmodel::{categorical::Categorical, Error};
///
/// let p = Categorical::new(vec![0.25, 0.75])?;
/// assert_eq!(p.probabilities(), &[0.25, 0.75]);
/// assert!(matches!(Categorical::new(vec![0.5, 0.6]), Err(Error::NotNormalized { .. })));
/// assert!(matches!(Categorical::new(vec![-0.5, 1.5]), Err(Error::NegativeProbability { .. })));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    p: Vec<f64>,
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
    /// use genmodel::categorical::Categorical;
    ///
    /// assert!(Categorical::new(vec![1.0, 0.0]).is_ok());
    /// assert!(Categorical::new(vec![f64::NAN, 1.0]).is_err());
    /// ```
    pub fn new(p: Vec<f64>) -> Result<Self> {
        if p.is_empty() {
            return Err(Error::EmptyInput);
        }
        ensure_finite("確率", &p)?;
        if let Some((index, &value)) = p.iter().enumerate().find(|(_, v)| **v < 0.0) {
            return Err(Error::NegativeProbability { index, value });
        }
        let sum: f64 = p.iter().sum();
        if (sum - 1.0).abs() > PROB_SUM_TOLERANCE {
            return Err(Error::NotNormalized {
                sum,
                tolerance: PROB_SUM_TOLERANCE,
            });
        }
        Ok(Self { p })
    }

    /// 非負の重みを和で割って確率ベクトルにする。
    ///
    /// # Errors
    ///
    /// 空・非有限・負の重みは [`Categorical::new`] と同じエラー。
    /// 重みの和が 0 なら [`Error::NotNormalized`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::categorical::Categorical;
    ///
    /// let p = Categorical::from_weights(&[1.0, 3.0])?;
    /// assert_eq!(p.probabilities(), &[0.25, 0.75]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_weights(w: &[f64]) -> Result<Self> {
        if w.is_empty() {
            return Err(Error::EmptyInput);
        }
        ensure_finite("重み", w)?;
        if let Some((index, &value)) = w.iter().enumerate().find(|(_, v)| **v < 0.0) {
            return Err(Error::NegativeProbability { index, value });
        }
        let sum: f64 = w.iter().sum();
        if sum <= 0.0 || !sum.is_finite() {
            return Err(Error::NotNormalized {
                sum,
                tolerance: PROB_SUM_TOLERANCE,
            });
        }
        Ok(Self {
            p: w.iter().map(|v| v / sum).collect(),
        })
    }

    /// 各状態の確率。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::categorical::Categorical;
    ///
    /// let p = Categorical::new(vec![0.5, 0.5])?;
    /// assert_eq!(p.probabilities()[1], 0.5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn probabilities(&self) -> &[f64] {
        &self.p
    }

    /// 状態の数 `K`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::categorical::Categorical;
    ///
    /// assert_eq!(Categorical::new(vec![0.2, 0.3, 0.5])?.len(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // 構築時に空を弾くので常に非空
    pub fn len(&self) -> usize {
        self.p.len()
    }

    /// 台（確率が正の状態の集合）を返す。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::categorical::Categorical;
    ///
    /// assert_eq!(Categorical::new(vec![0.5, 0.0, 0.5])?.support(), vec![0, 2]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn support(&self) -> Vec<usize> {
        (0..self.p.len()).filter(|&i| self.p[i] > 0.0).collect()
    }
}
