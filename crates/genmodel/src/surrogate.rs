//! 勾配法を代理関数（上界）の最小化として見る（式 (2.30)–(2.44)、§2.6）。
//!
//! - 1 変数: 2 次の上界 (2.33)、平方完成 (2.34)、確実な減少量 (2.35)、学習率 `η = 1/L` (2.36)
//! - 多変数: 代理関数 `f_η(θ, θ₀)` (2.37) とその最小点 `θ₀ − η∇f(θ₀)` (2.37a)、
//!   学習率の十分条件 `η ≤ 1/λ_max` (2.44)
//! - 勾配法の反復 (2.30)/(2.32) と、止める規則（許容誤差・反復の上限）つきの [`minimize`]

use crate::error::{Error, Result, ensure_finite};

/// 学習率 `η` が正の有限値であることを確かめる。
fn check_eta(eta: f64) -> Result<()> {
    if eta.is_finite() && eta > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "学習率 η",
            value: eta,
            requirement: "正の有限値",
        })
    }
}

/// 式 (2.33) の右辺: `θ₀` で `f` と接する 2 次関数
/// `g(θ) = f(θ₀) + f'(θ₀)(θ − θ₀) + ½ L (θ − θ₀)²`。
///
/// `f'' ≤ L` が `θ₀` と `θ` を結ぶ区間で成り立てば `f(θ) ≤ g(θ)`（テイラーの定理）。
///
/// # Examples
///
/// ```
/// use genmodel::surrogate::quadratic_upper_bound;
///
/// // f = cos θ（f'' = −cos θ ≤ 1）は θ₀ = 0 で g = 1 + θ²/2 に上から抑えられる
/// for &t in &[-2.0, 0.5, 3.0] {
///     assert!(f64::cos(t) <= quadratic_upper_bound(1.0, 0.0, 1.0, 0.0, t));
/// }
/// // L = −1 は曲率の上界ではない: cos 0.5 ≈ 0.8776 > 1 − 0.25/2 = 0.875
/// assert!(f64::cos(0.5) > quadratic_upper_bound(1.0, 0.0, -1.0, 0.0, 0.5));
/// ```
pub fn quadratic_upper_bound(f0: f64, df0: f64, l: f64, theta0: f64, theta: f64) -> f64 {
    let d = theta - theta0;
    f0 + df0 * d + 0.5 * l * d * d
}

/// 式 (2.35) の減少量 `f'(θ₀)² / (2L)`: `θ = θ₀ − f'(θ₀)/L` で `f(θ) ≤ f(θ₀) − f'(θ₀)²/(2L)`。
///
/// # Errors
///
/// `L` が正の有限値でなければ [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::surrogate::guaranteed_decrease;
///
/// assert_eq!(guaranteed_decrease(2.0, 4.0)?, 0.5);
/// assert!(guaranteed_decrease(2.0, 0.0).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn guaranteed_decrease(df0: f64, l: f64) -> Result<f64> {
    check_eta(l).map_err(|_| Error::InvalidParameter {
        name: "曲率の上界 L",
        value: l,
        requirement: "正の有限値",
    })?;
    Ok(df0 * df0 / (2.0 * l))
}

/// 式 (2.36): 曲率の上界 `L`（`f'' ≤ L`）から学習率 `η = 1/L` を決める。
///
/// # Errors
///
/// `L` が正の有限値でなければ [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::surrogate::step_from_curvature_bound;
///
/// assert_eq!(step_from_curvature_bound(4.0)?, 0.25);
/// assert!(step_from_curvature_bound(-1.0).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn step_from_curvature_bound(l: f64) -> Result<f64> {
    guaranteed_decrease(0.0, l)?;
    Ok(1.0 / l)
}

/// 式 (2.44): ヘッセ行列の最大固有値の上界 `λ_max` から学習率 `η = 1/λ_max` を決める。
///
/// 本書の (2.44) のとおり、`λ_max` は `θ₀` だけでなく、`θ₀` から更新後の点までの
/// 線分上の**すべての点**でのヘッセ行列の最大固有値を上から抑えていなければならない。
/// `λ_max ≤ 0`（その範囲で `f` が凹）なら、2 次の上界は任意の `η` で成り立つので
/// 上限はなく、`f64::INFINITY` を返す。
///
/// # Errors
///
/// `λ_max` が有限でなければ [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::surrogate::step_from_max_eigenvalue;
///
/// assert_eq!(step_from_max_eigenvalue(10.0)?, 0.1);
/// assert_eq!(step_from_max_eigenvalue(0.0)?, f64::INFINITY);
/// assert!(step_from_max_eigenvalue(f64::NAN).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn step_from_max_eigenvalue(lambda_max: f64) -> Result<f64> {
    if !lambda_max.is_finite() {
        return Err(Error::InvalidParameter {
            name: "最大固有値 λ_max",
            value: lambda_max,
            requirement: "有限値",
        });
    }
    Ok(if lambda_max <= 0.0 {
        f64::INFINITY
    } else {
        1.0 / lambda_max
    })
}

/// 式 (2.37) の代理関数
/// `f_η(θ, θ₀) = f(θ₀) + ∇f(θ₀)·(θ − θ₀) + |θ − θ₀|² / (2η)`。
///
/// # Errors
///
/// - 長さが合わない: [`Error::DimensionMismatch`]
/// - `η` が正の有限値でない: [`Error::InvalidParameter`]
///
/// # Examples
///
/// ```
/// use genmodel::surrogate::surrogate;
///
/// // θ₀ では f(θ₀) に一致する
/// assert_eq!(surrogate(3.0, &[1.0, 2.0], 0.5, &[0.0, 0.0], &[0.0, 0.0])?, 3.0);
/// // 3 + (1·1 + 2·0) + 1²/(2·0.5) = 5
/// assert_eq!(surrogate(3.0, &[1.0, 2.0], 0.5, &[0.0, 0.0], &[1.0, 0.0])?, 5.0);
/// assert!(surrogate(3.0, &[1.0], 0.5, &[0.0, 0.0], &[1.0, 0.0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn surrogate(f0: f64, grad0: &[f64], eta: f64, theta0: &[f64], theta: &[f64]) -> Result<f64> {
    check_eta(eta)?;
    same_len(grad0.len(), theta0.len())?;
    same_len(grad0.len(), theta.len())?;
    let mut v = f0;
    for ((g, a), b) in grad0.iter().zip(theta0).zip(theta) {
        let d = b - a;
        v += g * d + d * d / (2.0 * eta);
    }
    Ok(v)
}

fn same_len(expected: usize, actual: usize) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::DimensionMismatch { expected, actual })
    }
}

/// 学習率: 全パラメータ共通のスカラー `η`（式 (2.37)）か、パラメータごとの `η_k`（式 (2.30) の `η_k`, `η_kl`）。
///
/// # Examples
///
/// ```
/// use genmodel::surrogate::StepSize;
///
/// assert_eq!(StepSize::Scalar(0.1).eta(3), 0.1);
/// assert_eq!(StepSize::PerParameter(vec![0.1, 0.2]).eta(1), 0.2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum StepSize {
    /// すべてのパラメータに同じ `η`。
    Scalar(f64),
    /// パラメータ `i` に `η_i`。
    PerParameter(Vec<f64>),
}

impl StepSize {
    /// パラメータ `i` の学習率。
    ///
    /// `PerParameter` で範囲外の `i` には `NaN` を返す（[`StepSize::validate`] が弾く）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::surrogate::StepSize;
    ///
    /// assert!(StepSize::PerParameter(vec![0.1]).eta(5).is_nan());
    /// ```
    pub fn eta(&self, i: usize) -> f64 {
        match self {
            StepSize::Scalar(e) => *e,
            StepSize::PerParameter(v) => v.get(i).copied().unwrap_or(f64::NAN),
        }
    }

    /// `dim` 個のパラメータに使えるかを確かめる。
    ///
    /// # Errors
    ///
    /// - `PerParameter` の長さが `dim` でない: [`Error::DimensionMismatch`]
    /// - 正の有限値でない `η`: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{surrogate::StepSize, Error};
    ///
    /// assert!(StepSize::Scalar(0.5).validate(3).is_ok());
    /// assert!(StepSize::Scalar(0.0).validate(3).is_err());
    /// assert_eq!(
    ///     StepSize::PerParameter(vec![0.1]).validate(2),
    ///     Err(Error::DimensionMismatch { expected: 2, actual: 1 })
    /// );
    /// ```
    pub fn validate(&self, dim: usize) -> Result<()> {
        match self {
            StepSize::Scalar(e) => check_eta(*e),
            StepSize::PerParameter(v) => {
                same_len(dim, v.len())?;
                v.iter().try_for_each(|&e| check_eta(e))
            }
        }
    }
}

/// 勾配法の 1 歩 `θ' = θ − η ∇f(θ)`（式 (2.32)、多変数では代理関数の最小点 (2.37a)）。
///
/// パラメータごとの学習率なら `θ'_i = θ_i − η_i ∂f/∂θ_i`（式 (2.30) の形）。
///
/// # Errors
///
/// - 長さが合わない: [`Error::DimensionMismatch`]
/// - 不正な学習率: [`Error::InvalidParameter`]
///
/// # Examples
///
/// ```
/// use genmodel::surrogate::{gradient_step, StepSize};
///
/// assert_eq!(gradient_step(&[1.0, 1.0], &[2.0, -4.0], &StepSize::Scalar(0.25))?, vec![0.5, 2.0]);
/// assert!(gradient_step(&[1.0], &[2.0, -4.0], &StepSize::Scalar(0.25)).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn gradient_step(theta: &[f64], grad: &[f64], step: &StepSize) -> Result<Vec<f64>> {
    same_len(theta.len(), grad.len())?;
    step.validate(theta.len())?;
    Ok(theta
        .iter()
        .zip(grad)
        .enumerate()
        .map(|(i, (t, g))| t - step.eta(i) * g)
        .collect())
}

/// 勾配法を止める規則。
///
/// `‖∇f(θ)‖_∞ ≤ tolerance` になれば収束として止め、`max_iterations` 回更新しても
/// 収束しなければ、収束していないことを記録して止める（無限に回らない）。
///
/// # Examples
///
/// ```
/// use genmodel::surrogate::StopRule;
///
/// let s = StopRule { tolerance: 1e-8, max_iterations: 100 };
/// assert!(s.validate().is_ok());
/// assert!(StopRule { tolerance: -1.0, max_iterations: 1 }.validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopRule {
    /// 勾配の最大絶対成分がこれ以下なら止める。
    pub tolerance: f64,
    /// 更新の回数の上限。
    pub max_iterations: usize,
}

impl StopRule {
    /// 許容誤差が非負の有限値であることを確かめる。
    ///
    /// # Errors
    ///
    /// 負・NaN・∞ なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::surrogate::StopRule;
    ///
    /// assert!(StopRule { tolerance: 0.0, max_iterations: 0 }.validate().is_ok());
    /// assert!(StopRule { tolerance: f64::NAN, max_iterations: 1 }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.tolerance.is_finite() && self.tolerance >= 0.0 {
            Ok(())
        } else {
            Err(Error::InvalidParameter {
                name: "許容誤差",
                value: self.tolerance,
                requirement: "非負の有限値",
            })
        }
    }
}

/// 反復 1 回ぶんの記録（進捗の表示に渡す）。
///
/// # Examples
///
/// ```
/// use genmodel::surrogate::Iterate;
///
/// let it = Iterate { iteration: 0, value: 1.0, grad_norm: 0.5 };
/// assert_eq!(it.iteration, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Iterate {
    /// 反復の番号（0 は初期値）。
    pub iteration: usize,
    /// そのときの `f(θ)`。
    pub value: f64,
    /// そのときの `‖∇f(θ)‖_∞`。
    pub grad_norm: f64,
}

/// [`minimize`] の結果。
///
/// # Examples
///
/// ```
/// use genmodel::surrogate::{minimize, StepSize, StopRule};
///
/// let t = minimize(|x: &[f64]| Ok((x[0] * x[0], vec![2.0 * x[0]])), &[1.0],
///     &StepSize::Scalar(0.5), StopRule { tolerance: 1e-12, max_iterations: 10 }, &mut |_| {})?;
/// assert!(t.converged && t.theta == vec![0.0] && t.values.len() == 2);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// 最後のパラメータ。
    pub theta: Vec<f64>,
    /// 各反復の `f(θ)`（初期値を含む）。
    pub values: Vec<f64>,
    /// 各反復の `‖∇f(θ)‖_∞`（初期値を含む）。
    pub grad_norms: Vec<f64>,
    /// 許容誤差に達して止まったか（`false` なら反復の上限で止まった）。
    pub converged: bool,
}

impl Trace {
    /// 行った更新の回数（`values.len() − 1`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::surrogate::Trace;
    ///
    /// let t = Trace { theta: vec![], values: vec![3.0, 2.0, 1.0], grad_norms: vec![], converged: false };
    /// assert_eq!(t.iterations(), 2);
    /// ```
    pub fn iterations(&self) -> usize {
        self.values.len().saturating_sub(1)
    }
}

/// 勾配法 (2.30)/(2.32) で `f` を最小化する。
///
/// `objective(θ)` は `(f(θ), ∇f(θ))` を返す。各反復で `observer` に [`Iterate`] を渡す
/// （進捗の表示やログに使う。`progress` 機能の [`progress_observer`] は indicatif で表示する）。
/// 学習率が上限 (2.44) 以下なら、値の列 `values` は単調に減る（§2.6）。
///
/// # Errors
///
/// - 不正な学習率・許容誤差・長さ: [`Error::InvalidParameter`], [`Error::DimensionMismatch`]
/// - `f` か勾配が有限でなくなった（学習率が大きすぎて発散した）: [`Error::Diverged`]
/// - `objective` が返したエラーはそのまま返す
///
/// # Examples
///
/// ```
/// use genmodel::{surrogate::{minimize, StepSize, StopRule}, Error};
///
/// // f = 2θ²（f'' = 4）。η = 1/4 なら 1 歩で最小点へ
/// let f = |x: &[f64]| Ok((2.0 * x[0] * x[0], vec![4.0 * x[0]]));
/// let stop = StopRule { tolerance: 1e-12, max_iterations: 100 };
/// let t = minimize(f, &[3.0], &StepSize::Scalar(0.25), stop, &mut |_| {})?;
/// assert_eq!(t.theta, vec![0.0]);
/// // η = 1 > 2/4 では |θ| が 3 倍ずつ増え、やがて発散する
/// let r = minimize(f, &[3.0], &StepSize::Scalar(1.0), StopRule { tolerance: 0.0, max_iterations: 10_000 }, &mut |_| {});
/// assert!(matches!(r, Err(Error::Diverged { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn minimize<F>(
    mut objective: F,
    theta0: &[f64],
    step: &StepSize,
    stop: StopRule,
    observer: &mut dyn FnMut(&Iterate),
) -> Result<Trace>
where
    F: FnMut(&[f64]) -> Result<(f64, Vec<f64>)>,
{
    if theta0.is_empty() {
        return Err(Error::EmptyInput);
    }
    ensure_finite("初期パラメータ", theta0)?;
    step.validate(theta0.len())?;
    stop.validate()?;
    let mut theta = theta0.to_vec();
    let mut values = Vec::new();
    let mut grad_norms = Vec::new();
    let mut iteration = 0;
    loop {
        let (value, grad) = objective(&theta)?;
        same_len(theta.len(), grad.len())?;
        // f64::max は NaN を無視するので、NaN の勾配は最大値を取る前に調べる
        let grad_norm = grad.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        if !value.is_finite() || grad.iter().any(|g| !g.is_finite()) {
            return Err(Error::Diverged { iteration, value });
        }
        values.push(value);
        grad_norms.push(grad_norm);
        observer(&Iterate {
            iteration,
            value,
            grad_norm,
        });
        let converged = grad_norm <= stop.tolerance;
        if converged || iteration >= stop.max_iterations {
            return Ok(Trace {
                theta,
                values,
                grad_norms,
                converged,
            });
        }
        theta = gradient_step(&theta, &grad, step)?;
        if theta.iter().any(|t| !t.is_finite()) {
            return Err(Error::Diverged {
                iteration: iteration + 1,
                value: f64::INFINITY,
            });
        }
        iteration += 1;
    }
}

/// indicatif の進捗バー（標準エラー出力）で [`minimize`] の進み具合を表示する観測者を作る。
///
/// バーの長さは反復の上限 `stop.max_iterations`。各反復で `f(θ)` と `‖∇f(θ)‖_∞` を表示し、
/// [`minimize`] と同じ規則（`‖∇f‖_∞ ≤ tolerance` か反復の上限）で止まる反復でバーを閉じる。
/// 収束したときは、そこまでの位置のまま「収束」と書いて閉じる。
/// 端末でなければ indicatif が自動で表示を止める。`progress` 機能（既定で有効）が必要。
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "progress")] {
/// use genmodel::surrogate::{minimize, progress_observer, StepSize, StopRule};
///
/// let f = |x: &[f64]| Ok((x[0] * x[0], vec![2.0 * x[0]]));
/// let stop = StopRule { tolerance: 1e-10, max_iterations: 50 };
/// let t = minimize(f, &[1.0], &StepSize::Scalar(0.25), stop, &mut progress_observer(stop)).unwrap();
/// assert!(t.converged && t.iterations() < 50);
/// // 上限が小さすぎると収束せずに止まる（バーは上限まで進んで閉じる）
/// let short = StopRule { tolerance: 1e-10, max_iterations: 3 };
/// let t = minimize(f, &[1.0], &StepSize::Scalar(0.25), short, &mut progress_observer(short)).unwrap();
/// assert!(!t.converged && t.iterations() == 3);
/// # }
/// ```
#[cfg(feature = "progress")]
pub fn progress_observer(stop: StopRule) -> impl FnMut(&Iterate) {
    let bar = indicatif::ProgressBar::new(stop.max_iterations as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{pos}/{len} [{elapsed_precise}] {wide_bar} {msg}")
    {
        bar.set_style(style);
    }
    move |it: &Iterate| {
        bar.set_position(it.iteration as u64);
        let msg = format!("f = {:.6e}, max|∇f| = {:.2e}", it.value, it.grad_norm);
        if it.grad_norm <= stop.tolerance {
            bar.abandon_with_message(format!("{msg}（収束）"));
        } else if it.iteration >= stop.max_iterations {
            bar.abandon_with_message(format!("{msg}（反復の上限）"));
        } else {
            bar.set_message(msg);
        }
    }
}
