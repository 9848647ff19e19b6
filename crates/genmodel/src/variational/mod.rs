//! MCMC を使わないボルツマンマシン（第 7 章）: 変分原理、平均場近似、TAP 方程式、確率伝搬法、
//! 標本を使わない学習（平均場・TAP の逆問題、擬似尤度）。
//!
//! モデルは §2.5 の Ising モデル `q(x) = exp(Σ_k h_k x_k + Σ_{k<l} J_kl x_k x_l) / Z`（[`Ising`]）で、
//! エネルギーは `E(x) = −Σ_k h_k x_k − Σ_{k<l} J_kl x_k x_l` である。
//!
//! | ファイル | 中身 | 本の式 |
//! |---|---|---|
//! | [`gibbs`] | 任意の分布 `r` の変分自由エネルギー `F[r] = Σ r E + Σ r ln r = −ln Z + D(r‖q)` | (7.1)–(7.2) |
//! | [`mean_field`] | 素朴な平均場近似: 自由エネルギー `F_MF(m)`、自己無撞着方程式の減衰つき反復、解の安定性と一意性、線形応答 | (7.3)–(7.7) |
//! | [`tap`] | TAP 方程式（Onsager の反作用項）と TAP 自由エネルギー | (7.8)–(7.9) |
//! | [`bp`] | 確率伝搬法（Bethe 近似）: メッセージ、磁化、辺の相関、Bethe の `ln Z`。木では厳密 | (7.10)–(7.13) |
//! | [`ferromagnet`] | 配位数 `z` の一様な強磁性体: 平均場と Bethe 近似の磁化・臨界点 | (7.14)–(7.15) |
//! | [`inverse`] | 平均場・TAP による逆 Ising 問題（相関から結合を直接求める） | (7.17)–(7.19) |
//! | [`pseudo`] | 擬似尤度とその勾配、Newton 法による最大化 | (7.20)–(7.21) |
//!
//! 2 次元正方格子の厳密な自発磁化（Yang 1952）は [`crate::boltzmann::lattice::onsager::spontaneous_magnetisation`] にある。
//!
//! # 反復と誤り
//!
//! 平均場・TAP・確率伝搬法は不動点の反復で解く。反復は [`FixedPoint`] の回数までで止め、
//! 収束しなければ [`Error::NotConverged`] を返す（無限に回らない）。回数の上限と 1 回の仕事（平均場・TAP は `N²`、
//! 確率伝搬法は辺の数の程度）の積が [`crate::prec::MAX_CHAIN_WORK`] を超える呼び出しは、計算を始めずに
//! [`Error::TooLarge`] を返す。平均場の解が 1 つとは限らないとき
//! （結合が強いとき）は、どの解に行き着いたかを [`mean_field::MeanField`] が報告する。
//!
//! # Examples
//!
//! ```
//! use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, mean_field}};
//!
//! // 弱い結合では平均場近似の磁化は厳密な値に近く、F_MF は −ln Z の上界
//! let model = Ising::new(array![0.2, -0.1, 0.3], array![0.1, 0.05, -0.1])?;
//! let exact = model.exact()?;
//! let mf = mean_field::solve(&model, &[0.0; 3], &FixedPoint::default())?;
//! assert!(mf.unique());
//! assert!(mf.free_energy() >= -exact.log_z());
//! for (a, b) in mf.magnetisations().iter().zip(exact.means()) {
//!     assert!((a - b).abs() < 0.01);
//! }
//! # Ok::<(), genmodel::Error>(())
//! ```

pub mod bp;
pub mod ferromagnet;
pub mod gibbs;
pub mod inverse;
pub mod mean_field;
pub mod pseudo;
pub mod tap;

use crate::boltzmann::ising::{Ising, pairs};
use crate::error::{Error, Result, ensure_finite, ensure_len};
use crate::prec::MAX_CHAIN_WORK;
use ndarray::{Array1, Array2, ArrayView1, AsArray, Ix1};

/// 不動点の反復の回数の上限の最大値（`10^7`）。1 回の反復は `O(N²)` なので、これで仕事が有限に収まる。
pub const MAX_ITERATIONS: usize = 10_000_000;

/// 不動点の反復の設定: 減衰 `γ`（式 (7.6)）、収束の判定に使う残差の上限、反復の回数の上限。
///
/// 既定は `γ = 0.5`、残差 `1e-12`、`10^5` 回。
///
/// # Examples
///
/// ```
/// use genmodel::{variational::FixedPoint, Error};
///
/// let fp = FixedPoint::new(0.3, 1e-10, 1000)?;
/// assert_eq!(fp.damping(), 0.3);
/// assert!(matches!(FixedPoint::new(0.0, 1e-10, 1000), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(FixedPoint::new(1.5, 1e-10, 1000), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(FixedPoint::new(0.5, 0.0, 1000), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(FixedPoint::new(0.5, 1e-10, 0), Err(Error::InvalidParameter { .. })));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedPoint {
    damping: f64,
    tolerance: f64,
    max_iterations: usize,
}

impl Default for FixedPoint {
    fn default() -> Self {
        Self {
            damping: 0.5,
            tolerance: 1e-12,
            max_iterations: 100_000,
        }
    }
}

impl FixedPoint {
    /// 減衰 `γ ∈ (0, 1]`、残差の上限 `tolerance > 0`、回数 `1 ≤ max_iterations ≤` [`MAX_ITERATIONS`] の設定を作る。
    ///
    /// # Errors
    ///
    /// 範囲の外（NaN を含む）なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::variational::{FixedPoint, MAX_ITERATIONS};
    ///
    /// assert!(FixedPoint::new(1.0, 1e-12, MAX_ITERATIONS).is_ok());
    /// assert!(FixedPoint::new(1.0, 1e-12, MAX_ITERATIONS + 1).is_err());
    /// assert!(FixedPoint::new(f64::NAN, 1e-12, 10).is_err());
    /// ```
    pub fn new(damping: f64, tolerance: f64, max_iterations: usize) -> Result<Self> {
        if !(damping > 0.0 && damping <= 1.0) {
            return Err(Error::InvalidParameter {
                name: "減衰 γ",
                value: damping,
                requirement: "0 < γ ≤ 1",
            });
        }
        if !(tolerance > 0.0 && tolerance.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "残差の上限",
                value: tolerance,
                requirement: "正の有限の数",
            });
        }
        if max_iterations == 0 || max_iterations > MAX_ITERATIONS {
            return Err(Error::InvalidParameter {
                name: "反復の回数の上限",
                value: max_iterations as f64,
                requirement: "1 以上 10^7 以下",
            });
        }
        Ok(Self {
            damping,
            tolerance,
            max_iterations,
        })
    }

    /// 減衰 `γ`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::variational::FixedPoint::default().damping(), 0.5);
    /// ```
    pub fn damping(&self) -> f64 {
        self.damping
    }

    /// 残差の上限。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::variational::FixedPoint::default().tolerance(), 1e-12);
    /// ```
    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }

    /// 反復の回数の上限。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::variational::FixedPoint::default().max_iterations(), 100_000);
    /// ```
    pub fn max_iterations(&self) -> usize {
        self.max_iterations
    }

    /// 減衰つきの反復 `v ← (1 − γ) v + γ f(v)` を、残差 `max |f(v) − v|` が上限を下回るまで回す。
    /// 返すのは（収束した値、反復の回数、最後の残差）。`work` は 1 回の反復の仕事（積和の数の目安）で、
    /// 回数の上限との積が [`MAX_CHAIN_WORK`] を超えれば、何も計算せずに [`Error::TooLarge`] を返す。
    pub(crate) fn iterate(
        &self,
        mut v: Array1<f64>,
        work: u64,
        mut f: impl FnMut(&Array1<f64>) -> Array1<f64>,
    ) -> Result<(Array1<f64>, usize, f64)> {
        let total = (self.max_iterations as u64).saturating_mul(work.max(1));
        if total > MAX_CHAIN_WORK {
            return Err(Error::TooLarge {
                what: "不動点の反復の仕事（回数の上限 × 1 回の仕事）",
                requested: usize::try_from(total).unwrap_or(usize::MAX),
                max: MAX_CHAIN_WORK as usize,
            });
        }
        let mut residual = f64::INFINITY;
        for it in 1..=self.max_iterations {
            let target = f(&v);
            // NaN を落とさずに伝える（f64::max は NaN を無視する）
            residual = target
                .iter()
                .zip(&v)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, |m, d| {
                    if d.is_nan() || m.is_nan() {
                        f64::NAN
                    } else {
                        m.max(d)
                    }
                });
            if residual.is_nan() {
                break;
            }
            v.zip_mut_with(&target, |x, &t| {
                *x = (1.0 - self.damping) * *x + self.damping * t
            });
            if residual <= self.tolerance {
                return Ok((v, it, residual));
            }
        }
        Err(Error::NotConverged {
            iterations: self.max_iterations,
            residual,
            tolerance: self.tolerance,
        })
    }
}

/// モデルの結合を対称な `N × N` 行列 `J`（対角は 0）にする。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::coupling_matrix};
///
/// let j = coupling_matrix(&Ising::new(array![0.0, 0.0, 0.0], array![1.0, 2.0, 3.0])?);
/// assert_eq!(j, array![[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]]);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn coupling_matrix(model: &Ising) -> Array2<f64> {
    let n = model.n_spins();
    let mut j = Array2::zeros((n, n));
    for ((k, l), &v) in pairs(n).zip(model.couplings()) {
        j[[k, l]] = v;
        j[[l, k]] = v;
    }
    j
}

/// 磁化の列 `m` を検査する: 長さ `n`、有限、`|m_k| ≤ 1`。
pub(crate) fn check_magnetisations<'a>(
    n: usize,
    m: impl AsArray<'a, f64, Ix1>,
) -> Result<ArrayView1<'a, f64>> {
    let m: ArrayView1<'a, f64> = m.into();
    ensure_len(n, m.len())?;
    ensure_finite("磁化 m", m.iter().copied())?;
    if let Some(&v) = m.iter().find(|v| v.abs() > 1.0) {
        return Err(Error::InvalidParameter {
            name: "磁化 m_k",
            value: v,
            requirement: "−1 ≤ m_k ≤ 1",
        });
    }
    Ok(m)
}

/// 平均 `m` の 1 スピンの分布 `(1 + m x)/2` の負のエントロピー `Σ_x r ln r`（`0 ln 0 = 0`）。
pub(crate) fn negative_spin_entropy(m: f64) -> f64 {
    let term = |p: f64| if p > 0.0 { p * p.ln() } else { 0.0 };
    term((1.0 + m) / 2.0) + term((1.0 - m) / 2.0)
}

/// `ln cosh x` をあふれなしに求める（`|x| + ln(1 + e^{−2|x|}) − ln 2`）。
pub(crate) fn ln_cosh(x: f64) -> f64 {
    let a = x.abs();
    a + (-2.0 * a).exp().ln_1p() - std::f64::consts::LN_2
}
