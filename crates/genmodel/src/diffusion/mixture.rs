//! 対角共分散のガウス混合 `p_0(x) = Σ_k π_k N(x; μ_k, diag σ_k²)`。
//!
//! 前向きの過程 `x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε` で、ノイズを加えた周辺分布もガウス混合
//! `p_t(x) = Σ_k π_k N(x; √ᾱ_t μ_k, diag(ᾱ_t σ_k² + 1 − ᾱ_t))` になる（[`GaussianMixture::noised`]）。
//! そのスコアは `∇ ln p_t(x) = Σ_k r_k(x) (m_k − x) / v_k`（`r_k` は成分の事後確率）で、
//! 最適な ε の予測は `ε*(x, t) = −√(1 − ᾱ_t) ∇ ln p_t(x)`（Tweedie の式）である。

use super::Schedule;
use crate::error::{Error, Result, ensure_finite, ensure_len};
use ndarray::{Array1, Array2, ArrayView2, AsArray, Ix2};
use rand::Rng;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// 対角共分散のガウス混合。
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianMixture {
    log_weights: Array1<f64>,
    means: Array2<f64>,
    variances: Array2<f64>,
}

impl GaussianMixture {
    /// 重み `π`（和 1）、平均（`K × D`）、分散（`K × D`、正）から作る。
    ///
    /// # Errors
    ///
    /// - 成分がない、次元 0: [`Error::EmptyInput`]
    /// - 形が合わない: [`Error::DimensionMismatch`]
    /// - 有限でない値: [`Error::NonFinite`]
    /// - 重みが負: [`Error::NegativeProbability`]、和が 1 から `1e-12` 以上ずれる: [`Error::NotNormalized`]
    /// - 分散が正でない: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::GaussianMixture, ndarray::array, Error};
    ///
    /// let m = GaussianMixture::new(array![0.3, 0.7], array![[-1.0], [2.0]], array![[0.25], [0.5]])?;
    /// assert_eq!((m.components(), m.dim()), (2, 1));
    /// assert!(matches!(GaussianMixture::new(array![0.3, 0.6], array![[-1.0], [2.0]], array![[0.25], [0.5]]), Err(Error::NotNormalized { .. })));
    /// assert!(matches!(GaussianMixture::new(array![0.3, 0.7], array![[-1.0], [2.0]], array![[0.0], [0.5]]), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(weights: Array1<f64>, means: Array2<f64>, variances: Array2<f64>) -> Result<Self> {
        if weights.is_empty() || means.ncols() == 0 {
            return Err(Error::EmptyInput);
        }
        ensure_len(weights.len(), means.nrows())?;
        ensure_len(means.nrows(), variances.nrows())?;
        ensure_len(means.ncols(), variances.ncols())?;
        ensure_finite("重み", weights.iter().copied())?;
        ensure_finite("平均", means.iter().copied())?;
        ensure_finite("分散", variances.iter().copied())?;
        if let Some((index, &p)) = weights.iter().enumerate().find(|(_, p)| **p < 0.0) {
            return Err(Error::NegativeProbability { index, value: p });
        }
        let sum: f64 = weights.sum();
        if (sum - 1.0).abs() > 1e-12 {
            return Err(Error::NotNormalized {
                sum,
                tolerance: 1e-12,
            });
        }
        if let Some(&v) = variances.iter().find(|v| **v <= 0.0) {
            return Err(Error::InvalidParameter {
                name: "分散",
                value: v,
                requirement: "正",
            });
        }
        Ok(Self {
            log_weights: weights.mapv(f64::ln),
            means,
            variances,
        })
    }

    /// 成分の数 `K`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::GaussianMixture, ndarray::array};
    /// assert_eq!(GaussianMixture::new(array![1.0], array![[0.0, 1.0]], array![[1.0, 2.0]])?.components(), 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn components(&self) -> usize {
        self.means.nrows()
    }

    /// 次元 `D`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::GaussianMixture, ndarray::array};
    /// assert_eq!(GaussianMixture::new(array![1.0], array![[0.0, 1.0]], array![[1.0, 2.0]])?.dim(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.means.ncols()
    }

    /// 成分の平均（`K × D`、1 行 1 成分）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::GaussianMixture, ndarray::array};
    /// let m = GaussianMixture::new(array![0.5, 0.5], array![[-1.0], [2.0]], array![[1.0], [0.5]])?;
    /// assert_eq!(m.means(), &array![[-1.0], [2.0]]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn means(&self) -> &Array2<f64> {
        &self.means
    }

    /// 時刻 `t` のノイズを加えた周辺分布 `p_t`（`t = 0` は自分自身。式 (10.17)、第 10 章）。
    ///
    /// # Errors
    ///
    /// `t` が範囲の外: [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::{GaussianMixture, Schedule}, ndarray::array};
    ///
    /// let p0 = GaussianMixture::new(array![1.0], array![[2.0]], array![[0.5]])?;
    /// let s = Schedule::new(vec![0.19])?;
    /// let p1 = p0.noised(&s, 1)?;
    /// // 平均 √0.81 · 2 = 1.8、分散 0.81 · 0.5 + 0.19 = 0.595
    /// let (x, _) = p1.sample(&mut genmodel::gaussian::univariate::seeded_rng(0), 1)?;
    /// assert_eq!(x.ncols(), 1);
    /// assert!((p1.ln_density(&array![[1.8]])?[0] + 0.5 * (2.0 * std::f64::consts::PI * 0.595f64).ln()).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn noised(&self, schedule: &Schedule, t: usize) -> Result<Self> {
        let (scale, var) = schedule.marginal(t)?;
        let a2 = scale * scale;
        Ok(Self {
            log_weights: self.log_weights.clone(),
            means: self.means.mapv(|m| scale * m),
            variances: self.variances.mapv(|v| a2 * v + var),
        })
    }

    /// 各成分の 1 つめの座標の平均と分散 `(m_k, v_k)`（数値積分の格子を決めるため）。
    pub(crate) fn component_moments(&self) -> Vec<(f64, f64)> {
        (0..self.components())
            .map(|k| (self.means[[k, 0]], self.variances[[k, 0]]))
            .collect()
    }

    fn check_points<'a>(&self, x: impl AsArray<'a, f64, Ix2>) -> Result<ArrayView2<'a, f64>> {
        let x: ArrayView2<'a, f64> = x.into();
        if x.nrows() == 0 {
            return Err(Error::EmptyInput);
        }
        ensure_len(self.dim(), x.ncols())?;
        ensure_finite("点", x.iter().copied())?;
        Ok(x)
    }

    /// 各点の各成分の `ln π_k + ln N(x; μ_k, σ_k²)`（点 × 成分）。
    fn log_joint(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        Array2::from_shape_fn((x.nrows(), self.components()), |(i, k)| {
            let mut acc = self.log_weights[k];
            for d in 0..self.dim() {
                let v = self.variances[[k, d]];
                let e = x[[i, d]] - self.means[[k, d]];
                acc -= 0.5 * (LN_2PI + v.ln() + e * e / v);
            }
            acc
        })
    }

    /// 各点の対数密度 `ln p(x)`（成分について log-sum-exp）。
    ///
    /// # Errors
    ///
    /// 点が空・次元が違う・有限でない: [`Error::EmptyInput`] など。密度が `f64` の最小の数より小さい点
    /// （`ln p = −∞`）や、スコアが `f64` の範囲を超える点: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::GaussianMixture, ndarray::array};
    /// let m = GaussianMixture::new(array![0.5, 0.5], array![[-1.0], [1.0]], array![[1.0], [1.0]])?;
    /// // 対称: ln p(−x) = ln p(x)
    /// let l = m.ln_density(&array![[0.3], [-0.3]])?;
    /// assert!((l[0] - l[1]).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ln_density<'a>(&self, x: impl AsArray<'a, f64, Ix2>) -> Result<Array1<f64>> {
        let x = self.check_points(x)?;
        let lj = self.log_joint(x);
        let out: Array1<f64> = lj
            .rows()
            .into_iter()
            .map(|r| lse(r.iter().copied()))
            .collect();
        // 密度が f64 の最小の数より小さい点（ln p = −∞）は、数学的には有限なので Overflow とする
        crate::error::ensure_output("対数密度 ln p(x)", out)
    }

    /// スコア `∇ ln p(x)`（1 行 1 点。式 (10.18)、第 10 章）。
    ///
    /// # Errors
    ///
    /// [`GaussianMixture::ln_density`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::GaussianMixture, ndarray::array};
    /// // 1 成分なら −(x − μ)/σ²
    /// let m = GaussianMixture::new(array![1.0], array![[1.0, -2.0]], array![[0.5, 2.0]])?;
    /// let s = m.score(&array![[2.0, 0.0]])?;
    /// assert!((s[[0, 0]] + 2.0).abs() < 1e-15 && (s[[0, 1]] + 1.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn score<'a>(&self, x: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
        let x = self.check_points(x)?;
        let lj = self.log_joint(x);
        let mut out = Array2::zeros(x.raw_dim());
        for (i, row) in lj.rows().into_iter().enumerate() {
            let total = lse(row.iter().copied());
            for (k, &l) in row.iter().enumerate() {
                let r = (l - total).exp();
                for d in 0..self.dim() {
                    out[[i, d]] += r * (self.means[[k, d]] - x[[i, d]]) / self.variances[[k, d]];
                }
            }
        }
        crate::error::ensure_output("スコア ∇ ln p(x)", out)
    }

    /// 時刻 `t` の最適な ε の予測 `ε*(x, t) = −√(1 − ᾱ_t) ∇ ln p_t(x)`（`1 ≤ t ≤ T`。式 (10.14)、第 10 章）。
    ///
    /// # Errors
    ///
    /// `t` が範囲の外: [`Error::InvalidParameter`]。点の誤りは [`GaussianMixture::score`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::{GaussianMixture, Schedule}, ndarray::array};
    /// // データが 1 点 x_0 = 0 なら、x_t = √(1 − ᾱ) ε なので ε* = x_t / √(1 − ᾱ)
    /// let m = GaussianMixture::new(array![1.0], array![[0.0]], array![[1e-300]])?;
    /// let s = Schedule::new(vec![0.36])?;
    /// let e = m.optimal_epsilon(&s, 1, &array![[0.3]])?;
    /// assert!((e[[0, 0]] - 0.3 / 0.6).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn optimal_epsilon<'a>(
        &self,
        schedule: &Schedule,
        t: usize,
        x: impl AsArray<'a, f64, Ix2>,
    ) -> Result<Array2<f64>> {
        schedule.beta(t)?;
        let pt = self.noised(schedule, t)?;
        let sd = schedule.one_minus_alpha_bar(t)?.sqrt();
        crate::error::ensure_output("最適な ε の予測 ε*", pt.score(x)?.mapv(|s| -sd * s))
    }

    /// `n` 点を引く（点と、その成分の番号）。
    ///
    /// # Errors
    ///
    /// `n = 0`: [`Error::InvalidParameter`]。`n × D` が大きすぎる: [`Error::TooLarge`]。標本が `f64` の範囲を超える
    /// （平均と分散が `1e308` など）: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::GaussianMixture, gaussian::univariate::seeded_rng, ndarray::array};
    /// let m = GaussianMixture::new(array![0.25, 0.75], array![[-5.0], [5.0]], array![[0.01], [0.01]])?;
    /// let (x, k) = m.sample(&mut seeded_rng(1), 4000)?;
    /// let right = k.iter().filter(|&&c| c == 1).count() as f64 / 4000.0;
    /// assert!((right - 0.75).abs() < 0.03);
    /// assert!(x.iter().zip(&k).all(|(v, &c)| (v - if c == 1 { 5.0 } else { -5.0 }).abs() < 1.0));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sample<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        n: usize,
    ) -> Result<(Array2<f64>, Vec<usize>)> {
        if n == 0 {
            return Err(Error::InvalidParameter {
                name: "標本の数",
                value: 0.0,
                requirement: "1 以上",
            });
        }
        let total = n.saturating_mul(self.dim());
        if total > crate::nn::MAX_ACTIVATIONS {
            return Err(Error::TooLarge {
                what: "標本の成分の数",
                requested: total,
                max: crate::nn::MAX_ACTIVATIONS,
            });
        }
        let weights = self.log_weights.mapv(f64::exp);
        let mut x = Array2::zeros((n, self.dim()));
        let mut comp = Vec::with_capacity(n);
        for mut row in x.rows_mut() {
            let u: f64 = rng.random();
            let mut acc = 0.0;
            let mut k = self.components() - 1;
            for (j, w) in weights.iter().enumerate() {
                acc += w;
                if u < acc {
                    k = j;
                    break;
                }
            }
            comp.push(k);
            for d in 0..self.dim() {
                let e = crate::vae::evaluate::standard_normal(rng);
                row[d] = self.means[[k, d]] + self.variances[[k, d]].sqrt() * e;
            }
        }
        Ok((crate::error::ensure_output("混合の標本", x)?, comp))
    }
}

/// `ln Σ exp(v)`（最大値を引いてから足す）。
fn lse(v: impl Iterator<Item = f64> + Clone) -> f64 {
    let top = v.clone().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    top + v.map(|x| (x - top).exp()).sum::<f64>().ln()
}
