//! 期待値の勾配の 2 つの推定量（第 8 章の準備）: 再パラメータ化と、スコア関数（REINFORCE）。
//!
//! `r(z) = N(μ, diag(σ²))` の下の期待値 `E_r[f(z)]` の、平均 `μ` と対数分散 `ln σ²` についての勾配を、
//! `M` 個の標本 `ε ~ N(0, I)`、`z = μ + σ ⊙ ε` から推定する（第 8 章の (8.6)・(8.7)）。
//!
//! - 再パラメータ化: `∇_μ = (1/M) Σ ∇f(z)`、`∇_{ln σ²} = (1/M) Σ ½ σ ⊙ ε ⊙ ∇f(z)`（`f` の勾配を使う）
//! - スコア関数: `∇_μ = (1/M) Σ f(z) ε/σ`、`∇_{ln σ²} = (1/M) Σ f(z) (ε² − 1)/2`（`f` の値だけを使う）
//!
//! どちらも不偏である（スコア関数は `∇ ln q` の期待値が 0 であることから、再パラメータ化は期待値と微分の交換から）。
//! 分散は一般に再パラメータ化のほうがずっと小さい。

use crate::error::{Error, Result, ensure_finite};
use crate::prec::MAX_CHAIN_WORK;
use ndarray::{Array1, ArrayView1, AsArray, Ix1};
use rand::Rng;

/// 1 回の推定で使う標本の数の上限（`2^24`）。
pub const MAX_ESTIMATOR_SAMPLES: usize = 1 << 24;

/// 勾配の推定値: 平均と対数分散について。
#[derive(Debug, Clone, PartialEq)]
pub struct GradientEstimate {
    /// `∂E_r[f]/∂μ` の推定。
    pub mean: Array1<f64>,
    /// `∂E_r[f]/∂ ln σ²` の推定。
    pub log_variance: Array1<f64>,
}

fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    // Box–Muller（u ∈ (0, 1] なので ln u は有限）
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random::<f64>();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

fn check<'a>(
    mean: impl AsArray<'a, f64, Ix1>,
    log_variance: impl AsArray<'a, f64, Ix1>,
    samples: usize,
) -> Result<(ArrayView1<'a, f64>, Array1<f64>)> {
    let mean: ArrayView1<'a, f64> = mean.into();
    let lv: ArrayView1<'a, f64> = log_variance.into();
    if mean.is_empty() {
        return Err(Error::EmptyInput);
    }
    crate::error::ensure_len(mean.len(), lv.len())?;
    ensure_finite("平均 μ", mean.iter().copied())?;
    ensure_finite("対数分散 ln σ²", lv.iter().copied())?;
    if samples == 0 || samples > MAX_ESTIMATOR_SAMPLES {
        return Err(Error::InvalidParameter {
            name: "標本の数 M",
            value: samples as f64,
            requirement: "1 以上 2^24 以下",
        });
    }
    let work = (mean.len() as u64).saturating_mul(samples as u64);
    if work > MAX_CHAIN_WORK {
        return Err(Error::TooLarge {
            what: "推定の仕事（次元 × 標本の数）",
            requested: usize::try_from(work).unwrap_or(usize::MAX),
            max: MAX_CHAIN_WORK as usize,
        });
    }
    let s = lv.mapv(|v| (0.5 * v).exp());
    if s.iter().any(|v| !v.is_finite() || *v == 0.0) {
        return Err(Error::Overflow {
            what: "標準偏差 σ = exp(½ ln σ²)",
        });
    }
    Ok((mean, s))
}

fn finish(mean: Array1<f64>, log_variance: Array1<f64>) -> Result<GradientEstimate> {
    if mean.iter().chain(&log_variance).any(|v| !v.is_finite()) {
        return Err(Error::Overflow {
            what: "勾配の推定"
        });
    }
    Ok(GradientEstimate { mean, log_variance })
}

/// 再パラメータ化による勾配の推定。`grad_f(z)` は `f` の勾配（長さ `d`）を返す。
///
/// # Errors
///
/// - `μ` が空・長さが違う・非有限: [`Error::EmptyInput`]・[`Error::DimensionMismatch`]・[`Error::NonFinite`]
/// - `M = 0` や `M >` [`MAX_ESTIMATOR_SAMPLES`]: [`Error::InvalidParameter`]
/// - 次元 × `M` が [`MAX_CHAIN_WORK`] を超える: [`Error::TooLarge`]（計算を始めない）
/// - `s` や推定値が `f64` の範囲を超える: [`Error::Overflow`]
/// - `grad_f` の返す長さが違う: [`Error::DimensionMismatch`]。値に NaN・±∞: [`Error::NonFinite`]
///
/// # Examples
///
/// ```
/// use genmodel::{ndarray::{array, Array1}, vae::estimator};
/// use rand::SeedableRng;
///
/// // f(z) = Σ z_j²: E_r[f] = Σ (μ_j² + σ_j²)。∂/∂μ = 2μ、∂/∂ln σ² = σ²
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let g = estimator::reparameterised(&array![1.0, -0.5], &array![0.0, 0.0], 20000, &mut rng,
///     |z| Ok(z.mapv(|v| 2.0 * v)))?;
/// assert!((g.mean[0] - 2.0).abs() < 0.05 && (g.log_variance[1] - 1.0).abs() < 0.05);
/// assert!(estimator::reparameterised(&array![1.0], &array![0.0], 0, &mut rng, |z| Ok(z.to_owned())).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn reparameterised<'a, R: Rng + ?Sized>(
    mean: impl AsArray<'a, f64, Ix1>,
    log_variance: impl AsArray<'a, f64, Ix1>,
    samples: usize,
    rng: &mut R,
    mut grad_f: impl FnMut(ArrayView1<'_, f64>) -> Result<Array1<f64>>,
) -> Result<GradientEstimate> {
    let (mu, s) = check(mean, log_variance, samples)?;
    let d = mu.len();
    let (mut gm, mut gl) = (Array1::zeros(d), Array1::zeros(d));
    for _ in 0..samples {
        let eps = Array1::from_shape_fn(d, |_| standard_normal(rng));
        let z = &mu + &(&s * &eps);
        let g = grad_f(z.view())?;
        crate::error::ensure_len(d, g.len())?;
        ensure_finite("∇f(z)", g.iter().copied())?;
        gm += &g;
        gl += &(0.5 * &s * &eps * &g);
    }
    let m = samples as f64;
    finish(gm / m, gl / m)
}

/// スコア関数（REINFORCE）による勾配の推定。`f(z)` の値だけを使う。
///
/// # Errors
///
/// [`reparameterised`] と同じ（`f` の値が非有限なら [`Error::NonFinite`]）。
///
/// # Examples
///
/// ```
/// use genmodel::{ndarray::array, vae::estimator};
/// use rand::SeedableRng;
///
/// // 同じ f(z) = Σ z_j²。不偏だが、同じ標本数で再パラメータ化よりずっと揺れる
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let g = estimator::score_function(&array![1.0, -0.5], &array![0.0, 0.0], 200000, &mut rng,
///     |z| Ok(z.dot(&z)))?;
/// assert!((g.mean[0] - 2.0).abs() < 0.1 && (g.log_variance[1] - 1.0).abs() < 0.1);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn score_function<'a, R: Rng + ?Sized>(
    mean: impl AsArray<'a, f64, Ix1>,
    log_variance: impl AsArray<'a, f64, Ix1>,
    samples: usize,
    rng: &mut R,
    mut f: impl FnMut(ArrayView1<'_, f64>) -> Result<f64>,
) -> Result<GradientEstimate> {
    let (mu, s) = check(mean, log_variance, samples)?;
    let d = mu.len();
    let (mut gm, mut gl) = (Array1::zeros(d), Array1::zeros(d));
    for _ in 0..samples {
        let eps = Array1::from_shape_fn(d, |_| standard_normal(rng));
        let z = &mu + &(&s * &eps);
        let v = f(z.view())?;
        if !v.is_finite() {
            return Err(Error::NonFinite {
                what: "f(z)",
                index: 0,
            });
        }
        gm += &(v * &eps / &s);
        gl += &(0.5 * v * &eps.mapv(|e| e * e - 1.0));
    }
    let m = samples as f64;
    finish(gm / m, gl / m)
}
