//! 勾配法の反復 (2.30)/(2.32) と、止める規則（許容誤差・反復の上限）つきの [`minimize`]（§2.6）。

use super::surrogate::{StepSize, step_unchecked};
use crate::error::{Error, Result, ensure_finite, ensure_len};
use ndarray::{Array1, ArrayView1, AsArray, Ix1};

/// 勾配法を止める規則。
///
/// `‖∇f(θ)‖_∞ ≤ tolerance` になれば収束として止め、`max_iterations` 回更新しても
/// 収束しなければ、収束していないことを記録して止める（無限に回らない）。
///
/// # Examples
///
/// ```
/// use genmodel::optim::StopRule;
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
    /// NaN・±∞ なら [`Error::NonFinite`]、負なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{optim::StopRule, Error};
    ///
    /// assert!(StopRule { tolerance: 0.0, max_iterations: 0 }.validate().is_ok());
    /// assert!(matches!(
    ///     StopRule { tolerance: f64::NAN, max_iterations: 1 }.validate(),
    ///     Err(Error::NonFinite { .. })
    /// ));
    /// ```
    pub fn validate(&self) -> Result<()> {
        ensure_finite("許容誤差", [self.tolerance])?;
        if self.tolerance >= 0.0 {
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
/// use genmodel::optim::Iterate;
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
/// use genmodel::{ndarray::{array, ArrayView1}, optim::{minimize, StepSize, StopRule}};
///
/// let t = minimize(|x: ArrayView1<f64>| Ok((x[0] * x[0], array![2.0 * x[0]])), &[1.0],
///     &StepSize::Scalar(0.5), StopRule { tolerance: 1e-12, max_iterations: 10 }, &mut |_| {})?;
/// assert!(t.converged && t.theta == array![0.0] && t.values.len() == 2);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// 最後のパラメータ。
    pub theta: Array1<f64>,
    /// 各反復の `f(θ)`（初期値を含む）。
    pub values: Array1<f64>,
    /// 各反復の `‖∇f(θ)‖_∞`（初期値を含む）。
    pub grad_norms: Array1<f64>,
    /// 勾配の最大成分が許容誤差に達して止まったか（`false` なら反復の上限で止まった）。
    ///
    /// 真でも最小点の近くにいるとは限らない。下限が有限の点で達成されない関数（`f(θ) = e^{−θ}` や、
    /// データの平均が周辺多面体の境界にある Ising モデルの KL 情報量、§2.5）では、`θ` が増え続けるあいだに
    /// 勾配が 0 に近づくだけである。Ising モデルの学習では
    /// [`KlObjective::fit`](crate::boltzmann::ising::KlObjective::fit) が最小点の有無も確かめる。
    pub converged: bool,
}

impl Trace {
    /// 行った更新の回数（`values.len() − 1`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::{array, Array1}, optim::Trace};
    ///
    /// let t = Trace { theta: Array1::zeros(0), values: array![3.0, 2.0, 1.0], grad_norms: Array1::zeros(0), converged: false };
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
/// - `θ₀` が空: [`Error::EmptyInput`]、NaN・±∞: [`Error::NonFinite`]
/// - 不正な学習率・許容誤差: [`StepSize::validate`]、[`StopRule::validate`] と同じ
/// - 勾配の長さが `θ` と違う: [`Error::DimensionMismatch`]
/// - `f` か勾配が有限でなくなった、または 1 歩の `θ'` が `f64` の範囲を超えた（学習率が大きすぎて発散した）:
///   [`Error::Diverged`]
/// - `objective` が返したエラーはそのまま返す
///
/// # Examples
///
/// ```
/// use genmodel::{ndarray::{array, ArrayView1}, optim::{minimize, StepSize, StopRule}, Error};
///
/// // f = 2θ²（f'' = 4）。η = 1/4 なら 1 歩で最小点へ
/// let f = |x: ArrayView1<f64>| Ok((2.0 * x[0] * x[0], array![4.0 * x[0]]));
/// let stop = StopRule { tolerance: 1e-12, max_iterations: 100 };
/// let t = minimize(f, &[3.0], &StepSize::Scalar(0.25), stop, &mut |_| {})?;
/// assert_eq!(t.theta, array![0.0]);
/// // η = 1 > 2/4 では |θ| が 3 倍ずつ増え、やがて発散する
/// let r = minimize(f, &[3.0], &StepSize::Scalar(1.0), StopRule { tolerance: 0.0, max_iterations: 10_000 }, &mut |_| {});
/// assert!(matches!(r, Err(Error::Diverged { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn minimize<'a, F>(
    mut objective: F,
    theta0: impl AsArray<'a, f64, Ix1>,
    step: &StepSize,
    stop: StopRule,
    observer: &mut dyn FnMut(&Iterate),
) -> Result<Trace>
where
    F: FnMut(ArrayView1<'_, f64>) -> Result<(f64, Array1<f64>)>,
{
    let theta0: ArrayView1<'a, f64> = theta0.into();
    if theta0.is_empty() {
        return Err(Error::EmptyInput);
    }
    ensure_finite("初期パラメータ", theta0.iter().copied())?;
    step.validate(theta0.len())?;
    stop.validate()?;
    let mut theta = theta0.to_owned();
    let mut values = Vec::new();
    let mut grad_norms = Vec::new();
    let mut iteration = 0;
    loop {
        let (value, grad) = objective(theta.view())?;
        ensure_len(theta.len(), grad.len())?;
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
                values: Array1::from(values),
                grad_norms: Array1::from(grad_norms),
                converged,
            });
        }
        theta = step_unchecked(theta.view(), grad.view(), step);
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
/// use genmodel::{ndarray::{array, ArrayView1}, optim::{minimize, progress_observer, StepSize, StopRule}};
///
/// let f = |x: ArrayView1<f64>| Ok((x[0] * x[0], array![2.0 * x[0]]));
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
