//! `L × L` のトーラス上の Ising 強磁性体の、速い 1 スピン更新メトロポリス法 [`LatticeMetropolis`]。
//!
//! [`crate::mcmc::Chain`] は任意の結合を `N × N` の密な行列として持ち、反転 1 回に `O(N)` かかる。
//! ここでは格子の形を使い、反転の試み 1 回を `O(1)`（数 ns）で行う。
//!
//! # 更新
//!
//! スピン `s_i` を反転するとエネルギーは `ΔE = 2 s_i h_i`（`h_i` は上下左右 4 つの隣の和、`J = 1`）だけ変わり、
//! `ΔE ∈ {−8, −4, 0, 4, 8}` の 5 通りしかない。`ΔE ≤ 0` なら必ず受け入れ、`ΔE = 4, 8` なら確率
//! `p_4 = e^{−4K}`、`p_8 = e^{−8K}` で受け入れる。
//!
//! - 乱数は試み 1 回につき `u64` の一様乱数 `u` を 1 個使う（`ΔE ≤ 0` でも引き、消費を配置によらず一定にする）。
//!   受け入れは整数の比較 `u ≤ t` で決める。閾値 `t = max(⌈p · 2^64⌉, 1) − 1` は前もって求めておき、受け入れの確率
//!   `(t + 1)/2^64` は `p ≤ (t + 1)/2^64 < p + 2^{−64}` を満たす（`f64` の `p` そのものの丸め誤差 `2^{−53} p` の程度より
//!   小さい）。`ΔE ≤ 0` の閾値は `2^64 − 1` なので、必ず受け入れる。
//! - 掃引は格子点を、上の行から下の行へ、各行を左から右へ（タイプライタの順、順番の走査）1 回ずつ更新する。
//!   1 回の更新はボルツマン分布について詳細つり合いを満たすので掃引も分布を不変に保つ（定常）が、
//!   掃引全体の遷移は可逆ではない（[`crate::mcmc::Scan::Sequential`] と同じ）。
//! - エネルギーは結合の和 `B = Σ_{⟨ij⟩} s_i s_j`（整数、`E = −B`）として持ち、反転を受け入れるたびに `−2 s_i h_i` を足す。
//!   整数なので誤差は溜まらず、定義どおりの和 [`LatticeMetropolis::recompute_energy`] と常に一致する。
//!
//! 内側のループに剰余算も分岐もない。上下の隣の行は行ごとに 1 回だけ決め、行の右端だけを別に扱う。
//! スピンは 1 バイトのビット（1 なら `−1`）で持ち、反対向きの結合の数 `c`（`ΔE = 8 − 4c`）を排他的論理和の和で数える。
//! 順番の走査では左の隣が直前に更新したスピンなので、素直に書くと「左の更新 → `c` → 閾値の表引き → 比較 → 更新」が
//! 格子点ごとに直列につながる。そこで左が同じ向き・反対向きの両方の判定を先に求め、左の新しい値を待つのは
//! ビット演算による選択だけにしている。
//!
//! # 既約でないこと
//!
//! `ΔE = 0` の反転を必ず受け入れる順番の走査は既約でない（`L = 2 … 8, 16, 17` で確かめた）。階段状の配置
//! （`j ≤ i` で `s_ij = +1`、ほかは `−1`）では、どのスピンも自分の番に反対向きの結合を 2 本以上持つ（`ΔE ≤ 0`）ので、
//! 掃引はすべてのスピンを決定的に反転し、2 掃引で元の配置に戻る。乱数によらず、いつまでも抜け出さない
//! （テストは `L = 2, 3, 4, 8, 17`）。ボルツマン分布は不変のままだが、連鎖は初期配置を含む閉じた類に制限した
//! ボルツマン分布に近づく。全状態の幅優先探索では、すべて `+1` の配置から行けない配置は `L = 2` で 16 のうち 4、
//! `L = 3` で 512 のうち 8、`L = 4` で 65 536 のうち 64 である。`L = 4` で熱力学量のずれは `2 × 10⁻⁴` 以下で、
//! 大きな格子では無視できる（階段状の配置の重みは基底状態の `e^{−8K(L−1)}` 倍）。確実にすべて `+1` の配置と
//! 同じ類から始めるには [`Start::Cold`] を使う。熱浴法（反転の確率がいつも 0 と 1 の間）や、ランダムな走査
//! （1 個のスピンの反転はどれも正の確率で起こる）にはこの問題はない。
//!
//! # 大きさと定義域
//!
//! | 上限・下限 | 値 | 外れたとき |
//! |---|---|---|
//! | 一辺 `L` の下限 | 2（`L = 1` では 4 つの隣がすべて自分自身） | [`Error::InvalidParameter`] |
//! | 一辺 `L` の上限 [`MAX_METROPOLIS_SIDE`] | `2^14`（`2.7 × 10⁸` スピン、1 スピン 1 バイトで 256 MiB） | [`Error::TooLarge`] |
//! | 結合 `K` | 有限で [`super::MIN_COUPLING`] 以上（[`super::kaufman`] と同じ） | [`Error::NonFinite`]・[`Error::InvalidParameter`] |
//! | 記録する掃引の数 | [`crate::prec::MAX_SAMPLES`] | [`Error::TooLarge`] |
//! | [`LatticeMetropolis::run`] の仕事 `掃引の数 · L²` | [`crate::prec::MAX_CHAIN_WORK`] = `2^38` | [`Error::TooLarge`] |

use super::check_coupling;
use crate::error::{Error, Result};
use crate::prec::{MAX_CHAIN_WORK, MAX_SAMPLES};
use ndarray::{Array1, Array2, ArrayView2, AsArray, Ix2};
use rand::Rng;

/// [`LatticeMetropolis`] の一辺 `L` の上限 `2^14 = 16384`。
///
/// スピンは 1 個 1 バイトなので、上限の格子は 256 MiB を使う。結合の和（`|B| ≤ 2L² < 2^29`）も
/// 受け入れた反転の数も `i64`・`u64` に余裕をもって収まる。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::lattice::{LatticeMetropolis, MAX_METROPOLIS_SIDE, Start}, Error};
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let mut rng = SmallRng::seed_from_u64(0);
/// let too_large = LatticeMetropolis::new(MAX_METROPOLIS_SIDE + 1, 0.4, Start::Cold, &mut rng);
/// assert!(matches!(too_large, Err(Error::TooLarge { .. })));
/// ```
pub const MAX_METROPOLIS_SIDE: usize = 1 << 14;

/// 初期配置: すべて `+1`（低温の極限）か、独立に `±1` を等確率で選ぶ（高温の極限）。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let mut rng = SmallRng::seed_from_u64(1);
/// let cold = LatticeMetropolis::new(8, 0.4, Start::Cold, &mut rng)?;
/// assert_eq!((cold.magnetization(), cold.energy()), (64, -128));
/// let hot = LatticeMetropolis::new(8, 0.4, Start::Hot, &mut rng)?;
/// assert!(hot.magnetization().abs() < 64);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Start {
    /// すべてのスピンを `+1` にする。
    Cold,
    /// 各スピンを独立に等確率で `±1` にする（渡した乱数を使う）。小さい格子では、すべて `+1` の配置とは別の
    /// 閉じた類（モジュールの説明の「既約でないこと」）の配置を引くことがある（`L = 4` で確率 `64/2^16`）。
    Hot,
}

/// 一辺 `L` が `2 ≤ L ≤ max` で、結合 `K` が有限かつ [`super::MIN_COUPLING`] 以上であることを確かめる。
pub(super) fn check_sampler(side: usize, max: usize, coupling: f64) -> Result<()> {
    if side < 2 {
        return Err(Error::InvalidParameter {
            name: "一辺の長さ L",
            value: side as f64,
            requirement: "2 以上（L = 1 では隣がすべて自分自身）",
        });
    }
    if side > max {
        return Err(Error::TooLarge {
            what: "一辺の長さ L",
            requested: side,
            max,
        });
    }
    check_coupling(coupling)
}

/// 掃引の数 `sweeps` の仕事 `sweeps · sites`（格子点の更新の数）が [`MAX_CHAIN_WORK`] 以下であることを確かめる。
pub(super) fn check_sweeps(sweeps: usize, sites: usize) -> Result<()> {
    let max = usize::try_from(MAX_CHAIN_WORK / sites.max(1) as u64).unwrap_or(usize::MAX);
    if sweeps > max {
        return Err(Error::TooLarge {
            what: "掃引の数",
            requested: sweeps,
            max,
        });
    }
    Ok(())
}

/// 行優先の `L × L` の格子 `cells` から、行 `row` を書き換えられる形で、上と下の隣の行を読むだけの形で取り出す。
///
/// `L ≥ 2` なら行 `row` は上下の行と重ならない（`L = 2` では上と下が同じ行になる）。
pub(super) fn row_with_neighbours<T>(
    cells: &mut [T],
    side: usize,
    row: usize,
) -> (&mut [T], &[T], &[T]) {
    let (before, rest) = cells.split_at_mut(row * side);
    let (cur, after) = rest.split_at_mut(side);
    let up: &[T] = if row == 0 {
        &after[after.len() - side..]
    } else {
        &before[(row - 1) * side..]
    };
    let down: &[T] = if row + 1 == side {
        &before[..side]
    } else {
        &after[..side]
    };
    (cur, up, down)
}

/// 受け入れの確率 `p ∈ [0, 1]` の閾値 `t = max(⌈p · 2^64⌉, 1) − 1`。
///
/// 一様な `u64` の `u` について `P(u ≤ t) = (t + 1)/2^64` は `p ≤ P < p + 2^{−64}` を満たし、`p = 1` では
/// ちょうど 1 になる（`p = 0` では `2^{−64}`）。
fn threshold(p: f64) -> u64 {
    // p · 2^64 は 2 の冪を掛けるだけなので丸めがない。`as` は 2^64 以上を u64::MAX に飽和させる
    let scaled = (p * 18_446_744_073_709_551_616.0).ceil();
    if scaled >= 18_446_744_073_709_551_616.0 {
        u64::MAX
    } else {
        (scaled as u64).max(1) - 1
    }
}

/// `L × L` のトーラス上の Ising 強磁性体（`J = 1`、結合 `K = 1/T`）の 1 スピン更新メトロポリス法。
///
/// スピンは 1 個 1 バイトのビット（1 なら `−1`、0 なら `+1`）で行優先に持つ。エネルギーは整数の結合の和として反転のたびに更新する。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start, kaufman};
/// use genmodel::mcmc::stats::mean_estimate;
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// // 8 × 8、T = 3: エネルギーの平均は Kaufman の厳密解と誤差棒の範囲で一致する
/// let mut rng = SmallRng::seed_from_u64(2);
/// let mut sampler = LatticeMetropolis::new(8, 1.0 / 3.0, Start::Hot, &mut rng)?;
/// sampler.run(&mut rng, 1000)?;
/// let trace = sampler.record(&mut rng, 20_000)?;
/// let est = mean_estimate(trace.energy_per_spin())?;
/// let exact = kaufman::thermodynamics(8, 1.0 / 3.0)?.energy_per_spin();
/// assert!((est.mean() - exact).abs() < 4.5 * est.std_error());
/// assert_eq!(sampler.energy(), sampler.recompute_energy());
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LatticeMetropolis {
    side: usize,
    coupling: f64,
    /// 行優先のビット（1 なら `−1`）。
    bits: Vec<u8>,
    /// `thresholds[c]`: 4 本の結合のうち反対向きが `c` 本（`ΔE = 8 − 4c`）のときの閾値（`c ≥ 2` は `u64::MAX`、必ず受け入れる）。
    thresholds: [u64; 8],
    /// 結合の和 `B = Σ_{⟨ij⟩} s_i s_j`（`E = −B`）。
    bond_sum: i64,
    accepted: u64,
    attempted: u64,
}

impl LatticeMetropolis {
    /// 一辺 `L`、結合 `K`、初期配置 `start` から作る（`Start::Hot` は `rng` で配置を引く）。
    ///
    /// # Errors
    ///
    /// `L < 2` か `K < MIN_COUPLING` なら [`Error::InvalidParameter`]、`L > MAX_METROPOLIS_SIDE` なら
    /// [`Error::TooLarge`]、`K` が NaN・`±∞` なら [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::lattice::{LatticeMetropolis, Start}, Error};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(3);
    /// assert!(LatticeMetropolis::new(2, 0.4, Start::Cold, &mut rng).is_ok());
    /// assert!(matches!(LatticeMetropolis::new(1, 0.4, Start::Cold, &mut rng), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(LatticeMetropolis::new(4, 0.0, Start::Cold, &mut rng), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(LatticeMetropolis::new(4, f64::NAN, Start::Hot, &mut rng), Err(Error::NonFinite { .. })));
    /// ```
    pub fn new<R: Rng + ?Sized>(
        side: usize,
        coupling: f64,
        start: Start,
        rng: &mut R,
    ) -> Result<Self> {
        check_sampler(side, MAX_METROPOLIS_SIDE, coupling)?;
        let bits = match start {
            Start::Cold => vec![0u8; side * side],
            Start::Hot => (0..side * side)
                .map(|_| u8::from(rng.random::<bool>()))
                .collect(),
        };
        Ok(Self::with_bits(side, coupling, bits))
    }

    /// 与えた配置（`L × L` の `±1`、行優先の添字 `[i, j]`）から作る。
    ///
    /// # Errors
    ///
    /// 正方でなければ [`Error::DimensionMismatch`]、`±1` 以外の値は [`Error::InvalidParameter`]、
    /// 大きさと `K` については [`LatticeMetropolis::new`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::lattice::LatticeMetropolis, ndarray::Array2, Error};
    ///
    /// // 市松模様（4 × 4）: すべての結合が反対向きで E = +2N = 32
    /// let checker = Array2::from_shape_fn((4, 4), |(i, j)| if (i + j) % 2 == 0 { 1i8 } else { -1 });
    /// assert_eq!(LatticeMetropolis::from_spins(0.4, &checker)?.energy(), 32);
    /// assert!(matches!(
    ///     LatticeMetropolis::from_spins(0.4, &Array2::<i8>::ones((4, 3))),
    ///     Err(Error::DimensionMismatch { expected: 4, actual: 3 })
    /// ));
    /// assert!(LatticeMetropolis::from_spins(0.4, &Array2::<i8>::zeros((4, 4))).is_err());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_spins<'a>(coupling: f64, spins: impl AsArray<'a, i8, Ix2>) -> Result<Self> {
        let spins: ArrayView2<'a, i8> = spins.into();
        let (rows, cols) = spins.dim();
        if rows != cols {
            return Err(Error::DimensionMismatch {
                expected: rows,
                actual: cols,
            });
        }
        check_sampler(rows, MAX_METROPOLIS_SIDE, coupling)?;
        if let Some(&bad) = spins.iter().find(|&&s| s != 1 && s != -1) {
            return Err(Error::InvalidParameter {
                name: "スピン",
                value: f64::from(bad),
                requirement: "+1 か −1",
            });
        }
        let bits = spins.iter().map(|&x| u8::from(x < 0)).collect();
        Ok(Self::with_bits(rows, coupling, bits))
    }

    fn with_bits(side: usize, coupling: f64, bits: Vec<u8>) -> Self {
        let mut thresholds = [u64::MAX; 8];
        thresholds[0] = threshold((-8.0 * coupling).exp());
        thresholds[1] = threshold((-4.0 * coupling).exp());
        let mut sampler = Self {
            side,
            coupling,
            bits,
            thresholds,
            bond_sum: 0,
            accepted: 0,
            attempted: 0,
        };
        sampler.bond_sum = -sampler.recompute_energy();
        sampler
    }

    /// 一辺の長さ `L`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = LatticeMetropolis::new(5, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!((s.side(), s.n_spins()), (5, 25));
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
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = LatticeMetropolis::new(6, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(s.n_spins(), 36);
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
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = LatticeMetropolis::new(4, 0.25, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(s.coupling(), 0.25);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn coupling(&self) -> f64 {
        self.coupling
    }

    /// 結合 `K` を変える（配置はそのまま。受理の閾値を作り直す）。結合を少しずつ変える学習（第 5 章）で使う。
    ///
    /// # Errors
    ///
    /// `K` が有限でなければ [`Error::NonFinite`]、[`super::MIN_COUPLING`] より小さければ [`Error::InvalidParameter`]
    /// （何も変えない）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut s = LatticeMetropolis::new(4, 0.25, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// s.set_coupling(0.5)?;
    /// assert_eq!((s.coupling(), s.energy()), (0.5, -32));
    /// assert!(s.set_coupling(f64::NAN).is_err() && s.set_coupling(-1.0).is_err());
    /// assert_eq!(s.coupling(), 0.5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn set_coupling(&mut self, coupling: f64) -> Result<()> {
        check_sampler(self.side, MAX_METROPOLIS_SIDE, coupling)?;
        self.coupling = coupling;
        self.thresholds[0] = threshold((-8.0 * coupling).exp());
        self.thresholds[1] = threshold((-4.0 * coupling).exp());
        Ok(())
    }

    /// 現在の配置（`L × L` の `±1`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = LatticeMetropolis::new(3, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(s.spins().dim(), (3, 3));
    /// assert!(s.spins().iter().all(|&x| x == 1));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn spins(&self) -> Array2<i8> {
        let l = self.side;
        Array2::from_shape_fn((l, l), |(i, j)| 1 - 2 * self.bits[i * l + j] as i8)
    }

    /// 1 回の掃引: 格子点をタイプライタの順に 1 回ずつ、メトロポリス法で更新する（`L²` 回の試み）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// // とても高い温度（K = 1e-6）では、ほとんどすべての試みを受け入れる
    /// let mut rng = SmallRng::seed_from_u64(4);
    /// let mut s = LatticeMetropolis::new(16, 1e-6, Start::Cold, &mut rng)?;
    /// s.sweep(&mut rng);
    /// assert_eq!(s.attempted(), 256);
    /// assert!(s.accepted() > 250);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sweep<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        let side = self.side;
        let thresholds = &self.thresholds;
        let (mut broken, mut accepted) = (0u64, 0u64);
        for row in 0..side {
            let (cur, up, down) = row_with_neighbours(&mut self.bits, side, row);
            let packed = sweep_row(cur, up, down, thresholds, rng);
            broken += packed & 0xffff_ffff;
            accepted += packed >> 32;
        }
        // 反対向きが c 本のスピンの反転で、結合の和は 4c − 8 だけ変わる
        self.bond_sum += 4 * broken as i64 - 8 * accepted as i64;
        self.accepted += accepted;
        self.attempted += (side * side) as u64;
    }

    /// `sweeps` 回の掃引（焼きなまし用。記録しない）。
    ///
    /// # Errors
    ///
    /// 仕事 `sweeps · L²`（反転の試みの数）が [`MAX_CHAIN_WORK`] を超えれば、掃引せずに [`Error::TooLarge`]
    /// （`usize::MAX` 回のような、事実上終わらない計算を断る）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(5);
    /// let mut s = LatticeMetropolis::new(4, 0.4, Start::Hot, &mut rng)?;
    /// s.run(&mut rng, 10)?;
    /// assert_eq!(s.attempted(), 160);
    /// assert!(s.run(&mut rng, usize::MAX).is_err());
    /// assert_eq!(s.attempted(), 160);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn run<R: Rng + ?Sized>(&mut self, rng: &mut R, sweeps: usize) -> Result<()> {
        check_sweeps(sweeps, self.n_spins())?;
        for _ in 0..sweeps {
            self.sweep(rng);
        }
        Ok(())
    }

    /// エネルギー `E = −Σ_{⟨ij⟩} s_i s_j`（`J = 1`、`2L²` 本の結合。反転ごとに更新した整数）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// // 基底状態は E = −2N
    /// let s = LatticeMetropolis::new(4, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(s.energy(), -32);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy(&self) -> i64 {
        -self.bond_sum
    }

    /// エネルギーを定義どおりに（右と下への `2L²` 本の結合の和として）計算し直す（`O(L²)`）。
    ///
    /// 反転ごとに更新した [`LatticeMetropolis::energy`] と一致するはずの、確かめるための値である。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(6);
    /// let mut s = LatticeMetropolis::new(7, 0.44, Start::Hot, &mut rng)?;
    /// s.run(&mut rng, 100)?;
    /// assert_eq!(s.energy(), s.recompute_energy());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn recompute_energy(&self) -> i64 {
        let l = self.side;
        let b = &self.bits;
        let mut broken = 0i64;
        for i in 0..l {
            let down_row = if i + 1 == l { 0 } else { i + 1 };
            for j in 0..l {
                let right = if j + 1 == l { 0 } else { j + 1 };
                let x = b[i * l + j];
                broken += i64::from(x ^ b[i * l + right]) + i64::from(x ^ b[down_row * l + j]);
            }
        }
        // 結合の和 B = (2N − 反対向き) − 反対向き
        2 * broken - 2 * (l * l) as i64
    }

    /// 1 スピンあたりのエネルギー `u = E/N`（`−2 ≤ u ≤ 2`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = LatticeMetropolis::new(4, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(s.energy_per_spin(), -2.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy_per_spin(&self) -> f64 {
        self.energy() as f64 / self.n_spins() as f64
    }

    /// 磁化 `M = Σ_i s_i`（和。1 スピンあたりではない）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = LatticeMetropolis::new(4, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(s.magnetization(), 16);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn magnetization(&self) -> i64 {
        let down: i64 = self.bits.iter().map(|&b| i64::from(b)).sum();
        self.n_spins() as i64 - 2 * down
    }

    /// これまでに受け入れた反転の数。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// // 低温（K = 2）の基底状態からは、反転（ΔE = 8、確率 e^{−16} ≈ 1e-7）はまず起こらない
    /// let mut rng = SmallRng::seed_from_u64(7);
    /// let mut s = LatticeMetropolis::new(8, 2.0, Start::Cold, &mut rng)?;
    /// s.run(&mut rng, 10)?;
    /// assert_eq!(s.accepted(), 0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// これまでの反転の試みの数（掃引の数 × `N`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(8);
    /// let mut s = LatticeMetropolis::new(3, 0.4, Start::Cold, &mut rng)?;
    /// s.run(&mut rng, 2)?;
    /// assert_eq!(s.attempted(), 18);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn attempted(&self) -> u64 {
        self.attempted
    }

    /// `sweeps` 回掃引し、各掃引の後の 1 スピンあたりのエネルギー `u` と磁化の絶対値 `|m| = |M|/N` を記録する。
    ///
    /// # Errors
    ///
    /// `sweeps > MAX_SAMPLES` なら [`Error::TooLarge`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(9);
    /// let mut s = LatticeMetropolis::new(8, 0.5, Start::Cold, &mut rng)?;
    /// let trace = s.record(&mut rng, 100)?;
    /// assert_eq!(trace.len(), 100);
    /// assert_eq!(trace.energy_per_spin()[99], s.energy_per_spin());
    /// assert!(trace.abs_magnetization().iter().all(|&m| (0.0..=1.0).contains(&m)));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn record<R: Rng + ?Sized>(&mut self, rng: &mut R, sweeps: usize) -> Result<LatticeTrace> {
        if sweeps > MAX_SAMPLES {
            return Err(Error::TooLarge {
                what: "記録する掃引の数",
                requested: sweeps,
                max: MAX_SAMPLES,
            });
        }
        let n = self.n_spins() as f64;
        let mut energy = Vec::with_capacity(sweeps);
        let mut magnetization = Vec::with_capacity(sweeps);
        for _ in 0..sweeps {
            self.sweep(rng);
            energy.push(self.energy() as f64 / n);
            magnetization.push(self.magnetization().unsigned_abs() as f64 / n);
        }
        Ok(LatticeTrace {
            energy_per_spin: Array1::from(energy),
            abs_magnetization: Array1::from(magnetization),
        })
    }
}

/// 1 行の掃引。受け入れた反転の数を上位 32 ビットに、その反対向きの結合の数の和 `Σc` を下位 32 ビットに詰めて返す
/// （1 行では `Σc ≤ 4L < 2^32`）。
///
/// `cur` はこの行、`up`・`down` は上下の隣の行（どれも長さ `L`）。左の隣は直前に更新した値を持ち回る。
#[inline(always)]
fn sweep_row<R: Rng + ?Sized>(
    cur: &mut [u8],
    up: &[u8],
    down: &[u8],
    thresholds: &[u64; 8],
    rng: &mut R,
) -> u64 {
    let l = cur.len();
    let (up, down) = (&up[..l], &down[..l]);
    let mut left = cur[l - 1];
    let mut packed = 0u64;
    for j in 0..l - 1 {
        let (new, p) = update(cur[j], left, cur[j + 1], up[j], down[j], thresholds, rng);
        cur[j] = new;
        left = new;
        packed += p;
    }
    // 右端の右の隣は、この行で更新ずみの左端
    let (new, p) = update(
        cur[l - 1],
        left,
        cur[0],
        up[l - 1],
        down[l - 1],
        thresholds,
        rng,
    );
    cur[l - 1] = new;
    packed + p
}

/// スピン 1 個の更新。`(新しいビット, 受け入れたら (1 << 32) | c、でなければ 0)` を返す。
///
/// 右・上・下のうち反対向きの数を `rest` とすると、`c = rest`（左が同じ向き）か `c = rest + 1`（反対向き）である。
/// 両方の判定を先に求め、直前の更新（左の隣）を待つのはビット演算で選ぶところだけにする。
#[inline(always)]
fn update<R: Rng + ?Sized>(
    s: u8,
    left: u8,
    right: u8,
    up: u8,
    down: u8,
    thresholds: &[u64; 8],
    rng: &mut R,
) -> (u8, u64) {
    let rest = usize::from((s ^ right) + (s ^ up) + (s ^ down)) & 3;
    let u = rng.next_u64();
    let same = u8::from(u <= thresholds[rest]);
    let diff = u8::from(u <= thresholds[rest + 1]);
    let d = s ^ left;
    let accept = same ^ ((same ^ diff) & d);
    let c = rest as u64 + u64::from(d);
    (
        s ^ accept,
        0u64.wrapping_sub(u64::from(accept)) & (1 << 32 | c),
    )
}

/// [`LatticeMetropolis::record`] の記録: 掃引ごとの 1 スピンあたりのエネルギーと磁化の絶対値。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let mut rng = SmallRng::seed_from_u64(10);
/// let trace = LatticeMetropolis::new(4, 0.4, Start::Hot, &mut rng)?.record(&mut rng, 5)?;
/// assert_eq!((trace.len(), trace.is_empty()), (5, false));
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LatticeTrace {
    energy_per_spin: Array1<f64>,
    abs_magnetization: Array1<f64>,
}

impl LatticeTrace {
    /// 掃引ごとの 1 スピンあたりのエネルギー `u = E/N`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(11);
    /// let trace = LatticeMetropolis::new(4, 0.4, Start::Hot, &mut rng)?.record(&mut rng, 5)?;
    /// assert!(trace.energy_per_spin().iter().all(|&u| (-2.0..=2.0).contains(&u)));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy_per_spin(&self) -> &Array1<f64> {
        &self.energy_per_spin
    }

    /// 掃引ごとの磁化の絶対値 `|m| = |Σ_i s_i| / N`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// // 低温（K = 1）では基底状態の近くに留まる
    /// let mut rng = SmallRng::seed_from_u64(12);
    /// let trace = LatticeMetropolis::new(8, 1.0, Start::Cold, &mut rng)?.record(&mut rng, 50)?;
    /// assert!(trace.abs_magnetization().iter().all(|&m| m > 0.9));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn abs_magnetization(&self) -> &Array1<f64> {
        &self.abs_magnetization
    }

    /// 記録した掃引の数。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(13);
    /// let trace = LatticeMetropolis::new(4, 0.4, Start::Hot, &mut rng)?.record(&mut rng, 3)?;
    /// assert_eq!(trace.len(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.energy_per_spin.len()
    }

    /// 1 回も記録していないか。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{LatticeMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(14);
    /// let trace = LatticeMetropolis::new(4, 0.4, Start::Hot, &mut rng)?.record(&mut rng, 0)?;
    /// assert!(trace.is_empty());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.energy_per_spin.is_empty()
    }
}
