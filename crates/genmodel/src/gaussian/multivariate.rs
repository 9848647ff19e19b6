//! 多変量ガウス分布のモデル `q_θ(x)`, `θ = {μ, Σ}`（式 (2.15)–(2.24)、§2.4）。
//!
//! 分散共分散行列 `Σ` は検査済みの対称正定値行列 [`Spd`] として持つ。
//! 規格化定数 (2.20) は Cholesky 分解の対数行列式から、指数の 2 次形式は三角行列の前進代入から求める。

use super::univariate::standard_normal;
use crate::distribution::empirical::check_data;
use crate::error::{Error, Result, ensure_finite, ensure_len, ensure_output, finite_scalar};
use crate::linalg::Spd;
use crate::prec::MAX_SAMPLES;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Ix1, Ix2};
use rand::Rng;
use std::f64::consts::PI;

/// `N` 次元ガウス分布
/// `q_θ(x) = exp(-½ (x - μ)ᵀ Σ⁻¹ (x - μ)) / √((2π)^N det Σ)`（式 (2.21)）。
///
/// # Examples
///
/// ```
/// use genmodel::{gaussian::Mvn, ndarray::array, Error};
///
/// let q = Mvn::new(array![0.0, 0.0], array![[2.0, 0.0], [0.0, 0.5]])?;
/// // det Σ = 1 なので原点での密度は 1/(2π)
/// assert!((q.density(&[0.0, 0.0])? - 1.0 / (2.0 * std::f64::consts::PI)).abs() < 1e-15);
/// assert!(matches!(
///     Mvn::new(array![0.0], array![[1.0, 0.0], [0.0, 1.0]]),
///     Err(Error::DimensionMismatch { expected: 2, actual: 1 })
/// ));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Mvn {
    mean: Array1<f64>,
    cov: Spd,
    precision: Array2<f64>,
}

impl Mvn {
    /// 平均 `μ` と分散共分散行列 `Σ` からモデルを作る。
    ///
    /// # Errors
    ///
    /// - `μ` が非有限: [`Error::NonFinite`]
    /// - `Σ` が対称正定値でない・条件が悪い: [`Spd::new`] の誤り
    /// - `μ` の長さが `Σ` の次数と違う: [`Error::DimensionMismatch`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array, Error};
    ///
    /// assert_eq!(Mvn::new(array![1.0, 2.0], array![[1.0, 0.5], [0.5, 1.0]])?.dim(), 2);
    /// assert!(matches!(
    ///     Mvn::new(array![0.0, 0.0], array![[1.0, 2.0], [2.0, 1.0]]),
    ///     Err(Error::NotPositiveDefinite)
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(mean: Array1<f64>, cov: Array2<f64>) -> Result<Self> {
        ensure_finite("平均ベクトル μ", mean.iter().copied())?;
        let cov = Spd::new(cov)?;
        ensure_len(cov.dim(), mean.len())?;
        let precision = cov.inverse()?;
        Ok(Self {
            mean,
            cov,
            precision,
        })
    }

    /// 次元 `N`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// assert_eq!(Mvn::new(array![0.0], array![[1.0]])?.dim(), 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// 平均 `μ`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// assert_eq!(Mvn::new(array![3.0], array![[1.0]])?.mean(), array![3.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean(&self) -> ArrayView1<'_, f64> {
        self.mean.view()
    }

    /// 分散共分散行列 `Σ`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// let q = Mvn::new(array![0.0, 0.0], array![[2.0, 1.0], [1.0, 2.0]])?;
    /// assert!((q.covariance().det() - 3.0).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn covariance(&self) -> &Spd {
        &self.cov
    }

    /// 精度行列 `Σ⁻¹`（対称）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// let q = Mvn::new(array![0.0, 0.0], array![[2.0, 0.0], [0.0, 4.0]])?;
    /// assert!((q.precision()[[1, 1]] - 0.25).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn precision(&self) -> ArrayView2<'_, f64> {
        self.precision.view()
    }

    fn check_point(&self, x: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
        ensure_len(self.dim(), x.len())?;
        ensure_finite("点 x", x.iter().copied())?;
        ensure_output("x - μ", &x - &self.mean)
    }

    /// 2 次形式 `(x - μ)ᵀ Σ⁻¹ (x - μ)`（マハラノビス距離の 2 乗）。
    ///
    /// # Errors
    ///
    /// `x` の長さが違えば [`Error::DimensionMismatch`]、非有限なら [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// let q = Mvn::new(array![1.0, 1.0], array![[4.0, 0.0], [0.0, 1.0]])?;
    /// assert!((q.mahalanobis_sq(&[3.0, 2.0])? - 2.0).abs() < 1e-15);
    /// assert!(q.mahalanobis_sq(&[3.0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mahalanobis_sq<'a>(&self, x: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        let d = self.check_point(x.into())?;
        self.cov.inv_quad_form(&d)
    }

    /// 規格化前の密度 `exp(-½ (x - μ)ᵀ Σ⁻¹ (x - μ))`（式 (2.15) の右辺）。
    ///
    /// # Errors
    ///
    /// [`Mvn::mahalanobis_sq`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// let q = Mvn::new(array![0.0, 0.0], array![[1.0, 0.0], [0.0, 1.0]])?;
    /// assert_eq!(q.unnormalized_density(&[0.0, 0.0])?, 1.0);
    /// assert!((q.unnormalized_density(&[1.0, 1.0])? - (-1.0f64).exp()).abs() < 1e-16);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn unnormalized_density<'a>(&self, x: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        Ok((-0.5 * self.mahalanobis_sq(x)?).exp())
    }

    /// `ln Z_θ = ½ (N ln 2π + ln det Σ)`（式 (2.20) の対数）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// let q = Mvn::new(array![0.0, 0.0], array![[3.0, 1.0], [1.0, 3.0]])?;
    /// let want = 0.5 * (2.0 * (2.0 * std::f64::consts::PI).ln() + 8f64.ln());
    /// assert!((q.ln_normalizer() - want).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ln_normalizer(&self) -> f64 {
        0.5 * (self.dim() as f64 * (2.0 * PI).ln() + self.cov.ln_det())
    }

    /// 規格化定数 `Z_θ = √((2π)^N det Σ)`（式 (2.20)）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// let q = Mvn::new(array![0.0, 0.0], array![[1.0, 0.0], [0.0, 4.0]])?;
    /// assert!((q.normalizer() - 4.0 * std::f64::consts::PI).abs() < 1e-13);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn normalizer(&self) -> f64 {
        self.ln_normalizer().exp()
    }

    /// 対数密度 `ln q_θ(x) = -½ (x - μ)ᵀ Σ⁻¹ (x - μ) - ln Z_θ`（式 (2.21) の対数）。
    ///
    /// # Errors
    ///
    /// [`Mvn::mahalanobis_sq`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::{Gaussian, Mvn}, ndarray::array};
    ///
    /// // 対角な Σ では 1 次元の密度の積
    /// let q = Mvn::new(array![1.0, -1.0], array![[2.0, 0.0], [0.0, 0.5]])?;
    /// let want = Gaussian::new(1.0, 2.0)?.ln_density(0.3)? + Gaussian::new(-1.0, 0.5)?.ln_density(0.7)?;
    /// assert!((q.ln_density(&[0.3, 0.7])? - want).abs() < 1e-14);
    /// assert!(q.ln_density(&[f64::NAN, 0.0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ln_density<'a>(&self, x: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        Ok(-0.5 * self.mahalanobis_sq(x)? - self.ln_normalizer())
    }

    /// 密度 `q_θ(x)`（式 (2.21)）。
    ///
    /// # Errors
    ///
    /// [`Mvn::mahalanobis_sq`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// let q = Mvn::new(array![0.0], array![[1.0]])?;
    /// assert!((q.density(&[1.0])? - 0.241_970_724_519_143_37).abs() < 1e-16);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn density<'a>(&self, x: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        Ok(self.ln_density(x)?.exp())
    }

    /// `n` 個の標本を引く: `x = μ + L z`、`z ~ N(0, I)`、`Σ = L Lᵀ`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    /// use rand::SeedableRng;
    ///
    /// let q = Mvn::new(array![1.0, 2.0], array![[1.0, 0.8], [0.8, 1.0]])?;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    /// let s = q.sample(&mut rng, 20_000)?;
    /// let fitted = Mvn::fit(&s)?;
    /// // 共分散の標準誤差は √((1 + 0.8²)/n) ≈ 0.009。その 5 倍以内
    /// assert!((fitted.covariance().matrix()[[0, 1]] - 0.8).abs() < 0.045);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `n == 0` なら [`Error::EmptyInput`]（空の標本の組は作れない）。
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Result<Array2<f64>> {
        let d = self.dim();
        if n.checked_mul(d).is_none_or(|total| total > MAX_SAMPLES) {
            return Err(Error::TooLarge {
                what: "標本数 × 次元",
                requested: n.saturating_mul(d),
                max: MAX_SAMPLES,
            });
        }
        let mut out = Array2::<f64>::zeros((n, d));
        for mut row in out.rows_mut() {
            let z: Array1<f64> = (0..d).map(|_| standard_normal(rng)).collect();
            row.assign(&(self.cov.cholesky_mul(&z)? + &self.mean));
        }
        ensure_output("標本", out)
    }

    /// 最尤推定 `μ = (1/n) Σ x_i`（式 (2.23)）、`Σ = (1/n) Σ (x_i - μ)(x_i - μ)ᵀ`（式 (2.24)）。
    ///
    /// # Errors
    ///
    /// - 標本数が `N + 1` 未満: [`Error::TooFewSamples`]（`N` 個以下の点の散布行列は特異）
    /// - 標本が部分空間に乗っていて散布行列が正定値でない・条件が悪い: [`Spd::new`] の誤り
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array, Error};
    ///
    /// let s = array![[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]];
    /// let q = Mvn::fit(&s)?;
    /// assert_eq!(q.mean(), array![1.0, 1.0]);
    /// assert_eq!(q.covariance().matrix()[[0, 0]], 1.0);
    /// assert_eq!(q.covariance().matrix()[[0, 1]], 0.0);
    /// let two = array![[0.0, 0.0], [1.0, 1.0]];
    /// assert_eq!(Mvn::fit(&two).unwrap_err(), Error::TooFewSamples { needed: 3, actual: 2 });
    /// // 一直線に並んだ点: 散布行列が特異
    /// let line = array![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]];
    /// assert!(Mvn::fit(&line).is_err());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn fit<'a>(data: impl AsArray<'a, f64, Ix2>) -> Result<Self> {
        let data = check_data(data)?;
        let (n, d) = data.dim();
        if n < d + 1 {
            return Err(Error::TooFewSamples {
                needed: d + 1,
                actual: n,
            });
        }
        let mu = sample_mean(data)?;
        let cov = scatter_matrix(data, &mu)?;
        Self::new(mu, cov)
    }

    fn check_data<'a>(&self, data: impl AsArray<'a, f64, Ix2>) -> Result<ArrayView2<'a, f64>> {
        let data = check_data(data)?;
        ensure_len(self.dim(), data.ncols())?;
        Ok(data)
    }

    /// `(1/n) Σ_i f(x_i)`（和があふれるときは足し直す）。
    fn mean_over_rows(
        &self,
        data: ArrayView2<'_, f64>,
        f: impl Fn(ArrayView1<'_, f64>) -> Result<f64>,
    ) -> Result<f64> {
        let values = data
            .rows()
            .into_iter()
            .map(f)
            .collect::<Result<Array1<f64>>>()?;
        Ok(crate::distribution::empirical::stable_mean(values.view()))
    }

    /// θ によらない項を除いた KL 情報量
    /// `D(p0 ‖ q_θ) ≐ (1/(2n)) Σ (x_i - μ)ᵀ Σ⁻¹ (x_i - μ) + ½ ln det Σ`（式 (2.22)）。
    ///
    /// 除いた項は `∫ p0 ln p0` と `(N/2) ln 2π`。
    ///
    /// # Errors
    ///
    /// データの次元が違えば [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// let q = Mvn::new(array![0.0, 0.0], array![[1.0, 0.0], [0.0, 1.0]])?;
    /// let s = array![[1.0, 0.0], [0.0, -1.0]];
    /// assert!((q.kl_up_to_const(&s)? - 0.5).abs() < 1e-15); // (1/4)(1 + 1) + ½ ln 1
    /// assert!(q.kl_up_to_const(&array![[1.0]]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn kl_up_to_const<'a>(&self, data: impl AsArray<'a, f64, Ix2>) -> Result<f64> {
        let data = self.check_data(data)?;
        let m = self.mean_over_rows(data, |x| self.mahalanobis_sq(x))?;
        finite_scalar("KL 情報量", 0.5 * m + 0.5 * self.cov.ln_det())
    }

    /// `∂D/∂μ = -(1/n) Σ Σ⁻¹ (x_i - μ)`（式 (2.23)）。
    ///
    /// # Errors
    ///
    /// データの次元が違えば [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// let q = Mvn::new(array![0.0, 0.0], array![[2.0, 0.0], [0.0, 1.0]])?;
    /// let s = array![[2.0, 1.0], [0.0, 1.0]];
    /// let g = q.kl_grad_mean(&s)?;
    /// assert!((g[0] + 0.5).abs() < 1e-15 && (g[1] + 1.0).abs() < 1e-15);
    /// assert!(q.kl_grad_mean(&array![[1.0]]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn kl_grad_mean<'a>(&self, data: impl AsArray<'a, f64, Ix2>) -> Result<Array1<f64>> {
        let data = self.check_data(data)?;
        let (n, d) = data.dim();
        // (1/n) Σ_i (x_i - μ) を先頭から順に足し、-Σ⁻¹ を掛ける
        let mut mean_dev = Array1::<f64>::zeros(d);
        for x in data.rows() {
            for k in 0..d {
                mean_dev[k] += (x[k] - self.mean[k]) / n as f64;
            }
        }
        let g = (0..d)
            .map(|i| {
                -(0..d)
                    .map(|j| self.precision[[i, j]] * mean_dev[j])
                    .sum::<f64>()
            })
            .collect();
        ensure_output("∂D/∂μ", g)
    }

    /// `∂D/∂Σ⁻¹ = ½ S_μ - ½ Σ`、`S_μ = (1/n) Σ (x_i - μ)(x_i - μ)ᵀ`（式 (2.24)）。
    ///
    /// `Σ⁻¹` の `N²` 個の成分を**互いに独立な変数**とみなした勾配（付録 A の (A.4)・(A.8) と同じ約束）。
    /// 対称性を保つ変化 `δΛ_ij = δΛ_ji` だけを許すと、非対角成分の偏微分はこの 2 倍になる。
    /// どちらでも零点（停留点）は同じである。
    ///
    /// # Errors
    ///
    /// データの次元が違えば [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// let s = array![[0.0, 1.0], [2.0, 0.0], [1.0, 3.0], [-1.0, 2.0]];
    /// // 最尤推定の点では勾配が 0
    /// let g = Mvn::fit(&s)?.kl_grad_precision(&s)?;
    /// assert!((0..2).all(|i| (0..2).all(|j| g[[i, j]].abs() < 1e-15)));
    /// assert!(Mvn::fit(&s)?.kl_grad_precision(&array![[1.0]]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn kl_grad_precision<'a>(&self, data: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
        let data = self.check_data(data)?;
        let s = scatter_matrix(data, &self.mean)?;
        let sigma = self.cov.matrix();
        ensure_output("∂D/∂Λ", 0.5 * &s - 0.5 * &sigma)
    }

    /// 平均対数尤度 `(1/n) Σ ln q_θ(x_i)`（式 (2.14) の右端）。
    ///
    /// # Errors
    ///
    /// データの次元が違えば [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Mvn, ndarray::array};
    ///
    /// let q = Mvn::new(array![0.0, 0.0], array![[1.0, 0.3], [0.3, 2.0]])?;
    /// let s = array![[1.0, 0.0], [0.5, -1.0]];
    /// let c = (2.0 * std::f64::consts::PI).ln(); // (N/2) ln 2π, N = 2
    /// assert!((q.mean_log_likelihood(&s)? + q.kl_up_to_const(&s)? + c).abs() < 1e-14);
    /// assert!(q.mean_log_likelihood(&array![[1.0]]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean_log_likelihood<'a>(&self, data: impl AsArray<'a, f64, Ix2>) -> Result<f64> {
        let data = self.check_data(data)?;
        let m = self.mean_over_rows(data, |x| self.ln_density(x))?;
        finite_scalar("平均対数尤度", m)
    }
}

/// 標本平均ベクトル `(1/n) Σ x_i`（式 (2.23) の停留点）。
///
/// # Examples
///
/// ```
/// use genmodel::{gaussian::multivariate::sample_mean, ndarray::array};
///
/// let s = array![[0.0, 1.0], [2.0, 3.0]];
/// assert_eq!(sample_mean(&s)?, array![1.0, 2.0]);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn sample_mean<'a>(data: impl AsArray<'a, f64, Ix2>) -> Result<Array1<f64>> {
    let data = check_data(data)?;
    let n = data.nrows() as f64;
    // 各標本を n で割ってから先頭から順に足す（和があふれない）
    let mut m = Array1::<f64>::zeros(data.ncols());
    for x in data.rows() {
        m.zip_mut_with(&x, |mk, xk| *mk += xk / n);
    }
    Ok(m)
}

/// 散布行列 `S_μ = (1/n) Σ (x_i - μ)(x_i - μ)ᵀ`（`μ` を標本平均にすれば式 (2.24) の最尤推定）。
///
/// 上三角を計算して下三角に写すので、結果は厳密に対称である。積があふれるときは偏差を最大の絶対値で割ってから掛け合わせるので、
/// 成分が `1e200` 程度でも途中であふれない（結果そのものが `f64` の範囲を超えれば [`Error::Overflow`]）。
///
/// # Errors
///
/// `μ` の長さがデータの次元と違えば [`Error::DimensionMismatch`]、非有限なら [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::{gaussian::multivariate::scatter_matrix, ndarray::array};
///
/// let s = array![[1.0, 2.0], [3.0, 2.0]];
/// let m = scatter_matrix(&s, &[2.0, 2.0])?;
/// assert_eq!((m[[0, 0]], m[[0, 1]], m[[1, 1]]), (1.0, 0.0, 0.0));
/// assert!(scatter_matrix(&s, &[0.0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn scatter_matrix<'a, 'b>(
    data: impl AsArray<'a, f64, Ix2>,
    mu: impl AsArray<'b, f64, Ix1>,
) -> Result<Array2<f64>> {
    let data = check_data(data)?;
    let mu: ArrayView1<'b, f64> = mu.into();
    ensure_len(data.ncols(), mu.len())?;
    ensure_finite("平均ベクトル μ", mu.iter().copied())?;
    let dev = &data - &mu;
    let c = dev.fold(0.0_f64, |m, v| m.max(v.abs()));
    if !c.is_finite() {
        return Err(Error::Overflow { what: "x - μ" });
    }
    let s = outer_mean(dev.view(), 1.0);
    if s.iter().all(|v| v.is_finite()) {
        return Ok(s);
    }
    // 積があふれた: 偏差を最大の絶対値 c で割ってから外積をとり、最後に c² を掛ける
    ensure_output("散布行列", outer_mean(dev.view(), c) * (c * c))
}

/// `(1/n) Σ_i (d_i/c)(d_i/c)ᵀ` の上三角を求めて下三角に写す（結果は厳密に対称）。
fn outer_mean(dev: ArrayView2<'_, f64>, c: f64) -> Array2<f64> {
    let (n, d) = dev.dim();
    let mut s = Array2::<f64>::zeros((d, d));
    for x in dev.rows() {
        for i in 0..d {
            for j in i..d {
                s[[i, j]] += (x[i] / c) * (x[j] / c) / n as f64;
            }
        }
    }
    for i in 0..d {
        for j in 0..i {
            s[[i, j]] = s[[j, i]];
        }
    }
    s
}

/// 不偏な標本分散共分散行列 `(1/(n-1)) Σ (x_i - x̄)(x_i - x̄)ᵀ`（NumPy の `np.cov` の既定）。
///
/// 最尤推定 (2.24) は `1/n` で割る。こちらは KL 情報量 (2.22) の最小点ではない。
///
/// # Errors
///
/// 標本が 2 個未満なら [`Error::TooFewSamples`]。
///
/// # Examples
///
/// ```
/// use genmodel::{gaussian::multivariate::unbiased_covariance, ndarray::array, Error};
///
/// let s = array![[1.0, 2.0], [3.0, 2.0]];
/// assert_eq!(unbiased_covariance(&s)?[[0, 0]], 2.0);
/// assert_eq!(
///     unbiased_covariance(&array![[1.0, 2.0]]).unwrap_err(),
///     Error::TooFewSamples { needed: 2, actual: 1 }
/// );
/// # Ok::<(), Error>(())
/// ```
pub fn unbiased_covariance<'a>(data: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
    let data = check_data(data)?;
    let n = data.nrows();
    if n < 2 {
        return Err(Error::TooFewSamples {
            needed: 2,
            actual: n,
        });
    }
    let s = scatter_matrix(data, &sample_mean(data)?)?;
    ensure_output("不偏分散共分散行列", s * (n as f64 / (n as f64 - 1.0)))
}
