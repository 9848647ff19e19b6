//! 逆向きの過程（DDPM の祖先サンプリング、Ho ほか 2020）と、ガウス分布のデータでの厳密な分布の漸化式。
//!
//! 1 歩は `x_{t−1} = (x_t − β_t/√(1 − ᾱ_t) ε̂(x_t, t)) / √α_t + σ_t z`（`z ~ N(0, I)`、`t = 1` では `z = 0`）で、
//! `σ_t² = β_t` か `σ_t² = β̃_t` を選ぶ（[`Variance`]）。
//!
//! データが 1 次元のガウス分布 `N(μ, s²)` なら、最適な ε の予測は `x_t` の 1 次式
//! `ε*(x, t) = c_t (x − √ᾱ_t μ)`（`c_t = √(1 − ᾱ_t) / (ᾱ_t s² + 1 − ᾱ_t)`）で、1 歩は
//! `x_{t−1} = A_t x_t + B_t + σ_t z` の 1 次式になる。`x_T ~ N(0, 1)` から始めると、生成される `x_0` の分布は
//! 平均と分散の漸化式 `m_{t−1} = A_t m_t + B_t`、`V_{t−1} = A_t² V_t + σ_t²` で厳密に求まる（[`gaussian_output`]、式 (10.21)）。
//!
//! 予測器（[`EpsilonPredictor`]）を使う標本抽出は 2 つある（式 (10.19)・(10.23)、第 10 章）。
//!
//! - [`sample`]・[`sample_from`]: モデル `q_θ(x_{t−1} | x_t) = N(μ_θ(x_t, t), σ_t² I)`、
//!   `μ_θ = (x_t − β_t/√(1 − ᾱ_t) ε̂(x_t, t)) / √α_t` からの祖先サンプリング（DDPM）。`x_T ~ N(0, I)` から始め、
//!   `t = T, …, 1` の順に `x_{t−1} = μ_θ + σ_t z`（`z ~ N(0, I)`、`σ_1 = 0`）
//! - [`ddim`]: 決定的な DDIM（`η = 0`）。`x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t` として
//!   `x_{t−1} = √ᾱ_{t−1} x̂_0 + √(1 − ᾱ_{t−1}) ε̂`（`ᾱ_0 = 1` なので最後は `x_0 = x̂_0`）

use super::Schedule;
use super::predictor::EpsilonPredictor;
use crate::error::{Error, Result, ensure_finite, ensure_len, ensure_output};
use crate::vae::evaluate::standard_normal;
use ndarray::{Array2, ArrayView2, AsArray, Ix2, Zip};
use rand::Rng;

/// 逆向きの 1 歩の雑音の分散 `σ_t²` の選び方。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variance {
    /// `σ_t² = β_t`。
    Beta,
    /// `σ_t² = β̃_t = (1 − ᾱ_{t−1}) β_t / (1 − ᾱ_t)`（事後分布の分散）。
    BetaTilde,
}

/// 時刻 `t` の逆向きの 1 歩の係数: `x_{t−1} = (x_t − k ε̂) / √α_t + σ_t z` の `(1/√α_t, k = β_t/√(1 − ᾱ_t), σ_t)`。
///
/// # Errors
///
/// `t` が範囲の外: [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::diffusion::{Schedule, sampler::{step_coefficients, Variance}};
/// let s = Schedule::new(vec![0.1, 0.2])?;
/// let (inv, k, sigma) = step_coefficients(&s, 2, Variance::Beta)?;
/// assert!((inv - 1.0 / 0.8f64.sqrt()).abs() < 1e-15);
/// assert!((k - 0.2 / 0.28f64.sqrt()).abs() < 1e-15);
/// assert!((sigma - 0.2f64.sqrt()).abs() < 1e-15);
/// // t = 1 では雑音を足さない
/// assert_eq!(step_coefficients(&s, 1, Variance::BetaTilde)?.2, 0.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn step_coefficients(
    schedule: &Schedule,
    t: usize,
    variance: Variance,
) -> Result<(f64, f64, f64)> {
    let beta = schedule.beta(t)?;
    let inv = 1.0 / (0.5 * (-beta).ln_1p()).exp();
    let k = beta / schedule.one_minus_alpha_bar(t)?.sqrt();
    let sigma = if t == 1 {
        0.0
    } else {
        match variance {
            Variance::Beta => beta.sqrt(),
            Variance::BetaTilde => schedule.posterior(t)?.2.sqrt(),
        }
    };
    Ok((inv, k, sigma))
}

/// 1 次元のガウス分布 `N(μ, s²)` のデータで、最適な ε の予測を使った DDPM の祖先サンプリングが、
/// `x_T ~ N(0, 1)` から生成する `x_0` の分布 `N(m_0, v_0)` の `(m_0, v_0)`。
///
/// # Errors
///
/// `s² ≤ 0` か有限でない `μ`・`s²`: [`Error::InvalidParameter`]・[`Error::NonFinite`]。途中の値が `f64` の範囲を
/// 超える（`μ = 1e308` など）: [`Error::Overflow`]。
///
/// # Examples
///
/// ```
/// use genmodel::diffusion::{Schedule, sampler::{gaussian_output, Variance}};
/// let s = Schedule::linear(1000, 1e-4, 0.02)?;
/// let (m, v) = gaussian_output(&s, 2.0, 0.5, Variance::BetaTilde)?;
/// // T = 1000 では、生成される分布はデータの分布 N(2, 0.5) にごく近い
/// assert!((m - 2.0).abs() < 1e-3 && (v - 0.5).abs() < 1e-2);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn gaussian_output(
    schedule: &Schedule,
    mu: f64,
    s2: f64,
    variance: Variance,
) -> Result<(f64, f64)> {
    crate::error::ensure_finite("データの平均と分散", [mu, s2])?;
    if s2 <= 0.0 {
        return Err(Error::InvalidParameter {
            name: "データの分散 s²",
            value: s2,
            requirement: "正",
        });
    }
    let (mut m, mut v) = (0.0, 1.0);
    for t in (1..=schedule.steps()).rev() {
        let (scale, var) = schedule.marginal(t)?;
        let c = var.sqrt() / (scale * scale * s2 + var);
        let (inv, k, sigma) = step_coefficients(schedule, t, variance)?;
        // x_{t−1} = inv (x − k c (x − √ᾱ μ)) + σ z = A x + B + σ z
        let a = inv * (1.0 - k * c);
        let b = inv * k * c * scale * mu;
        m = a * m + b;
        v = a * a * v + sigma * sigma;
    }
    if !(m.is_finite() && v.is_finite()) {
        return Err(Error::Overflow {
            what: "生成される分布の平均と分散",
        });
    }
    Ok((m, v))
}

/// 予測器と予定の次元・段の数を確かめ、始点 `x_T` を返す。
fn check_start<'a, P: EpsilonPredictor + ?Sized>(
    predictor: &P,
    x_start: impl AsArray<'a, f64, Ix2>,
) -> Result<ArrayView2<'a, f64>> {
    let x: ArrayView2<'a, f64> = x_start.into();
    if x.nrows() == 0 {
        return Err(Error::EmptyInput);
    }
    ensure_len(predictor.dim(), x.ncols())?;
    crate::vae::model::ensure_elements("標本の成分の数", x.nrows(), x.ncols())?;
    ensure_finite("始点 x_T", x.iter().copied())?;
    Ok(x)
}

/// DDPM の祖先サンプリング: `x_T ~ N(0, I)`（`n × D`、行の順に引く）から [`sample_from`] で `x_0` を引く
/// （式 (10.19)、第 10 章）。
///
/// 乱数は `x_T` の `n D` 個の後、各段 `t = T, …, 2` で `z` の `n D` 個を行の順に引く（`t = 1` は引かない）。
///
/// # Errors
///
/// - `n = 0`: [`Error::InvalidParameter`]。`n D` が [`crate::nn::MAX_ACTIVATIONS`] を超える: [`Error::TooLarge`]
/// - 予測器の誤り（`t` が予測器の段の数の外など）、途中のあふれ: [`sample_from`] と同じ
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, predictor::ExactEpsilon, sampler::{sample, Variance}}, gaussian::univariate::seeded_rng, ndarray::array, Error};
/// let s = Schedule::linear(200, 1e-3, 0.05)?;
/// let p = ExactEpsilon::new(GaussianMixture::new(array![1.0], array![[3.0]], array![[0.25]])?, s.clone())?;
/// let x = sample(&p, &s, Variance::Beta, 4000, &mut seeded_rng(0))?;
/// let mean = x.sum() / 4000.0;
/// // データ N(3, 0.25): 平均の標準誤差は 0.5/√4000 ≈ 0.008
/// assert!((mean - 3.0).abs() < 0.05);
/// assert!(matches!(sample(&p, &s, Variance::Beta, 0, &mut seeded_rng(0)), Err(Error::InvalidParameter { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn sample<P: EpsilonPredictor + ?Sized, R: Rng + ?Sized>(
    predictor: &P,
    schedule: &Schedule,
    variance: Variance,
    n: usize,
    rng: &mut R,
) -> Result<Array2<f64>> {
    if n == 0 {
        return Err(Error::InvalidParameter {
            name: "標本の数",
            value: 0.0,
            requirement: "1 以上",
        });
    }
    crate::vae::model::ensure_elements("標本の成分の数", n, predictor.dim())?;
    let x = Array2::from_shape_simple_fn((n, predictor.dim()), || standard_normal(rng));
    sample_from(predictor, schedule, variance, &x, rng)
}

/// 与えた始点 `x_T`（`n × D`）から、DDPM の祖先サンプリングで `x_0` を引く（式 (10.19)、第 10 章）。各段は
/// `x_{t−1} = (x_t − β_t/√(1 − ᾱ_t) ε̂(x_t, t)) / √α_t + σ_t z`（係数は [`step_coefficients`]、`σ_1 = 0`）。
///
/// # Errors
///
/// - 始点が空: [`Error::EmptyInput`]、幅が予測器の `D` でない: [`Error::DimensionMismatch`]、NaN・±∞: [`Error::NonFinite`]
/// - 予測器の誤り（`t` が予測器の段の数の外: [`Error::InvalidParameter`] など）
/// - 途中の値が `f64` の範囲を超える: [`Error::Overflow`]
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, predictor::ExactEpsilon, sampler::{sample_from, Variance}}, gaussian::univariate::seeded_rng, ndarray::array};
/// // T = 1 なら雑音を足さず、x_0 = (x_1 − √β_1 ε*) / √(1 − β_1)
/// let s = Schedule::new(vec![0.36])?;
/// let p = ExactEpsilon::new(GaussianMixture::new(array![1.0], array![[0.0]], array![[1.0]])?, s.clone())?;
/// let x0 = sample_from(&p, &s, Variance::Beta, &array![[1.0]], &mut seeded_rng(0))?;
/// // データ N(0, 1) なら ε* = 0.6 x_1 で、x_0 = (1 − 0.36) / 0.8 = 0.8
/// assert!((x0[[0, 0]] - 0.8).abs() < 1e-15);
/// assert!(sample_from(&p, &s, Variance::Beta, &array![[1.0, 2.0]], &mut seeded_rng(0)).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn sample_from<'a, P: EpsilonPredictor + ?Sized, R: Rng + ?Sized>(
    predictor: &P,
    schedule: &Schedule,
    variance: Variance,
    x_start: impl AsArray<'a, f64, Ix2>,
    rng: &mut R,
) -> Result<Array2<f64>> {
    let steps = schedule.steps();
    sample_between(
        predictor,
        schedule,
        variance,
        x_start,
        (steps, 0),
        rng,
        &mut |_, _| {},
    )
}

/// 時刻 `from` の始点 `x_from`（`n × D`）から、祖先サンプリング (10.19) の段 `t = from, …, to + 1` を進めた
/// 時刻 `to` の点（第 10 章）。各段の後に `observe(t − 1, x_{t−1})` を呼ぶ（道すじを記録するため）。
/// [`sample_from`] は `(from, to) = (T, 0)` の場合で、乱数の使い方も同じである。
///
/// # Errors
///
/// - `to < from ≤ T` でない: [`Error::InvalidParameter`]
/// - そのほかは [`sample_from`] と同じ
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, predictor::ExactEpsilon, sampler::{sample_between, sample_from, Variance}}, gaussian::univariate::seeded_rng, ndarray::array};
/// let s = Schedule::linear(20, 1e-3, 0.1)?;
/// let p = ExactEpsilon::new(GaussianMixture::new(array![1.0], array![[2.0]], array![[0.5]])?, s.clone())?;
/// let start = array![[0.3], [-1.2]];
/// // T → 7 と 7 → 0 に分けても、同じ乱数の列なら全段と同じ点に着く
/// let mut rng = seeded_rng(5);
/// let mut seen = Vec::new();
/// let x7 = sample_between(&p, &s, Variance::Beta, &start, (20, 7), &mut rng, &mut |t, _| seen.push(t))?;
/// let x0 = sample_between(&p, &s, Variance::Beta, &x7, (7, 0), &mut rng, &mut |_, _| {})?;
/// assert_eq!(x0, sample_from(&p, &s, Variance::Beta, &start, &mut seeded_rng(5))?);
/// assert_eq!(seen, (7..20).rev().collect::<Vec<_>>());
/// assert!(sample_between(&p, &s, Variance::Beta, &start, (7, 7), &mut rng, &mut |_, _| {}).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn sample_between<'a, P: EpsilonPredictor + ?Sized, R: Rng + ?Sized>(
    predictor: &P,
    schedule: &Schedule,
    variance: Variance,
    x_from: impl AsArray<'a, f64, Ix2>,
    (from, to): (usize, usize),
    rng: &mut R,
    observe: &mut dyn FnMut(usize, ArrayView2<'_, f64>),
) -> Result<Array2<f64>> {
    if to >= from || from > schedule.steps() {
        return Err(Error::InvalidParameter {
            name: "時刻の区間の始め from（終わりは to）",
            value: from as f64,
            requirement: "to < from ≤ T",
        });
    }
    let mut x = check_start(predictor, x_from)?.to_owned();
    for t in (to + 1..=from).rev() {
        let eps = predictor.epsilon(x.view(), t)?;
        ensure_len(x.nrows(), eps.nrows())?;
        ensure_len(x.ncols(), eps.ncols())?;
        let (inv, k, sigma) = step_coefficients(schedule, t, variance)?;
        Zip::from(&mut x)
            .and(&eps)
            .for_each(|v, &e| *v = inv * (*v - k * e));
        if sigma > 0.0 {
            x.iter_mut()
                .for_each(|v| *v += sigma * standard_normal(rng));
        }
        if !x.iter().all(|v| v.is_finite()) {
            return Err(Error::Overflow {
                what: "逆向きの過程の x_{t−1}",
            });
        }
        observe(t - 1, x.view());
    }
    Ok(x)
}

/// 決定的な DDIM（`η = 0`）で、始点 `x_T` から全段 `t = T, …, 1` を進めた `x_0`（式 (10.23)、第 10 章）:
/// `x_{t−1} = √ᾱ_{t−1} x̂_0 + √(1 − ᾱ_{t−1}) ε̂`、`x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t`。
///
/// # Errors
///
/// [`sample_from`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, predictor::ExactEpsilon, sampler::ddim}, ndarray::array};
/// // データが 1 点 x_0 = 2（分散ごく小）なら、どこから始めても x_0 = 2 に着く
/// let s = Schedule::linear(50, 1e-3, 0.1)?;
/// let p = ExactEpsilon::new(GaussianMixture::new(array![1.0], array![[2.0]], array![[1e-12]])?, s.clone())?;
/// let x0 = ddim(&p, &s, &array![[-1.0], [0.5], [3.0]])?;
/// assert!(x0.iter().all(|v| (v - 2.0).abs() < 1e-5));
/// assert!(ddim(&p, &s, &array![[f64::NAN]]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn ddim<'a, P: EpsilonPredictor + ?Sized>(
    predictor: &P,
    schedule: &Schedule,
    x_start: impl AsArray<'a, f64, Ix2>,
) -> Result<Array2<f64>> {
    let mut x = check_start(predictor, x_start)?.to_owned();
    for t in (1..=schedule.steps()).rev() {
        let eps = predictor.epsilon(x.view(), t)?;
        ensure_len(x.nrows(), eps.nrows())?;
        ensure_len(x.ncols(), eps.ncols())?;
        let (scale, var) = schedule.marginal(t)?;
        let (scale_prev, var_prev) = schedule.marginal(t - 1)?;
        let (sd, sd_prev) = (var.sqrt(), var_prev.sqrt());
        Zip::from(&mut x).and(&eps).for_each(|v, &e| {
            let x0 = (*v - sd * e) / scale;
            *v = scale_prev * x0 + sd_prev * e;
        });
        x = ensure_output("DDIM の x_{t−1}", x)?;
    }
    Ok(x)
}
