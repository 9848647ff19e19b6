//! 学習の結末（§2.5–2.6）: モーメント一致 (2.28)–(2.29) の解が有限の `θ` にあるかを確かめる。
//!
//! KL 情報量 (2.27) の最小点が有限の `θ` にあるのは、データの平均 `φ̄` が
//! 周辺多面体 `P = conv{φ(x) : x ∈ {−1,1}^N}` の**内部**にあるときに限る。`φ̄` が境界にあると
//! （例: すべての標本で `x_1 = x_2`、すなわち `φ̄_{12} = 1`）、勾配は 0 に近づくのにパラメータは
//! `ln t` の速さで増え続け、勾配の大きさだけを見る止める規則は「収束」と誤って報告する。
//!
//! [`KlObjective::interior_margin`] は、内部にあることの証明書を計算する。
//! `g = ⟨φ⟩_θ − φ̄` とおき、`r(x) = q_θ(x) − 2^{−N} g·φ(x)` とすると、`φ` の成分の直交性
//! `Σ_x φ_i(x) φ_j(x) = 2^N δ_ij`、`Σ_x φ_i(x) = 0` から `Σ_x r(x) = 1`、`Σ_x r(x) φ(x) = φ̄` である。
//! したがって `min_x r(x) > 0` なら、`φ̄` は全状態に正の確率を置く分布の平均で、`P` の内部にある。
//! 逆に `φ̄` が境界にあれば、どの `θ` でも `min_x r(x) ≤ 0` である。

use super::learn::KlObjective;
use super::model::{Ising, n_params_unchecked};
use crate::error::{Error, Result};
use crate::optim::Trace;
use crate::prec::ENUMERATION_TOLERANCE;

/// [`KlObjective::interior_margin`]（全状態の表を 2 つ持つ）が扱うスピン数の上限（表は `2^N` 個の `f64`）。
///
/// これを超えるスピン数では、[`KlObjective::fit`] は表を使わない粗い十分条件で判定する。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::boltzmann::ising::MAX_CERTIFICATE_SPINS, 20);
/// ```
pub const MAX_CERTIFICATE_SPINS: usize = 20;

/// 勾配法による学習の結末。
///
/// 勾配の大きさだけでは「最適点に着いた」と「最適点が無限の彼方にあり、勾配が 0 に近づいているだけ」を
/// 見分けられないので、有限の最適点があることを別に確かめてから [`Outcome::Converged`] とする。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::{Ising, KlObjective, Outcome}, ndarray::array, optim::{StepSize, StopRule}};
///
/// // すべての標本で x_1 = x_2: ⟨x_1 x_2⟩ = 1 は周辺多面体の境界で、最適点は有限の θ にない
/// let data = array![[1, 1, 1], [1, 1, -1], [-1, -1, -1], [1, 1, 1]];
/// let kl = KlObjective::from_data(&data)?;
/// let stop = StopRule { tolerance: 1e-3, max_iterations: 20_000 };
/// let fit = kl.fit(&Ising::zeros(3)?, &StepSize::Scalar(1.0 / 6.0), stop, &mut |_| {})?;
/// assert!(fit.trace.converged); // 勾配は許容誤差を下回った
/// assert_eq!(fit.outcome, Outcome::OnBoundary); // しかし最適点に着いたのではない
/// assert!(fit.model.coupling(0, 1).unwrap() > 3.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 勾配の最大成分が許容誤差以下になり、有限の最適点があることも確かめた
    /// （罰則 `λ > 0` があるか、[`KlObjective::interior_margin`] が正）。
    Converged,
    /// 勾配の最大成分は許容誤差以下になったが、有限の最適点があることを確かめられない。
    /// データの平均 `φ̄` が周辺多面体の境界にある（か、勾配の大きさでは見分けられないほど境界に近い）。
    /// 境界にあるなら KL 情報量の下限は有限の `θ` では達成されず、勾配法を続けるとパラメータは
    /// `ln t` の速さで増え続ける。罰則つきの目的関数（[`KlObjective::with_ridge`]）なら最適点は必ず有限である。
    OnBoundary,
    /// 反復の上限で止まった。`finite_optimum` は、有限の最適点があることを確かめられたか。
    IterationLimit {
        /// 有限の最適点があることを確かめられたか。
        finite_optimum: bool,
    },
}

/// [`KlObjective::fit`] の結果: 学習したモデル、反復の履歴、結末。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::{Ising, KlObjective, Outcome}, ndarray::array, optim::{StepSize, StopRule}};
///
/// let kl = KlObjective::from_model(&Ising::new(array![0.3, -0.2], array![0.5])?)?;
/// let stop = StopRule { tolerance: 1e-10, max_iterations: 5000 };
/// let fit = kl.fit(&Ising::zeros(2)?, &StepSize::Scalar(1.0 / 3.0), stop, &mut |_| {})?;
/// assert_eq!(fit.outcome, Outcome::Converged);
/// assert_eq!(fit.model.params(), fit.trace.theta);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// 最後のパラメータのモデル。
    pub model: Ising,
    /// 反復の履歴（[`crate::optim::minimize`] の結果。`converged` は勾配の許容誤差に達したかだけを表す）。
    pub trace: Trace,
    /// 結末。
    pub outcome: Outcome,
}

impl KlObjective {
    /// データの平均 `φ̄` が周辺多面体の内部にあることの証明書 `min_x r(x)`（丸め誤差の分を差し引いた値）。
    ///
    /// `g = ⟨φ⟩_θ − φ̄`（罰則を除いた KL 情報量の勾配 (2.28)–(2.29)）とし、全状態 `x` で
    /// `r(x) = q_θ(x) − 2^{−N} g·φ(x)` を求める。`Σ_x r(x) = 1`、`Σ_x r(x) φ(x) = φ̄` なので、
    /// 返す値が正なら `φ̄` は全状態に正の確率を置く分布 `r` の平均で、多面体の内部にある。このとき
    /// (2.28)–(2.29) は有限の `θ` にただ 1 つの解をもつ。`φ̄` が境界にあれば、どの `θ` でも返す値は 0 以下である。
    /// 返す値は `min_x [q_θ(x)(1 − τ) − 2^{−N}(g·φ(x) + Mτ)]`（`τ = ENUMERATION_TOLERANCE`、`M` はパラメータ数）で、
    /// 確率とモーメントの丸め誤差（[`crate::prec::ENUMERATION_TOLERANCE`] 以内）があっても正しい側に判定する。
    /// `θ` が最適点に近いほど `g` が小さく、内部なら正になりやすい。
    ///
    /// # Errors
    ///
    /// - スピン数が違う: [`Error::DimensionMismatch`]
    /// - `N > MAX_CERTIFICATE_SPINS`: [`Error::TooManySpins`]
    /// - `Σ|θ| > MAX_ENUMERATION_L1`: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::{Ising, KlObjective}, ndarray::array};
    ///
    /// // 2 スピンの 4 状態がすべて現れるデータ: 一様なモデルで r(x) = 1/4 − (g·φ(x))/4 > 0
    /// let kl = KlObjective::from_data(&array![[1, 1], [1, -1], [-1, 1], [-1, -1], [1, 1]])?;
    /// assert!(kl.interior_margin(&Ising::zeros(2)?)? > 0.0);
    /// // (−1, −1) が現れないデータ: φ̄ は境界にあり、どの θ でも 0 以下
    /// let kl = KlObjective::from_data(&array![[1, 1], [1, -1], [-1, 1]])?;
    /// assert!(kl.interior_margin(&Ising::zeros(2)?)? <= 0.0);
    /// assert!(kl.interior_margin(&Ising::new(array![2.0, 1.0], array![-3.0])?)? <= 0.0);
    /// assert!(kl.interior_margin(&Ising::zeros(3)?).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn interior_margin(&self, model: &Ising) -> Result<f64> {
        let n = self.n_spins();
        if model.n != n {
            return Err(Error::DimensionMismatch {
                expected: n,
                actual: model.n,
            });
        }
        model.ensure_enumerable(MAX_CERTIFICATE_SPINS)?;
        let g = &model.exact()?.statistics() - &self.target();
        let e = model.all_exponents();
        let eg = Ising::from_params(n, &g)?.all_exponents();
        let mx = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let ln_z = mx + e.iter().map(|v| (v - mx).exp()).sum::<f64>().ln();
        let scale = 0.5f64.powi(n as i32);
        let slack = n_params_unchecked(n) as f64 * ENUMERATION_TOLERANCE;
        Ok(e.iter()
            .zip(&eg)
            .map(|(ei, gi)| {
                (ei - ln_z).exp() * (1.0 - ENUMERATION_TOLERANCE) - scale * (gi + slack)
            })
            .fold(f64::INFINITY, f64::min))
    }

    /// `θ` での証明書で、有限の最適点があることを確かめる（[`KlObjective::fit`] が使う）。
    ///
    /// `N ≤ MAX_CERTIFICATE_SPINS` なら [`KlObjective::interior_margin`] が正か。それより多いスピンでは、
    /// 表を作らずに `min_x q_θ(x) ≥ e^{−Σ|θ| − ln Z}` と `|2^{−N} g·φ(x)| ≤ 2^{−N} Σ|g_i|` から判定する（十分条件）。
    pub(super) fn certifies_interior(&self, model: &Ising) -> Result<bool> {
        let n = self.n_spins();
        if n <= MAX_CERTIFICATE_SPINS {
            return Ok(self.interior_margin(model)? > 0.0);
        }
        let m = model.exact()?;
        let g_l1: f64 = (&m.statistics() - &self.target())
            .iter()
            .map(|v| v.abs())
            .sum();
        let theta_l1: f64 = model.params().iter().map(|v| v.abs()).sum();
        let q_min = (-theta_l1 - m.log_z()).exp() * (1.0 - ENUMERATION_TOLERANCE);
        let slack = n_params_unchecked(n) as f64 * ENUMERATION_TOLERANCE;
        Ok(q_min > 0.5f64.powi(n as i32) * (g_l1 + slack))
    }
}
