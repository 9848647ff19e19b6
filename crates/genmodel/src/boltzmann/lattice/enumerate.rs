//! 全 `2^{L²}` 状態の列挙による状態密度と熱力学量（`L ≤ 4`）。[`super::kaufman`] を確かめる基準。
//!
//! 結合の和 `n(s) = Σ_{⟨ij⟩} s_i s_j`（エネルギー `E = −n`、`J = 1`）ごとに状態の数 `g(E)` を数える。
//! 数は整数で厳密なので、どの温度でも
//!
//! - `Z = Σ_E g(E) e^{−KE}`
//! - `u = ⟨E⟩/N`、`c = K² (⟨E²⟩ − ⟨E⟩²)/N`
//!
//! を対数空間で求めれば、丸め誤差（相対 `ε` の数倍）しか入らない。分散は `⟨(E − ⟨E⟩)²⟩` と平均を引いてから
//! 2 乗してとるので、`⟨E²⟩ − ⟨E⟩²` の打ち消しもない。Kaufman の式とも、差分とも独立な計算である。

use super::{Thermodynamics, check_coupling, check_side};
use crate::error::{Error, Result, finite_scalar};

/// 列挙する一辺の長さ `L` の上限 4（`2^16 = 65536` 状態）。
///
/// 次の `L = 5` は `2^25 ≈ 3.4 × 10⁷` 状態で、デバッグビルドのテストでは遅すぎる。これを超えると
/// [`Error::TooManySpins`] を返す（大きい格子は [`super::kaufman`] で厳密に求まる）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::lattice::{DensityOfStates, MAX_ENUMERATION_SIDE}, Error};
///
/// assert!(DensityOfStates::enumerate(MAX_ENUMERATION_SIDE).is_ok());
/// assert_eq!(DensityOfStates::enumerate(5), Err(Error::TooManySpins { n: 25, max: 16 }));
/// ```
pub const MAX_ENUMERATION_SIDE: usize = 4;

/// `L × L` トーラスの状態密度 `g(E)`: エネルギー `E = −Σ_{⟨ij⟩} s_i s_j` をとる状態の数（`J = 1`）。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::DensityOfStates;
///
/// // 3 × 3: 基底状態 2 個（E = −18）、1 スピンを反転した 18 個（E = −10）、…
/// let g = DensityOfStates::enumerate(3)?;
/// assert_eq!(&g.levels()[..2], &[(-18, 2), (-10, 18)]);
/// assert_eq!(g.levels().iter().map(|&(_, n)| n).sum::<u64>(), 512);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DensityOfStates {
    side: usize,
    /// `counts[n + 2N]` が結合の和 `n`（`−2N ≤ n ≤ 2N`）をとる状態の数。
    counts: Vec<u64>,
}

impl DensityOfStates {
    /// 全 `2^{L²}` 状態を列挙して状態密度を数える。
    ///
    /// スピン `(i, j)`（`0 ≤ i, j < L`）を状態の番号の第 `iL + j` ビットに置き（1 なら `−1`）、
    /// 各スピンから右 `(i, j + 1 mod L)` と下 `(i + 1 mod L, j)` への `2L²` 本の結合を定義どおりに足す。
    ///
    /// # Errors
    ///
    /// `L = 0` なら [`Error::InvalidParameter`]、`L > MAX_ENUMERATION_SIDE` なら [`Error::TooManySpins`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::lattice::DensityOfStates, Error};
    ///
    /// // 1 × 1: 2 本の結合はどちらも自分自身への結合で、2 状態とも E = −2
    /// assert_eq!(DensityOfStates::enumerate(1)?.levels(), vec![(-2, 2)]);
    /// assert!(matches!(DensityOfStates::enumerate(0), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn enumerate(side: usize) -> Result<Self> {
        check_side(side, MAX_ENUMERATION_SIDE, || Error::TooManySpins {
            n: side.saturating_mul(side),
            max: MAX_ENUMERATION_SIDE * MAX_ENUMERATION_SIDE,
        })?;
        let n = side * side;
        let bonds: Vec<(usize, usize)> = (0..side)
            .flat_map(|i| (0..side).map(move |j| (i, j)))
            .flat_map(|(i, j)| {
                let site = i * side + j;
                [
                    (site, i * side + (j + 1) % side),
                    (site, ((i + 1) % side) * side + j),
                ]
            })
            .collect();
        let mut counts = vec![0u64; 4 * n + 1];
        for state in 0u32..(1u32 << n) {
            // 反対向きの結合（ビットが違う）の数 b から、和 n = 2N − 2b
            let broken = bonds
                .iter()
                .filter(|&&(a, b)| ((state >> a) ^ (state >> b)) & 1 == 1)
                .count();
            counts[4 * n - 2 * broken] += 1;
        }
        Ok(Self { side, counts })
    }

    /// 一辺の長さ `L`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::boltzmann::lattice::DensityOfStates::enumerate(2)?.side(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn side(&self) -> usize {
        self.side
    }

    /// エネルギー `E` をとる状態の数 `g(E)`（範囲の外は 0）。
    ///
    /// # Examples
    ///
    /// ```
    /// let g = genmodel::boltzmann::lattice::DensityOfStates::enumerate(4)?;
    /// // 基底状態 2 個、1 スピンの反転 16 × 2 = 32 個（4 本の結合が切れて ΔE = 8）
    /// assert_eq!((g.degeneracy(-32), g.degeneracy(-24), g.degeneracy(-30)), (2, 32, 0));
    /// assert_eq!(g.degeneracy(1000), 0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn degeneracy(&self, energy: i64) -> u64 {
        let offset = self.counts.len() as i64 / 2;
        usize::try_from(offset - energy)
            .ok()
            .and_then(|i| self.counts.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// 状態のあるエネルギーと状態の数の組 `(E, g(E))`（`E` の小さい順）。
    ///
    /// # Examples
    ///
    /// ```
    /// // 2 × 2（隣どうしを 2 本ずつ結ぶ）: E = −8, 0, 8 に 2, 12, 2 状態
    /// let g = genmodel::boltzmann::lattice::DensityOfStates::enumerate(2)?;
    /// assert_eq!(g.levels(), vec![(-8, 2), (0, 12), (8, 2)]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn levels(&self) -> Vec<(i64, u64)> {
        let offset = self.counts.len() as i64 / 2;
        self.counts
            .iter()
            .enumerate()
            .rev()
            .filter(|&(_, &g)| g > 0)
            .map(|(i, &g)| (offset - i as i64, g))
            .collect()
    }

    /// `ln Z = ln Σ_E g(E) e^{−KE}`。[`DensityOfStates::thermodynamics`] の一部。
    ///
    /// # Errors
    ///
    /// `K < MIN_COUPLING`（`K ≤ 0` を含む）なら [`Error::InvalidParameter`]、有限でなければ
    /// [`Error::NonFinite`]、`ln Z` があふれれば [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// // 2 × 2: Z = 2e^{8K} + 12 + 2e^{−8K}
    /// let g = genmodel::boltzmann::lattice::DensityOfStates::enumerate(2)?;
    /// let k = 0.3f64;
    /// let want = (2.0 * (8.0 * k).exp() + 12.0 + 2.0 * (-8.0 * k).exp()).ln();
    /// assert!((g.log_z(k)? - want).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self, coupling: f64) -> Result<f64> {
        Ok(self.thermodynamics(coupling)?.log_z())
    }

    /// `ln Z`、1 スピンあたりのエネルギー `u = ⟨E⟩/N` と比熱 `c = K²(⟨E²⟩ − ⟨E⟩²)/N`。
    ///
    /// 最も重い準位 `E_*` の重みで割った `w(E) = (g(E)/g(E_*)) e^{−K(E − E_*)} ≤ 1` を足し、
    /// `ln Z = ln g(E_*) − K E_* + ln Σ w`、平均と（平均を引いてからの）分散を `w` で求める。
    ///
    /// # Errors
    ///
    /// [`DensityOfStates::log_z`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// // 2 × 2 の比熱を ⟨E²⟩ − ⟨E⟩² の閉じた形と比べる
    /// let g = genmodel::boltzmann::lattice::DensityOfStates::enumerate(2)?;
    /// let k = 0.3f64;
    /// let z = 2.0 * (8.0 * k).exp() + 12.0 + 2.0 * (-8.0 * k).exp();
    /// let e1 = (-16.0 * (8.0 * k).exp() + 16.0 * (-8.0 * k).exp()) / z;
    /// let e2 = 128.0 * ((8.0 * k).exp() + (-8.0 * k).exp()) / z;
    /// let t = g.thermodynamics(k)?;
    /// assert!((t.energy_per_spin() - e1 / 4.0).abs() < 1e-15);
    /// assert!((t.specific_heat_per_spin() - k * k * (e2 - e1 * e1) / 4.0).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn thermodynamics(&self, coupling: f64) -> Result<Thermodynamics> {
        check_coupling(coupling)?;
        // 結合の和 n = −E ごとの指数 ln g + K n が最大の準位を基準にする
        let levels: Vec<(f64, f64)> = self
            .levels()
            .into_iter()
            .map(|(e, g)| (-e as f64, (g as f64).ln()))
            .collect();
        let &(n_ref, lg_ref) = levels
            .iter()
            .max_by(|a, b| (a.1 + coupling * a.0).total_cmp(&(b.1 + coupling * b.0)))
            .ok_or(Error::EmptyInput)?;
        let weights: Vec<(f64, f64)> = levels
            .iter()
            .map(|&(n, lg)| (n - n_ref, ((lg - lg_ref) + coupling * (n - n_ref)).exp()))
            .collect();
        let total: f64 = weights.iter().map(|&(_, w)| w).sum();
        let mean_shift = weights.iter().map(|&(dn, w)| w * dn).sum::<f64>() / total;
        let var = weights
            .iter()
            .map(|&(dn, w)| w * (dn - mean_shift).powi(2))
            .sum::<f64>()
            / total;
        let log_z = finite_scalar("ln Z", lg_ref + coupling * n_ref)? + total.ln();
        // d ln Z/dK = ⟨n⟩、d² ln Z/dK² = Var(n)
        Thermodynamics::from_derivatives(self.side, coupling, log_z, n_ref + mean_shift, var)
    }
}
