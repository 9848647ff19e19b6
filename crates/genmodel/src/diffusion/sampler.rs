//! 逆向きの過程（DDPM の祖先サンプリング、Ho ほか 2020）と、ガウス分布のデータでの厳密な分布の漸化式。
//!
//! 1 歩は `x_{t−1} = (x_t − β_t/√(1 − ᾱ_t) ε̂(x_t, t)) / √α_t + σ_t z`（`z ~ N(0, I)`、`t = 1` では `z = 0`）で、
//! `σ_t² = β_t` か `σ_t² = β̃_t` を選ぶ（[`Variance`]）。
//!
//! データが 1 次元のガウス分布 `N(μ, s²)` なら、最適な ε の予測は `x_t` の 1 次式
//! `ε*(x, t) = c_t (x − √ᾱ_t μ)`（`c_t = √(1 − ᾱ_t) / (ᾱ_t s² + 1 − ᾱ_t)`）で、1 歩は
//! `x_{t−1} = A_t x_t + B_t + σ_t z` の 1 次式になる。`x_T ~ N(0, 1)` から始めると、生成される `x_0` の分布は
//! 平均と分散の漸化式 `m_{t−1} = A_t m_t + B_t`、`v_{t−1} = A_t² v_t + σ_t²` で厳密に求まる（[`gaussian_output`]）。

use super::Schedule;
use crate::error::{Error, Result};

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
/// `s² ≤ 0` か有限でない `μ`・`s²`: [`Error::InvalidParameter`]・[`Error::NonFinite`]。
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
    Ok((m, v))
}
