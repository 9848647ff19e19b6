//! 格子の結合 `K` の最尤推定（第 5 章）: Kaufman の厳密解による厳密な最尤推定値と、メトロポリス法で
//! 推定した勾配による確率的な勾配法。
//!
//! `L × L` のトーラスの Ising 強磁性体 `q_K(x) = e^{−K E(x)}/Z(K)` に、データの 1 スピンあたりの平均エネルギー
//! `ū` を与える。1 スピンあたりの平均負の対数尤度 `(K N ū + ln Z(K))/N` の `K` についての勾配は
//! `ū − u(K)`（`u(K)` はモデルの 1 スピンあたりのエネルギー）なので、最尤推定値は `u(K̂) = ū` の根である。
//! `u` は `K` について狭義に減る（`du/dK = −c/K² < 0`）ので根はただ 1 つで、2 分法で求まる（[`exact_mle`]）。
//!
//! 全状態を列挙できない大きさでは `u(K)` を知らないとして、メトロポリス法の `S` 回の掃引の平均 `û` で
//! 置き換えた勾配法 `K ← K − η (ū − û)` を使う（[`CouplingSgd`]）。鎖は歩ごとに始め直さず、結合だけを変えて続ける。
//!
//! # Examples
//!
//! ```
//! use genmodel::boltzmann::lattice::{kaufman, learn};
//!
//! // 厳密な u(0.35) をデータの平均とすると、最尤推定値は 0.35 に戻る
//! let u = kaufman::thermodynamics(16, 0.35)?.energy_per_spin();
//! assert!((learn::exact_mle(16, u)? - 0.35).abs() < 1e-12);
//! # Ok::<(), genmodel::Error>(())
//! ```

use super::metropolis::{LatticeMetropolis, MAX_METROPOLIS_SIDE, Start};
use super::{MIN_COUPLING, kaufman};
use crate::error::{Error, Result, ensure_finite};
use crate::prec::MAX_CHAIN_WORK;
use rand::Rng;

/// 最尤推定値を探す結合の上限。`u(K)` はここで `−2` と `f64` の丸めの範囲で区別できない（`u + 2 ≈ 8 e^{−8K}`）。
pub const MAX_MLE_COUPLING: f64 = 5.0;

/// データの 1 スピンあたりの平均エネルギー `ū` に対する厳密な最尤推定値 `K̂`（`u(K̂) = ū` の根、Kaufman の解で 2 分法）。
///
/// # Errors
///
/// `ū` が有限でなければ [`Error::NonFinite`]。`ū` が `u(MIN_COUPLING)` と `u(MAX_MLE_COUPLING)` の間になければ
/// （`ū ≥ 0` や `ū ≤ −2` を含む。最尤推定値が存在しないか、調べる範囲の外）[`Error::InvalidParameter`]。
/// 一辺の誤りは [`kaufman::thermodynamics`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::lattice::learn::exact_mle, Error};
///
/// let k = exact_mle(32, -1.0)?;
/// assert!(k > 0.3 && k < 0.4);
/// assert!(matches!(exact_mle(32, 0.1), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(exact_mle(32, -2.0), Err(Error::InvalidParameter { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn exact_mle(side: usize, mean_energy: f64) -> Result<f64> {
    ensure_finite("データの平均エネルギー ū", [mean_energy])?;
    let u = |k: f64| kaufman::thermodynamics(side, k).map(|t| t.energy_per_spin());
    let (mut lo, mut hi) = (MIN_COUPLING, MAX_MLE_COUPLING);
    if !(u(hi)? < mean_energy && mean_energy < u(lo)?) {
        return Err(Error::InvalidParameter {
            name: "データの平均エネルギー ū",
            value: mean_energy,
            requirement: "u(MAX_MLE_COUPLING) < ū < u(MIN_COUPLING)（−2 < ū < 0 のほぼ全域）",
        });
    }
    // u は減少関数: u(mid) > ū なら根は mid より右
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if u(mid)? > mean_energy {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}

/// 結合 `K` の確率的な勾配法: 勾配 `ū − u(K)` の `u(K)` を、メトロポリス法の `S` 回の掃引の平均で置き換える。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::learn::CouplingSgd;
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let mut rng = SmallRng::seed_from_u64(3);
/// let mut sgd = CouplingSgd::new(16, -0.8, 0.2, 0.3, 10, &mut rng)?;
/// let path = sgd.run(&mut rng, 300)?;
/// assert_eq!(path.len(), 300);
/// // 鎖の推定は揺れるが、K は u(K) = −0.8 の根（約 0.3）の近くに来る
/// assert!((path[299] - 0.3).abs() < 0.05);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CouplingSgd {
    sampler: LatticeMetropolis,
    target: f64,
    eta: f64,
    sweeps: usize,
    steps: usize,
}

impl CouplingSgd {
    /// 一辺 `side`、データの平均 `ū = target`、初期値 `k0`、学習率 `eta`、1 歩の掃引の数 `sweeps` で作る。
    /// 鎖はすべて上向きの配置から始める。
    ///
    /// # Errors
    ///
    /// `target`・`eta` が有限でなければ [`Error::NonFinite`]。`−2 < ū < 0` でない、`η ≤ 0`、`sweeps = 0` なら
    /// [`Error::InvalidParameter`]。一辺と `k0` の誤りは [`LatticeMetropolis::new`] と同じ。1 歩の仕事 `sweeps · L²` が
    /// [`MAX_CHAIN_WORK`] を超えれば（`sweeps = usize::MAX` など、[`CouplingSgd::step`] が事実上終わらない）[`Error::TooLarge`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::lattice::learn::CouplingSgd, Error};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(0);
    /// assert!(CouplingSgd::new(8, -1.0, 0.3, 0.1, 5, &mut rng).is_ok());
    /// assert!(matches!(CouplingSgd::new(8, -1.0, 0.3, 0.0, 5, &mut rng), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(CouplingSgd::new(8, -1.0, 0.3, 0.1, 0, &mut rng), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(CouplingSgd::new(8, 0.5, 0.3, 0.1, 5, &mut rng), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new<R: Rng + ?Sized>(
        side: usize,
        target: f64,
        k0: f64,
        eta: f64,
        sweeps: usize,
        rng: &mut R,
    ) -> Result<Self> {
        ensure_finite("データの平均エネルギー ū", [target])?;
        ensure_finite("学習率 η", [eta])?;
        if !(target > -2.0 && target < 0.0) {
            return Err(Error::InvalidParameter {
                name: "データの平均エネルギー ū",
                value: target,
                requirement: "−2 < ū < 0",
            });
        }
        if eta <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "学習率 η",
                value: eta,
                requirement: "正",
            });
        }
        if sweeps == 0 {
            return Err(Error::InvalidParameter {
                name: "1 歩の掃引の数 S",
                value: 0.0,
                requirement: "1 以上",
            });
        }
        let sampler = LatticeMetropolis::new(side, k0, Start::Cold, rng)?;
        debug_assert!(side <= MAX_METROPOLIS_SIDE);
        let work = sweeps.checked_mul(sampler.n_spins());
        if work.is_none_or(|w| w as u128 > u128::from(MAX_CHAIN_WORK)) {
            return Err(Error::TooLarge {
                what: "1 歩の仕事（掃引 × スピン）",
                requested: work.unwrap_or(usize::MAX),
                max: usize::try_from(MAX_CHAIN_WORK).unwrap_or(usize::MAX),
            });
        }
        Ok(Self {
            sampler,
            target,
            eta,
            sweeps,
            steps: 0,
        })
    }

    /// 今の結合 `K`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::learn::CouplingSgd;
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let sgd = CouplingSgd::new(8, -1.0, 0.3, 0.1, 5, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(sgd.coupling(), 0.3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn coupling(&self) -> f64 {
        self.sampler.coupling()
    }

    /// 1 歩: `S` 回掃引して `û` を求め、`K ← K − η (ū − û)` とする。戻り値は新しい `K`。
    ///
    /// # Errors
    ///
    /// 新しい `K` が [`super::MIN_COUPLING`] より小さいか有限でなければ [`Error::Diverged`]（`iteration` は何歩目か、
    /// `value` はその `K`。鎖と `K` は前の値のまま）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::lattice::learn::CouplingSgd, Error};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(1);
    /// // ū = −0.01 は高温: K は 0 に向かって下がり、大きすぎる η では負に飛び出す
    /// let mut sgd = CouplingSgd::new(8, -0.01, 0.5, 5.0, 5, &mut rng)?;
    /// assert!(matches!(sgd.step(&mut rng), Err(Error::Diverged { iteration: 1, .. })));
    /// assert_eq!(sgd.coupling(), 0.5);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn step<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Result<f64> {
        let mut sum = 0.0;
        for _ in 0..self.sweeps {
            self.sampler.sweep(rng);
            sum += self.sampler.energy_per_spin();
        }
        let estimate = sum / self.sweeps as f64;
        let next = self.coupling() - self.eta * (self.target - estimate);
        self.steps += 1;
        if !next.is_finite() || next < MIN_COUPLING {
            return Err(Error::Diverged {
                iteration: self.steps,
                value: next,
            });
        }
        self.sampler.set_coupling(next)?;
        Ok(next)
    }

    /// `steps` 歩進め、各歩のあとの `K` を返す。
    ///
    /// # Errors
    ///
    /// [`CouplingSgd::step`] の誤り。仕事 `steps · S · L²` が [`MAX_CHAIN_WORK`] を超えれば [`Error::TooLarge`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::learn::CouplingSgd;
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(2);
    /// let mut sgd = CouplingSgd::new(8, -1.0, 0.3, 0.1, 5, &mut rng)?;
    /// assert_eq!(sgd.run(&mut rng, 10)?.len(), 10);
    /// assert!(sgd.run(&mut rng, usize::MAX).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn run<R: Rng + ?Sized>(&mut self, rng: &mut R, steps: usize) -> Result<Vec<f64>> {
        let work = steps
            .checked_mul(self.sweeps)
            .and_then(|w| w.checked_mul(self.sampler.n_spins()));
        if work.is_none_or(|w| w as u128 > u128::from(MAX_CHAIN_WORK)) {
            return Err(Error::TooLarge {
                what: "学習の仕事（歩 × 掃引 × スピン）",
                requested: work.unwrap_or(usize::MAX),
                max: usize::try_from(MAX_CHAIN_WORK).unwrap_or(usize::MAX),
            });
        }
        (0..steps).map(|_| self.step(rng)).collect()
    }
}
