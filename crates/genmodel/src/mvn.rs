//! 多変量ガウス分布のモデル `q_θ(x)`, `θ = {μ, Σ}`（式 (2.15)–(2.24)、§2.4）。
//!
//! 分散共分散行列 `Σ` は検査済みの対称正定値行列 [`Spd`] として持つ。
//! 規格化定数 (2.20) は Cholesky 分解の対数行列式から、指数の 2 次形式は三角行列の前進代入から求める。

use crate::empirical::Samples;
use crate::error::{Error, Result, ensure_finite};
use crate::gaussian::standard_normal;
use crate::linalg::{Mat, Spd};
use rand::Rng;
use std::f64::consts::PI;

/// `N` 次元ガウス分布
/// `q_θ(x) = exp(-½ (x - μ)ᵀ Σ⁻¹ (x - μ)) / √((2π)^N det Σ)`（式 (2.21)）。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, mvn::Mvn, Error};
///
/// let q = Mvn::new(vec![0.0, 0.0], from_rows(&[[2.0, 0.0], [0.0, 0.5]])?)?;
/// // det Σ = 1 なので原点での密度は 1/(2π)
/// assert!((q.density(&[0.0, 0.0])? - 1.0 / (2.0 * std::f64::consts::PI)).abs() < 1e-15);
/// assert!(matches!(
///     Mvn::new(vec![0.0], from_rows(&[[1.0, 0.0], [0.0, 1.0]])?),
///     Err(Error::DimensionMismatch { expected: 2, actual: 1 })
/// ));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Mvn {
    mean: Vec<f64>,
    cov: Spd,
    precision: Mat<f64>,
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
    /// use genmodel::{linalg::from_rows, mvn::Mvn, Error};
    ///
    /// assert_eq!(Mvn::new(vec![1.0, 2.0], from_rows(&[[1.0, 0.5], [0.5, 1.0]])?)?.dim(), 2);
    /// assert!(matches!(
    ///     Mvn::new(vec![0.0, 0.0], from_rows(&[[1.0, 2.0], [2.0, 1.0]])?),
    ///     Err(Error::NotPositiveDefinite)
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(mean: Vec<f64>, cov: Mat<f64>) -> Result<Self> {
        ensure_finite("平均ベクトル μ", &mean)?;
        let cov = Spd::new(cov)?;
        if mean.len() != cov.dim() {
            return Err(Error::DimensionMismatch {
                expected: cov.dim(),
                actual: mean.len(),
            });
        }
        let precision = cov.inverse();
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
    /// use genmodel::{linalg::from_rows, mvn::Mvn};
    ///
    /// assert_eq!(Mvn::new(vec![0.0], from_rows(&[[1.0]])?)?.dim(), 1);
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
    /// use genmodel::{linalg::from_rows, mvn::Mvn};
    ///
    /// assert_eq!(Mvn::new(vec![3.0], from_rows(&[[1.0]])?)?.mean(), &[3.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// 分散共分散行列 `Σ`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::from_rows, mvn::Mvn};
    ///
    /// let q = Mvn::new(vec![0.0, 0.0], from_rows(&[[2.0, 1.0], [1.0, 2.0]])?)?;
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
    /// use genmodel::{linalg::from_rows, mvn::Mvn};
    ///
    /// let q = Mvn::new(vec![0.0, 0.0], from_rows(&[[2.0, 0.0], [0.0, 4.0]])?)?;
    /// assert!((q.precision()[(1, 1)] - 0.25).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn precision(&self) -> &Mat<f64> {
        &self.precision
    }

    fn check_point(&self, x: &[f64]) -> Result<Vec<f64>> {
        if x.len() != self.dim() {
            return Err(Error::DimensionMismatch {
                expected: self.dim(),
                actual: x.len(),
            });
        }
        ensure_finite("点 x", x)?;
        Ok(x.iter().zip(&self.mean).map(|(a, m)| a - m).collect())
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
    /// use genmodel::{linalg::from_rows, mvn::Mvn};
    ///
    /// let q = Mvn::new(vec![1.0, 1.0], from_rows(&[[4.0, 0.0], [0.0, 1.0]])?)?;
    /// assert!((q.mahalanobis_sq(&[3.0, 2.0])? - 2.0).abs() < 1e-15);
    /// assert!(q.mahalanobis_sq(&[3.0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mahalanobis_sq(&self, x: &[f64]) -> Result<f64> {
        let d = self.check_point(x)?;
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
    /// use genmodel::{linalg::from_rows, mvn::Mvn};
    ///
    /// let q = Mvn::new(vec![0.0, 0.0], from_rows(&[[1.0, 0.0], [0.0, 1.0]])?)?;
    /// assert_eq!(q.unnormalized_density(&[0.0, 0.0])?, 1.0);
    /// assert!((q.unnormalized_density(&[1.0, 1.0])? - (-1.0f64).exp()).abs() < 1e-16);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn unnormalized_density(&self, x: &[f64]) -> Result<f64> {
        Ok((-0.5 * self.mahalanobis_sq(x)?).exp())
    }

    /// `ln Z_θ = ½ (N ln 2π + ln det Σ)`（式 (2.20) の対数）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::from_rows, mvn::Mvn};
    ///
    /// let q = Mvn::new(vec![0.0, 0.0], from_rows(&[[3.0, 1.0], [1.0, 3.0]])?)?;
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
    /// use genmodel::{linalg::from_rows, mvn::Mvn};
    ///
    /// let q = Mvn::new(vec![0.0, 0.0], from_rows(&[[1.0, 0.0], [0.0, 4.0]])?)?;
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
    /// use genmodel::{gaussian::Gaussian, linalg::from_rows, mvn::Mvn};
    ///
    /// // 対角な Σ では 1 次元の密度の積
    /// let q = Mvn::new(vec![1.0, -1.0], from_rows(&[[2.0, 0.0], [0.0, 0.5]])?)?;
    /// let want = Gaussian::new(1.0, 2.0)?.ln_density(0.3) + Gaussian::new(-1.0, 0.5)?.ln_density(0.7);
    /// assert!((q.ln_density(&[0.3, 0.7])? - want).abs() < 1e-14);
    /// assert!(q.ln_density(&[f64::NAN, 0.0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ln_density(&self, x: &[f64]) -> Result<f64> {
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
    /// use genmodel::{linalg::from_rows, mvn::Mvn};
    ///
    /// let q = Mvn::new(vec![0.0], from_rows(&[[1.0]])?)?;
    /// assert!((q.density(&[1.0])? - 0.241_970_724_519_143_37).abs() < 1e-16);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn density(&self, x: &[f64]) -> Result<f64> {
        Ok(self.ln_density(x)?.exp())
    }

    /// `n` 個の標本を引く: `x = μ + L z`、`z ~ N(0, I)`、`Σ = L Lᵀ`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::from_rows, mvn::Mvn};
    /// use rand::SeedableRng;
    ///
    /// let q = Mvn::new(vec![1.0, 2.0], from_rows(&[[1.0, 0.8], [0.8, 1.0]])?)?;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    /// let s = q.sample(&mut rng, 20_000)?;
    /// let fitted = Mvn::fit(&s)?;
    /// // 共分散の標準誤差は √((1 + 0.8²)/n) ≈ 0.009。その 5 倍以内
    /// assert!((fitted.covariance().matrix()[(0, 1)] - 0.8).abs() < 0.045);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `n == 0` なら [`Error::EmptyInput`]（空の標本の組は作れない）。
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Result<Samples> {
        let d = self.dim();
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                let z: Vec<f64> = (0..d).map(|_| standard_normal(rng)).collect();
                let lz = self.cov.cholesky_mul(&z)?;
                Ok(lz.iter().zip(&self.mean).map(|(a, m)| a + m).collect())
            })
            .collect::<Result<_>>()?;
        Samples::new(&rows)
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
    /// use genmodel::{empirical::Samples, mvn::Mvn, Error};
    ///
    /// let s = Samples::new(&[vec![0.0, 0.0], vec![2.0, 0.0], vec![0.0, 2.0], vec![2.0, 2.0]])?;
    /// let q = Mvn::fit(&s)?;
    /// assert_eq!(q.mean(), &[1.0, 1.0]);
    /// assert_eq!(q.covariance().matrix()[(0, 0)], 1.0);
    /// assert_eq!(q.covariance().matrix()[(0, 1)], 0.0);
    /// let two = Samples::new(&[vec![0.0, 0.0], vec![1.0, 1.0]])?;
    /// assert_eq!(Mvn::fit(&two).unwrap_err(), Error::TooFewSamples { needed: 3, actual: 2 });
    /// // 一直線に並んだ点: 散布行列が特異
    /// let line = Samples::new(&[vec![0.0, 0.0], vec![1.0, 1.0], vec![2.0, 2.0]])?;
    /// assert!(Mvn::fit(&line).is_err());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn fit(data: &Samples) -> Result<Self> {
        let d = data.dim();
        if data.len() < d + 1 {
            return Err(Error::TooFewSamples {
                needed: d + 1,
                actual: data.len(),
            });
        }
        let mu = sample_mean(data);
        let cov = scatter_matrix(data, &mu)?;
        Self::new(mu, cov)
    }

    fn check_data(&self, data: &Samples) -> Result<()> {
        if data.dim() != self.dim() {
            return Err(Error::DimensionMismatch {
                expected: self.dim(),
                actual: data.dim(),
            });
        }
        Ok(())
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
    /// use genmodel::{empirical::Samples, linalg::from_rows, mvn::Mvn};
    ///
    /// let q = Mvn::new(vec![0.0, 0.0], from_rows(&[[1.0, 0.0], [0.0, 1.0]])?)?;
    /// let s = Samples::new(&[vec![1.0, 0.0], vec![0.0, -1.0]])?;
    /// assert!((q.kl_up_to_const(&s)? - 0.5).abs() < 1e-15); // (1/4)(1 + 1) + ½ ln 1
    /// assert!(q.kl_up_to_const(&Samples::from_scalars(&[1.0])?).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn kl_up_to_const(&self, data: &Samples) -> Result<f64> {
        self.check_data(data)?;
        let mut s = 0.0;
        for x in data.iter() {
            s += self.mahalanobis_sq(x)?;
        }
        Ok(s / (2.0 * data.len() as f64) + 0.5 * self.cov.ln_det())
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
    /// use genmodel::{empirical::Samples, linalg::from_rows, mvn::Mvn};
    ///
    /// let q = Mvn::new(vec![0.0, 0.0], from_rows(&[[2.0, 0.0], [0.0, 1.0]])?)?;
    /// let s = Samples::new(&[vec![2.0, 1.0], vec![0.0, 1.0]])?;
    /// let g = q.kl_grad_mean(&s)?;
    /// assert!((g[0] + 0.5).abs() < 1e-15 && (g[1] + 1.0).abs() < 1e-15);
    /// assert!(q.kl_grad_mean(&Samples::from_scalars(&[1.0])?).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn kl_grad_mean(&self, data: &Samples) -> Result<Vec<f64>> {
        self.check_data(data)?;
        let d = self.dim();
        let n = data.len() as f64;
        let mut mean_dev = vec![0.0; d];
        for x in data.iter() {
            for k in 0..d {
                mean_dev[k] += (x[k] - self.mean[k]) / n;
            }
        }
        Ok((0..d)
            .map(|i| {
                -(0..d)
                    .map(|j| self.precision[(i, j)] * mean_dev[j])
                    .sum::<f64>()
            })
            .collect())
    }

    /// `∂D/∂Σ⁻¹ = ½ S_μ - ½ Σ`、`S_μ = (1/n) Σ (x_i - μ)(x_i - μ)ᵀ`（式 (2.24)）。
    ///
    /// `Σ⁻¹` の `N²` 個の成分を**互いに独立な変数**とみなした勾配（付録 A の (10.4)・(10.8) と同じ約束）。
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
    /// use genmodel::{empirical::Samples, mvn::Mvn};
    ///
    /// let s = Samples::new(&[vec![0.0, 1.0], vec![2.0, 0.0], vec![1.0, 3.0], vec![-1.0, 2.0]])?;
    /// // 最尤推定の点では勾配が 0
    /// let g = Mvn::fit(&s)?.kl_grad_precision(&s)?;
    /// assert!((0..2).all(|i| (0..2).all(|j| g[(i, j)].abs() < 1e-15)));
    /// assert!(Mvn::fit(&s)?.kl_grad_precision(&Samples::from_scalars(&[1.0])?).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn kl_grad_precision(&self, data: &Samples) -> Result<Mat<f64>> {
        self.check_data(data)?;
        let s = scatter_matrix(data, &self.mean)?;
        let sigma = self.cov.matrix();
        let d = self.dim();
        Ok(Mat::from_fn(d, d, |i, j| {
            0.5 * s[(i, j)] - 0.5 * 0.5 * (sigma[(i, j)] + sigma[(j, i)])
        }))
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
    /// use genmodel::{empirical::Samples, linalg::from_rows, mvn::Mvn};
    ///
    /// let q = Mvn::new(vec![0.0, 0.0], from_rows(&[[1.0, 0.3], [0.3, 2.0]])?)?;
    /// let s = Samples::new(&[vec![1.0, 0.0], vec![0.5, -1.0]])?;
    /// let c = (2.0 * std::f64::consts::PI).ln(); // (N/2) ln 2π, N = 2
    /// assert!((q.mean_log_likelihood(&s)? + q.kl_up_to_const(&s)? + c).abs() < 1e-14);
    /// assert!(q.mean_log_likelihood(&Samples::from_scalars(&[1.0])?).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean_log_likelihood(&self, data: &Samples) -> Result<f64> {
        self.check_data(data)?;
        let mut s = 0.0;
        for x in data.iter() {
            s += self.ln_density(x)?;
        }
        Ok(s / data.len() as f64)
    }
}

/// 標本平均ベクトル `(1/n) Σ x_i`（式 (2.23) の停留点）。
///
/// # Examples
///
/// ```
/// use genmodel::{empirical::Samples, mvn::sample_mean};
///
/// let s = Samples::new(&[vec![0.0, 1.0], vec![2.0, 3.0]])?;
/// assert_eq!(sample_mean(&s), vec![1.0, 2.0]);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn sample_mean(data: &Samples) -> Vec<f64> {
    let n = data.len() as f64;
    let mut m = vec![0.0; data.dim()];
    for x in data.iter() {
        for (mk, xk) in m.iter_mut().zip(x) {
            *mk += xk / n;
        }
    }
    m
}

/// 散布行列 `S_μ = (1/n) Σ (x_i - μ)(x_i - μ)ᵀ`（`μ` を標本平均にすれば式 (2.24) の最尤推定）。
///
/// 上三角を計算して下三角に写すので、結果は厳密に対称である。
///
/// # Errors
///
/// `μ` の長さがデータの次元と違えば [`Error::DimensionMismatch`]、非有限なら [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::{empirical::Samples, mvn::scatter_matrix};
///
/// let s = Samples::new(&[vec![1.0, 2.0], vec![3.0, 2.0]])?;
/// let m = scatter_matrix(&s, &[2.0, 2.0])?;
/// assert_eq!((m[(0, 0)], m[(0, 1)], m[(1, 1)]), (1.0, 0.0, 0.0));
/// assert!(scatter_matrix(&s, &[0.0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn scatter_matrix(data: &Samples, mu: &[f64]) -> Result<Mat<f64>> {
    let d = data.dim();
    if mu.len() != d {
        return Err(Error::DimensionMismatch {
            expected: d,
            actual: mu.len(),
        });
    }
    ensure_finite("平均ベクトル μ", mu)?;
    let n = data.len() as f64;
    let mut s = Mat::<f64>::zeros(d, d);
    for x in data.iter() {
        for i in 0..d {
            for j in i..d {
                s[(i, j)] += (x[i] - mu[i]) * (x[j] - mu[j]) / n;
            }
        }
    }
    for i in 0..d {
        for j in 0..i {
            s[(i, j)] = s[(j, i)];
        }
    }
    Ok(s)
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
/// use genmodel::{empirical::Samples, mvn::unbiased_covariance, Error};
///
/// let s = Samples::new(&[vec![1.0, 2.0], vec![3.0, 2.0]])?;
/// assert_eq!(unbiased_covariance(&s)?[(0, 0)], 2.0);
/// assert_eq!(
///     unbiased_covariance(&Samples::new(&[vec![1.0, 2.0]])?).unwrap_err(),
///     Error::TooFewSamples { needed: 2, actual: 1 }
/// );
/// # Ok::<(), Error>(())
/// ```
pub fn unbiased_covariance(data: &Samples) -> Result<Mat<f64>> {
    let n = data.len();
    if n < 2 {
        return Err(Error::TooFewSamples {
            needed: 2,
            actual: n,
        });
    }
    let s = scatter_matrix(data, &sample_mean(data))?;
    let f = n as f64 / (n as f64 - 1.0);
    Ok(Mat::from_fn(data.dim(), data.dim(), |i, j| s[(i, j)] * f))
}
