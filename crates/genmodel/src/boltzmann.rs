//! 有限個の状態の上のボルツマン分布 `q(x) = exp(-E(x)) / Z`（式 (2.1)–(2.2)、§2）。

use crate::categorical::Categorical;
use crate::error::{Error, Result, ensure_finite};
use crate::logspace::log_sum_exp;

/// 状態 `x = 0, …, K-1` のエネルギー `E(x)` で決まるボルツマン分布。
///
/// - 式 (2.1): `q(x) = exp(-E(x)) / Z`
/// - 式 (2.2): `Z = Σ_x exp(-E(x))`
///
/// `Z` そのものは `E` が数百を超えると `f64` であふれる（`exp(710)` で ∞）ので、
/// `ln Z` を log-sum-exp で持ち、`q(x) = exp(-E(x) - ln Z)` と計算する。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::Boltzmann;
///
/// // E = (0, ln 3) なら exp(-E) = (1, 1/3)、Z = 4/3、q = (3/4, 1/4)
/// let q = Boltzmann::new(vec![0.0, 3f64.ln()])?;
/// assert!((q.log_z() - (4.0f64 / 3.0).ln()).abs() < 1e-15);
/// assert!((q.probability(1).unwrap() - 0.25).abs() < 1e-15);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Boltzmann {
    energies: Vec<f64>,
    log_z: f64,
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
    /// use genmodel::{boltzmann::Boltzmann, Error};
    ///
    /// assert_eq!(Boltzmann::new(vec![]), Err(Error::EmptyInput));
    /// assert!(matches!(Boltzmann::new(vec![0.0, f64::NAN]), Err(Error::NonFinite { index: 1, .. })));
    /// ```
    pub fn new(energies: Vec<f64>) -> Result<Self> {
        if energies.is_empty() {
            return Err(Error::EmptyInput);
        }
        ensure_finite("エネルギー", &energies)?;
        let neg: Vec<f64> = energies.iter().map(|e| -e).collect();
        let log_z = log_sum_exp(&neg);
        Ok(Self { energies, log_z })
    }

    /// 規格化定数の対数 `ln Z`（式 (2.2)）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::Boltzmann;
    ///
    /// // 2 状態・エネルギー 0 なら Z = 2
    /// assert_eq!(Boltzmann::new(vec![0.0, 0.0])?.log_z(), 2f64.ln());
    /// // Z = 2 exp(1000) はあふれるが ln Z は求まる
    /// assert!((Boltzmann::new(vec![-1000.0, -1000.0])?.log_z() - (1000.0 + 2f64.ln())).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self) -> f64 {
        self.log_z
    }

    /// エネルギーの表。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::Boltzmann;
    ///
    /// assert_eq!(Boltzmann::new(vec![1.0, 2.0])?.energies(), &[1.0, 2.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energies(&self) -> &[f64] {
        &self.energies
    }

    /// `ln q(x) = -E(x) - ln Z`。状態が範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::Boltzmann;
    ///
    /// let q = Boltzmann::new(vec![0.0, 0.0])?;
    /// assert_eq!(q.log_probability(0), Some(-(2f64.ln())));
    /// assert_eq!(q.log_probability(2), None);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_probability(&self, x: usize) -> Option<f64> {
        self.energies.get(x).map(|e| -e - self.log_z)
    }

    /// `q(x)`（式 (2.1)）。状態が範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::Boltzmann;
    ///
    /// let q = Boltzmann::new(vec![0.0, 0.0, 0.0, 0.0])?;
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
    /// use genmodel::boltzmann::Boltzmann;
    ///
    /// let q = Boltzmann::new(vec![0.0, 2f64.ln()])?.distribution();
    /// assert!((q.probabilities()[0] - 2.0 / 3.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn distribution(&self) -> Categorical {
        // 各 exp(-E - ln Z) ≤ 1 で、和は丸め誤差の範囲で 1。
        let p: Vec<f64> = self
            .energies
            .iter()
            .map(|e| (-e - self.log_z).exp())
            .collect();
        Categorical::from_weights(&p).expect("exp(-E - ln Z) は有限・非負で和が正")
    }
}
