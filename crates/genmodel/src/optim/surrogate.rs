//! 勾配法を代理関数（上界）の最小化として見る（式 (2.31)–(2.44)、§2.6）。
//!
//! - 1 変数: 2 次の上界 (2.33)、平方完成 (2.34)、確実な減少量 (2.35)、学習率 `η = 1/L` (2.36)
//! - 多変数: 代理関数 `f_η(θ, θ₀)` (2.37) とその最小点 `θ₀ − η∇f(θ₀)` (2.37a)、
//!   学習率の十分条件 `η ≤ 1/λ_max` (2.44)
//!
//! 反復そのもの（止める規則つきの [`minimize`](super::minimize)）は [`super::descent`] にある。
//!
//! 数の扱い（このモジュールの関数すべてに共通）:
//!
//! - 入力の NaN・±∞ は [`Error::NonFinite`]（`index` は引数の並びの中の位置、配列ならその中の位置）。
//! - 数学的には有限でも `f64` の範囲（約 `1.8e308`）を超える結果は [`Error::Overflow`]。
//!   途中の値（`θ − θ₀` など）だけがあふれるときは、半分の尺度で計算し直して正しい値を返す。
//! - ベクトルは [`ndarray::AsArray`] で借りる（`&[f64]`、`&Array1`、連続でないビューも可）。

use crate::error::{Error, Result, ensure_finite, ensure_len, finite_scalar};
use ndarray::{Array1, ArrayView1, AsArray, Ix1};

/// 正の有限値であるべき数（学習率 `η`、曲率の上界 `L`）を確かめる。
fn check_positive(name: &'static str, v: f64) -> Result<()> {
    ensure_finite(name, [v])?;
    if v > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name,
            value: v,
            requirement: "正の有限値",
        })
    }
}

/// 式 (2.33) の右辺: `θ₀` で `f` と接する 2 次関数
/// `g(θ) = f(θ₀) + f'(θ₀)(θ − θ₀) + ½ L (θ − θ₀)²`。
///
/// `f'' ≤ L` が `θ₀` と `θ` を結ぶ区間で成り立てば `f(θ) ≤ g(θ)`（テイラーの定理）。
/// `L` は任意の有限値でよい（上界にならない `L` を試すこともできる）。
///
/// # Errors
///
/// - 引数に NaN・±∞: [`Error::NonFinite`]（`index` は `(f0, df0, l, theta0, theta)` の中の位置）
/// - `g(θ)`、または途中の積 `L·(θ − θ₀)` が `f64` の範囲を超える: [`Error::Overflow`]
///
/// # Examples
///
/// ```
/// use genmodel::{optim::quadratic_upper_bound, Error};
///
/// // f = cos θ（f'' = −cos θ ≤ 1）は θ₀ = 0 で g = 1 + θ²/2 に上から抑えられる
/// for &t in &[-2.0, 0.5, 3.0] {
///     assert!(f64::cos(t) <= quadratic_upper_bound(1.0, 0.0, 1.0, 0.0, t)?);
/// }
/// // L = −1 は曲率の上界ではない: cos 0.5 ≈ 0.8776 > 1 − 0.25/2 = 0.875
/// assert!(f64::cos(0.5) > quadratic_upper_bound(1.0, 0.0, -1.0, 0.0, 0.5)?);
/// // θ − θ₀ = 2e308 はあふれるが、g = f0 + f'(θ₀)(θ − θ₀) = 1 + 1e-304 · 2e308 = 20001 は求まる
/// assert_eq!(quadratic_upper_bound(1.0, 1e-304, 0.0, -1e308, 1e308)?, 20001.0);
/// assert!(matches!(quadratic_upper_bound(0.0, 0.0, 1.0, 0.0, 1e200), Err(Error::Overflow { .. })));
/// assert!(matches!(quadratic_upper_bound(f64::NAN, 0.0, 1.0, 0.0, 1.0), Err(Error::NonFinite { index: 0, .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn quadratic_upper_bound(f0: f64, df0: f64, l: f64, theta0: f64, theta: f64) -> Result<f64> {
    ensure_finite(
        "quadratic_upper_bound の引数 (f0, df0, l, theta0, theta)",
        [f0, df0, l, theta0, theta],
    )?;
    let d = theta - theta0;
    // ½ は最後に掛ける（非正規化数の L を先に半分にすると丸まる）
    let g = f0 + df0 * d + l * d * d * 0.5;
    if g.is_finite() {
        return Ok(g);
    }
    // 途中の値があふれた: e = (θ − θ₀)/2 とおくと g = 2 (f0/2 + e (f'(θ₀) + L e))
    let e = 0.5 * theta - 0.5 * theta0;
    finite_scalar("2 次の上界 g(θ)", 2.0 * (0.5 * f0 + e * (df0 + l * e)))
}

/// 式 (2.35) の減少量 `f'(θ₀)² / (2L)`: `θ = θ₀ − f'(θ₀)/L` で `f(θ) ≤ f(θ₀) − f'(θ₀)²/(2L)`。
///
/// `f'(θ₀)²` があふれる・0 に落ちる大きさでも、割り算を先にして正しい値を返す。
///
/// # Errors
///
/// - `f'(θ₀)` か `L` が NaN・±∞: [`Error::NonFinite`]（`index` は 0）
/// - `L ≤ 0`: [`Error::InvalidParameter`]
/// - 結果が `f64` の範囲を超える（`L = 1e-320` など）: [`Error::Overflow`]
///
/// # Examples
///
/// ```
/// use genmodel::{optim::guaranteed_decrease, Error};
///
/// assert_eq!(guaranteed_decrease(2.0, 4.0)?, 0.5);
/// // f'² = 1e400 はあふれるが、1e400 / 2e200 = 5e199
/// assert_eq!(guaranteed_decrease(1e200, 1e200)?, 0.5e200);
/// assert!(matches!(guaranteed_decrease(2.0, 0.0), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(guaranteed_decrease(1.0, 1e-320), Err(Error::Overflow { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn guaranteed_decrease(df0: f64, l: f64) -> Result<f64> {
    ensure_finite("勾配 f'(θ₀)", [df0])?;
    check_positive("曲率の上界 L", l)?;
    finite_scalar("減少量 f'(θ₀)²/(2L)", half_square_over(df0, l))
}

/// `a² / (2L)`（`L > 0`）を、`a²` や `a/L` があふれたり 0 に落ちたりしない順序で求める。
///
/// 結果が `f64` に収まれば丸め 2–3 回ぶんの誤差で正しい。収まらなければ `+∞`。
fn half_square_over(a: f64, l: f64) -> f64 {
    let a = a.abs();
    let q = a / l;
    if q.is_finite() {
        // 0.5·a は a が正規化数なら正確
        if a >= f64::MIN_POSITIVE {
            (0.5 * a) * q
        } else {
            (a * q) * 0.5
        }
    } else {
        // a/L があふれるのは L < 1 のときだけなので 2L は正確で、a² は（あふれても）正しい向きに丸まる
        a * a / (2.0 * l)
    }
}

/// 式 (2.36): 曲率の上界 `L`（`f'' ≤ L`）から学習率 `η = 1/L` を決める。
///
/// # Errors
///
/// - `L` が NaN・±∞: [`Error::NonFinite`]
/// - `L ≤ 0`: [`Error::InvalidParameter`]
/// - `1/L` が `f64` の範囲を超える（`L < 5.6e-309`）: [`Error::Overflow`]
///
/// # Examples
///
/// ```
/// use genmodel::{optim::step_from_curvature_bound, Error};
///
/// assert_eq!(step_from_curvature_bound(4.0)?, 0.25);
/// assert!(matches!(step_from_curvature_bound(-1.0), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(step_from_curvature_bound(1e-320), Err(Error::Overflow { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn step_from_curvature_bound(l: f64) -> Result<f64> {
    check_positive("曲率の上界 L", l)?;
    finite_scalar("学習率 1/L", 1.0 / l)
}

/// 式 (2.44): ヘッセ行列の最大固有値の上界 `λ_max` から学習率 `η = 1/λ_max` を決める。
///
/// 本書の (2.44) のとおり、`λ_max` は `θ₀` だけでなく、`θ₀` から更新後の点までの
/// 線分上の**すべての点**でのヘッセ行列の最大固有値を上から抑えていなければならない。
/// `λ_max ≤ 0`（その範囲で `f` が凹）なら、2 次の上界は任意の `η` で成り立つので
/// 上限はなく、`f64::INFINITY` を返す（数学的にも上限は `+∞` である）。
///
/// # Errors
///
/// - `λ_max` が NaN・±∞: [`Error::NonFinite`]
/// - `0 < λ_max < 5.6e-309` で `1/λ_max` が `f64` の範囲を超える: [`Error::Overflow`]
///
/// # Examples
///
/// ```
/// use genmodel::{optim::step_from_max_eigenvalue, Error};
///
/// assert_eq!(step_from_max_eigenvalue(10.0)?, 0.1);
/// assert_eq!(step_from_max_eigenvalue(0.0)?, f64::INFINITY);
/// assert!(matches!(step_from_max_eigenvalue(f64::NAN), Err(Error::NonFinite { .. })));
/// assert!(matches!(step_from_max_eigenvalue(1e-320), Err(Error::Overflow { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn step_from_max_eigenvalue(lambda_max: f64) -> Result<f64> {
    ensure_finite("最大固有値 λ_max", [lambda_max])?;
    if lambda_max <= 0.0 {
        return Ok(f64::INFINITY);
    }
    finite_scalar("学習率 1/λ_max", 1.0 / lambda_max)
}

/// 式 (2.37) の代理関数
/// `f_η(θ, θ₀) = f(θ₀) + ∇f(θ₀)·(θ − θ₀) + |θ − θ₀|² / (2η)`。
///
/// # Errors
///
/// - 長さが合わない: [`Error::DimensionMismatch`]
/// - `f(θ₀)`・`∇f(θ₀)`・`θ₀`・`θ` に NaN・±∞: [`Error::NonFinite`]
/// - `η` が NaN・±∞: [`Error::NonFinite`]、`η ≤ 0`: [`Error::InvalidParameter`]
/// - 値、または途中の項・和（`∇f·(θ − θ₀)/2`、`|θ − θ₀|²/(4η)` とその部分和）が `f64` の範囲を超える:
///   [`Error::Overflow`]。`|θ − θ₀|²` や `(θ − θ₀)/η` だけがあふれる・0 に落ちる大きさは、順序を変えて正しく求める
///
/// # Examples
///
/// ```
/// use genmodel::{optim::surrogate, Error};
///
/// // θ₀ では f(θ₀) に一致する
/// assert_eq!(surrogate(3.0, &[1.0, 2.0], 0.5, &[0.0, 0.0], &[0.0, 0.0])?, 3.0);
/// // 3 + (1·1 + 2·0) + 1²/(2·0.5) = 5
/// assert_eq!(surrogate(3.0, &[1.0, 2.0], 0.5, &[0.0, 0.0], &[1.0, 0.0])?, 5.0);
/// assert!(matches!(surrogate(3.0, &[1.0], 0.5, &[0.0, 0.0], &[1.0, 0.0]), Err(Error::DimensionMismatch { .. })));
/// assert!(matches!(surrogate(3.0, &[1.0], 1e-320, &[0.0], &[1.0]), Err(Error::Overflow { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn surrogate<'a, 'b, 'c>(
    f0: f64,
    grad0: impl AsArray<'a, f64, Ix1>,
    eta: f64,
    theta0: impl AsArray<'b, f64, Ix1>,
    theta: impl AsArray<'c, f64, Ix1>,
) -> Result<f64> {
    let (grad0, theta0, theta): (
        ArrayView1<'a, f64>,
        ArrayView1<'b, f64>,
        ArrayView1<'c, f64>,
    ) = (grad0.into(), theta0.into(), theta.into());
    ensure_len(grad0.len(), theta0.len())?;
    ensure_len(grad0.len(), theta.len())?;
    ensure_finite("f(θ₀)", [f0])?;
    ensure_finite("勾配 ∇f(θ₀)", grad0.iter().copied())?;
    ensure_finite("θ₀", theta0.iter().copied())?;
    ensure_finite("θ", theta.iter().copied())?;
    check_positive("学習率 η", eta)?;
    let terms = grad0.iter().zip(theta0.iter()).zip(theta.iter());
    let mut v = f0;
    for ((g, a), b) in terms.clone() {
        let d = b - a;
        v += g * d + half_square_over(d, eta);
    }
    if v.is_finite() {
        return Ok(v);
    }
    // 途中の値（θ − θ₀ や和）があふれた: e = (θ − θ₀)/2 とおくと各項の半分は g e + 2 · e²/(2η)
    let mut half = 0.5 * f0;
    for ((g, a), b) in terms {
        let e = 0.5 * b - 0.5 * a;
        half += g * e + 2.0 * half_square_over(e, eta);
    }
    finite_scalar("代理関数 f_η(θ, θ₀)", 2.0 * half)
}

/// 学習率: 全パラメータ共通のスカラー `η`（式 (2.37)）か、パラメータごとの `η_k`（式 (2.30) の `η_k`, `η_kl`）。
///
/// 値の検査は使うとき（[`StepSize::validate`]、[`gradient_step`]、[`minimize`](super::minimize)）に行う。
///
/// # Examples
///
/// ```
/// use genmodel::{ndarray::array, optim::StepSize};
///
/// assert_eq!(StepSize::Scalar(0.1).eta(3), Some(0.1));
/// assert_eq!(StepSize::PerParameter(array![0.1, 0.2]).eta(1), Some(0.2));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum StepSize {
    /// すべてのパラメータに同じ `η`。
    Scalar(f64),
    /// パラメータ `i` に `η_i`。
    PerParameter(Array1<f64>),
}

impl StepSize {
    /// パラメータ `i` の学習率（入れた値そのもの）。`PerParameter` で範囲外の `i` なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, optim::StepSize};
    ///
    /// assert_eq!(StepSize::PerParameter(array![0.1]).eta(5), None);
    /// assert_eq!(StepSize::Scalar(0.5).eta(usize::MAX), Some(0.5));
    /// ```
    pub fn eta(&self, i: usize) -> Option<f64> {
        match self {
            StepSize::Scalar(e) => Some(*e),
            StepSize::PerParameter(v) => v.get(i).copied(),
        }
    }

    /// `dim` 個のパラメータに使えるかを確かめる。
    ///
    /// # Errors
    ///
    /// - `PerParameter` の長さが `dim` でない: [`Error::DimensionMismatch`]
    /// - NaN・±∞ の `η`: [`Error::NonFinite`]、`η ≤ 0`: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, optim::StepSize, Error};
    ///
    /// assert!(StepSize::Scalar(0.5).validate(3).is_ok());
    /// assert!(matches!(StepSize::Scalar(0.0).validate(3), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(StepSize::Scalar(f64::NAN).validate(3), Err(Error::NonFinite { .. })));
    /// assert_eq!(
    ///     StepSize::PerParameter(array![0.1]).validate(2),
    ///     Err(Error::DimensionMismatch { expected: 2, actual: 1 })
    /// );
    /// ```
    pub fn validate(&self, dim: usize) -> Result<()> {
        match self {
            StepSize::Scalar(e) => check_positive("学習率 η", *e),
            StepSize::PerParameter(v) => {
                ensure_len(dim, v.len())?;
                ensure_finite("学習率 η_i", v.iter().copied())?;
                v.iter().try_for_each(|&e| check_positive("学習率 η_i", e))
            }
        }
    }
}

/// 勾配法の 1 歩 `θ'_i = θ_i − η_i ∂f/∂θ_i` を、あふれを避けて求める（検査は呼ぶ側）。
///
/// `θ − η g` があふれたときは `2 (θ/2 − (η/2) g)` で計算し直すので、結果が `f64` に収まれば正しい。
pub(super) fn step_unchecked(
    theta: ArrayView1<'_, f64>,
    grad: ArrayView1<'_, f64>,
    step: &StepSize,
) -> Array1<f64> {
    let eta = |i: usize| match step {
        StepSize::Scalar(e) => *e,
        StepSize::PerParameter(v) => v[i],
    };
    theta
        .iter()
        .zip(grad.iter())
        .enumerate()
        .map(|(i, (t, g))| {
            let v = t - eta(i) * g;
            if v.is_finite() {
                v
            } else {
                2.0 * (0.5 * t - (0.5 * eta(i)) * g)
            }
        })
        .collect()
}

/// 勾配法の 1 歩 `θ' = θ − η ∇f(θ)`（式 (2.32)、多変数では代理関数の最小点 (2.37a)）。
///
/// パラメータごとの学習率なら `θ'_i = θ_i − η_i ∂f/∂θ_i`（式 (2.30) の形）。空のベクトルには空を返す。
///
/// # Errors
///
/// - 長さが合わない: [`Error::DimensionMismatch`]
/// - `θ`・`∇f` に NaN・±∞: [`Error::NonFinite`]
/// - 不正な学習率: [`StepSize::validate`] と同じ
/// - `θ'` の成分が `f64` の範囲を超える: [`Error::Overflow`]
///
/// # Examples
///
/// ```
/// use genmodel::{ndarray::array, optim::{gradient_step, StepSize}, Error};
///
/// assert_eq!(gradient_step(&[1.0, 1.0], &[2.0, -4.0], &StepSize::Scalar(0.25))?, array![0.5, 2.0]);
/// assert!(matches!(gradient_step(&[1.0], &[2.0, -4.0], &StepSize::Scalar(0.25)), Err(Error::DimensionMismatch { .. })));
/// assert!(matches!(gradient_step(&[1.0], &[f64::NAN], &StepSize::Scalar(0.25)), Err(Error::NonFinite { .. })));
/// // η g = 2e308 はあふれるが、θ' = 1.5e308 − 2e308 = −5e307 は求まる
/// assert_eq!(gradient_step(&[1.5e308], &[1e308], &StepSize::Scalar(2.0))?, array![-5e307]);
/// assert!(matches!(gradient_step(&[0.0], &[1e308], &StepSize::Scalar(10.0)), Err(Error::Overflow { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn gradient_step<'a, 'b>(
    theta: impl AsArray<'a, f64, Ix1>,
    grad: impl AsArray<'b, f64, Ix1>,
    step: &StepSize,
) -> Result<Array1<f64>> {
    let (theta, grad): (ArrayView1<'a, f64>, ArrayView1<'b, f64>) = (theta.into(), grad.into());
    ensure_len(theta.len(), grad.len())?;
    ensure_finite("パラメータ θ", theta.iter().copied())?;
    ensure_finite("勾配 ∇f(θ)", grad.iter().copied())?;
    step.validate(theta.len())?;
    crate::error::ensure_output("更新後のパラメータ θ'", step_unchecked(theta, grad, step))
}
