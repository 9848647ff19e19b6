//! 整数のエネルギーの厳密な状態密度 [`ExactDensity`]（`u128` の状態数）と、`L ≤ 11` のトーラスの転送行列による `g(E)`。
//!
//! # 転送行列
//!
//! `L × L` トーラスの強磁性体（`J = 1`）の状態を、行 `σ_0, …, σ_{L−1}`（各 `L` ビット）の並びと見る。
//! 反対向きの結合（切れた結合）の数 `b` は、行の中の `h(σ) = popcount(σ ⊕ rot σ)` と隣の行との
//! `popcount(σ_r ⊕ σ_{r+1})` の和で、エネルギーは `E = 2b − 2N`（`N = L²`）である。`x` を数えるための
//! 形式的な変数として
//!
//! ```text
//! Σ_b g_b x^b = Σ_{σ_0} [ (V D)^{L−1} · V ]_{σ_0 σ_0} · x^{h(σ_0)}   （概念的な式）
//! V_{στ} = x^{popcount(σ ⊕ τ)} = ⊗_{列} [[1, x], [x, 1]],   D = diag(x^{h(τ)})
//! ```
//!
//! を、係数が整数（`u128`）の多項式のベクトルとして計算する。`V` は `2×2` の行列の Kronecker 積なので、
//! 高速アダマール変換と同じ `L` 段のバタフライ `(a, b) ↦ (a + x b, b + x a)` で `O(L 2^L)` 回の多項式の足し算になる。
//! 最初の行 `σ_0` は、列の並進・列の反転・全スピンの反転で移り合うものは同じ寄与をもつので、軌道の代表だけを計算して
//! 軌道の大きさを掛ける（`L = 10` で `1024` 個が `44` 個）。仕事は `O(軌道の数 · L² 2^L · L²)` で、`L = 10` では
//! 約 `4 × 10⁸` 回の `u128` の足し算である。
//!
//! 状態数は `2^{L²}` 以下なので、`L ≤ 11`（`2^{121} < 2^{128}`）まで `u128` で丸めなしに数えられる（[`MAX_TRANSFER_SIDE`]）。
//! Beale (1996, Phys. Rev. Lett. 76, 78) は同じ `g(E)` を Kaufman の厳密解の多項式展開から求めた。ここでは
//! 転送行列で数え、Kaufman の式（[`super::kaufman`]）とは `ln Z` の比較で独立に照合する（`tests/exchange.rs`）。
//!
//! # 交換の受理率
//!
//! 逆温度 `β_a < β_b` のレプリカのエネルギー `E_a ∼ p_a`、`E_b ∼ p_b`（`p_β(E) = g(E) e^{−βE}/Z(β)`、独立）の配置を
//! 交換する提案は確率 `min(1, e^{(β_b − β_a)(E_b − E_a)})` で受け入れる（[`crate::mcmc::exchange`]）。
//! `p_a(E) p_b(E') e^{(β_b − β_a)(E' − E)} = p_a(E') p_b(E)` なので、定常状態での受理率は
//!
//! ```text
//! A(β_a, β_b) = P(E_b ≥ E_a) + P(E_b > E_a) = Σ_k p_b(E_k) [F_a(E_{k−1}) + F_a(E_k)],   F_a(E) = P(E_a ≤ E)
//! ```
//!
//! に等しい（[`ExactDensity::swap_acceptance`]。`E_b < E_a` の場合の `e^{…}` の期待値が `P(E_b > E_a)` になる）。
//! `β_a = β_b` では和が `Σ (F_k² − F_{k−1}²) = 1` と畳み込まれる。

use super::check_side;
use super::enumerate::DensityOfStates;
use crate::error::{Error, Result, finite_scalar};

/// 転送行列で数える一辺の長さ `L` の上限 11（状態数 `2^{121} < 2^{128}` が `u128` に収まる）。
///
/// `L = 12` は `2^{144}` 状態で `u128` に収まらないので、[`Error::TooManySpins`] を返す。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::lattice::density::{ExactDensity, MAX_TRANSFER_SIDE}, Error};
///
/// assert_eq!(MAX_TRANSFER_SIDE, 11);
/// assert_eq!(ExactDensity::transfer_matrix(12), Err(Error::TooManySpins { n: 144, max: 121 }));
/// ```
pub const MAX_TRANSFER_SIDE: usize = 11;

/// 整数のエネルギー `E` ごとの状態の数 `g(E)`（`u128`）と、そこから厳密に求まる量。
///
/// 状態数は整数で丸めがないので、`ln Z`・平均・分散・交換の受理率は `f64` の丸め誤差（相対 `ε` の数倍）しか持たない。
/// 逆温度 `β` は `exp(−βE)` の `β` で、`β > 0` かつ有限でなければならない。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::density::ExactDensity;
///
/// // 3 × 3 のトーラス: 基底状態 2 個、1 スピンを反転した 2·9 = 18 個（4 本の結合が切れて ΔE = 8）
/// let g = ExactDensity::transfer_matrix(3)?;
/// assert_eq!(&g.levels()[..2], &[(-18, 2), (-10, 18)]);
/// assert_eq!(g.n_states(), 512);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactDensity {
    /// `(E, g(E))`、`E` の昇順、`g > 0`。
    levels: Vec<(i64, u128)>,
    n_states: u128,
}

impl From<&DensityOfStates> for ExactDensity {
    fn from(g: &DensityOfStates) -> Self {
        let levels: Vec<(i64, u128)> = g
            .levels()
            .into_iter()
            .map(|(e, n)| (e, u128::from(n)))
            .collect();
        let n_states = levels.iter().map(|&(_, n)| n).sum();
        Self { levels, n_states }
    }
}

impl ExactDensity {
    /// 準位の並び `(E, g(E))` から作る。
    ///
    /// # Errors
    ///
    /// 空なら [`Error::EmptyInput`]、`E` が狭義の昇順でない・`g(E) = 0` なら [`Error::InvalidParameter`]、
    /// 状態数の和が `u128` を超えれば [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::lattice::density::ExactDensity, Error};
    ///
    /// let g = ExactDensity::from_levels(vec![(-1, 1), (1, 1)])?; // 1 スピンの場 h = 1
    /// assert!((g.log_z(0.5)? - (2.0 * 0.5f64.cosh()).ln()).abs() < 1e-15);
    /// assert!(matches!(ExactDensity::from_levels(vec![(1, 1), (-1, 1)]), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(ExactDensity::from_levels(vec![(0, 0)]), Err(Error::InvalidParameter { .. })));
    /// assert_eq!(ExactDensity::from_levels(vec![]), Err(Error::EmptyInput));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_levels(levels: Vec<(i64, u128)>) -> Result<Self> {
        if levels.is_empty() {
            return Err(Error::EmptyInput);
        }
        if let Some(w) = levels.windows(2).find(|w| w[0].0 >= w[1].0) {
            return Err(Error::InvalidParameter {
                name: "準位のエネルギー E",
                value: w[1].0 as f64,
                requirement: "狭義の昇順",
            });
        }
        if let Some(&(e, _)) = levels.iter().find(|&&(_, n)| n == 0) {
            return Err(Error::InvalidParameter {
                name: "状態の数 g(E) が 0 の準位の E",
                value: e as f64,
                requirement: "g(E) ≥ 1（状態のない準位は並べない）",
            });
        }
        let n_states = levels
            .iter()
            .try_fold(0u128, |s, &(_, n)| s.checked_add(n))
            .ok_or(Error::Overflow {
                what: "状態数の和"
            })?;
        Ok(Self { levels, n_states })
    }

    /// `L × L` トーラスの強磁性体（`J = 1`、`E = −Σ_{⟨ij⟩} s_i s_j`）の状態密度を転送行列で数える（モジュールの説明）。
    ///
    /// `L ≤ 4` では [`DensityOfStates::enumerate`] と、`L ≥ 5` では `ln Z` が Kaufman の式と一致することを
    /// `tests/exchange.rs` で確かめる（`L = 11` も一度だけ Kaufman の式と `1e-16` の程度で一致することを確かめた）。
    /// テストのビルド（`opt-level = 1`）で `L = 8` は 0.02 秒、`L = 10` は 0.5 秒、`L = 11` は 2.4 秒かかる。
    ///
    /// # Errors
    ///
    /// `L = 0` なら [`Error::InvalidParameter`]、`L > MAX_TRANSFER_SIDE` なら [`Error::TooManySpins`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{density::ExactDensity, DensityOfStates};
    ///
    /// let tm = ExactDensity::transfer_matrix(4)?;
    /// assert_eq!(tm, ExactDensity::from(&DensityOfStates::enumerate(4)?));
    /// // 6 × 6: 全部で 2^36 状態、E ↔ −E の対称（偶数の L では副格子の反転）
    /// let g = ExactDensity::transfer_matrix(6)?;
    /// assert_eq!(g.n_states(), 1 << 36);
    /// assert_eq!(g.degeneracy(-72 + 8), 72); // 1 スピンの反転 N 個 × 基底状態 2 個
    /// assert_eq!(g.degeneracy(-40), g.degeneracy(40));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn transfer_matrix(side: usize) -> Result<Self> {
        check_side(side, MAX_TRANSFER_SIDE, || Error::TooManySpins {
            n: side.saturating_mul(side),
            max: MAX_TRANSFER_SIDE * MAX_TRANSFER_SIDE,
        })?;
        let counts = transfer_counts(side);
        let n = (side * side) as i64;
        let levels: Vec<(i64, u128)> = counts
            .iter()
            .enumerate()
            .filter(|&(_, &g)| g > 0)
            .map(|(b, &g)| (2 * b as i64 - 2 * n, g))
            .collect();
        Self::from_levels(levels)
    }

    /// 準位 `(E, g(E))`（`E` の昇順、`g(E) ≥ 1`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::density::ExactDensity;
    ///
    /// // 2 × 2（隣どうしを 2 本ずつ結ぶ）: E = −8, 0, 8 に 2, 12, 2 状態
    /// assert_eq!(ExactDensity::transfer_matrix(2)?.levels(), &[(-8, 2), (0, 12), (8, 2)]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn levels(&self) -> &[(i64, u128)] {
        &self.levels
    }

    /// エネルギー `E` の状態の数 `g(E)`（準位がなければ 0）。
    ///
    /// # Examples
    ///
    /// ```
    /// let g = genmodel::boltzmann::lattice::density::ExactDensity::transfer_matrix(3)?;
    /// assert_eq!((g.degeneracy(-18), g.degeneracy(-17), g.degeneracy(1000)), (2, 0, 0));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn degeneracy(&self, energy: i64) -> u128 {
        self.levels
            .binary_search_by_key(&energy, |&(e, _)| e)
            .map_or(0, |i| self.levels[i].1)
    }

    /// 状態の総数 `Σ_E g(E)`。
    ///
    /// # Examples
    ///
    /// ```
    /// let g = genmodel::boltzmann::lattice::density::ExactDensity::transfer_matrix(10)?;
    /// assert_eq!(g.n_states(), 1u128 << 100);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_states(&self) -> u128 {
        self.n_states
    }

    /// 最も低いエネルギー（基底状態のエネルギー）。
    ///
    /// # Examples
    ///
    /// ```
    /// let g = genmodel::boltzmann::lattice::density::ExactDensity::transfer_matrix(5)?;
    /// assert_eq!(g.ground_energy(), -50);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ground_energy(&self) -> i64 {
        self.levels[0].0
    }

    /// 準位ごとの `ln p_β(E) = ln g(E) − βE − ln Z(β)`（[`ExactDensity::levels`] の順）。
    ///
    /// 基底状態と最も重い準位を基準にずらしてから指数をとるので、どの `β` でもあふれない（重みの小さい準位は `−∞` になりうる）。
    ///
    /// # Errors
    ///
    /// `β` が有限でなければ [`Error::NonFinite`]、`β ≤ 0` なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// let g = genmodel::boltzmann::lattice::density::ExactDensity::transfer_matrix(2)?;
    /// let lp = g.log_probabilities(0.1)?;
    /// let z = 2.0 * 0.8f64.exp() + 12.0 + 2.0 * (-0.8f64).exp();
    /// assert!((lp[1] - (12.0 / z).ln()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_probabilities(&self, beta: f64) -> Result<Vec<f64>> {
        let (shifted, log_total, _) = self.shifted_log_weights(beta)?;
        Ok(shifted.iter().map(|w| w - log_total).collect())
    }

    /// 準位の対数の重み `w_k = ln g(E_k) − β(E_k − E_0) − top`（`≤ 0`）と `ln Σ_k e^{w_k}` と `top`。
    ///
    /// 基底状態のエネルギー `E_0` からの差 `E_k − E_0 ≥ 0` で重みを作るので、どの `β` でも `+∞` にならない。
    /// 差は `u64` でとる（`E_0 = i64::MIN`、`E_k = i64::MAX` の差は `i64` であふれる）。
    fn shifted_log_weights(&self, beta: f64) -> Result<(Vec<f64>, f64, f64)> {
        check_beta(beta)?;
        let e0 = self.ground_energy();
        let raw: Vec<f64> = self
            .levels
            .iter()
            .map(|&(e, g)| (g as f64).ln() - beta * e.abs_diff(e0) as f64)
            .collect();
        let top = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let shifted: Vec<f64> = raw.iter().map(|w| w - top).collect();
        let total: f64 = shifted.iter().map(|w| w.exp()).sum();
        Ok((shifted, total.ln(), top))
    }

    /// `ln Z(β) = ln Σ_E g(E) e^{−βE}`。
    ///
    /// # Errors
    ///
    /// [`ExactDensity::log_probabilities`] と同じ。`ln Z` が `f64` で表せなければ [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{density::ExactDensity, kaufman, K_C};
    ///
    /// let g = ExactDensity::transfer_matrix(6)?;
    /// let (a, b) = (g.log_z(K_C)?, kaufman::log_z(6, K_C)?);
    /// assert!((a - b).abs() < 1e-13 * b);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self, beta: f64) -> Result<f64> {
        let (_, log_total, top) = self.shifted_log_weights(beta)?;
        let e0 = self.ground_energy() as f64;
        finite_scalar("ln Z", -beta * e0 + top + log_total)
    }

    /// 平均のエネルギー `⟨E⟩_β` と分散 `⟨(E − ⟨E⟩)²⟩_β`（比熱は `C = β² Var(E)`）。
    ///
    /// # Errors
    ///
    /// [`ExactDensity::log_probabilities`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{density::ExactDensity, kaufman};
    ///
    /// let g = ExactDensity::transfer_matrix(5)?;
    /// let (mean, var) = g.energy_moments(0.4)?;
    /// let t = kaufman::thermodynamics(5, 0.4)?;
    /// assert!((mean / 25.0 - t.energy_per_spin()).abs() < 1e-12);
    /// assert!((0.16 * var / 25.0 - t.specific_heat_per_spin()).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy_moments(&self, beta: f64) -> Result<(f64, f64)> {
        let lp = self.log_probabilities(beta)?;
        let p: Vec<f64> = lp.iter().map(|v| v.exp()).collect();
        let mean: f64 = p
            .iter()
            .zip(&self.levels)
            .map(|(p, &(e, _))| p * e as f64)
            .sum();
        let var: f64 = p
            .iter()
            .zip(&self.levels)
            .map(|(p, &(e, _))| p * (e as f64 - mean).powi(2))
            .sum();
        Ok((mean, var))
    }

    /// 比熱 `C(β) = β² Var_β(E)`（系全体。1 スピンあたりにはスピン数で割る）。
    ///
    /// `β > 1.3e154` では `β²` が `∞` になり、`Var = 0`（基底状態だけ）との積が NaN になるので、そのときは `β · (β Var)` の順に掛ける。
    ///
    /// # Errors
    ///
    /// [`ExactDensity::log_probabilities`] と同じ。`C` が `f64` で表せなければ [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{density::ExactDensity, kaufman, K_C};
    ///
    /// let c = ExactDensity::transfer_matrix(8)?.specific_heat(K_C)?;
    /// assert!((c / 64.0 - kaufman::thermodynamics(8, K_C)?.specific_heat_per_spin()).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn specific_heat(&self, beta: f64) -> Result<f64> {
        let (_, var) = self.energy_moments(beta)?;
        let c = beta * beta * var;
        let c = if c.is_finite() {
            c
        } else {
            beta * (beta * var)
        };
        finite_scalar("比熱 C", c)
    }

    /// 交換の受理率の対数 `ln A(β_a, β_b)`（モジュールの説明の式。引数の順によらない）。
    ///
    /// 累積分布 `F_a` も和も対数空間でとるので、`A` が `f64` の最小の数より小さくても対数は有限である。
    ///
    /// # Errors
    ///
    /// どちらかの `β` が有限でなければ [`Error::NonFinite`]、`β ≤ 0` なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// let g = genmodel::boltzmann::lattice::density::ExactDensity::transfer_matrix(4)?;
    /// assert!(g.log_swap_acceptance(0.4, 0.4)?.abs() < 1e-15);
    /// // β_b → ∞ では冷たい側は基底状態 E_0 にいて、受理率は熱い側が基底状態にいる確率 p_a(E_0) に近づく
    /// // （タイでも受け入れる。2^16 状態のうち 2 個なので、熱い側が高温なら 1e-4 の程度）
    /// let p0 = g.log_probabilities(0.01)?[0];
    /// assert!((g.log_swap_acceptance(0.01, 50.0)? - p0).abs() < 1e-12);
    /// assert!(p0 < -9.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_swap_acceptance(&self, beta_a: f64, beta_b: f64) -> Result<f64> {
        let (hot, cold) = if beta_a <= beta_b {
            (beta_a, beta_b)
        } else {
            (beta_b, beta_a)
        };
        let lp_hot = self.log_probabilities(hot)?;
        let lp_cold = self.log_probabilities(cold)?;
        // ln F_hot(E_{k−1}) と ln F_hot(E_k) を累積しながら、ln p_cold(E_k) + ln(F_{k−1} + F_k) を足す
        let mut log_f_prev = f64::NEG_INFINITY;
        let mut terms = Vec::with_capacity(lp_hot.len());
        for (&lh, &lc) in lp_hot.iter().zip(&lp_cold) {
            let log_f = log_add(log_f_prev, lh);
            terms.push(lc + log_add(log_f_prev, log_f));
            log_f_prev = log_f;
        }
        let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = terms.iter().map(|t| (t - top).exp()).sum();
        Ok((top + sum.ln()).min(0.0))
    }

    /// 交換の受理率 `A(β_a, β_b) = P(E_b ≥ E_a) + P(E_b > E_a)`（`β_a < β_b`。引数の順によらない）。
    ///
    /// # Errors
    ///
    /// [`ExactDensity::log_swap_acceptance`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::density::ExactDensity;
    ///
    /// // 2 準位（E = ∓1、縮退なし）: 定義 Σ p_a(E) p_b(E') min(1, e^{(β_b−β_a)(E'−E)}) を直接書いて比べる
    /// let g = ExactDensity::from_levels(vec![(-1, 1), (1, 1)])?;
    /// let (a, b) = (0.3f64, 1.1f64);
    /// let p = |beta: f64, e: f64| (-beta * e).exp() / (2.0 * beta.cosh());
    /// let mut want = 0.0;
    /// for e in [-1.0, 1.0] {
    ///     for e2 in [-1.0, 1.0] {
    ///         want += p(a, e) * p(b, e2) * ((b - a) * (e2 - e)).exp().min(1.0);
    ///     }
    /// }
    /// assert!((g.swap_acceptance(a, b)? - want).abs() < 1e-15);
    /// assert_eq!(g.swap_acceptance(a, b)?, g.swap_acceptance(b, a)?);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn swap_acceptance(&self, beta_a: f64, beta_b: f64) -> Result<f64> {
        Ok(self.log_swap_acceptance(beta_a, beta_b)?.exp())
    }
}

/// `ln(e^a + e^b)`（`−∞` を許す）。
fn log_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if hi == f64::NEG_INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

/// 逆温度 `β` が有限で正であることを確かめる。
pub(crate) fn check_beta(beta: f64) -> Result<()> {
    if !beta.is_finite() {
        return Err(Error::NonFinite {
            what: "逆温度 β",
            index: 0,
        });
    }
    if beta <= 0.0 {
        return Err(Error::InvalidParameter {
            name: "逆温度 β",
            value: beta,
            requirement: "正",
        });
    }
    Ok(())
}

/// 切れた結合の数 `b = 0, …, 2L²` ごとの状態の数（転送行列。モジュールの説明）。
fn transfer_counts(side: usize) -> Vec<u128> {
    let n_rows = 1usize << side;
    let mask = n_rows - 1;
    let rotate = |s: usize| ((s << 1) | (s >> (side - 1))) & mask;
    let row_breaks: Vec<usize> = (0..n_rows)
        .map(|s| (s ^ rotate(s)).count_ones() as usize)
        .collect();
    let max_row_breaks = row_breaks.iter().copied().max().unwrap_or(0);
    let stride = 2 * side * side + 1;
    let mut total = vec![0u128; stride];
    let mut v = vec![0u128; n_rows * stride];
    for (s0, weight) in row_orbits(side) {
        v.fill(0);
        v[s0 * stride + row_breaks[s0]] = 1;
        // hi: 多項式の次数の上限（これより上の係数は 0）
        let mut hi = row_breaks[s0];
        for _ in 1..side {
            apply_vertical(&mut v, side, stride, &mut hi);
            for (t, &h) in row_breaks.iter().enumerate() {
                if h > 0 {
                    let poly = &mut v[t * stride..(t + 1) * stride];
                    poly.copy_within(0..=hi, h);
                    poly[..h].fill(0);
                }
            }
            hi += max_row_breaks;
        }
        // 最後の行と最初の行 σ_0 の結合で閉じる: (V v)_{σ_0} の成分だけ
        for t in 0..n_rows {
            let d = (t ^ s0).count_ones() as usize;
            let poly = &v[t * stride..t * stride + hi + 1];
            for (k, &c) in poly.iter().enumerate() {
                total[k + d] += weight * c;
            }
        }
    }
    total
}

/// `v ← V v`、`V = ⊗_{列} [[1, x], [x, 1]]`: 列ごとのバタフライ `(a, b) ↦ (a + x b, b + x a)`。
fn apply_vertical(v: &mut [u128], side: usize, stride: usize, hi: &mut usize) {
    let n_rows = 1usize << side;
    for p in 0..side {
        let bit = 1usize << p;
        let len = *hi + 2;
        for base in (0..n_rows).step_by(2 * bit) {
            for t in base..base + bit {
                let (lower, upper) = v.split_at_mut((t | bit) * stride);
                let a = &mut lower[t * stride..t * stride + len];
                let b = &mut upper[..len];
                // 上の次数から順に書き換えれば、使う a[k−1]・b[k−1] はまだ古い値
                for k in (1..len).rev() {
                    let (ak, bk) = (a[k - 1], b[k - 1]);
                    a[k] += bk;
                    b[k] += ak;
                }
            }
        }
        *hi += 1;
    }
}

/// 行の配置 `σ` の、列の並進・反転と全スピンの反転による軌道の代表（最小の番号）と軌道の大きさ。
fn row_orbits(side: usize) -> Vec<(usize, u128)> {
    let n_rows = 1usize << side;
    let mask = n_rows - 1;
    let rotate = |s: usize| ((s << 1) | (s >> (side - 1))) & mask;
    let reverse = |s: usize| s.reverse_bits() >> (usize::BITS as usize - side);
    let mut size = vec![0u128; n_rows];
    for s in 0..n_rows {
        let mut rep = s;
        for start in [s, reverse(s)] {
            let mut t = start;
            for _ in 0..side {
                rep = rep.min(t).min(t ^ mask);
                t = rotate(t);
            }
        }
        size[rep] += 1;
    }
    size.into_iter()
        .enumerate()
        .filter(|&(_, n)| n > 0)
        .collect()
}
