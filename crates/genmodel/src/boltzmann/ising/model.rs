//! Ising モデル `q_θ(x) = exp(θ·φ(x)) / Z_θ`（式 (2.25)）とエネルギー (2.25a)、パラメータの並び。

use super::{ensure_spin_values, ensure_spins};
use crate::error::{Error, Result, ensure_finite};
use ndarray::{Array1, ArrayView1, AsArray, Axis, Ix1};

/// モデルを作れるスピン数の上限（[`Ising::zeros`], [`Ising::from_params`]）。
///
/// 結合は `N(N−1)/2` 個あり、`N = 4096` で約 840 万個（67 MB）。これを超える大きさを
/// うっかり頼んでメモリを使い果たす代わりに、[`Error::TooManySpins`] を返す。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::{Ising, MAX_MODEL_SPINS}, Error};
///
/// assert!(matches!(Ising::zeros(MAX_MODEL_SPINS + 1), Err(Error::TooManySpins { .. })));
/// assert!(matches!(Ising::zeros(usize::MAX), Err(Error::TooManySpins { .. })));
/// ```
pub const MAX_MODEL_SPINS: usize = 4096;

/// `Σ|θ|` の上限。指数 `θ·φ(x)` は `|θ·φ| ≤ Σ|θ|` なので、これ以下なら途中の値があふれない。
const MAX_PARAM_L1: f64 = 1e100;

/// `N(N+1)/2` が `usize` に収まる最大の `N`（`(2N+1)² ≤ 8·usize::MAX + 1`）。
const MAX_PARAMS_SPINS: usize = ((8 * (usize::MAX as u128) + 1).isqrt() - 1) as usize / 2;

/// パラメータの数 `M = N + N(N−1)/2 = N(N+1)/2`（式 (2.25) の `h` と `J` の個数）。
///
/// # Errors
///
/// `N(N+1)/2` が `usize` に収まらない（64 ビットでは `N > 6 074 000 999`）なら [`Error::TooManySpins`]。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::n_params, Error};
///
/// assert_eq!(n_params(4)?, 10);
/// assert_eq!(n_params(0)?, 0);
/// assert!(matches!(n_params(usize::MAX), Err(Error::TooManySpins { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn n_params(n: usize) -> Result<usize> {
    ensure_spins(n, MAX_PARAMS_SPINS)?;
    Ok(n_params_unchecked(n))
}

/// [`n_params`] を、あふれないと分かっている `n`（`n ≤ MAX_PARAMS_SPINS`）で求める。
/// 偶数の因子を先に半分にするので、`N(N+1)` があふれても `N(N+1)/2` が収まれば正しい。
pub(super) fn n_params_unchecked(n: usize) -> usize {
    if n % 2 == 0 {
        (n / 2) * (n + 1)
    } else {
        n * n.div_ceil(2)
    }
}

/// 対 `(k, l)`（`k ≠ l`、順不同）の、結合の並び `J_12, J_13, …` の中での位置（0 始まり）。
///
/// `k == l`、`max(k, l) ≥ n` なら `None`。位置が `usize` に収まらないほど大きな `n` でも `None`。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::ising::pair_index;
///
/// // N = 3: J_01, J_02, J_12 の順
/// assert_eq!(pair_index(3, 0, 2), Some(1));
/// assert_eq!(pair_index(3, 2, 1), Some(2));
/// assert_eq!(pair_index(3, 1, 1), None);
/// assert_eq!(pair_index(3, 0, 3), None);
/// // 大きな n でも位置は正確（k = 1 の前に J_{0,l} が n − 1 個ある）
/// assert_eq!(pair_index(usize::MAX, 1, 2), Some(usize::MAX - 1));
/// ```
pub fn pair_index(n: usize, k: usize, l: usize) -> Option<usize> {
    let (k, l) = if k < l { (k, l) } else { (l, k) };
    if k == l || l >= n {
        return None;
    }
    // k(2n − k − 1)/2 + (l − k − 1) を u128 で。2 つの因子のうち偶数の方を先に半分にするので
    // 積は 2^128 未満に収まる
    let (k128, n128) = (k as u128, n as u128);
    let b = 2 * n128 - k128 - 1;
    let head = if k % 2 == 0 {
        (k128 / 2) * b
    } else {
        k128 * (b / 2)
    };
    let index = head.checked_add((l - k - 1) as u128)?;
    usize::try_from(index).ok()
}

/// 対 `(k, l)`（`k < l`）を結合の並びの順に返す（`N(N−1)/2` 個）。
///
/// # Examples
///
/// ```
/// let p: Vec<_> = genmodel::boltzmann::ising::pairs(3).collect();
/// assert_eq!(p, vec![(0, 1), (0, 2), (1, 2)]);
/// assert_eq!(genmodel::boltzmann::ising::pairs(1).count(), 0);
/// ```
pub fn pairs(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).flat_map(move |k| (k + 1..n).map(move |l| (k, l)))
}

/// 状態の番号 `s` からスピン配置を作る（第 `k` ビットが 1 ⇔ `x_k = −1`）。
///
/// # Errors
///
/// - `n == 0`: [`Error::EmptyInput`]
/// - `n` が `usize` のビット数を超える: [`Error::TooManySpins`]
/// - `s ≥ 2^n`（`n` 個のスピンでは表せない番号。上位のビットを黙って捨てない）: [`Error::StateOutOfRange`]
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::spins_of_state, ndarray::array, Error};
///
/// assert_eq!(spins_of_state(0b101, 3)?, array![-1, 1, -1]);
/// assert_eq!(spins_of_state(5, 2), Err(Error::StateOutOfRange { state: 5, n_states: 4 }));
/// assert!(matches!(spins_of_state(0, usize::BITS as usize + 1), Err(Error::TooManySpins { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn spins_of_state(state: usize, n: usize) -> Result<Array1<i8>> {
    if n == 0 {
        return Err(Error::EmptyInput);
    }
    let bits = usize::BITS as usize;
    ensure_spins(n, bits)?;
    if n < bits && state >> n != 0 {
        return Err(Error::StateOutOfRange {
            state,
            n_states: 1 << n,
        });
    }
    Ok(Array1::from_shape_fn(n, |k| {
        if (state >> k) & 1 == 1 { -1 } else { 1 }
    }))
}

/// 十分統計量 `φ(x) = (x_1, …, x_N, x_1x_2, …, x_{N−1}x_N)`。`θ·φ(x)` が式 (2.25) の指数になる。
///
/// # Errors
///
/// 空なら [`Error::EmptyInput`]、`N > MAX_MODEL_SPINS` なら [`Error::TooManySpins`]、
/// `±1` 以外の値は [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::sufficient_statistics, ndarray::array};
///
/// assert_eq!(sufficient_statistics(&[1, -1, -1])?, array![1.0, -1.0, -1.0, -1.0, -1.0, 1.0]);
/// assert!(sufficient_statistics(&[1, 0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn sufficient_statistics<'a>(x: impl AsArray<'a, i8, Ix1>) -> Result<Array1<f64>> {
    let x: ArrayView1<'a, i8> = x.into();
    if x.is_empty() {
        return Err(Error::EmptyInput);
    }
    let n = x.len();
    ensure_spins(n, MAX_MODEL_SPINS)?;
    ensure_spin_values(x.iter())?;
    let mut phi = Vec::with_capacity(n_params_unchecked(n));
    phi.extend(x.iter().map(|&v| f64::from(v)));
    phi.extend(pairs(n).map(|(k, l)| f64::from(x[k] * x[l])));
    Ok(Array1::from(phi))
}

/// Ising 型のボルツマンマシン（式 (2.25)）。
///
/// `q_θ(x) = exp(Σ_{k<l} J_kl x_k x_l + Σ_k h_k x_k) / Z_θ`。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array};
///
/// // 1 スピン: Z = 2 cosh h、⟨x⟩ = tanh h
/// let m = Ising::new(array![0.3], array![])?.exact()?;
/// assert!((m.log_z() - (2.0 * 0.3f64.cosh()).ln()).abs() < 1e-15);
/// assert!((m.means()[0] - 0.3f64.tanh()).abs() < 1e-15);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ising {
    pub(super) n: usize,
    pub(super) h: Array1<f64>,
    pub(super) j: Array1<f64>,
}

impl Ising {
    /// 場 `h`（長さ `N`）と結合 `J`（長さ `N(N−1)/2`、[`pairs`] の順）からモデルを作る。
    ///
    /// # Errors
    ///
    /// - `h` が空: [`Error::EmptyInput`]
    /// - `N > MAX_MODEL_SPINS`: [`Error::TooManySpins`]
    /// - `J` の長さが `N(N−1)/2` でない: [`Error::DimensionMismatch`]
    /// - NaN・±∞: [`Error::NonFinite`]
    /// - `Σ|θ| > 1e100`（指数があふれうる）: [`Error::InvalidParameter`]
    ///
    /// 全状態を列挙する計算（[`Ising::exact`] など）は、精度を保つためにさらに
    /// `Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4` を求める（[`super::MAX_ENUMERATION_L1`]）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, Error};
    ///
    /// assert!(Ising::new(array![0.0, 0.0], array![1.0]).is_ok());
    /// assert_eq!(
    ///     Ising::new(array![0.0, 0.0], array![]),
    ///     Err(Error::DimensionMismatch { expected: 1, actual: 0 })
    /// );
    /// assert!(matches!(Ising::new(array![f64::NAN], array![]), Err(Error::NonFinite { .. })));
    /// assert!(matches!(Ising::new(array![1e300], array![]), Err(Error::InvalidParameter { .. })));
    /// ```
    pub fn new(h: Array1<f64>, j: Array1<f64>) -> Result<Self> {
        let n = h.len();
        if n == 0 {
            return Err(Error::EmptyInput);
        }
        ensure_spins(n, MAX_MODEL_SPINS)?;
        let np = n * (n - 1) / 2;
        if j.len() != np {
            return Err(Error::DimensionMismatch {
                expected: np,
                actual: j.len(),
            });
        }
        ensure_finite("場 h", h.iter().copied())?;
        ensure_finite("結合 J", j.iter().copied())?;
        let l1: f64 = h.iter().chain(j.iter()).map(|v| v.abs()).sum();
        if l1.is_nan() || l1 > MAX_PARAM_L1 {
            return Err(Error::InvalidParameter {
                name: "Σ|θ|",
                value: l1,
                requirement: "1e100 以下",
            });
        }
        Ok(Self { n, h, j })
    }

    /// すべてのパラメータが 0 のモデル（一様分布）。
    ///
    /// # Errors
    ///
    /// `n == 0` なら [`Error::EmptyInput`]、`n > MAX_MODEL_SPINS` なら [`Error::TooManySpins`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::ising::Ising;
    ///
    /// let m = Ising::zeros(3)?;
    /// assert!((m.log_z()? - 3.0 * 2f64.ln()).abs() < 1e-15);
    /// assert!(Ising::zeros(0).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn zeros(n: usize) -> Result<Self> {
        ensure_spins(n, MAX_MODEL_SPINS)?;
        Self::new(Array1::zeros(n), Array1::zeros(n.saturating_sub(1) * n / 2))
    }

    /// パラメータのベクトル `θ = (h, J)`（長さ `N(N+1)/2`）からモデルを作る。
    ///
    /// # Errors
    ///
    /// `n > MAX_MODEL_SPINS` なら [`Error::TooManySpins`]（長さより先に判定する）、
    /// 長さが合わなければ [`Error::DimensionMismatch`]。ほかは [`Ising::new`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::ising::Ising;
    ///
    /// let m = Ising::from_params(2, &[0.1, 0.2, 0.5])?;
    /// assert_eq!(m.coupling(1, 0), Some(0.5));
    /// assert!(Ising::from_params(2, &[0.1, 0.2]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_params<'a>(n: usize, theta: impl AsArray<'a, f64, Ix1>) -> Result<Self> {
        let theta: ArrayView1<'a, f64> = theta.into();
        ensure_spins(n, MAX_MODEL_SPINS)?;
        let p = n_params_unchecked(n);
        if theta.len() != p {
            return Err(Error::DimensionMismatch {
                expected: p,
                actual: theta.len(),
            });
        }
        let (h, j) = theta.split_at(Axis(0), n);
        Self::new(h.to_owned(), j.to_owned())
    }

    /// スピン数 `N`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::boltzmann::ising::Ising::zeros(5)?.n_spins(), 5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_spins(&self) -> usize {
        self.n
    }

    /// 場 `h_k`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array};
    ///
    /// assert_eq!(Ising::new(array![0.5], array![])?.fields(), array![0.5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn fields(&self) -> ArrayView1<'_, f64> {
        self.h.view()
    }

    /// 結合 `J_kl`（[`pairs`] の順）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array};
    ///
    /// let m = Ising::new(array![0.0, 0.0, 0.0], array![1.0, 2.0, 3.0])?;
    /// assert_eq!(m.couplings(), array![1.0, 2.0, 3.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn couplings(&self) -> ArrayView1<'_, f64> {
        self.j.view()
    }

    /// 結合 `J_kl`（順不同）。`k == l` や範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array};
    ///
    /// let m = Ising::new(array![0.0, 0.0, 0.0], array![1.0, 2.0, 3.0])?;
    /// assert_eq!(m.coupling(2, 1), Some(3.0));
    /// assert_eq!(m.coupling(1, 1), None);
    /// assert_eq!(m.coupling(0, 3), None);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn coupling(&self, k: usize, l: usize) -> Option<f64> {
        pair_index(self.n, k, l).map(|i| self.j[i])
    }

    /// パラメータのベクトル `θ = (h, J)`（長さ `N(N+1)/2`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array};
    ///
    /// let m = Ising::new(array![0.1, 0.2], array![0.3])?;
    /// assert_eq!(m.params(), array![0.1, 0.2, 0.3]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn params(&self) -> Array1<f64> {
        self.h.iter().chain(self.j.iter()).copied().collect()
    }

    /// エネルギー `E_θ(x) = −(Σ_{k<l} J_kl x_k x_l + Σ_k h_k x_k)`（式 (2.25a)）。
    ///
    /// 式 (2.25) を式 (2.1) の形 `exp(−E)/Z` に読むと、エネルギーは指数の符号を変えたものになる。
    /// `Σ|θ| ≤ 1e100` なので、値は常に有限である。
    ///
    /// # Errors
    ///
    /// 長さが `N` でなければ [`Error::DimensionMismatch`]、`±1` 以外は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array};
    ///
    /// // 強磁性の結合 J > 0 では、そろった配置のエネルギーが低い
    /// let m = Ising::new(array![0.0, 0.0], array![1.0])?;
    /// assert_eq!(m.energy(&[1, 1])?, -1.0);
    /// assert_eq!(m.energy(&[1, -1])?, 1.0);
    /// assert!(m.energy(&[1]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy<'a>(&self, x: impl AsArray<'a, i8, Ix1>) -> Result<f64> {
        let x: ArrayView1<'a, i8> = x.into();
        if x.len() != self.n {
            return Err(Error::DimensionMismatch {
                expected: self.n,
                actual: x.len(),
            });
        }
        let phi = sufficient_statistics(x)?;
        Ok(-self
            .h
            .iter()
            .chain(self.j.iter())
            .zip(phi.iter())
            .map(|(t, p)| t * p)
            .sum::<f64>())
    }

    /// `J` を対称な `N × N` 行列（対角 0、行優先）に広げる。
    pub(super) fn dense_couplings(&self) -> Vec<f64> {
        let n = self.n;
        let mut jm = vec![0.0; n * n];
        for ((k, l), &v) in pairs(n).zip(self.j.iter()) {
            jm[k * n + l] = v;
            jm[l * n + k] = v;
        }
        jm
    }
}
