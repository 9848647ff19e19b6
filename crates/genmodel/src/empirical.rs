//! 経験分布 `p0(x) = (1/n) Σ_i δ(x - x_i)`（式 (1.1)、§1）。
//!
//! - 離散のデータ: δ はクロネッカーのデルタで、`p0(x)` は「x が出た回数 / n」。
//!   → [`EmpiricalDistribution`]
//! - 連続のデータ: δ はディラックのデルタで、`p0` は標本そのもの。
//!   `∫ dx p0(x) f(x) = (1/n) Σ_i f(x_i)` だけが意味を持つ。→ [`Samples`]

use crate::categorical::Categorical;
use crate::error::{Error, Result, ensure_finite};

/// 有限個の状態 `0..n_states` の上の経験分布（式 (1.1) の離散版）。
///
/// # Examples
///
/// ```
/// use genmodel::empirical::EmpiricalDistribution;
///
/// let p0 = EmpiricalDistribution::from_states(&[2, 0, 2, 2], 3)?;
/// assert_eq!(p0.probabilities(), &[0.25, 0.0, 0.75]);
/// assert_eq!(p0.n_samples(), 4);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EmpiricalDistribution {
    counts: Vec<usize>,
    n: usize,
    p: Categorical,
}

impl EmpiricalDistribution {
    /// 状態の列 `x_1, …, x_n` から `p0(x) = #{i : x_i = x} / n` を作る。
    ///
    /// # Errors
    ///
    /// - データが空、または `n_states == 0`: [`Error::EmptyInput`]
    /// - `n_states` 以上の状態: [`Error::StateOutOfRange`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{empirical::EmpiricalDistribution, Error};
    ///
    /// assert_eq!(EmpiricalDistribution::from_states(&[], 2), Err(Error::EmptyInput));
    /// assert_eq!(
    ///     EmpiricalDistribution::from_states(&[0, 5], 2),
    ///     Err(Error::StateOutOfRange { state: 5, n_states: 2 })
    /// );
    /// ```
    pub fn from_states(states: &[usize], n_states: usize) -> Result<Self> {
        if states.is_empty() || n_states == 0 {
            return Err(Error::EmptyInput);
        }
        let mut counts = vec![0usize; n_states];
        for &s in states {
            *counts
                .get_mut(s)
                .ok_or(Error::StateOutOfRange { state: s, n_states })? += 1;
        }
        let n = states.len();
        let p = Categorical::new(counts.iter().map(|&c| c as f64 / n as f64).collect())?;
        Ok(Self { counts, n, p })
    }

    /// 各状態の出現回数。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::empirical::EmpiricalDistribution;
    ///
    /// let p0 = EmpiricalDistribution::from_states(&[1, 1, 0], 2)?;
    /// assert_eq!(p0.counts(), &[1, 2]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn counts(&self) -> &[usize] {
        &self.counts
    }

    /// 標本数 `n`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::empirical::EmpiricalDistribution;
    ///
    /// assert_eq!(EmpiricalDistribution::from_states(&[0, 1, 1], 2)?.n_samples(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_samples(&self) -> usize {
        self.n
    }

    /// `p0(x)` の値の並び。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::empirical::EmpiricalDistribution;
    ///
    /// let p0 = EmpiricalDistribution::from_states(&[0, 1, 1, 1], 2)?;
    /// assert_eq!(p0.probabilities(), &[0.25, 0.75]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn probabilities(&self) -> &[f64] {
        self.p.probabilities()
    }

    /// KL 情報量などに渡すための確率ベクトル。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::empirical::EmpiricalDistribution;
    ///
    /// let p0 = EmpiricalDistribution::from_states(&[0, 1], 2)?;
    /// assert_eq!(p0.as_categorical().len(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn as_categorical(&self) -> &Categorical {
        &self.p
    }
}

/// 連続値のデータ `x_1, …, x_n ∈ R^d`（式 (1.1) の連続版）。
///
/// ディラックのデルタによる経験分布は、標本の組そのものとして持つ。
/// 期待値 `∫ dx p0(x) f(x)` は [`Samples::expectation`] で `(1/n) Σ f(x_i)` になる。
///
/// # Examples
///
/// ```
/// use genmodel::empirical::Samples;
///
/// let s = Samples::from_scalars(&[1.0, 2.0, 6.0])?;
/// assert_eq!(s.expectation(|x| x[0]), 3.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    data: Vec<f64>,
    dim: usize,
}

impl Samples {
    /// `d` 次元の標本の並びを検査して包む。
    ///
    /// # Errors
    ///
    /// - 標本が 0 個、または 0 次元: [`Error::EmptyInput`]
    /// - 次元がそろわない: [`Error::DimensionMismatch`]
    /// - NaN・±∞: [`Error::NonFinite`]（`index` は行優先で平らにした位置）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{empirical::Samples, Error};
    ///
    /// let s = Samples::new(&[vec![0.0, 1.0], vec![2.0, 3.0]])?;
    /// assert_eq!((s.len(), s.dim()), (2, 2));
    /// assert!(matches!(
    ///     Samples::new(&[vec![0.0, 1.0], vec![2.0]]),
    ///     Err(Error::DimensionMismatch { expected: 2, actual: 1 })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(rows: &[Vec<f64>]) -> Result<Self> {
        let dim = rows.first().map(Vec::len).ok_or(Error::EmptyInput)?;
        if dim == 0 {
            return Err(Error::EmptyInput);
        }
        let mut data = Vec::with_capacity(rows.len() * dim);
        for r in rows {
            if r.len() != dim {
                return Err(Error::DimensionMismatch {
                    expected: dim,
                    actual: r.len(),
                });
            }
            data.extend_from_slice(r);
        }
        ensure_finite("標本", &data)?;
        Ok(Self { data, dim })
    }

    /// 1 次元の標本 `x_1, …, x_n ∈ R` を包む。
    ///
    /// # Errors
    ///
    /// 空なら [`Error::EmptyInput`]、非有限値は [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::empirical::Samples;
    ///
    /// assert!(Samples::from_scalars(&[f64::INFINITY]).is_err());
    /// assert_eq!(Samples::from_scalars(&[1.0, 2.0])?.dim(), 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_scalars(xs: &[f64]) -> Result<Self> {
        if xs.is_empty() {
            return Err(Error::EmptyInput);
        }
        ensure_finite("標本", xs)?;
        Ok(Self {
            data: xs.to_vec(),
            dim: 1,
        })
    }

    /// 標本数 `n`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::empirical::Samples;
    ///
    /// assert_eq!(Samples::from_scalars(&[1.0, 2.0, 3.0])?.len(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // 構築時に空を弾くので常に非空
    pub fn len(&self) -> usize {
        self.data.len() / self.dim
    }

    /// 次元 `d`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::empirical::Samples;
    ///
    /// assert_eq!(Samples::new(&[vec![1.0, 2.0, 3.0]])?.dim(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// `i` 番目の標本 `x_i`（0 始まり）。範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::empirical::Samples;
    ///
    /// let s = Samples::new(&[vec![1.0, 2.0], vec![3.0, 4.0]])?;
    /// assert_eq!(s.get(1), Some(&[3.0, 4.0][..]));
    /// assert_eq!(s.get(2), None);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn get(&self, i: usize) -> Option<&[f64]> {
        self.data.get(i * self.dim..(i + 1) * self.dim)
    }

    /// 標本を順に返す。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::empirical::Samples;
    ///
    /// let s = Samples::from_scalars(&[1.0, 2.0])?;
    /// assert_eq!(s.iter().map(|x| x[0]).sum::<f64>(), 3.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn iter(&self) -> std::slice::ChunksExact<'_, f64> {
        self.data.chunks_exact(self.dim)
    }

    /// 経験分布による期待値 `∫ dx p0(x) f(x) = (1/n) Σ_i f(x_i)`（式 (1.1)）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::empirical::Samples;
    ///
    /// // 標本平均と、2 乗の平均
    /// let s = Samples::from_scalars(&[-1.0, 1.0, 3.0])?;
    /// assert_eq!(s.expectation(|x| x[0]), 1.0);
    /// assert_eq!(s.expectation(|x| x[0] * x[0]), 11.0 / 3.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn expectation(&self, f: impl Fn(&[f64]) -> f64) -> f64 {
        self.iter().map(f).sum::<f64>() / self.len() as f64
    }
}
