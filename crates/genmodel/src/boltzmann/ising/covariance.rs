//! 十分統計量の共分散 `Cov_θ(φ)`: KL 情報量 (2.27) のヘッセ行列（式 (2.40a)、§2.6）。
//!
//! 全 `2^N` 状態を列挙し、平均を先に求めてから偏差の積を足す 2 段の計算で求める。

use super::model::{Ising, n_params_unchecked};
use crate::error::Result;
use crate::linalg::SymmetricMatrix;
use ndarray::Array2;

/// [`Ising::statistics_covariance`]（ヘッセ行列）が扱うスピン数の上限。
///
/// パラメータは `M = N(N+1)/2` 個で、共分散の計算は `O(2^N M²)`。`N = 14` で約 `1.8 × 10⁸` 回の積和。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::{Ising, MAX_COVARIANCE_SPINS}, Error};
///
/// let m = Ising::zeros(MAX_COVARIANCE_SPINS + 1)?;
/// assert!(matches!(m.statistics_covariance(), Err(Error::TooManySpins { .. })));
/// # Ok::<(), Error>(())
/// ```
pub const MAX_COVARIANCE_SPINS: usize = 14;

/// 状態の番号から `φ(x)` を `phi` に書く（検査なし）。
fn fill_statistics(state: usize, n: usize, phi: &mut [f64]) {
    for (k, p) in phi.iter_mut().enumerate().take(n) {
        *p = if (state >> k) & 1 == 1 { -1.0 } else { 1.0 };
    }
    let mut idx = n;
    for k in 0..n {
        let xk = phi[k];
        for l in k + 1..n {
            phi[idx] = xk * phi[l];
            idx += 1;
        }
    }
}

impl Ising {
    /// 十分統計量の共分散 `Cov_θ(φ)`。KL 情報量 (2.27) の `θ = (h, J)` についてのヘッセ行列（式 (2.40a)）である。
    ///
    /// `D = −H(p0) − θ·φ̄ + ln Z_θ` で、`θ` に 1 次の項はヘッセ行列に効かず、
    /// `∂² ln Z / ∂θ_i ∂θ_j = ⟨φ_i φ_j⟩ − ⟨φ_i⟩⟨φ_j⟩`。平均を先に求める 2 段の計算で、
    /// ほぼ決定的な分布でも桁落ちを避ける。
    ///
    /// # Errors
    ///
    /// `N > MAX_COVARIANCE_SPINS` なら [`Error::TooManySpins`](crate::Error::TooManySpins)、
    /// `Σ|θ| > MAX_ENUMERATION_L1` なら [`Error::InvalidParameter`](crate::Error::InvalidParameter)。固有値分解
    /// （[`SymmetricMatrix::new`]、faer）が収束しなければ [`Error::IllConditioned`](crate::Error::IllConditioned)。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array};
    ///
    /// // 1 スピン: Var(x) = 1 − tanh² h
    /// let c = Ising::new(array![0.4], array![])?.statistics_covariance()?;
    /// assert!((c.get(0, 0).unwrap() - (1.0 - 0.4f64.tanh().powi(2))).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn statistics_covariance(&self) -> Result<SymmetricMatrix> {
        self.ensure_enumerable(MAX_COVARIANCE_SPINS)?;
        let n = self.n;
        let p = n_params_unchecked(n);
        let e = self.all_exponents();
        let mx = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = e.iter().map(|v| (v - mx).exp()).collect();
        let z: f64 = w.iter().sum();
        let mut phi = vec![0.0f64; p];
        let mut mean = vec![0.0f64; p];
        for (s, &ws) in w.iter().enumerate() {
            fill_statistics(s, n, &mut phi);
            for (m, f) in mean.iter_mut().zip(&phi) {
                *m += ws * f;
            }
        }
        for m in &mut mean {
            *m /= z;
        }
        let mut cov = vec![0.0f64; p * p];
        for (s, &ws) in w.iter().enumerate() {
            fill_statistics(s, n, &mut phi);
            for (f, m) in phi.iter_mut().zip(&mean) {
                *f -= m;
            }
            for i in 0..p {
                let wi = ws * phi[i];
                let row = &mut cov[i * p..(i + 1) * p];
                for (c, f) in row[i..].iter_mut().zip(&phi[i..]) {
                    *c += wi * f;
                }
            }
        }
        // 上三角だけを足し込んだので、(i, j) と (j, i) の両方に上三角の値を置く
        SymmetricMatrix::new(Array2::from_shape_fn((p, p), |(i, j)| {
            cov[i.min(j) * p + i.max(j)] / z
        }))
    }
}
