//! 正方格子の 2 次元 Ising 強磁性体（第 5 章の準備）: `L × L` のトーラス上の厳密な分配関数。
//!
//! スピン `s_i = ±1` を `L × L` の正方格子に置き、周期境界条件（トーラス）で上下左右の最近接の対を
//! 結ぶ。結合の数は `2L²`（各スピンから右と下へ 1 本ずつ）で、磁場はない。エネルギーと分配関数は
//!
//! - `E(s) = −J Σ_{⟨ij⟩} s_i s_j`（和は `2L²` 本の結合）
//! - `Z = Σ_s exp(−βE(s)) = Σ_s exp(K Σ_{⟨ij⟩} s_i s_j)`、`K = βJ`
//!
//! である。`J = 1` とし、温度 `T = 1/K`（ボルツマン定数も 1）で書く。`L = 2` では隣どうしが
//! 右回りと左回りの 2 本の結合で結ばれ、`L = 1` では 2 本とも自分自身への結合になる（どちらも `2L²` 本のまま）。
//!
//! | ファイル | 中身 |
//! |---|---|
//! | [`kaufman`] | Kaufman (1949) の厳密解（Ferdinand–Fisher (1969) の形）による `ln Z` と、その解析的な 1・2 階微分によるエネルギーと比熱 |
//! | [`enumerate`] | 全 `2^{L²}` 状態の列挙による状態密度 [`DensityOfStates`]（`L ≤ 4`）。Kaufman の式を確かめる基準 |
//! | [`density`] | 整数のエネルギーの厳密な状態密度 [`density::ExactDensity`]（`u128`）: `L ≤ 11` のトーラスの転送行列による `g(E)`、`ln Z`・平均・分散、レプリカ交換の厳密な受理率 |
//! | [`glass`] | 2 次元 `±J` スピングラス [`glass::SpinGlass`]（`Lx × Ly` のトーラス、シードつき）と結合 `βJ` の Ising モデル、`N ≤ 24` の列挙による状態密度・相関・重なりの 2 次モーメント `⟨q²⟩` |
//! | [`learn`] | 結合 `K` の最尤推定: Kaufman の解による厳密な値と、メトロポリス法で推定した勾配による勾配法（第 5 章） |
//! | [`onsager`] | 無限に大きい格子（Onsager 1944）の 1 スピンあたりの `ln Z` とエネルギー、臨界点 [`K_C`]・[`T_C`] |
//! | [`metropolis`] | 速い 1 スピン更新のメトロポリス法 [`LatticeMetropolis`]（タイプライタの順の掃引、整数の閾値、整数のエネルギー） |
//! | [`multispin`] | 多スピン符号化: 独立な 64 レプリカを `u64` に詰めたメトロポリス法 [`MultiSpinMetropolis`]（レプリカごとに別の一様乱数、[`BernoulliMask`]） |
//!
//! 結果はどちらも [`Thermodynamics`]（`ln Z`、1 スピンあたりのエネルギー `u = U/L²` と比熱 `c = C/L²`）で返す。
//!
//! # 大きさと定義域
//!
//! | 上限・下限 | 値 | 外れたとき |
//! |---|---|---|
//! | 一辺 `L` の下限 | 1 | [`Error::InvalidParameter`] |
//! | Kaufman の式の一辺 [`MAX_SIDE`] | `2^16 = 65536`（`L² ≈ 4.3 × 10⁹` スピン） | [`Error::TooLarge`] |
//! | 列挙の一辺 [`MAX_ENUMERATION_SIDE`] | 4（`2^16` 状態） | [`Error::TooManySpins`] |
//! | 結合 `K` の下限 [`MIN_COUPLING`] | `1e-100`（温度 `T ≤ 1e100`） | [`Error::InvalidParameter`] |
//! | 結合 `K` が NaN・`±∞` | — | [`Error::NonFinite`] |
//! | 結果（`ln Z ≈ 2L²K` など）が `f64` で表せない（`2L²K > f64::MAX`） | — | [`Error::Overflow`] |
//!
//! # Examples
//!
//! ```
//! use genmodel::boltzmann::lattice::{DensityOfStates, K_C, kaufman};
//!
//! // 4 × 4 のトーラス: Kaufman の厳密解と 2^16 状態の列挙が一致する（臨界点でも）
//! let exact = kaufman::thermodynamics(4, K_C)?;
//! let brute = DensityOfStates::enumerate(4)?.thermodynamics(K_C)?;
//! assert!((exact.log_z() - brute.log_z()).abs() < 1e-12 * brute.log_z());
//! assert!((exact.energy_per_spin() - brute.energy_per_spin()).abs() < 1e-12);
//! assert!((exact.specific_heat_per_spin() - brute.specific_heat_per_spin()).abs() < 1e-12);
//! # Ok::<(), genmodel::Error>(())
//! ```

pub mod density;
pub mod enumerate;
pub mod glass;
mod jet;
pub mod kaufman;
pub mod learn;
pub mod metropolis;
pub mod multispin;
pub mod onsager;

pub use enumerate::{DensityOfStates, MAX_ENUMERATION_SIDE};
pub use kaufman::MAX_SIDE;
pub use metropolis::{LatticeMetropolis, LatticeTrace, MAX_METROPOLIS_SIDE, Start};
pub use multispin::{
    BernoulliMask, MAX_MULTISPIN_SIDE, MultiSpinMetropolis, MultiSpinTrace, REPLICAS,
};
pub use onsager::{K_C, T_C};

use crate::error::{Error, Result, finite_scalar};

/// 結合 `K = J/T` の下限 `1e-100`（温度の上限 `T = 1e100`）。
///
/// これより高い温度では、`ln Z = N ln 2 + 2N ln cosh K + …` の `K` による部分（`≈ NK²`）も、
/// `u ≈ −2K`（`1e-100` 以下）も、丸め誤差（`u` の絶対誤差は `ε` の程度）に埋もれて `K = 0` と区別できない。
/// また Onsager のエネルギーの式は `1/sinh 2K` を使い、非正規化数の `K` ではあふれる。意味のある結果を
/// 返せない入力は、黙って `K = 0` の値を返す代わりに型つきの誤りにする。
/// `K ≤ 0`（無限に高い温度・反強磁性）もこの条件で断る。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::lattice::{MIN_COUPLING, kaufman}, Error};
///
/// assert!(kaufman::log_z(8, MIN_COUPLING).is_ok());
/// assert!(matches!(kaufman::log_z(8, 0.0), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(kaufman::log_z(8, -0.3), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(kaufman::log_z(8, f64::NAN), Err(Error::NonFinite { .. })));
/// ```
pub const MIN_COUPLING: f64 = 1e-100;

/// 一辺 `L` のトーラスの熱力学量: `ln Z`、1 スピンあたりのエネルギー `u` と比熱 `c`。
///
/// `N = L²` をスピン数、`β = 1/T`、`K = βJ`（`J = 1`）として
///
/// - `u = U/N`、`U = ⟨E⟩ = −∂ ln Z/∂β = −J ∂ ln Z/∂K`
/// - `c = C/N`、`C = ∂U/∂T = β² ∂² ln Z/∂β² = K² ∂² ln Z/∂K² = β² (⟨E²⟩ − ⟨E⟩²)`
///
/// である。[`kaufman::thermodynamics`] と [`DensityOfStates::thermodynamics`] が返す。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::kaufman;
///
/// let t = kaufman::thermodynamics(16, 1.0 / 2.0)?; // T = 2
/// assert_eq!((t.side(), t.n_spins()), (16, 256));
/// assert!((t.temperature() - 2.0).abs() < 1e-15);
/// // 自由エネルギー F/N = −T ln Z/N は基底状態のエネルギー −2 より低い
/// assert!(t.free_energy_per_spin() < t.energy_per_spin() && t.energy_per_spin() > -2.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thermodynamics {
    side: usize,
    coupling: f64,
    log_z: f64,
    energy_per_spin: f64,
    specific_heat_per_spin: f64,
}

impl Thermodynamics {
    /// `ln Z` と `d ln Z/dK`、`d² ln Z/dK²` から作る。有限でない量があれば [`Error::Overflow`]。
    ///
    /// `u` は数学的には `[−2, 0]`（`E ≥ −2N`、`⟨E⟩` は `K = 0` の 0 から減る）、`c` は `≥ 0` にあるので、
    /// 丸め誤差（`u` で `ε` の程度、`c` で `ε K² e^{−2K}` の程度）でわずかに外れた値は端に寄せる。
    pub(crate) fn from_derivatives(
        side: usize,
        coupling: f64,
        log_z: f64,
        d1: f64,
        d2: f64,
    ) -> Result<Self> {
        let n = (side as f64) * (side as f64);
        let u = finite_scalar("1 スピンあたりのエネルギー", -d1 / n)?;
        // K² d2 を K·(K·d2) の順に掛ける: 低温で d2 が 0 にアンダーフローしたとき K² = ∞ との積で NaN を作らない
        let c = finite_scalar("1 スピンあたりの比熱", coupling * (coupling * d2) / n)?;
        Ok(Self {
            side,
            coupling,
            log_z: finite_scalar("ln Z", log_z)?,
            energy_per_spin: u.clamp(-2.0, 0.0),
            specific_heat_per_spin: c.max(0.0),
        })
    }

    /// 一辺の長さ `L`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::boltzmann::lattice::kaufman::thermodynamics(5, 0.3)?.side(), 5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn side(&self) -> usize {
        self.side
    }

    /// スピン数 `N = L²`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::boltzmann::lattice::kaufman::thermodynamics(5, 0.3)?.n_spins(), 25);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_spins(&self) -> usize {
        self.side * self.side
    }

    /// 結合 `K = J/T`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::boltzmann::lattice::kaufman::thermodynamics(5, 0.3)?.coupling(), 0.3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn coupling(&self) -> f64 {
        self.coupling
    }

    /// 温度 `T = 1/K`（`J = 1`）。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::boltzmann::lattice::kaufman::thermodynamics(5, 0.25)?.temperature(), 4.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn temperature(&self) -> f64 {
        1.0 / self.coupling
    }

    /// `ln Z`。
    ///
    /// # Examples
    ///
    /// ```
    /// // 高温では Z ≈ 2^N
    /// let t = genmodel::boltzmann::lattice::kaufman::thermodynamics(6, 1e-9)?;
    /// assert!((t.log_z() - 36.0 * 2f64.ln()).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self) -> f64 {
        self.log_z
    }

    /// 1 スピンあたりの `ln Z / N`（`N → ∞` で [`onsager::log_z_per_spin`] に近づく）。
    ///
    /// 臨界点では差が `0.6399/N`、低温側では `ln 2 / N`（秩序のある 2 状態）の程度で残る。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{kaufman, onsager};
    ///
    /// // T = 3（高温側）では差は L について指数関数的に小さい
    /// let t = kaufman::thermodynamics(64, 1.0 / 3.0)?;
    /// assert!((t.log_z_per_spin() - onsager::log_z_per_spin(1.0 / 3.0)?).abs() < 1e-15);
    /// // T = 2（低温側）では、秩序のある 2 つの状態のぶん ln 2 / N だけ多い
    /// let t = kaufman::thermodynamics(64, 0.5)?;
    /// let excess = t.log_z_per_spin() - onsager::log_z_per_spin(0.5)?;
    /// assert!((excess * 4096.0 - 2f64.ln()).abs() < 1e-9);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z_per_spin(&self) -> f64 {
        self.log_z / (self.side as f64 * self.side as f64)
    }

    /// 1 スピンあたりの自由エネルギー `F/N = −T ln Z / N`。
    ///
    /// # Examples
    ///
    /// ```
    /// // 低温では F/N ≈ 基底状態のエネルギー −2J
    /// let t = genmodel::boltzmann::lattice::kaufman::thermodynamics(8, 20.0)?;
    /// assert!((t.free_energy_per_spin() + 2.0).abs() < 1e-3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn free_energy_per_spin(&self) -> f64 {
        -self.log_z_per_spin() / self.coupling
    }

    /// 1 スピンあたりのエネルギー `u = ⟨E⟩/N = −(1/N) ∂ ln Z/∂K`（`J = 1`。`−2 ≤ u ≤ 0`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::kaufman;
    ///
    /// // 低温では基底状態（全部そろう）の −2、高温では 0 に近づく
    /// assert!((kaufman::thermodynamics(8, 10.0)?.energy_per_spin() + 2.0).abs() < 1e-12);
    /// assert!(kaufman::thermodynamics(8, 1e-6)?.energy_per_spin().abs() < 1e-5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy_per_spin(&self) -> f64 {
        self.energy_per_spin
    }

    /// 1 スピンあたりの比熱 `c = C/N = (K²/N) ∂² ln Z/∂K² = (K²/N)(⟨E²⟩ − ⟨E⟩²)`（`≥ 0`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{K_C, kaufman};
    ///
    /// // 臨界点の近くで大きく、低温・高温では 0 に近づく
    /// let c = |k| kaufman::thermodynamics(32, k).map(|t| t.specific_heat_per_spin());
    /// assert!(c(K_C)? > 1.5 && c(10.0)? < 1e-12 && c(0.01)? < 1e-3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn specific_heat_per_spin(&self) -> f64 {
        self.specific_heat_per_spin
    }
}

/// 一辺 `L` が `1 ≤ L ≤ max` であることを確かめる。`L > max` なら `too_large` の誤りを返す。
fn check_side(side: usize, max: usize, too_large: impl FnOnce() -> Error) -> Result<()> {
    if side == 0 {
        return Err(Error::InvalidParameter {
            name: "一辺の長さ L",
            value: 0.0,
            requirement: "1 以上",
        });
    }
    if side > max {
        return Err(too_large());
    }
    Ok(())
}

/// 結合 `K` が有限で [`MIN_COUPLING`] 以上であることを確かめる。
fn check_coupling(coupling: f64) -> Result<()> {
    if !coupling.is_finite() {
        return Err(Error::NonFinite {
            what: "結合 K",
            index: 0,
        });
    }
    if coupling < MIN_COUPLING {
        return Err(Error::InvalidParameter {
            name: "結合 K",
            value: coupling,
            requirement: "強磁性で MIN_COUPLING = 1e-100 以上（温度 T = 1/K ≤ 1e100）",
        });
    }
    Ok(())
}
