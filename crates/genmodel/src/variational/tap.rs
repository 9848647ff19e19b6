//! TAP 方程式（Thouless–Anderson–Palmer 1977、式 (7.8)–(7.9)、第 7 章）。
//!
//! 平均場の自由エネルギーを結合について 2 次まで展開し（Plefka 1982）、Onsager の反作用項を足す。
//!
//! - 式 (7.8): `m_k = tanh(h_k + Σ_l J_kl m_l − m_k Σ_l J_kl² (1 − m_l²))`
//! - 式 (7.9): `F_TAP(m) = F_MF(m) − ½ Σ_{k<l} J_kl² (1 − m_k²)(1 − m_l²)`
//!
//! (7.8) は (7.9) の停留点の条件である。`F_TAP` は `−ln Z` の上界ではない（2 次で打ち切った近似）。
//! 結合が強いと反復が収束しないことがあり、そのときは [`Error::NotConverged`] を返す。

use super::{FixedPoint, check_magnetisations, coupling_matrix, mean_field};
use crate::boltzmann::ising::Ising;
use crate::error::{Error, Result, finite_scalar};
use ndarray::{Array1, AsArray, Ix1};

/// TAP 方程式の解。
#[derive(Debug, Clone, PartialEq)]
pub struct Tap {
    m: Array1<f64>,
    free_energy: f64,
    iterations: usize,
}

impl Tap {
    /// 磁化 `m_k`（式 (7.8) の解）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, tap}};
    ///
    /// let t = tap::solve(&Ising::new(array![0.3, 0.0], array![0.2])?, &[0.0, 0.0], &FixedPoint::default())?;
    /// assert!(t.magnetisations()[0] > t.magnetisations()[1]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn magnetisations(&self) -> &Array1<f64> {
        &self.m
    }

    /// 解での `F_TAP(m)`（式 (7.9)）。`−F_TAP` が `ln Z` の近似。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, tap}};
    ///
    /// // 2 スピン、h = 0: F_TAP = −2 ln 2 − J²/2。厳密には −ln(4 cosh J) = −2 ln 2 − J²/2 + O(J⁴)
    /// let t = tap::solve(&Ising::new(array![0.0, 0.0], array![0.1])?, &[0.0, 0.0], &FixedPoint::default())?;
    /// assert!((t.free_energy() + 2.0 * 2f64.ln() + 0.005).abs() < 1e-15);
    /// assert!((t.free_energy() + (4.0 * 0.1f64.cosh()).ln()).abs() < 1e-5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn free_energy(&self) -> f64 {
        self.free_energy
    }

    /// 収束までの反復の回数。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, tap}};
    ///
    /// let t = tap::solve(&Ising::new(array![0.3], array![])?, &[0.0], &FixedPoint::default())?;
    /// assert!(t.iterations() > 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn iterations(&self) -> usize {
        self.iterations
    }
}

/// TAP 自由エネルギー `F_TAP(m)`（式 (7.9)）。
///
/// # Errors
///
/// `m` が不正: [`mean_field::free_energy`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{mean_field, tap}};
///
/// let model = Ising::new(array![0.1, 0.2], array![0.5])?;
/// let m = array![0.3, -0.4];
/// let want = mean_field::free_energy(&model, &m)? - 0.5 * 0.25 * 0.91 * 0.84;
/// assert!((tap::free_energy(&model, &m)? - want).abs() < 1e-15);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn free_energy<'a>(model: &Ising, m: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
    let m = check_magnetisations(model.n_spins(), m)?;
    let mf = mean_field::free_energy(model, m)?;
    let j = coupling_matrix(model);
    let s = m.mapv(|v| 1.0 - v * v);
    let onsager = 0.25 * s.dot(&(j.mapv(|v| v * v)).dot(&s));
    finite_scalar("F_TAP", mf - onsager)
}

/// 初期値 `start` から減衰つきの反復で TAP 方程式 (7.8) を解く（右辺の `m_k` には前の反復の値を使う）。
///
/// # Errors
///
/// - `start` が不正: [`free_energy`] と同じ
/// - 回数の上限 × `2N²` が [`crate::prec::MAX_CHAIN_WORK`] を超える: [`Error::TooLarge`]
/// - 収束しない: [`Error::NotConverged`]
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, tap}, Error};
///
/// let model = Ising::new(array![0.1, -0.1, 0.2], array![0.3, -0.2, 0.25])?;
/// let t = tap::solve(&model, &[0.0, 0.0, 0.0], &FixedPoint::default())?;
/// let mf = genmodel::variational::mean_field::solve(&model, &[0.0, 0.0, 0.0], &FixedPoint::default())?;
/// let exact = model.exact()?;
/// // 磁化の誤差の最大: TAP 0.0043、平均場 0.011
/// let err = |m: &genmodel::ndarray::Array1<f64>| (m - &exact.means()).mapv(f64::abs).fold(0.0, |a: f64, &b| a.max(b));
/// assert!(err(t.magnetisations()) < 0.005 && err(mf.magnetisations()) > 0.01);
/// let few = FixedPoint::new(0.5, 1e-12, 3)?;
/// assert!(matches!(tap::solve(&model, &[0.0, 0.0, 0.0], &few), Err(Error::NotConverged { .. })));
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn solve<'a>(model: &Ising, start: impl AsArray<'a, f64, Ix1>, fp: &FixedPoint) -> Result<Tap> {
    let start = check_magnetisations(model.n_spins(), start)?;
    let j = coupling_matrix(model);
    let j2 = j.mapv(|v| v * v);
    let h = model.fields().to_owned();
    let work = 2 * (model.n_spins() as u64).pow(2);
    let (m, iterations, _) = fp.iterate(start.to_owned(), work, |m| {
        let s = m.mapv(|v| 1.0 - v * v);
        let reaction = &j2.dot(&s) * m;
        (&h + &j.dot(m) - reaction).mapv(f64::tanh)
    })?;
    let free_energy = free_energy(model, &m)?;
    if !free_energy.is_finite() {
        return Err(Error::Overflow { what: "F_TAP" });
    }
    Ok(Tap {
        m,
        free_energy,
        iterations,
    })
}
