//! Ising 型のボルツマンマシン（式 (2.25)–(2.29)、§2.5）と、その KL 情報量の勾配・ヘッセ行列（§2.6）。
//!
//! 状態は `x ∈ {−1, 1}^N`、パラメータは
//! `θ = (h_1, …, h_N, J_12, J_13, …, J_1N, J_23, …, J_{N−1,N})`（対 `k < l` を 1 回ずつ、辞書順）。
//! 十分統計量を `φ(x) = (x_1, …, x_N, x_1x_2, x_1x_3, …, x_{N−1}x_N)` とおくと
//!
//! - 式 (2.25): `q_θ(x) = exp(θ·φ(x)) / Z_θ`、すなわちエネルギーは `E_θ(x) = −θ·φ(x)`（式 (2.25a)）
//! - 式 (2.26): `Z_θ = Σ_x exp(θ·φ(x))`
//! - 式 (2.27): `D(p0 ‖ q_θ) = −H(p0) − θ·φ̄ + ln Z_θ`（`φ̄` はデータでの平均）
//! - 式 (2.28)–(2.29): `∇_θ D = ⟨φ⟩_θ − φ̄`
//! - 式 (2.40a): `∇∇ᵀ D = Cov_θ(φ)`
//!
//! 状態の番号 `s ∈ [0, 2^N)` は「`s` の第 `k` ビットが 1 ⇔ `x_k = −1`」で決める。
//!
//! `ln Z` とモーメントは全 `2^N` 状態の列挙で厳密に求める。状態を Gray 符号の順にたどると、
//! 隣り合う状態は 1 スピンだけ違うので、エネルギーの差を局所場から `O(N)` で更新できる。
//! さらにスピンを「下位 12 個」と「残り」に分け、下位のブロックの `2^12` 状態をまとめて扱うと、
//! 1 状態あたりの仕事は指数関数 1 回と数回の加算になり、2 次モーメントも
//! 全状態で `O(N²)` の計算をせずに求まる（[`Ising::exact`] を参照）。

use crate::error::{Error, Result, ensure_finite};
use crate::linalg::{Mat, SymmetricMatrix};
use crate::surrogate::{self, Iterate, StepSize, StopRule, Trace};
use std::collections::HashMap;

/// [`Ising::exact`]（`ln Z` と 1・2 次モーメント）が扱うスピン数の上限。
///
/// `2^28 ≈ 2.7 × 10⁸` 状態で、リリースビルドなら数秒で終わる。これを超えると
/// 時間が 2 倍ずつ増えるので、黙って長く回る代わりに [`Error::TooManySpins`] を返す。
///
/// # Examples
///
/// ```
/// use genmodel::{ising::{Ising, MAX_SPINS}, Error};
///
/// let big = Ising::zeros(MAX_SPINS + 1)?;
/// assert_eq!(big.exact(), Err(Error::TooManySpins { n: MAX_SPINS + 1, max: MAX_SPINS }));
/// # Ok::<(), Error>(())
/// ```
pub const MAX_SPINS: usize = 28;

/// [`Ising::statistics_covariance`]（ヘッセ行列）が扱うスピン数の上限。
///
/// パラメータは `M = N(N+1)/2` 個で、共分散の計算は `O(2^N M²)`。`N = 14` で約 `1.8 × 10⁸` 回の積和。
///
/// # Examples
///
/// ```
/// use genmodel::{ising::{Ising, MAX_COVARIANCE_SPINS}, Error};
///
/// let m = Ising::zeros(MAX_COVARIANCE_SPINS + 1)?;
/// assert!(matches!(m.statistics_covariance(), Err(Error::TooManySpins { .. })));
/// # Ok::<(), Error>(())
/// ```
pub const MAX_COVARIANCE_SPINS: usize = 14;

/// [`Ising::sample`]（全状態の確率表による厳密なサンプリング）が扱うスピン数の上限（表は `2^N` 個の `f64`）。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::ising::MAX_SAMPLER_SPINS, 20);
/// ```
pub const MAX_SAMPLER_SPINS: usize = 20;

/// モデルを作れるスピン数の上限（[`Ising::zeros`], [`Ising::from_params`]）。
///
/// 結合は `N(N−1)/2` 個あり、`N = 4096` で約 840 万個（67 MB）。これを超える大きさを
/// うっかり頼んでメモリを使い果たす代わりに、[`Error::TooManySpins`] を返す。
///
/// # Examples
///
/// ```
/// use genmodel::{ising::{Ising, MAX_MODEL_SPINS}, Error};
///
/// assert!(matches!(Ising::zeros(MAX_MODEL_SPINS + 1), Err(Error::TooManySpins { .. })));
/// assert!(matches!(Ising::zeros(usize::MAX), Err(Error::TooManySpins { .. })));
/// ```
pub const MAX_MODEL_SPINS: usize = 4096;

/// まとめて扱う下位ブロックのスピン数。`2^12` 個の `f64`（32 KiB）は L1/L2 キャッシュに収まる。
const LOW_BLOCK: usize = 12;

/// `Σ|θ|` の上限。指数 `θ·φ(x)` は `|θ·φ| ≤ Σ|θ|` なので、これ以下なら途中の値があふれない。
const MAX_PARAM_L1: f64 = 1e100;

/// パラメータの数 `M = N + N(N−1)/2 = N(N+1)/2`。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::ising::n_params(4), 10);
/// ```
pub fn n_params(n: usize) -> usize {
    // あふれる大きさでは usize::MAX / 2 程度に飽和させる（そのような n は下の上限で断る）
    n.saturating_mul(n.saturating_add(1)) / 2
}

/// 対 `(k, l)`（`k ≠ l`、順不同）の、結合の並び `J_12, J_13, …` の中での位置。
///
/// # Examples
///
/// ```
/// use genmodel::ising::pair_index;
///
/// // N = 3: J_01, J_02, J_12 の順
/// assert_eq!(pair_index(3, 0, 2), Some(1));
/// assert_eq!(pair_index(3, 2, 1), Some(2));
/// assert_eq!(pair_index(3, 1, 1), None);
/// assert_eq!(pair_index(3, 0, 3), None);
/// ```
pub fn pair_index(n: usize, k: usize, l: usize) -> Option<usize> {
    let (k, l) = if k < l { (k, l) } else { (l, k) };
    (k != l && l < n).then(|| k * (2 * n - k - 1) / 2 + (l - k - 1))
}

/// 対 `(k, l)`（`k < l`）を結合の並びの順に返す。
///
/// # Examples
///
/// ```
/// let p: Vec<_> = genmodel::ising::pairs(3).collect();
/// assert_eq!(p, vec![(0, 1), (0, 2), (1, 2)]);
/// ```
pub fn pairs(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).flat_map(move |k| (k + 1..n).map(move |l| (k, l)))
}

/// 状態の番号 `s` からスピン配置を作る（第 `k` ビットが 1 ⇔ `x_k = −1`）。
///
/// # Errors
///
/// `n > 64` なら [`Error::TooManySpins`]（`u64` に収まらない）。
///
/// # Examples
///
/// ```
/// use genmodel::ising::spins_of_state;
///
/// assert_eq!(spins_of_state(0b101, 3)?, vec![-1, 1, -1]);
/// assert!(spins_of_state(0, 65).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn spins_of_state(state: u64, n: usize) -> Result<Vec<i8>> {
    ensure_spins(n, 64)?;
    Ok((0..n)
        .map(|k| if (state >> k) & 1 == 1 { -1 } else { 1 })
        .collect())
}

fn check_spins(x: &[i8]) -> Result<()> {
    match x.iter().find(|&&v| v != 1 && v != -1) {
        Some(&v) => Err(Error::InvalidParameter {
            name: "スピン",
            value: f64::from(v),
            requirement: "−1 か 1",
        }),
        None => Ok(()),
    }
}

/// 十分統計量 `φ(x) = (x_1, …, x_N, x_1x_2, …, x_{N−1}x_N)`。`θ·φ(x)` が式 (2.25) の指数になる。
///
/// # Errors
///
/// 空なら [`Error::EmptyInput`]、`±1` 以外の値は [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::ising::sufficient_statistics;
///
/// assert_eq!(sufficient_statistics(&[1, -1, -1])?, vec![1.0, -1.0, -1.0, -1.0, -1.0, 1.0]);
/// assert!(sufficient_statistics(&[1, 0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn sufficient_statistics(x: &[i8]) -> Result<Vec<f64>> {
    if x.is_empty() {
        return Err(Error::EmptyInput);
    }
    check_spins(x)?;
    let n = x.len();
    let mut phi = Vec::with_capacity(n_params(n));
    phi.extend(x.iter().map(|&v| f64::from(v)));
    phi.extend(pairs(n).map(|(k, l)| f64::from(x[k] * x[l])));
    Ok(phi)
}

/// 状態の番号から `φ(x)` を `phi` に書く（内部用、検査なし）。
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

/// Ising 型のボルツマンマシン（式 (2.25)）。
///
/// `q_θ(x) = exp(Σ_{k<l} J_kl x_k x_l + Σ_k h_k x_k) / Z_θ`。
///
/// # Examples
///
/// ```
/// use genmodel::ising::Ising;
///
/// // 1 スピン: Z = 2 cosh h、⟨x⟩ = tanh h
/// let m = Ising::new(vec![0.3], vec![])?.exact()?;
/// assert!((m.log_z() - (2.0 * 0.3f64.cosh()).ln()).abs() < 1e-15);
/// assert!((m.means()[0] - 0.3f64.tanh()).abs() < 1e-15);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ising {
    n: usize,
    h: Vec<f64>,
    j: Vec<f64>,
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
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ising::Ising, Error};
    ///
    /// assert!(Ising::new(vec![0.0, 0.0], vec![1.0]).is_ok());
    /// assert_eq!(
    ///     Ising::new(vec![0.0, 0.0], vec![]),
    ///     Err(Error::DimensionMismatch { expected: 1, actual: 0 })
    /// );
    /// assert!(Ising::new(vec![f64::NAN], vec![]).is_err());
    /// ```
    pub fn new(h: Vec<f64>, j: Vec<f64>) -> Result<Self> {
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
        ensure_finite("場 h", &h)?;
        ensure_finite("結合 J", &j)?;
        let l1: f64 = h.iter().chain(&j).map(|v| v.abs()).sum();
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
    /// use genmodel::ising::Ising;
    ///
    /// let m = Ising::zeros(3)?;
    /// assert!((m.log_z()? - 3.0 * 2f64.ln()).abs() < 1e-15);
    /// assert!(Ising::zeros(0).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn zeros(n: usize) -> Result<Self> {
        ensure_spins(n, MAX_MODEL_SPINS)?;
        Self::new(vec![0.0; n], vec![0.0; n.saturating_sub(1) * n / 2])
    }

    /// パラメータのベクトル `θ = (h, J)`（長さ `N(N+1)/2`）からモデルを作る。
    ///
    /// # Errors
    ///
    /// 長さが合わなければ [`Error::DimensionMismatch`]、`n > MAX_MODEL_SPINS` なら [`Error::TooManySpins`]。ほかは [`Ising::new`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::Ising;
    ///
    /// let m = Ising::from_params(2, &[0.1, 0.2, 0.5])?;
    /// assert_eq!(m.coupling(1, 0), Some(0.5));
    /// assert!(Ising::from_params(2, &[0.1, 0.2]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_params(n: usize, theta: &[f64]) -> Result<Self> {
        ensure_spins(n, MAX_MODEL_SPINS)?;
        if theta.len() != n_params(n) {
            return Err(Error::DimensionMismatch {
                expected: n_params(n),
                actual: theta.len(),
            });
        }
        Self::new(theta[..n].to_vec(), theta[n..].to_vec())
    }

    /// スピン数 `N`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::ising::Ising::zeros(5)?.n_spins(), 5);
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
    /// assert_eq!(genmodel::ising::Ising::new(vec![0.5], vec![])?.fields(), &[0.5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn fields(&self) -> &[f64] {
        &self.h
    }

    /// 結合 `J_kl`（[`pairs`] の順）。
    ///
    /// # Examples
    ///
    /// ```
    /// let m = genmodel::ising::Ising::new(vec![0.0; 3], vec![1.0, 2.0, 3.0])?;
    /// assert_eq!(m.couplings(), &[1.0, 2.0, 3.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn couplings(&self) -> &[f64] {
        &self.j
    }

    /// 結合 `J_kl`（順不同）。`k == l` や範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// let m = genmodel::ising::Ising::new(vec![0.0; 3], vec![1.0, 2.0, 3.0])?;
    /// assert_eq!(m.coupling(2, 1), Some(3.0));
    /// assert_eq!(m.coupling(1, 1), None);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn coupling(&self, k: usize, l: usize) -> Option<f64> {
        pair_index(self.n, k, l).map(|i| self.j[i])
    }

    /// パラメータのベクトル `θ = (h, J)`。
    ///
    /// # Examples
    ///
    /// ```
    /// let m = genmodel::ising::Ising::new(vec![0.1, 0.2], vec![0.3])?;
    /// assert_eq!(m.params(), vec![0.1, 0.2, 0.3]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn params(&self) -> Vec<f64> {
        self.h.iter().chain(&self.j).copied().collect()
    }

    /// エネルギー `E_θ(x) = −(Σ_{k<l} J_kl x_k x_l + Σ_k h_k x_k)`（式 (2.25a)）。
    ///
    /// 式 (2.25) を式 (2.1) の形 `exp(−E)/Z` に読むと、エネルギーは指数の符号を変えたものになる。
    ///
    /// # Errors
    ///
    /// 長さが `N` でなければ [`Error::DimensionMismatch`]、`±1` 以外は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::Ising;
    ///
    /// // 強磁性の結合 J > 0 では、そろった配置のエネルギーが低い
    /// let m = Ising::new(vec![0.0, 0.0], vec![1.0])?;
    /// assert_eq!(m.energy(&[1, 1])?, -1.0);
    /// assert_eq!(m.energy(&[1, -1])?, 1.0);
    /// assert!(m.energy(&[1]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy(&self, x: &[i8]) -> Result<f64> {
        if x.len() != self.n {
            return Err(Error::DimensionMismatch {
                expected: self.n,
                actual: x.len(),
            });
        }
        let phi = sufficient_statistics(x)?;
        Ok(-self
            .params()
            .iter()
            .zip(&phi)
            .map(|(t, p)| t * p)
            .sum::<f64>())
    }

    /// `J` を対称な `N × N` 行列（対角 0）に広げる。
    fn dense_couplings(&self) -> Vec<f64> {
        let n = self.n;
        let mut jm = vec![0.0; n * n];
        for ((k, l), &v) in pairs(n).zip(&self.j) {
            jm[k * n + l] = v;
            jm[l * n + k] = v;
        }
        jm
    }

    /// 式 (2.26) の `ln Z_θ`。[`Ising::exact`] の一部。
    ///
    /// # Errors
    ///
    /// `N > MAX_SPINS` なら [`Error::TooManySpins`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::Ising;
    ///
    /// // 2 スピン・h = 0: Z = 2·2 cosh J
    /// let lz = Ising::new(vec![0.0, 0.0], vec![0.7])?.log_z()?;
    /// assert!((lz - (4.0 * 0.7f64.cosh()).ln()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self) -> Result<f64> {
        Ok(self.exact()?.log_z)
    }

    /// 全 `2^N` 状態の列挙で、`ln Z`（式 (2.26)）と `⟨x_k⟩_θ`, `⟨x_k x_l⟩_θ`（式 (2.28)–(2.29) の右辺）を厳密に求める。
    ///
    /// 計算の組み立て（`N = m + r`、下位 `m = min(N, 12)` スピンを `b`、残り `r` スピンを `a` と書く）:
    ///
    /// 1. 下位ブロック内の結合の和 `B(b) = Σ_{k<l<m} J_kl x_k x_l` を Gray 符号の順にたどって表にする。
    /// 2. 上位の状態 `a` を Gray 符号の順にたどり、上位の指数 `S(a)` と、下位のスピンが感じる
    ///    有効場 `h^eff_j(a) = h_j + Σ_{k∈上位} J_jk x_k` を 1 スピンの反転ごとに `O(N)` で更新する。
    /// 3. 各 `a` で、`F(b) = Σ_j h^eff_j x_j(b)` を倍々に `O(2^m)` で作り、`w(a, b) = exp(S + B + F − R)` とする。
    ///    `R` はそれまでの指数の最大値で、増えたら溜めた和を `exp(R_old − R_new)` 倍する（流れる log-sum-exp）。
    /// 4. `Σ_b w x_j` は「ビット `j` が立つ半分の和」を半分ずつ畳んで `O(2^m)` で全 `j` について求める。
    ///    上位どうし・上位と下位の 2 次モーメントは `a` ごとに `O(N²)`、下位どうしは
    ///    `u(b) = Σ_a w(a, b)` から最後に 1 回だけ求める。
    ///
    /// 1 状態あたりの仕事は指数関数 1 回と数回の加算なので、`N = 20` はリリースビルドで数十ミリ秒で終わる。
    ///
    /// # Errors
    ///
    /// `N > MAX_SPINS` なら [`Error::TooManySpins`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::Ising;
    ///
    /// // 開いた鎖 x0 − x1 − x2、h = 0: ⟨x0 x2⟩ = tanh J01 · tanh J12
    /// let m = Ising::new(vec![0.0; 3], vec![0.5, 0.0, -0.8])?.exact()?;
    /// let want = 0.5f64.tanh() * (-0.8f64).tanh();
    /// assert!((m.correlation(0, 2).unwrap() - want).abs() < 1e-15);
    /// assert!(m.means().iter().all(|v| v.abs() < 1e-15));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn exact(&self) -> Result<Moments> {
        ensure_spins(self.n, MAX_SPINS)?;
        Ok(self.enumerate())
    }

    fn enumerate(&self) -> Moments {
        let n = self.n;
        let jm = self.dense_couplings();
        let m = n.min(LOW_BLOCK);
        let r = n - m;
        let nb = 1usize << m;
        let base = gray_code_table(&jm, n, m, &[]);

        // 上位ブロックの状態（最初は全部 +1）
        let mut xh = vec![1.0f64; r];
        let hj = |a: usize, b: usize| jm[a * n + b];
        let mut loc_h: Vec<f64> = (0..r)
            .map(|i| {
                self.h[m + i]
                    + (0..r)
                        .filter(|&k| k != i)
                        .map(|k| hj(m + i, m + k))
                        .sum::<f64>()
            })
            .collect();
        let mut s_h: f64 = (0..r).map(|i| self.h[m + i]).sum::<f64>()
            + (0..r)
                .flat_map(|i| (i + 1..r).map(move |k| (i, k)))
                .map(|(i, k)| hj(m + i, m + k))
                .sum::<f64>();
        let mut heff: Vec<f64> = (0..m)
            .map(|j| self.h[j] + (0..r).map(|k| hj(j, m + k)).sum::<f64>())
            .collect();

        let mut buf = vec![0.0f64; nb];
        let mut u = vec![0.0f64; nb];
        let mut fold = vec![0.0f64; m];
        let mut z = 0.0f64;
        let mut reference = f64::NEG_INFINITY;
        let mut mean_h = vec![0.0f64; r];
        let mut c_hh = vec![0.0f64; r * r];
        let mut c_hl = vec![0.0f64; r * m];

        for t in 0..(1usize << r) {
            if t > 0 {
                // Gray 符号: t 回目にはビット trailing_zeros(t) を反転する
                let i = t.trailing_zeros() as usize;
                let xi = xh[i];
                s_h -= 2.0 * xi * loc_h[i];
                for (k, lk) in loc_h.iter_mut().enumerate() {
                    if k != i {
                        *lk -= 2.0 * hj(m + i, m + k) * xi;
                    }
                }
                for (j, he) in heff.iter_mut().enumerate() {
                    *he -= 2.0 * hj(m + i, j) * xi;
                }
                xh[i] = -xi;
            }
            // F(b) = Σ_j h^eff_j x_j(b) を倍々に作る
            buf[0] = heff.iter().sum();
            for (j, he) in heff.iter().enumerate() {
                let d = -2.0 * he;
                let half = 1usize << j;
                let (lo, hi) = buf.split_at_mut(half);
                for (dst, src) in hi[..half].iter_mut().zip(lo.iter()) {
                    *dst = src + d;
                }
            }
            let mut mx = f64::NEG_INFINITY;
            for (e, b) in buf.iter_mut().zip(&base) {
                *e += b + s_h;
                mx = mx.max(*e);
            }
            if mx > reference {
                let scale = (reference - mx).exp();
                z *= scale;
                for v in mean_h
                    .iter_mut()
                    .chain(c_hh.iter_mut())
                    .chain(c_hl.iter_mut())
                    .chain(u.iter_mut())
                {
                    *v *= scale;
                }
                reference = mx;
            }
            let mut wsum = 0.0f64;
            for (e, uu) in buf.iter_mut().zip(u.iter_mut()) {
                let w = (*e - reference).exp();
                *e = w;
                *uu += w;
                wsum += w;
            }
            half_sums(&mut buf, &mut fold);
            z += wsum;
            for k in 0..r {
                let wk = wsum * xh[k];
                mean_h[k] += wk;
                for l in k + 1..r {
                    c_hh[k * r + l] += wk * xh[l];
                }
                for (j, f) in fold.iter().enumerate() {
                    // Σ_b w(a,b) x_j(b) = wsum − 2 Σ_{b: ビット j が 1} w
                    c_hl[k * m + j] += xh[k] * (wsum - 2.0 * f);
                }
            }
        }

        // 下位ブロック: u(b) = Σ_a w(a, b) から
        let mut c_ll = vec![0.0f64; m * m];
        let mut xs = vec![0.0f64; m];
        for (b, &ub) in u.iter().enumerate() {
            for (j, x) in xs.iter_mut().enumerate() {
                *x = if (b >> j) & 1 == 1 { -ub } else { ub };
            }
            for j in 0..m {
                let sj = if (b >> j) & 1 == 1 { -1.0 } else { 1.0 };
                for l in j + 1..m {
                    c_ll[j * m + l] += sj * xs[l];
                }
            }
        }
        half_sums(&mut u, &mut fold);
        let mut means = Vec::with_capacity(n);
        means.extend(fold.iter().map(|f| (z - 2.0 * f) / z));
        means.extend(mean_h.iter().map(|v| v / z));
        let correlations = pairs(n)
            .map(|(k, l)| {
                let s = if l < m {
                    c_ll[k * m + l]
                } else if k < m {
                    c_hl[(l - m) * m + k]
                } else {
                    c_hh[(k - m) * r + (l - m)]
                };
                s / z
            })
            .collect();
        Moments {
            n,
            log_z: reference + z.ln(),
            means,
            correlations,
        }
    }

    /// 全状態の指数 `θ·φ(x)` を状態の番号の順に並べる（Gray 符号で `O(N)` ずつ更新）。
    fn all_exponents(&self) -> Vec<f64> {
        gray_code_table(&self.dense_couplings(), self.n, self.n, &self.h)
    }

    /// 十分統計量の共分散 `Cov_θ(φ)`。KL 情報量 (2.27) の `θ = (h, J)` についてのヘッセ行列（式 (2.40a)）である。
    ///
    /// `D = −H(p0) − θ·φ̄ + ln Z_θ` で、`θ` に 1 次の項はヘッセ行列に効かず、
    /// `∂² ln Z / ∂θ_i ∂θ_j = ⟨φ_i φ_j⟩ − ⟨φ_i⟩⟨φ_j⟩`。平均を先に求める 2 段の計算で、
    /// ほぼ決定的な分布でも桁落ちを避ける。
    ///
    /// # Errors
    ///
    /// `N > MAX_COVARIANCE_SPINS` なら [`Error::TooManySpins`]。固有値分解
    /// （[`SymmetricMatrix::new`]、faer）が収束しなければ [`Error::IllConditioned`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::Ising;
    ///
    /// // 1 スピン: Var(x) = 1 − tanh² h
    /// let c = Ising::new(vec![0.4], vec![])?.statistics_covariance()?;
    /// assert!((c.get(0, 0).unwrap() - (1.0 - 0.4f64.tanh().powi(2))).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn statistics_covariance(&self) -> Result<SymmetricMatrix> {
        ensure_spins(self.n, MAX_COVARIANCE_SPINS)?;
        let n = self.n;
        let p = n_params(n);
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
        SymmetricMatrix::new(Mat::from_fn(p, p, |i, j| cov[i.min(j) * p + i.max(j)] / z))
    }

    /// モデル `q_θ` から、全状態の確率表を使って `count` 個のスピン配置を独立に引く。
    ///
    /// # Errors
    ///
    /// - `N > MAX_SAMPLER_SPINS`: [`Error::TooManySpins`]
    /// - `count == 0`: [`Error::EmptyInput`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::Ising;
    /// use rand::SeedableRng;
    ///
    /// // 強い正の場 h = 5 では、ほぼすべて x = +1（確率 1 − 4.5e-5）
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    /// let data = Ising::new(vec![5.0], vec![])?.sample(&mut rng, 100)?;
    /// assert_eq!(data.len(), 100);
    /// assert!(data.statistics()[0] > 0.9);
    /// assert!(Ising::zeros(2)?.sample(&mut rng, 0).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sample<R: rand::Rng>(&self, rng: &mut R, count: usize) -> Result<SpinData> {
        ensure_spins(self.n, MAX_SAMPLER_SPINS)?;
        if count == 0 {
            return Err(Error::EmptyInput);
        }
        let e = self.all_exponents();
        let mx = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut cum = Vec::with_capacity(e.len());
        let mut acc = 0.0f64;
        for v in &e {
            acc += (v - mx).exp();
            cum.push(acc);
        }
        let mut spins = Vec::with_capacity(count * self.n);
        for _ in 0..count {
            let t = rng.random::<f64>() * acc;
            let s = cum.partition_point(|&c| c <= t).min(cum.len() - 1);
            spins.extend(spins_of_state(s as u64, self.n)?);
        }
        Ok(SpinData { n: self.n, spins })
    }
}

/// 最初の `m` 個のスピンだけの指数 `Σ_{k<l<m} J_kl x_k x_l + Σ_{k<m} h_k x_k` を、
/// 全 `2^m` 状態について状態の番号の順に並べる。`h` が空なら場の項は 0 とする。
///
/// 状態を Gray 符号の順にたどると、隣の状態とはスピンが 1 つ（`x_i`）だけ違う。
/// その局所場 `loc_i = h_i + Σ_{k≠i} J_ik x_k` を持っておけば、反転による変化は
/// `−2 x_i loc_i` で、他の局所場の更新は `O(m)` で済む。
fn gray_code_table(jm: &[f64], n: usize, m: usize, h: &[f64]) -> Vec<f64> {
    let field = |i: usize| h.get(i).copied().unwrap_or(0.0);
    let mut table = vec![0.0f64; 1usize << m];
    let mut x = vec![1.0f64; m];
    let mut loc: Vec<f64> = (0..m)
        .map(|i| {
            field(i)
                + (0..m)
                    .filter(|&k| k != i)
                    .map(|k| jm[i * n + k])
                    .sum::<f64>()
        })
        .collect();
    // すべて +1 の状態（番号 0）の値
    let mut s: f64 = (0..m).map(field).sum::<f64>()
        + (0..m)
            .flat_map(|i| (i + 1..m).map(move |k| (i, k)))
            .map(|(i, k)| jm[i * n + k])
            .sum::<f64>();
    table[0] = s;
    let mut g = 0usize;
    for t in 1..table.len() {
        let i = t.trailing_zeros() as usize;
        let xi = x[i];
        s -= 2.0 * xi * loc[i];
        for k in 0..m {
            if k != i {
                loc[k] -= 2.0 * jm[i * n + k] * xi;
            }
        }
        x[i] = -xi;
        g ^= 1 << i;
        table[g] = s;
    }
    table
}

/// `buf`（長さ `2^m`）を半分ずつ畳み、`out[j] = Σ_{b: ビット j が 1} buf[b]` を求める。`buf` は壊れる。
fn half_sums(buf: &mut [f64], out: &mut [f64]) {
    let mut len = buf.len();
    for j in (0..out.len()).rev() {
        let half = len / 2;
        let (lo, hi) = buf[..len].split_at_mut(half);
        let mut s = 0.0f64;
        for (a, b) in lo.iter_mut().zip(hi.iter()) {
            s += b;
            *a += b;
        }
        out[j] = s;
        len = half;
    }
}

/// [`Ising::exact`] の結果: `ln Z` と、モデルでの平均 `⟨x_k⟩_θ`、`⟨x_k x_l⟩_θ`。
///
/// # Examples
///
/// ```
/// use genmodel::ising::Ising;
///
/// let m = Ising::new(vec![0.2, -0.1], vec![0.3])?.exact()?;
/// assert_eq!(m.statistics().len(), 3);
/// assert_eq!(m.correlation(1, 1), Some(1.0));
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    n: usize,
    log_z: f64,
    means: Vec<f64>,
    correlations: Vec<f64>,
}

impl Moments {
    /// `ln Z_θ`（式 (2.26)）。
    ///
    /// # Examples
    ///
    /// ```
    /// let m = genmodel::ising::Ising::zeros(2)?.exact()?;
    /// assert!((m.log_z() - 4f64.ln()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self) -> f64 {
        self.log_z
    }

    /// `⟨x_k⟩_θ`（式 (2.28)）。
    ///
    /// # Examples
    ///
    /// ```
    /// let m = genmodel::ising::Ising::new(vec![1.0, -1.0], vec![0.0])?.exact()?;
    /// assert!((m.means()[1] + 1f64.tanh()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn means(&self) -> &[f64] {
        &self.means
    }

    /// `⟨x_k x_l⟩_θ`（式 (2.29)、[`pairs`] の順）。
    ///
    /// # Examples
    ///
    /// ```
    /// let m = genmodel::ising::Ising::new(vec![0.0, 0.0], vec![2.0])?.exact()?;
    /// assert!((m.correlations()[0] - 2f64.tanh()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn correlations(&self) -> &[f64] {
        &self.correlations
    }

    /// `⟨x_k x_l⟩_θ`（順不同、`k == l` なら `x_k² = 1`）。範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// let m = genmodel::ising::Ising::zeros(2)?.exact()?;
    /// assert_eq!(m.correlation(0, 0), Some(1.0));
    /// assert_eq!(m.correlation(0, 2), None);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn correlation(&self, k: usize, l: usize) -> Option<f64> {
        if k == l {
            return (k < self.n).then_some(1.0);
        }
        pair_index(self.n, k, l).map(|i| self.correlations[i])
    }

    /// `⟨φ⟩_θ = (⟨x_k⟩, ⟨x_k x_l⟩)`（長さ `N(N+1)/2`）。
    ///
    /// # Examples
    ///
    /// ```
    /// let m = genmodel::ising::Ising::zeros(3)?.exact()?;
    /// assert!(m.statistics().iter().all(|v| v.abs() < 1e-15));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn statistics(&self) -> Vec<f64> {
        self.means
            .iter()
            .chain(&self.correlations)
            .copied()
            .collect()
    }
}

/// スピンのデータ `x^(1), …, x^(n) ∈ {−1, 1}^N`（経験分布 (1.1) の `p0`）。
///
/// # Examples
///
/// ```
/// use genmodel::ising::SpinData;
///
/// let d = SpinData::new(&[vec![1, 1], vec![1, -1]])?;
/// // (1/n) Σ x_k, (1/n) Σ x_k x_l
/// assert_eq!(d.statistics(), vec![1.0, 0.0, 0.0]);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SpinData {
    n: usize,
    spins: Vec<i8>,
}

impl SpinData {
    /// 配置の並びを検査して包む。
    ///
    /// # Errors
    ///
    /// - 配置が 0 個、または 0 スピン: [`Error::EmptyInput`]
    /// - スピン数がそろわない: [`Error::DimensionMismatch`]
    /// - `±1` 以外: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ising::SpinData, Error};
    ///
    /// assert!(SpinData::new(&[vec![1, -1]]).is_ok());
    /// assert_eq!(SpinData::new(&[]), Err(Error::EmptyInput));
    /// assert!(SpinData::new(&[vec![1, 2]]).is_err());
    /// ```
    pub fn new(rows: &[Vec<i8>]) -> Result<Self> {
        let n = rows.first().map(Vec::len).ok_or(Error::EmptyInput)?;
        if n == 0 {
            return Err(Error::EmptyInput);
        }
        let mut spins = Vec::with_capacity(rows.len() * n);
        for r in rows {
            if r.len() != n {
                return Err(Error::DimensionMismatch {
                    expected: n,
                    actual: r.len(),
                });
            }
            check_spins(r)?;
            spins.extend_from_slice(r);
        }
        Ok(Self { n, spins })
    }

    /// スピン数 `N`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::ising::SpinData::new(&[vec![1, 1, 1]])?.n_spins(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_spins(&self) -> usize {
        self.n
    }

    /// 配置の数 `n`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::ising::SpinData::new(&[vec![1], vec![-1]])?.len(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // 構築時に空を弾くので常に非空
    pub fn len(&self) -> usize {
        self.spins.len() / self.n
    }

    /// `i` 番目の配置。範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// let d = genmodel::ising::SpinData::new(&[vec![1, -1], vec![-1, -1]])?;
    /// assert_eq!(d.row(1), Some(&[-1i8, -1][..]));
    /// assert_eq!(d.row(2), None);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn row(&self, i: usize) -> Option<&[i8]> {
        self.spins.get(i * self.n..(i + 1) * self.n)
    }

    /// データでの平均 `φ̄ = ((1/n) Σ_i x_k^(i), (1/n) Σ_i x_k^(i) x_l^(i))`（式 (2.28)–(2.29) の左辺の項）。
    ///
    /// # Examples
    ///
    /// ```
    /// let d = genmodel::ising::SpinData::new(&[vec![1, 1], vec![-1, -1], vec![1, -1]])?;
    /// let s = d.statistics();
    /// assert!((s[0] - 1.0 / 3.0).abs() < 1e-15 && (s[2] - 1.0 / 3.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn statistics(&self) -> Vec<f64> {
        let p = n_params(self.n);
        let mut acc = vec![0i64; p];
        for row in self.spins.chunks_exact(self.n) {
            for (a, &x) in acc.iter_mut().zip(row) {
                *a += i64::from(x);
            }
            for (a, (k, l)) in acc[self.n..].iter_mut().zip(pairs(self.n)) {
                *a += i64::from(row[k] * row[l]);
            }
        }
        let n = self.len() as f64;
        acc.iter().map(|&a| a as f64 / n).collect()
    }

    /// 経験分布のエントロピー `H(p0) = −Σ_x p0(x) ln p0(x)`（式 (2.27) の θ によらない項の符号を変えたもの）。
    ///
    /// # Examples
    ///
    /// ```
    /// // 2 種類の配置が半々: H = ln 2
    /// let d = genmodel::ising::SpinData::new(&[vec![1, 1], vec![-1, 1], vec![1, 1], vec![-1, 1]])?;
    /// assert!((d.entropy() - 2f64.ln()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn entropy(&self) -> f64 {
        let mut counts: HashMap<&[i8], usize> = HashMap::new();
        for row in self.spins.chunks_exact(self.n) {
            *counts.entry(row).or_default() += 1;
        }
        let n = self.len() as f64;
        let mut c: Vec<usize> = counts.into_values().collect();
        c.sort_unstable(); // 和の順序を決めて、結果を実行ごとに同じにする
        -c.iter()
            .map(|&k| (k as f64 / n) * (k as f64 / n).ln())
            .sum::<f64>()
    }
}

/// 式 (2.27) の KL 情報量 `D(p0 ‖ q_θ)` を、`θ` の関数として持つ目的関数。
///
/// `p0` はデータの経験分布（[`KlObjective::from_data`]）か、別の Ising モデル
/// （[`KlObjective::from_model`]、「真のパラメータを学習で取り戻す」検証に使う）。
/// `p0` について要るのは `φ̄ = Σ_x p0(x) φ(x)` とエントロピー `H(p0)` だけである。
///
/// # Examples
///
/// ```
/// use genmodel::ising::{Ising, KlObjective, SpinData};
///
/// let data = SpinData::new(&[vec![1, 1], vec![1, 1], vec![-1, -1], vec![1, -1]])?;
/// let kl = KlObjective::from_data(&data);
/// assert!(kl.value(&Ising::zeros(2)?)? > 0.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct KlObjective {
    n: usize,
    target: Vec<f64>,
    entropy: f64,
}

impl KlObjective {
    /// データの経験分布 `p0` から作る。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::{KlObjective, SpinData};
    ///
    /// let kl = KlObjective::from_data(&SpinData::new(&[vec![1, -1]])?);
    /// assert_eq!(kl.target(), &[1.0, -1.0, -1.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_data(data: &SpinData) -> Self {
        Self {
            n: data.n,
            target: data.statistics(),
            entropy: data.entropy(),
        }
    }

    /// `p0` を Ising モデル `q_θ*` そのものにする（`φ̄ = ⟨φ⟩_θ*`、`H = ln Z_θ* − θ*·⟨φ⟩_θ*`）。
    ///
    /// # Errors
    ///
    /// `N > MAX_SPINS` なら [`Error::TooManySpins`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::{Ising, KlObjective};
    ///
    /// let truth = Ising::new(vec![0.1, 0.2], vec![-0.3])?;
    /// let kl = KlObjective::from_model(&truth)?;
    /// assert!(kl.value(&truth)?.abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_model(model: &Ising) -> Result<Self> {
        let m = model.exact()?;
        let target = m.statistics();
        let dot: f64 = model.params().iter().zip(&target).map(|(a, b)| a * b).sum();
        Ok(Self {
            n: model.n,
            target,
            entropy: m.log_z - dot,
        })
    }

    /// `φ̄`（データ側の平均）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::{KlObjective, SpinData};
    ///
    /// let kl = KlObjective::from_data(&SpinData::new(&[vec![1], vec![1], vec![-1], vec![1]])?);
    /// assert_eq!(kl.target(), &[0.5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn target(&self) -> &[f64] {
        &self.target
    }

    /// スピン数 `N`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::{KlObjective, SpinData};
    ///
    /// assert_eq!(KlObjective::from_data(&SpinData::new(&[vec![1, 1]])?).n_spins(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_spins(&self) -> usize {
        self.n
    }

    fn check(&self, model: &Ising) -> Result<()> {
        if model.n == self.n {
            Ok(())
        } else {
            Err(Error::DimensionMismatch {
                expected: self.n,
                actual: model.n,
            })
        }
    }

    /// 式 (2.27): `D(p0 ‖ q_θ) = −H(p0) − θ·φ̄ + ln Z_θ`。
    ///
    /// # Errors
    ///
    /// スピン数が違えば [`Error::DimensionMismatch`]、多すぎれば [`Error::TooManySpins`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::{Ising, KlObjective, SpinData};
    ///
    /// // データ 1 個 (+1): p0 = δ、一様な q なら D = ln 2
    /// let kl = KlObjective::from_data(&SpinData::new(&[vec![1]])?);
    /// assert!((kl.value(&Ising::zeros(1)?)? - 2f64.ln()).abs() < 1e-15);
    /// assert!(kl.value(&Ising::zeros(2)?).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn value(&self, model: &Ising) -> Result<f64> {
        Ok(self.value_and_gradient(model)?.0)
    }

    /// 式 (2.28)–(2.29): `∂D/∂h_k = ⟨x_k⟩_θ − φ̄_k`、`∂D/∂J_kl = ⟨x_k x_l⟩_θ − φ̄_kl`。
    ///
    /// # Errors
    ///
    /// [`KlObjective::value`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::{Ising, KlObjective, SpinData};
    ///
    /// // 一様な q では ⟨x⟩ = 0 なので、勾配はデータの平均の符号を変えたもの
    /// let kl = KlObjective::from_data(&SpinData::new(&[vec![1], vec![1], vec![-1], vec![1]])?);
    /// assert_eq!(kl.gradient(&Ising::zeros(1)?)?, vec![-0.5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn gradient(&self, model: &Ising) -> Result<Vec<f64>> {
        Ok(self.value_and_gradient(model)?.1)
    }

    /// `(D, ∇D)` を 1 回の列挙で求める。
    ///
    /// # Errors
    ///
    /// [`KlObjective::value`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::{Ising, KlObjective, SpinData};
    ///
    /// let kl = KlObjective::from_data(&SpinData::new(&[vec![1, -1]])?);
    /// let (d, g) = kl.value_and_gradient(&Ising::zeros(2)?)?;
    /// assert!((d - 4f64.ln()).abs() < 1e-15);
    /// assert_eq!(g, vec![-1.0, 1.0, 1.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn value_and_gradient(&self, model: &Ising) -> Result<(f64, Vec<f64>)> {
        self.check(model)?;
        let m = model.exact()?;
        let theta = model.params();
        let dot: f64 = theta.iter().zip(&self.target).map(|(a, b)| a * b).sum();
        let value = -self.entropy - dot + m.log_z;
        let grad = m
            .statistics()
            .iter()
            .zip(&self.target)
            .map(|(model_mean, data_mean)| model_mean - data_mean)
            .collect();
        Ok((value, grad))
    }

    /// `θ` についてのヘッセ行列 `∇∇ᵀ D = Cov_θ(φ)`（式 (2.40a)）。
    ///
    /// # Errors
    ///
    /// スピン数が違えば [`Error::DimensionMismatch`]。ほかは [`Ising::statistics_covariance`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ising::{Ising, KlObjective, SpinData};
    ///
    /// // θ = 0 では φ の成分は互いに無相関で分散 1: ヘッセ行列は単位行列
    /// let kl = KlObjective::from_data(&SpinData::new(&[vec![1, 1]])?);
    /// let h = kl.hessian(&Ising::zeros(2)?)?;
    /// assert!((h.max_eigenvalue() - 1.0).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn hessian(&self, model: &Ising) -> Result<SymmetricMatrix> {
        self.check(model)?;
        model.statistics_covariance()
    }

    /// 勾配法の 1 歩（式 (2.30) を本書で訂正した形）:
    /// `h'_k = h_k + η_k (φ̄_k − ⟨x_k⟩_θ)`、`J'_kl = J_kl + η_kl (φ̄_kl − ⟨x_k x_l⟩_θ)`。
    ///
    /// # Errors
    ///
    /// 学習率が不正なら [`Error::InvalidParameter`] か [`Error::DimensionMismatch`]。ほかは [`KlObjective::value`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ising::{Ising, KlObjective, SpinData}, surrogate::StepSize};
    ///
    /// let kl = KlObjective::from_data(&SpinData::new(&[vec![1], vec![1], vec![-1], vec![1]])?);
    /// let q0 = Ising::zeros(1)?;
    /// let q1 = kl.update(&q0, &StepSize::Scalar(0.5))?;
    /// // h' = 0 + 0.5·(0.5 − 0) = 0.25 で、KL は減る
    /// assert_eq!(q1.fields(), &[0.25]);
    /// assert!(kl.value(&q1)? < kl.value(&q0)?);
    /// assert!(kl.update(&q0, &StepSize::Scalar(-1.0)).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn update(&self, model: &Ising, step: &StepSize) -> Result<Ising> {
        let grad = self.gradient(model)?;
        let theta = surrogate::gradient_step(&model.params(), &grad, step)?;
        Ising::from_params(self.n, &theta)
    }

    /// 勾配法 (2.30) を [`surrogate::minimize`] で繰り返し、学習したモデルと履歴を返す。
    ///
    /// 学習率が [`global_curvature_bound`] から決まる `η ≤ 1/M` なら、KL は単調に減る（§2.6）。
    ///
    /// # Errors
    ///
    /// [`surrogate::minimize`] と [`KlObjective::value`] のエラー。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ising::{Ising, KlObjective}, surrogate::{StepSize, StopRule}};
    ///
    /// let truth = Ising::new(vec![0.3, -0.2], vec![0.5])?;
    /// let kl = KlObjective::from_model(&truth)?;
    /// let stop = StopRule { tolerance: 1e-10, max_iterations: 5000 };
    /// // η = 1/M = 1/3（式 (2.44a)）
    /// let (learned, trace) = kl.learn(&Ising::zeros(2)?, &StepSize::Scalar(1.0 / 3.0), stop, &mut |_| {})?;
    /// assert!(trace.converged);
    /// assert!((learned.coupling(0, 1).unwrap() - 0.5).abs() < 1e-8);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn learn(
        &self,
        init: &Ising,
        step: &StepSize,
        stop: StopRule,
        observer: &mut dyn FnMut(&Iterate),
    ) -> Result<(Ising, Trace)> {
        self.check(init)?;
        let n = self.n;
        let trace = surrogate::minimize(
            |theta: &[f64]| self.value_and_gradient(&Ising::from_params(n, theta)?),
            &init.params(),
            step,
            stop,
            observer,
        )?;
        Ok((Ising::from_params(n, &trace.theta)?, trace))
    }
}

/// KL 情報量 (2.27) のヘッセ行列の最大固有値の、`θ` によらない上界 `M = N(N+1)/2`（式 (2.44a)）。
///
/// 任意の単位ベクトル `a` で `aᵀ Cov_θ(φ) a = Var(a·φ) ≤ ⟨(a·φ)²⟩ ≤ (Σ_i |a_i|)² ≤ M`
/// （`|φ_i| = 1` とコーシー・シュワルツの不等式）。したがって `η = 1/M` は、どの `θ` からの
/// 1 歩でも式 (2.44) の条件を満たす。
///
/// # Examples
///
/// ```
/// use genmodel::ising::{global_curvature_bound, Ising};
///
/// assert_eq!(global_curvature_bound(3), 6.0);
/// let lmax = Ising::new(vec![0.5, -0.3, 0.1], vec![1.0, -0.7, 0.4])?.statistics_covariance()?.max_eigenvalue();
/// assert!(lmax <= global_curvature_bound(3));
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn global_curvature_bound(n: usize) -> f64 {
    n_params(n) as f64
}

/// スピン数 `n` が上限 `max` 以下であることを確かめる（上限ちょうどは許す）。
/// 列挙・標本・モデルの大きさの上限は、すべてここで同じ向きに判定する。
fn ensure_spins(n: usize, max: usize) -> Result<()> {
    if n > max {
        return Err(Error::TooManySpins { n, max });
    }
    Ok(())
}
