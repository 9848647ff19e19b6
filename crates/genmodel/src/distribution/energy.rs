//! 有限個の状態の上のボルツマン分布 `q(x) = exp(-E(x)) / Z`（式 (2.1)–(2.2)、§2）。

use super::Categorical;
use crate::error::{Error, Result, ensure_finite};
use crate::logspace::log_sum_exp;
use ndarray::{Array1, ArrayView1};

/// 状態 `x = 0, …, K-1` のエネルギー `E(x)` で決まるボルツマン分布。
///
/// - 式 (2.1): `q(x) = exp(-E(x)) / Z`
/// - 式 (2.2): `Z = Σ_x exp(-E(x))`
///
/// `Z` そのものは `E` が数百を超えると `f64` であふれる（`exp(710)` で ∞）ので、
/// `ln Z` を log-sum-exp で持つ。確率は最小のエネルギー `E_min` からの差で
/// `q(x) = exp(-(E(x) - E_min)) / Σ_y exp(-(E(y) - E_min))` と計算するので、
/// `E` の絶対値が `1e17` のように大きくても（`-E - ln Z` の引き算で桁が消えずに）正しい。
///
/// # Examples
///
/// ```
/// use genmodel::{distribution::Boltzmann, ndarray::array};
///
/// // E = (0, ln 3) なら exp(-E) = (1, 1/3)、Z = 4/3、q = (3/4, 1/4)
/// let q = Boltzmann::new(array![0.0, 3f64.ln()])?;
/// assert!((q.log_z() - (4.0f64 / 3.0).ln()).abs() < 1e-15);
/// assert!((q.probability(1).unwrap() - 0.25).abs() < 1e-15);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Boltzmann {
    energies: Array1<f64>,
    /// `E_min`。
    e_min: f64,
    /// `ln Σ_x exp(-(E(x) - E_min))`（`[0, ln K]` に入る）。
    log_z_shifted: f64,
}

impl Boltzmann {
    /// エネルギーの表から分布を作る。
    ///
    /// # Errors
    ///
    /// 空なら [`Error::EmptyInput`]、NaN・±∞ を含めば [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::Boltzmann, ndarray::{array, Array1}, Error};
    ///
    /// assert_eq!(Boltzmann::new(Array1::zeros(0)), Err(Error::EmptyInput));
    /// assert!(matches!(Boltzmann::new(array![0.0, f64::NAN]), Err(Error::NonFinite { index: 1, .. })));
    /// // エネルギーが大きくても確率の和は 1
    /// let q = Boltzmann::new(array![-1e17, -1e17])?;
    /// assert_eq!(q.probability(0), Some(0.5));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(energies: Array1<f64>) -> Result<Self> {
        if energies.is_empty() {
            return Err(Error::EmptyInput);
        }
        ensure_finite("エネルギー", energies.iter().copied())?;
        let e_min = energies.fold(f64::INFINITY, |m, &e| m.min(e));
        let log_z_shifted = log_sum_exp(&energies.mapv(|e| -(e - e_min)))?;
        Ok(Self {
            energies,
            e_min,
            log_z_shifted,
        })
    }

    /// 規格化定数の対数 `ln Z = -E_min + ln Σ_x exp(-(E(x) - E_min))`（式 (2.2)）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::Boltzmann, ndarray::array};
    ///
    /// // 2 状態・エネルギー 0 なら Z = 2
    /// assert_eq!(Boltzmann::new(array![0.0, 0.0])?.log_z(), 2f64.ln());
    /// // Z = 2 exp(1000) はあふれるが ln Z は求まる
    /// assert!((Boltzmann::new(array![-1000.0, -1000.0])?.log_z() - (1000.0 + 2f64.ln())).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self) -> f64 {
        -self.e_min + self.log_z_shifted
    }

    /// エネルギーの表。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::Boltzmann, ndarray::array};
    ///
    /// assert_eq!(Boltzmann::new(array![1.0, 2.0])?.energies(), array![1.0, 2.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energies(&self) -> ArrayView1<'_, f64> {
        self.energies.view()
    }

    /// `ln q(x) = -(E(x) - E_min) - ln Σ_y exp(-(E(y) - E_min))`（`= -E(x) - ln Z`）。状態が範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::Boltzmann, ndarray::array};
    ///
    /// let q = Boltzmann::new(array![0.0, 0.0])?;
    /// assert_eq!(q.log_probability(0), Some(-(2f64.ln())));
    /// assert_eq!(q.log_probability(2), None);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_probability(&self, x: usize) -> Option<f64> {
        self.energies
            .get(x)
            .map(|e| -(e - self.e_min) - self.log_z_shifted)
    }

    /// `q(x)`（式 (2.1)）。状態が範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::Boltzmann, ndarray::array};
    ///
    /// let q = Boltzmann::new(array![0.0, 0.0, 0.0, 0.0])?;
    /// assert_eq!(q.probability(3), Some(0.25));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn probability(&self, x: usize) -> Option<f64> {
        self.log_probability(x).map(f64::exp)
    }

    /// 全状態の確率を並べた確率ベクトル。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::Boltzmann, ndarray::array};
    ///
    /// let q = Boltzmann::new(array![0.0, 2f64.ln()])?.distribution();
    /// assert!((q.probabilities()[0] - 2.0 / 3.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn distribution(&self) -> Categorical {
        // 重み exp(-(E - E_min)) は (0, 1] にあり、最小エネルギーの状態で 1 なので和は正
        Categorical::from_unit_max_weights(self.energies.mapv(|e| (-(e - self.e_min)).exp()))
    }
}
