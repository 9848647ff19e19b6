//! 損失の評価と、その厳密な下限（第 10 章）。
//!
//! 時刻 `t` の損失 `L_t(θ) = E‖ε − ε_θ(x_t, t)‖²`（`x_0 ~ p`、`ε ~ N(0, I)`、`x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε`）は、
//! 条件つき期待値 `ε*(x_t, t) = E[ε | x_t]` で最小になる。`E[(ε − ε*) · ε*] = 0` なので最小値は
//!
//! `min L_t = E‖ε − ε*(x_t, t)‖² = D − E‖ε*(x_t, t)‖²`（式 (10.16)、第 10 章）
//!
//! である（`E‖ε‖² = D`）。ガウス混合のデータでは `ε*` が閉じた形（[`GaussianMixture::optimal_epsilon`]）なので、
//! この下限を `x_t ~ p_t` のモンテカルロ（[`loss_floor`]）か、1 次元なら `x` についての数値積分
//! （[`loss_floor_quadrature`]）で求められる。一様な `t` についての平均（[`mean_loss_floor`]・
//! [`mean_loss_floor_quadrature`]）が、一様な `t` で学習する損失 `L_simple` の下限である。

use super::predictor::EpsilonPredictor;
use super::{GaussianMixture, Schedule};
use crate::error::{Error, Result, ensure_finite, ensure_len, finite_scalar};
use crate::vae::Estimate;
use crate::vae::evaluate::standard_normal;
use ndarray::{Array2, ArrayView2, AsArray, Ix2, Zip};
use rand::Rng;

/// 数値積分の格子の点の数の上限 `2^22`。
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, evaluate::{loss_floor_quadrature, MAX_QUADRATURE_POINTS}}, ndarray::array, Error};
/// assert_eq!(MAX_QUADRATURE_POINTS, 1 << 22);
/// // 幅 1e-6 と 1e6 の成分を同じ格子で積分するには点が足りない
/// let m = GaussianMixture::new(array![0.5, 0.5], array![[0.0], [0.0]], array![[1e-12], [1e12]])?;
/// assert!(matches!(loss_floor_quadrature(&m, &Schedule::new(vec![1e-20])?, 1), Err(Error::TooLarge { .. })));
/// # Ok::<(), Error>(())
/// ```
pub const MAX_QUADRATURE_POINTS: usize = 1 << 22;

fn mean_and_error(values: &[f64]) -> Result<Estimate> {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    let se = (var / n).sqrt();
    if mean.is_finite() && se.is_finite() {
        Ok(Estimate {
            mean,
            standard_error: se,
        })
    } else {
        Err(Error::Overflow {
            what: "損失の推定"
        })
    }
}

fn check_count(n: usize, d: usize) -> Result<()> {
    if n < 2 {
        return Err(Error::InvalidParameter {
            name: "標本の数",
            value: n as f64,
            requirement: "2 以上（標準誤差を求めるため）",
        });
    }
    crate::vae::model::ensure_elements("標本の成分の数", n, d)
}

/// 時刻 `t` の損失 `L_t = E‖ε − ε̂(x_t, t)‖²` のモンテカルロ推定（`x_0` の各行に `ε` を 1 つ引く、行の順）と標準誤差。
/// 厳密な予測器 [`super::predictor::ExactEpsilon`] を渡せば下限 `D − E‖ε*‖²` の推定でもある。
///
/// # Errors
///
/// - `x_0` が 2 行未満: [`Error::InvalidParameter`]、幅が予測器の `D` でない: [`Error::DimensionMismatch`]、
///   NaN・±∞: [`Error::NonFinite`]
/// - `t ∉ {1, …, T}`: [`Error::InvalidParameter`]
/// - 予測器の誤り、あふれ: 型つきの [`Error`]
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, evaluate::epsilon_loss, predictor::ExactEpsilon}, gaussian::univariate::seeded_rng, ndarray::array};
/// // データ N(0, 1): ε* = √(1 − ᾱ) x_t で、下限は 1 − (1 − ᾱ) = ᾱ
/// let s = Schedule::new(vec![0.75])?;
/// let m = GaussianMixture::new(array![1.0], array![[0.0]], array![[1.0]])?;
/// let (x0, _) = m.sample(&mut seeded_rng(1), 20_000)?;
/// let e = epsilon_loss(&ExactEpsilon::new(m, s.clone())?, &s, &x0, 1, &mut seeded_rng(2))?;
/// assert!((e.mean - 0.25).abs() < 5.0 * e.standard_error);
/// assert!(epsilon_loss(&ExactEpsilon::new(GaussianMixture::new(array![1.0], array![[0.0]], array![[1.0]])?, s.clone())?, &s, &x0, 2, &mut seeded_rng(2)).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn epsilon_loss<'a, P: EpsilonPredictor + ?Sized, R: Rng + ?Sized>(
    predictor: &P,
    schedule: &Schedule,
    x0: impl AsArray<'a, f64, Ix2>,
    t: usize,
    rng: &mut R,
) -> Result<Estimate> {
    let x0: ArrayView2<'a, f64> = x0.into();
    ensure_len(predictor.dim(), x0.ncols())?;
    check_count(x0.nrows(), x0.ncols())?;
    ensure_finite("x_0", x0.iter().copied())?;
    let (scale, var) = schedule.marginal(t)?;
    schedule.beta(t)?;
    let sd = var.sqrt();
    let eps = Array2::from_shape_simple_fn(x0.raw_dim(), || standard_normal(rng));
    let xt = Zip::from(&x0)
        .and(&eps)
        .map_collect(|&x, &e| scale * x + sd * e);
    let xt = crate::error::ensure_output("x_t", xt)?;
    let pred = predictor.epsilon(xt.view(), t)?;
    ensure_len(xt.nrows(), pred.nrows())?;
    ensure_len(xt.ncols(), pred.ncols())?;
    let per_row: Vec<f64> = Zip::from(eps.rows())
        .and(pred.rows())
        .map_collect(|e, p| e.iter().zip(p).map(|(a, b)| (a - b) * (a - b)).sum())
        .to_vec();
    mean_and_error(&per_row)
}

/// 時刻 `t` の損失の下限 `D − E‖ε*(x_t, t)‖²` のモンテカルロ推定: `x_t ~ p_t` を `n` 点引き（[`GaussianMixture::sample`]
/// をノイズを加えた混合 [`GaussianMixture::noised`] で）、`D − ‖ε*(x_t)‖²` の平均と標準誤差を返す（式 (10.16)、第 10 章）。
///
/// # Errors
///
/// - `n < 2`: [`Error::InvalidParameter`]。`n D` が大きすぎる: [`Error::TooLarge`]
/// - `t ∉ {1, …, T}`: [`Error::InvalidParameter`]
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, evaluate::loss_floor}, gaussian::univariate::seeded_rng, ndarray::array};
/// // 1 成分 N(μ, s²) の下限は ᾱ s² / (ᾱ s² + 1 − ᾱ)
/// let s = Schedule::new(vec![0.5])?;
/// let m = GaussianMixture::new(array![1.0], array![[1.0, -1.0]], array![[2.0, 0.5]])?;
/// let e = loss_floor(&m, &s, 1, 20_000, &mut seeded_rng(0))?;
/// let want = 0.5 * 2.0 / (0.5 * 2.0 + 0.5) + 0.5 * 0.5 / (0.5 * 0.5 + 0.5);
/// assert!((e.mean - want).abs() < 5.0 * e.standard_error);
/// assert!(loss_floor(&m, &s, 1, 1, &mut seeded_rng(0)).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn loss_floor<R: Rng + ?Sized>(
    mixture: &GaussianMixture,
    schedule: &Schedule,
    t: usize,
    n: usize,
    rng: &mut R,
) -> Result<Estimate> {
    schedule.beta(t)?;
    check_count(n, mixture.dim())?;
    let pt = mixture.noised(schedule, t)?;
    let (xt, _) = pt.sample(rng, n)?;
    let xt = crate::error::ensure_output("x_t", xt)?;
    let e = mixture.optimal_epsilon(schedule, t, &xt)?;
    let d = mixture.dim() as f64;
    let per_row: Vec<f64> = e
        .rows()
        .into_iter()
        .map(|r| d - r.iter().map(|v| v * v).sum::<f64>())
        .collect();
    mean_and_error(&per_row)
}

/// 1 次元のデータの下限 `1 − ∫ p_t(x) ε*(x, t)² dx` を、台形則の数値積分で求める（式 (10.16)、第 10 章）。
///
/// 格子は `[min_k (m_k − 12 s_k), max_k (m_k + 12 s_k)]`（`m_k`・`s_k` は `p_t` の成分の平均と標準偏差）を
/// 刻み `min_k s_k / 16` で切る。被積分関数は解析的で両端で `e^{−72}` 以下に減るので、台形則の誤差は
/// 丸めの程度（`1e-12` ほど）である。
///
/// # Errors
///
/// - 2 次元以上のデータ: [`Error::DimensionMismatch`]
/// - `t ∉ {1, …, T}`: [`Error::InvalidParameter`]
/// - 格子の点が [`MAX_QUADRATURE_POINTS`] を超える（成分の幅の比が大きすぎる）: [`Error::TooLarge`]
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, evaluate::loss_floor_quadrature}, ndarray::array};
/// let s = Schedule::new(vec![0.3, 0.4])?;
/// let m = GaussianMixture::new(array![1.0], array![[2.0]], array![[0.5]])?;
/// let ab: f64 = 0.7 * 0.6;
/// let want = ab * 0.5 / (ab * 0.5 + 1.0 - ab);
/// assert!((loss_floor_quadrature(&m, &s, 2)? - want).abs() < 1e-12);
/// let m2 = GaussianMixture::new(array![1.0], array![[0.0, 0.0]], array![[1.0, 1.0]])?;
/// assert!(loss_floor_quadrature(&m2, &s, 1).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn loss_floor_quadrature(
    mixture: &GaussianMixture,
    schedule: &Schedule,
    t: usize,
) -> Result<f64> {
    ensure_len(1, mixture.dim())?;
    schedule.beta(t)?;
    let (scale, var) = schedule.marginal(t)?;
    let (lo, hi, step) = grid(mixture, scale, var)?;
    // 点の数は f64 で求めて上限と比べてから整数にする（幅が f64 を超えても整数があふれない）
    let count_f = ((hi - lo) / step).ceil() + 1.0;
    if count_f.is_nan() || count_f > MAX_QUADRATURE_POINTS as f64 {
        return Err(Error::TooLarge {
            what: "数値積分の格子の点の数",
            requested: if count_f.is_finite() {
                count_f as usize
            } else {
                usize::MAX
            },
            max: MAX_QUADRATURE_POINTS,
        });
    }
    let count = count_f as usize;
    let h = (hi - lo) / (count - 1) as f64;
    let pt = mixture.noised(schedule, t)?;
    let mut total = 0.0;
    let mut mass = 0.0;
    // 点を 4096 個ずつまとめて評価する
    let mut start = 0;
    while start < count {
        let end = (start + 4096).min(count);
        let x = Array2::from_shape_fn((end - start, 1), |(i, _)| lo + h * (start + i) as f64);
        let dens = pt.ln_density(&x)?.mapv(f64::exp);
        let e = mixture.optimal_epsilon(schedule, t, &x)?;
        for i in 0..end - start {
            let w = if start + i == 0 || start + i == count - 1 {
                0.5
            } else {
                1.0
            };
            total += w * dens[i] * e[[i, 0]] * e[[i, 0]];
            mass += w * dens[i];
        }
        start = end;
    }
    // 確率の和 ∫ p_t = 1 の数値積分で割る（台形則の誤差の主な部分を打ち消す）
    finite_scalar("数値積分の下限", 1.0 - total / mass)
}

/// 格子の範囲と刻み（`p_t` の成分の平均 `√ᾱ m_k`・分散 `ᾱ v_k + 1 − ᾱ` から）。
fn grid(mixture: &GaussianMixture, scale: f64, var: f64) -> Result<(f64, f64, f64)> {
    let (mut lo, mut hi, mut smin) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY);
    for (m, v) in mixture.component_moments() {
        let sd = (scale * scale * v + var).sqrt();
        lo = lo.min(scale * m - 12.0 * sd);
        hi = hi.max(scale * m + 12.0 * sd);
        smin = smin.min(sd);
    }
    let step = smin / 16.0;
    if !(step > 0.0 && lo.is_finite() && hi.is_finite()) {
        return Err(Error::TooLarge {
            what: "数値積分の格子の点の数",
            requested: usize::MAX,
            max: MAX_QUADRATURE_POINTS,
        });
    }
    Ok((lo, hi, step))
}

/// 一様な `t ∈ {1, …, T}` についての下限の平均 `(1/T) Σ_t (D − E‖ε*(x_t, t)‖²)` の層別モンテカルロ推定
/// （各 `t` に `per_t` 点、[`loss_floor`] を `t = 1, …, T` の順に）。標準誤差は `√(Σ_t SE_t²) / T`。
///
/// # Errors
///
/// [`loss_floor`] と同じ。`T · per_t · D` が [`crate::prec::MAX_CHAIN_WORK`] を超える: [`Error::TooLarge`]。
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, evaluate::{mean_loss_floor, mean_loss_floor_quadrature}}, gaussian::univariate::seeded_rng, ndarray::array};
/// let s = Schedule::linear(20, 0.01, 0.3)?;
/// let m = GaussianMixture::new(array![0.4, 0.6], array![[-1.0], [1.5]], array![[0.1], [0.3]])?;
/// let mc = mean_loss_floor(&m, &s, 2000, &mut seeded_rng(4))?;
/// let exact = mean_loss_floor_quadrature(&m, &s)?;
/// assert!((mc.mean - exact).abs() < 5.0 * mc.standard_error);
/// assert!(mean_loss_floor(&m, &s, 1, &mut seeded_rng(4)).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn mean_loss_floor<R: Rng + ?Sized>(
    mixture: &GaussianMixture,
    schedule: &Schedule,
    per_t: usize,
    rng: &mut R,
) -> Result<Estimate> {
    check_count(per_t, mixture.dim())?;
    let work = (schedule.steps() as u64)
        .saturating_mul(per_t as u64)
        .saturating_mul(mixture.dim() as u64);
    if work > crate::prec::MAX_CHAIN_WORK {
        return Err(Error::TooLarge {
            what: "下限の平均の仕事（T × 点の数 × D）",
            requested: usize::try_from(work).unwrap_or(usize::MAX),
            max: crate::prec::MAX_CHAIN_WORK as usize,
        });
    }
    let steps = schedule.steps() as f64;
    let (mut mean, mut var) = (0.0, 0.0);
    for t in 1..=schedule.steps() {
        let e = loss_floor(mixture, schedule, t, per_t, rng)?;
        mean += e.mean;
        var += e.standard_error * e.standard_error;
    }
    Ok(Estimate {
        mean: finite_scalar("下限の平均", mean / steps)?,
        standard_error: finite_scalar("下限の平均の標準誤差", var.sqrt() / steps)?,
    })
}

/// 1 次元のデータの、一様な `t` についての下限の平均 `(1/T) Σ_t` [`loss_floor_quadrature`]。
///
/// # Errors
///
/// [`loss_floor_quadrature`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, evaluate::mean_loss_floor_quadrature}, ndarray::array};
/// // データ N(0, 1) なら各 t の下限は ᾱ_t: 平均は (0.9 + 0.72) / 2
/// let s = Schedule::new(vec![0.1, 0.2])?;
/// let m = GaussianMixture::new(array![1.0], array![[0.0]], array![[1.0]])?;
/// assert!((mean_loss_floor_quadrature(&m, &s)? - 0.81).abs() < 1e-12);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn mean_loss_floor_quadrature(mixture: &GaussianMixture, schedule: &Schedule) -> Result<f64> {
    let mut sum = 0.0;
    for t in 1..=schedule.steps() {
        sum += loss_floor_quadrature(mixture, schedule, t)?;
    }
    finite_scalar("下限の平均", sum / schedule.steps() as f64)
}
