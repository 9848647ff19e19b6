//! 1 次元ガウス分布のモデル `q_θ(x)`, `θ = {μ, σ²}`（式 (2.8)–(2.13)、§2.2）。
//!
//! 経験分布 `p0(x) = (1/n) Σ_i δ(x - x_i)`（式 (1.1)）からの KL 情報量を、
//! θ によらない項を除いて (2.11) で求め、その勾配 (2.12)・(2.13) と停留点（標本平均・標本分散）を与える。

use crate::distribution::empirical::stable_mean;
use crate::error::{Error, Result, ensure_finite, finite_scalar};
use crate::prec::MAX_SAMPLES;
use ndarray::{Array1, ArrayView1, AsArray, Ix1};
use rand::Rng;
use std::f64::consts::PI;

/// 1 次元ガウス分布 `q_θ(x) = exp(-(x - μ)² / (2σ²)) / √(2πσ²)`（式 (2.10)）。
///
/// # Examples
///
/// ```
/// use genmodel::gaussian::Gaussian;
///
/// let q = Gaussian::new(1.0, 4.0)?;
/// // 平均での値は 1/√(2π·4)
/// assert!((q.density(1.0)? - 1.0 / (8.0 * std::f64::consts::PI).sqrt()).abs() < 1e-15);
/// assert!(Gaussian::new(0.0, -1.0).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gaussian {
    mu: f64,
    var: f64,
}

/// KL 情報量 (2.11) の θ = {μ, σ²} についての勾配（式 (2.12)・(2.13)）。
///
/// # Examples
///
/// ```
/// use genmodel::gaussian::Gaussian;
///
/// // データ 0, 2 と μ = 0, σ² = 1: ∂D/∂μ = -(1/1)(0 + 2)/2 = -1、∂D/∂σ² = -(0 + 4)/2/2 + 1/2 = -0.5
/// let g = Gaussian::new(0.0, 1.0)?.kl_gradient(&[0.0, 2.0])?;
/// assert_eq!((g.mu, g.var), (-1.0, -0.5));
/// assert!(Gaussian::new(0.0, 1.0)?.kl_gradient(&[]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KlGradient {
    /// `∂D/∂μ = -(1/σ²)(1/n) Σ (x_i - μ)`（式 (2.12)）。
    pub mu: f64,
    /// `∂D/∂σ² = -(1/(2σ⁴))(1/n) Σ (x_i - μ)² + 1/(2σ²)`（式 (2.13)）。
    pub var: f64,
}

/// データを検査する: 空でなく、すべて有限。
fn check_data<'a>(data: impl AsArray<'a, f64, Ix1>) -> Result<ArrayView1<'a, f64>> {
    let data: ArrayView1<'a, f64> = data.into();
    if data.is_empty() {
        return Err(Error::EmptyInput);
    }
    ensure_finite("標本", data.iter().copied())?;
    Ok(data)
}

/// `x` が有限であることを確かめる。
fn check_point(x: f64) -> Result<()> {
    ensure_finite("x", [x])
}

/// 有限の値の平均。
fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    stable_mean(values.collect::<Array1<f64>>().view())
}

impl Gaussian {
    /// 平均 `μ` と分散 `σ²` からモデルを作る。
    ///
    /// # Errors
    ///
    /// 非有限の引数は [`Error::NonFinite`]、`σ² ≤ 0` は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Gaussian, Error};
    ///
    /// assert_eq!(Gaussian::new(2.0, 3.0)?.variance(), 3.0);
    /// assert!(matches!(Gaussian::new(0.0, 0.0), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(Gaussian::new(f64::NAN, 1.0), Err(Error::NonFinite { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(mu: f64, var: f64) -> Result<Self> {
        ensure_finite("ガウス分布のパラメータ (μ, σ²)", [mu, var])?;
        if var <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "σ²",
                value: var,
                requirement: "分散は正",
            });
        }
        Ok(Self { mu, var })
    }

    /// 平均 `μ`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::gaussian::Gaussian::new(2.0, 3.0)?.mean(), 2.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean(&self) -> f64 {
        self.mu
    }

    /// 分散 `σ²`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::gaussian::Gaussian::new(2.0, 3.0)?.variance(), 3.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn variance(&self) -> f64 {
        self.var
    }

    /// 規格化前の密度 `exp(-(x - μ)² / (2σ²))`（式 (2.8) の右辺）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::gaussian::Gaussian;
    ///
    /// let q = Gaussian::new(0.0, 1.0)?;
    /// assert_eq!(q.unnormalized_density(0.0)?, 1.0);
    /// assert!(q.unnormalized_density(f64::NAN).is_err());
    /// assert_eq!(q.unnormalized_density(1e300)?, 0.0);
    /// assert!((q.unnormalized_density(2.0)? - (-2.0f64).exp()).abs() < 1e-16);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn unnormalized_density(&self, x: f64) -> Result<f64> {
        check_point(x)?;
        Ok((-0.5 * self.squared_distance(x)).exp())
    }

    /// `(x - μ)²/σ²`。式どおり `(x - μ)² / σ²` で求め、∞/∞ や 0 割りになる極端な値
    /// （`σ² ≥ 1e308` や `σ² = 1e-320`）だけ標準化 `((x - μ)/σ)²` に切り替える。
    /// 差そのものがあふれれば `+∞`（密度は 0 に正しく丸まる）。
    fn squared_distance(&self, x: f64) -> f64 {
        let d2 = (x - self.mu).powi(2) / self.var;
        if d2.is_nan() {
            ((x - self.mu) / self.var.sqrt()).powi(2)
        } else {
            d2
        }
    }

    /// `2πσ²` が正規化数で表せるか（式どおりに計算してよいか）。
    fn two_pi_var_is_normal(var: f64) -> bool {
        (2.0 * PI * var).is_normal()
    }

    /// `ln Z_θ = ½ ln(2πσ²)`（2πσ² があふれるときは `½ ln 2π + ½ ln σ²`）。
    fn ln_normalizer(&self) -> f64 {
        if Self::two_pi_var_is_normal(self.var) {
            0.5 * (2.0 * PI * self.var).ln()
        } else {
            0.5 * (2.0 * PI).ln() + 0.5 * self.var.ln()
        }
    }

    /// 規格化定数 `Z_θ = √(2πσ²)`（式 (2.9)）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::gaussian::Gaussian;
    ///
    /// let z = Gaussian::new(5.0, 1.0 / (2.0 * std::f64::consts::PI))?.normalizer();
    /// assert!((z - 1.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn normalizer(&self) -> f64 {
        if Self::two_pi_var_is_normal(self.var) {
            (2.0 * PI * self.var).sqrt()
        } else {
            // 2πσ² があふれる（σ² ≥ 2.9e307）か非正規化数で桁を失う（σ² < 3.5e-309）ときは
            // √(2π) √σ² と分けて求める
            (2.0 * PI).sqrt() * self.var.sqrt()
        }
    }

    /// 密度 `q_θ(x)`（式 (2.10)）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::gaussian::Gaussian;
    ///
    /// let q = Gaussian::new(0.0, 1.0)?;
    /// assert!((q.density(1.0)? - 0.241_970_724_519_143_37).abs() < 1e-16);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn density(&self, x: f64) -> Result<f64> {
        Ok(self.unnormalized_density(x)? / self.normalizer())
    }

    /// 対数密度 `ln q_θ(x) = -(x - μ)²/(2σ²) - ½ ln(2πσ²)`。
    ///
    /// `density(x).ln()` と違い、裾で 0 に丸められて `-∞` になることがない。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::gaussian::Gaussian;
    ///
    /// let q = Gaussian::new(0.0, 1.0)?;
    /// assert!((q.ln_density(1.0)? - q.density(1.0)?.ln()).abs() < 1e-15);
    /// assert!(q.density(100.0)? == 0.0 && q.ln_density(100.0)?.is_finite());
    /// // -(1e200)²/2 は f64 の範囲の外
    /// assert!(matches!(q.ln_density(1e200), Err(genmodel::Error::Overflow { .. })));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ln_density(&self, x: f64) -> Result<f64> {
        check_point(x)?;
        finite_scalar(
            "ln q(x)",
            -0.5 * self.squared_distance(x) - self.ln_normalizer(),
        )
    }

    /// `n` 個の標本を引く（Box–Muller 法。乱数生成器はシードを固定して渡す）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::gaussian::Gaussian;
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    /// let xs = Gaussian::new(3.0, 0.25)?.sample(&mut rng, 10_000)?;
    /// let mean = xs.mean().unwrap();
    /// // 標準誤差は 0.5/√10000 = 0.005。その 5 倍以内
    /// assert!((mean - 3.0).abs() < 0.025);
    /// assert!(Gaussian::new(0.0, 1.0)?.sample(&mut rng, usize::MAX).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Result<Array1<f64>> {
        if n > MAX_SAMPLES {
            return Err(Error::TooLarge {
                what: "標本数",
                requested: n,
                max: MAX_SAMPLES,
            });
        }
        let sd = self.var.sqrt();
        let xs: Array1<f64> = (0..n)
            .map(|_| self.mu + sd * standard_normal(rng))
            .collect();
        crate::error::ensure_output("標本", xs)
    }

    /// データへの最尤推定: `μ = (1/n) Σ x_i`、`σ² = (1/n) Σ (x_i - μ)²`（式 (2.12)・(2.13) の停留点）。
    ///
    /// 分散は `1/n` で割る（最尤推定量）。不偏分散 `1/(n-1)` は [`unbiased_variance`]。
    ///
    /// # Errors
    ///
    /// - 空: [`Error::EmptyInput`]、非有限: [`Error::NonFinite`]
    /// - 1 個だけ: [`Error::TooFewSamples`]（分散 0 のモデルは作れない）
    /// - すべて同じ値で分散が 0: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::Gaussian, Error};
    ///
    /// let q = Gaussian::fit(&[1.0, 2.0, 6.0])?;
    /// assert_eq!(q.mean(), 3.0);
    /// assert!((q.variance() - 14.0 / 3.0).abs() < 1e-15);
    /// assert_eq!(Gaussian::fit(&[1.0]), Err(Error::TooFewSamples { needed: 2, actual: 1 }));
    /// assert!(matches!(Gaussian::fit(&[2.0, 2.0]), Err(Error::InvalidParameter { .. })));
    /// // 分散 1e400 は f64 の範囲の外
    /// assert!(matches!(Gaussian::fit(&[1e200, -1e200]), Err(Error::Overflow { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn fit<'a>(data: impl AsArray<'a, f64, Ix1>) -> Result<Self> {
        let data = check_data(data)?;
        if data.len() < 2 {
            return Err(Error::TooFewSamples {
                needed: 2,
                actual: data.len(),
            });
        }
        Self::new(sample_mean(data)?, sample_variance(data)?)
    }

    /// θ によらない項を除いた KL 情報量
    /// `D(p0 ‖ q_θ) ≐ (1/(2σ²)) (1/n) Σ (x_i - μ)² + ½ ln σ²`（式 (2.11)）。
    ///
    /// 除いた項は `∫ p0 ln p0`（デルタ関数では発散する定数）と `½ ln 2π` である。
    /// したがって `kl_up_to_const = -mean_log_likelihood - ½ ln 2π`（式 (2.14)）。
    ///
    /// # Errors
    ///
    /// データが空なら [`Error::EmptyInput`]、非有限なら [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::gaussian::Gaussian;
    ///
    /// let data = [0.0, 2.0];
    /// let d = Gaussian::new(1.0, 1.0)?.kl_up_to_const(&data)?;
    /// assert!((d - 0.5).abs() < 1e-15); // (1/2)·1 + ½ ln 1
    /// assert!(Gaussian::new(1.0, 1.0)?.kl_up_to_const(&[]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn kl_up_to_const<'a>(&self, data: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        let data = check_data(data)?;
        let m2 = mean_of(data.iter().map(|&x| (x - self.mu).powi(2)));
        let d = m2 / (2.0 * self.var) + 0.5 * self.var.ln();
        if d.is_finite() {
            return Ok(d);
        }
        // 2 乗があふれた・σ² が極端: (x - μ)²/σ² を標準化してから平均し直す
        let z2 = mean_of(data.iter().map(|&x| self.squared_distance(x)));
        finite_scalar("KL 情報量", 0.5 * z2 + 0.5 * self.var.ln())
    }

    /// KL 情報量 (2.11) の勾配 `(∂D/∂μ, ∂D/∂σ²)`（式 (2.12)・(2.13)）。
    ///
    /// # Errors
    ///
    /// データが空なら [`Error::EmptyInput`]、非有限なら [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::gaussian::Gaussian;
    ///
    /// let data = [1.0, 2.0, 6.0];
    /// // 最尤推定の点では勾配が 0
    /// let g = Gaussian::fit(&data)?.kl_gradient(&data)?;
    /// assert!(g.mu.abs() < 1e-15 && g.var.abs() < 1e-15);
    /// // 平均が小さすぎれば ∂D/∂μ < 0（μ を増やすと D が減る）
    /// assert!(Gaussian::new(0.0, 1.0)?.kl_gradient(&data)?.mu < 0.0);
    /// assert!(Gaussian::new(0.0, 1.0)?.kl_gradient(&[f64::NAN]).is_err());
    /// // σ² = 1e-200 で x = 1 なら ∂D/∂σ² ≈ -1e400/2 は f64 の範囲の外（NaN ではなく誤り）
    /// assert!(matches!(
    ///     Gaussian::new(0.0, 1e-200)?.kl_gradient(&[1.0]),
    ///     Err(genmodel::Error::Overflow { .. })
    /// ));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn kl_gradient<'a>(&self, data: impl AsArray<'a, f64, Ix1>) -> Result<KlGradient> {
        let data = check_data(data)?;
        // 式 (2.12)・(2.13) どおりに求める
        let m1 = mean_of(data.iter().map(|x| x - self.mu));
        let m2 = mean_of(data.iter().map(|x| (x - self.mu).powi(2)));
        let g = KlGradient {
            mu: -m1 / self.var,
            var: -m2 / (2.0 * self.var * self.var) + 1.0 / (2.0 * self.var),
        };
        if g.mu.is_finite() && g.var.is_finite() {
            return Ok(g);
        }
        // σ⁴ が 0 に丸まる・2 乗があふれる極端な値: z_i = (x_i - μ)/σ で書き直した
        // ∂D/∂μ = -(1/σ) ⟨z⟩、∂D/∂σ² = (1/(2σ²)) (1 - ⟨z²⟩) で求め、それでも表せなければ誤り
        let sd = self.var.sqrt();
        let z1 = mean_of(data.iter().map(|&x| (x - self.mu) / sd));
        let z2 = mean_of(data.iter().map(|&x| self.squared_distance(x)));
        Ok(KlGradient {
            mu: finite_scalar("∂D/∂μ", -z1 / sd)?,
            var: finite_scalar("∂D/∂σ²", (1.0 - z2) / (2.0 * self.var))?,
        })
    }

    /// 平均対数尤度 `(1/n) Σ ln q_θ(x_i)`（式 (2.14) の右端）。
    ///
    /// # Errors
    ///
    /// データが空なら [`Error::EmptyInput`]、非有限なら [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::gaussian::Gaussian;
    ///
    /// let data = [0.5, 1.5, 4.0];
    /// let q = Gaussian::new(1.0, 2.0)?;
    /// let ll = q.mean_log_likelihood(&data)?;
    /// let c = 0.5 * (2.0 * std::f64::consts::PI).ln();
    /// assert!((ll + q.kl_up_to_const(&data)? + c).abs() < 1e-14);
    /// assert!(q.mean_log_likelihood(&[]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean_log_likelihood<'a>(&self, data: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        let data = check_data(data)?;
        let lls = data
            .iter()
            .map(|&x| self.ln_density(x))
            .collect::<Result<Array1<f64>>>()?;
        finite_scalar("平均対数尤度", stable_mean(lls.view()))
    }
}

/// 標本平均 `(1/n) Σ x_i`（式 (2.12) の停留点）。
///
/// # Errors
///
/// データが空なら [`Error::EmptyInput`]、非有限なら [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::gaussian::univariate::sample_mean;
///
/// assert_eq!(sample_mean(&[1.0, 2.0, 6.0])?, 3.0);
/// // 和 2e308 はあふれるが、平均 1e308 は表せる
/// assert_eq!(sample_mean(&[1e308, 1e308])?, 1e308);
/// assert!(sample_mean(&[]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn sample_mean<'a>(data: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
    Ok(stable_mean(check_data(data)?))
}

/// 標本分散（最尤推定量）`(1/n) Σ (x_i - x̄)²`（式 (2.13) の停留点）。
///
/// 平均を先に引いてから 2 乗する 2 段の計算（`E[x²] - E[x]²` の桁落ちを避ける）。
///
/// # Errors
///
/// データが空なら [`Error::EmptyInput`]、非有限なら [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::gaussian::univariate::sample_variance;
///
/// assert!((sample_variance(&[1.0, 2.0, 6.0])? - 14.0 / 3.0).abs() < 1e-15);
/// assert_eq!(sample_variance(&[5.0])?, 0.0);
/// assert!(sample_variance(&[f64::INFINITY]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn sample_variance<'a>(data: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
    let data = check_data(data)?;
    let m = stable_mean(data);
    let v = mean_of(data.iter().map(|x| (x - m).powi(2)));
    if v.is_finite() {
        return Ok(v);
    }
    // 2 乗があふれた: 偏差の最大値 s で割ってから 2 乗し、最後に s² を掛ける
    let s = data.fold(0.0_f64, |a, &x| a.max((x - m).abs()));
    if s == 0.0 {
        return Ok(0.0);
    }
    finite_scalar(
        "標本分散",
        s * s * mean_of(data.iter().map(|&x| ((x - m) / s).powi(2))),
    )
}

/// 不偏分散 `(1/(n-1)) Σ (x_i - x̄)²`。
///
/// 最尤推定 (2.13) の `1/n` 版は平均すると真の分散の `(n-1)/n` 倍に偏る。
/// 不偏分散はその偏りを直したもので、KL 情報量 (2.11) の最小点ではない。
///
/// # Errors
///
/// 2 個未満なら [`Error::TooFewSamples`]、非有限なら [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::{gaussian::univariate::unbiased_variance, Error};
///
/// assert_eq!(unbiased_variance(&[1.0, 2.0, 6.0])?, 7.0);
/// assert_eq!(unbiased_variance(&[1.0]), Err(Error::TooFewSamples { needed: 2, actual: 1 }));
/// # Ok::<(), Error>(())
/// ```
pub fn unbiased_variance<'a>(data: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
    let data: ArrayView1<'a, f64> = data.into();
    if data.len() < 2 {
        return Err(Error::TooFewSamples {
            needed: 2,
            actual: data.len(),
        });
    }
    let n = data.len() as f64;
    finite_scalar("不偏分散", sample_variance(data)? * (n / (n - 1.0)))
}

/// 標準正規分布 `N(0, 1)` の乱数 1 個（Box–Muller 法）。
///
/// `u₁ ∈ (0, 1]`, `u₂ ∈ [0, 1)` を一様に引き、`√(-2 ln u₁) cos(2π u₂)` を返す。
///
/// # Examples
///
/// ```
/// use genmodel::gaussian::univariate::standard_normal;
/// use rand::SeedableRng;
///
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let n = 20_000;
/// let m2 = (0..n).map(|_| standard_normal(&mut rng).powi(2)).sum::<f64>() / n as f64;
/// // E[z²] = 1。標準誤差は √(2/n) ≈ 0.01。その 5 倍以内
/// assert!((m2 - 1.0).abs() < 0.05);
/// ```
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()
}

/// シードを固定した乱数生成器（ChaCha8）。本の図と例は、これで作った標本を使う。
///
/// 同じシードからは、どの環境でも同じ乱数列が出る。
///
/// # Examples
///
/// ```
/// use genmodel::gaussian::{univariate::seeded_rng, Gaussian};
///
/// let q = Gaussian::new(0.0, 1.0)?;
/// let a = q.sample(&mut seeded_rng(42), 3)?;
/// let b = q.sample(&mut seeded_rng(42), 3)?;
/// assert_eq!(a, b);
/// assert_ne!(a, q.sample(&mut seeded_rng(43), 3)?);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn seeded_rng(seed: u64) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    rand_chacha::ChaCha8Rng::seed_from_u64(seed)
}
