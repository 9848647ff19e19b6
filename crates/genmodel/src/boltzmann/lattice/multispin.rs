//! 多スピン符号化（multi-spin coding）: 同じ `L × L` トーラスの独立な 64 個のレプリカを、`u64` のビットに詰めて同時に更新する
//! メトロポリス法 [`MultiSpinMetropolis`]。
//!
//! 格子点 `i` の語 `w_i` の第 `r` ビットがレプリカ `r` のスピンである（1 なら `−1`、0 なら `+1`。
//! [`super::DensityOfStates::enumerate`] と同じ向き）。隣との排他的論理和 `w_i ^ w_j` の第 `r` ビットは、
//! レプリカ `r` でその結合が反対向き（満たされていない）かを表す。4 本の結合のうち反対向きの数 `c`
//! （`ΔE = 8 − 4c`）を、半加算器の論理演算で 64 レプリカぶん同時に `c ≥ 2`・`c = 1`・`c = 0` に分ける。
//! `c ≥ 2`（`ΔE ≤ 0`）のレプリカは必ず反転し、`c = 1` は確率 `p_4 = e^{−4K}`、`c = 0` は確率 `p_8 = e^{−8K}` で反転する。
//! 走査の順（タイプライタの順）、掃引が定常だが可逆でないこと、既約でない（決定的に巡回する閉じた類がある）ことは
//! [`super::metropolis`] と同じである（各レプリカが同じ連鎖に従う）。
//!
//! # レプリカごとに別の乱数を使う
//!
//! 64 レプリカで 1 個の一様乱数 `u` を共有し、`u < p` なら対象のレプリカを全部反転する、という作り方はずっと速い。
//! しかしそれではレプリカが独立でなくなる: 同じ乱数で動かした連鎖どうしは強く相関し、別の配置から始めても
//! しばしば一致してしまう（結合する。単調な熱浴法なら必ず一致する）ので、64 個の「標本」は独立な 64 個よりずっと少ない
//! 情報しか持たず、レプリカ間のばらつきから作る誤差棒も小さすぎる。**この実装はそうしない。**
//!
//! ここでは各レプリカ `r` が、試みごとに自分の一様乱数 `U_r ∈ [0, 1)` を持つ。`U_r` の 2 進展開の第 `k` 桁を、
//! `k` 番目の乱数の語の第 `r` ビットとして必要な桁だけ引き、`U_r < p` を上の桁から 1 桁ずつ比べる（ビット直列の比較）:
//!
//! - `p` の第 `k` 桁が 1 のとき、`U_r` の桁が 0 のレプリカは `U_r < p` と決まり、1 のレプリカは次の桁へ進む
//! - `p` の第 `k` 桁が 0 のとき、`U_r` の桁が 1 のレプリカは `U_r > p` と決まり、0 のレプリカは次の桁へ進む
//!
//! 決まっていないレプリカがなくなるか、`p`（`f64` なので有限桁の 2 進小数）の展開が尽きたら止める。
//! 尽きるまで等しかったレプリカは `U_r ≥ p` なので反転しない。したがって反転の確率は `f64` の `p` に**ちょうど**等しい。
//! 各桁で決まっていないレプリカは半分に減るので、64 レプリカでも乱数の語は格子点 1 個に平均 7 個ほどで済む
//! （判定が要るのは `c ≤ 1` のレプリカだけ。`L = 128` で `T = 2, T_c, 3` のとき 7.3、7.1、6.7 個）。
//! `c = 1` のレプリカは `p_4` と、`c = 0` のレプリカは `p_8` と比べる（レプリカごとに比べる相手を選ぶ）ので、
//! 1 回の試みに使う一様乱数はレプリカごとに 1 個である。
//! この 64 レーンの Bernoulli 乱数は [`BernoulliMask`] として単独でも使える。
//!
//! レプリカごとのエネルギーと磁化は、反対向きの結合やビットの数を、64 レーンのビットスライスの計数器
//! （`k` 番目の語が全レーンの数の第 `k` ビット）で数えて求める（`O(L²)`）。
//!
//! # 大きさと定義域
//!
//! | 上限・下限 | 値 | 外れたとき |
//! |---|---|---|
//! | 一辺 `L` の下限 | 2 | [`Error::InvalidParameter`] |
//! | 一辺 `L` の上限 [`MAX_MULTISPIN_SIDE`] | `2^12`（`1.7 × 10⁷` 語、128 MiB） | [`Error::TooLarge`] |
//! | 結合 `K` | 有限で [`super::MIN_COUPLING`] 以上 | [`Error::NonFinite`]・[`Error::InvalidParameter`] |
//! | Bernoulli の確率 `p` | `0 ≤ p ≤ 1`、有限 | [`Error::InvalidParameter`]・[`Error::NonFinite`] |
//! | レプリカの番号 | `0 … 63` | [`Error::InvalidParameter`] |
//! | 記録する掃引の数 × 64 | [`crate::prec::MAX_SAMPLES`] | [`Error::TooLarge`] |
//! | [`MultiSpinMetropolis::run`] の仕事 `掃引の数 · L²` | [`crate::prec::MAX_CHAIN_WORK`] = `2^38` | [`Error::TooLarge`] |

use super::metropolis::{Start, check_sampler, check_sweeps, row_with_neighbours};
use crate::error::{Error, Result};
use crate::prec::MAX_SAMPLES;
use ndarray::{Array2, ArrayView2};
use rand::Rng;

/// レプリカの数 64（`u64` のビット数）。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, REPLICAS, Start};
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let s = MultiSpinMetropolis::new(4, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
/// assert_eq!(s.energies().len(), REPLICAS);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub const REPLICAS: usize = 64;

/// [`MultiSpinMetropolis`] の一辺 `L` の上限 `2^12 = 4096`（格子点 1 個に 8 バイトで 128 MiB）。
///
/// レプリカごとの数を数える計数器は 32 ビットで、反対向きの結合の数 `≤ 2L² = 2^25` が収まる。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::lattice::{MAX_MULTISPIN_SIDE, MultiSpinMetropolis, Start}, Error};
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let mut rng = SmallRng::seed_from_u64(0);
/// let r = MultiSpinMetropolis::new(MAX_MULTISPIN_SIDE + 1, 0.4, Start::Cold, &mut rng);
/// assert!(matches!(r, Err(Error::TooLarge { .. })));
/// ```
pub const MAX_MULTISPIN_SIDE: usize = 1 << 12;

/// ビットスライスの計数器のビット数（数える値は `2^32` 未満）。
const COUNTER_BITS: usize = 32;

/// 64 レーンの Bernoulli 乱数: 各ビットが独立に確率 `p` で 1 の `u64`。
///
/// 各レーンが自分の一様乱数 `U_r` を持ち、`U_r < p` をビット直列に比べる（モジュールの説明を参照）。
/// 1 のビットの確率は `f64` の `p` にちょうど等しい。`p` の 2 進展開は前もって表にしておく。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::BernoulliMask;
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let mut rng = SmallRng::seed_from_u64(1);
/// let mask = BernoulliMask::new(0.25)?;
/// let ones: u32 = (0..10_000).map(|_| mask.sample(&mut rng).count_ones()).sum();
/// // 640 000 ビットの 25 %。二項分布の標準偏差は √(640000 · 0.25 · 0.75) ≈ 346
/// assert!((f64::from(ones) - 160_000.0).abs() < 4.5 * 346.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BernoulliMask {
    probability: f64,
    /// `p = 1` なら全ビット 1、そうでなければ 0。
    certain: u64,
    /// `bits[k]` は `p` の第 `k + 1` 桁（重み `2^{−(k+1)}`）が 1 なら全ビット 1、0 なら 0。
    bits: Vec<u64>,
}

impl BernoulliMask {
    /// 確率 `p` の Bernoulli 乱数を作る。
    ///
    /// # Errors
    ///
    /// `p` が NaN・`±∞` なら [`Error::NonFinite`]、`[0, 1]` の外なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::lattice::BernoulliMask, Error};
    ///
    /// assert!(BernoulliMask::new(0.0).is_ok() && BernoulliMask::new(1.0).is_ok());
    /// assert!(matches!(BernoulliMask::new(1.5), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(BernoulliMask::new(f64::NAN), Err(Error::NonFinite { .. })));
    /// ```
    pub fn new(p: f64) -> Result<Self> {
        if !p.is_finite() {
            return Err(Error::NonFinite {
                what: "確率 p",
                index: 0,
            });
        }
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::InvalidParameter {
                name: "確率 p",
                value: p,
                requirement: "0 以上 1 以下",
            });
        }
        Ok(Self {
            probability: p,
            certain: if p == 1.0 { !0 } else { 0 },
            bits: binary_expansion(p),
        })
    }

    /// 確率 `p`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::boltzmann::lattice::BernoulliMask::new(0.3)?.probability(), 0.3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn probability(&self) -> f64 {
        self.probability
    }

    /// `p` の 2 進展開の桁数（比べるのに要る乱数の語の数の上限）。`p = 0, 1` では 0。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::BernoulliMask;
    ///
    /// assert_eq!(BernoulliMask::new(0.75)?.expansion_len(), 2); // 0.11₂
    /// assert_eq!(BernoulliMask::new(1.0)?.expansion_len(), 0);
    /// // 最小の非正規化数 2^{−1074} は 1074 桁
    /// assert_eq!(BernoulliMask::new(f64::from_bits(1))?.expansion_len(), 1074);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn expansion_len(&self) -> usize {
        self.bits.len()
    }

    /// 64 個の独立な Bernoulli(`p`) のビット（レーンごとに 1 個の一様乱数）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::BernoulliMask;
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(2);
    /// assert_eq!(BernoulliMask::new(0.0)?.sample(&mut rng), 0);
    /// assert_eq!(BernoulliMask::new(1.0)?.sample(&mut rng), u64::MAX);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        self.certain | below(!self.certain, &self.bits, 0, &self.bits, rng)
    }

    /// 展開を `len` 桁まで 0 で延ばしたもの（値は変わらない）。
    fn padded(&self, len: usize) -> Vec<u64> {
        let mut bits = self.bits.clone();
        bits.resize(len.max(bits.len()), 0);
        bits
    }
}

/// `p ∈ [0, 1]` の 2 進展開 `p = Σ_k b_k 2^{−k}`。`k` 番目の要素は `b_k = 1` なら全ビット 1。
/// `p = 0` と `p = 1` では空（`p = 1` は呼ぶ側が扱う）。
fn binary_expansion(p: f64) -> Vec<u64> {
    if p <= 0.0 || p >= 1.0 {
        return Vec::new();
    }
    // p = mantissa · 2^{−shift}
    let raw = p.to_bits();
    let exponent = ((raw >> 52) & 0x7ff) as u32;
    let fraction = raw & ((1u64 << 52) - 1);
    let (mantissa, shift) = if exponent == 0 {
        (fraction, 1074)
    } else {
        (fraction | 1 << 52, 1075 - exponent)
    };
    let zeros = mantissa.trailing_zeros();
    let (mantissa, shift) = (mantissa >> zeros, shift - zeros);
    (1..=shift)
        .map(|k| {
            let bit = mantissa.checked_shr(shift - k).unwrap_or(0) & 1;
            0u64.wrapping_sub(bit)
        })
        .collect()
}

/// ビット直列の比較 `U_r < p`: `lanes_a` のレーンは展開 `bits_a` の `p` と、`lanes_b` のレーンは `bits_b` の `p` と比べる
/// （2 つは重ならない）。`U_r < p` となったレーンのビットを立てて返す。ほかのレーンのビットは 0。
#[inline(always)]
fn below<R: Rng + ?Sized>(
    lanes_a: u64,
    bits_a: &[u64],
    lanes_b: u64,
    bits_b: &[u64],
    rng: &mut R,
) -> u64 {
    let n = bits_a.len().min(bits_b.len());
    let (bits_a, bits_b) = (&bits_a[..n], &bits_b[..n]);
    let mut undecided = lanes_a | lanes_b;
    let mut below = 0u64;
    let mut k = 0;
    while undecided != 0 && k < n {
        let w = rng.next_u64(); // 第 r ビットが U_r の第 k + 1 桁
        let p = (lanes_a & bits_a[k]) | (lanes_b & bits_b[k]);
        below |= undecided & p & !w;
        undecided &= !(w ^ p); // 桁が p と等しいレーンだけ残る
        k += 1;
    }
    below
}

/// 受け入れの判定に使う `p_4 = e^{−4K}` と `p_8 = e^{−8K}`（展開は同じ長さに延ばしておく）。
#[derive(Debug, Clone)]
struct Acceptance {
    certain4: u64,
    certain8: u64,
    bits4: Vec<u64>,
    bits8: Vec<u64>,
}

impl Acceptance {
    fn new(coupling: f64) -> Result<Self> {
        let p4 = BernoulliMask::new((-4.0 * coupling).exp())?;
        let p8 = BernoulliMask::new((-8.0 * coupling).exp())?;
        let len = p4.expansion_len().max(p8.expansion_len());
        Ok(Self {
            certain4: p4.certain,
            certain8: p8.certain,
            bits4: p4.padded(len),
            bits8: p8.padded(len),
        })
    }

    /// `one` のレーン（`ΔE = 4`）は確率 `p_4`、`zero` のレーン（`ΔE = 8`）は確率 `p_8` で立つマスク。
    #[inline(always)]
    fn draw<R: Rng + ?Sized>(&self, one: u64, zero: u64, rng: &mut R) -> u64 {
        let sure = (one & self.certain4) | (zero & self.certain8);
        sure | below(
            one & !self.certain4,
            &self.bits4,
            zero & !self.certain8,
            &self.bits8,
            rng,
        )
    }
}

/// 64 レーンのそれぞれで、マスクの列のうちそのビットが立っているものの数を数える（ビットスライスの計数器）。
fn lane_counts(masks: impl Iterator<Item = u64>) -> [u64; REPLICAS] {
    let mut planes = [0u64; COUNTER_BITS];
    for mask in masks {
        let mut carry = mask;
        for plane in planes.iter_mut() {
            if carry == 0 {
                break;
            }
            let next = *plane & carry;
            *plane ^= carry;
            carry = next;
        }
    }
    let mut counts = [0u64; REPLICAS];
    for (b, plane) in planes.iter().enumerate() {
        for (r, count) in counts.iter_mut().enumerate() {
            *count |= ((plane >> r) & 1) << b;
        }
    }
    counts
}

/// 独立な 64 個のレプリカを `u64` のビットに詰めた、`L × L` トーラスの Ising 強磁性体のメトロポリス法。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start, kaufman};
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// // 8 × 8、T = 3: 64 レプリカを 200 掃引ずつ。全レプリカの平均は厳密解に近い
/// let mut rng = SmallRng::seed_from_u64(3);
/// let mut s = MultiSpinMetropolis::new(8, 1.0 / 3.0, Start::Hot, &mut rng)?;
/// s.run(&mut rng, 200)?;
/// let trace = s.record(&mut rng, 200)?;
/// let mean = trace.energy_per_spin().mean().unwrap();
/// let exact = kaufman::thermodynamics(8, 1.0 / 3.0)?.energy_per_spin();
/// // 標本 12 800 個、u の標準偏差 ≈ 0.2、τ_int は数掃引: 標準誤差は 0.005 より小さい
/// assert!((mean - exact).abs() < 0.02);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MultiSpinMetropolis {
    side: usize,
    coupling: f64,
    /// 行優先の格子点ごとの語。第 `r` ビットがレプリカ `r` のスピン（1 なら `−1`）。
    words: Vec<u64>,
    acceptance: Acceptance,
    accepted: u64,
    attempted: u64,
}

impl MultiSpinMetropolis {
    /// 一辺 `L`、結合 `K`、初期配置 `start` から 64 レプリカを作る（`Start::Hot` ではレプリカごとに別の配置を引く）。
    ///
    /// # Errors
    ///
    /// `L < 2` か `K < MIN_COUPLING` なら [`Error::InvalidParameter`]、`L > MAX_MULTISPIN_SIDE` なら
    /// [`Error::TooLarge`]、`K` が NaN・`±∞` なら [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::lattice::{MultiSpinMetropolis, Start}, Error};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(4);
    /// let hot = MultiSpinMetropolis::new(8, 0.4, Start::Hot, &mut rng)?;
    /// assert_ne!(hot.replica(0)?, hot.replica(1)?);
    /// assert!(matches!(MultiSpinMetropolis::new(0, 0.4, Start::Cold, &mut rng), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(MultiSpinMetropolis::new(4, f64::INFINITY, Start::Cold, &mut rng), Err(Error::NonFinite { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new<R: Rng + ?Sized>(
        side: usize,
        coupling: f64,
        start: Start,
        rng: &mut R,
    ) -> Result<Self> {
        check_sampler(side, MAX_MULTISPIN_SIDE, coupling)?;
        let words = match start {
            Start::Cold => vec![0u64; side * side],
            Start::Hot => (0..side * side).map(|_| rng.next_u64()).collect(),
        };
        Ok(Self {
            side,
            coupling,
            words,
            acceptance: Acceptance::new(coupling)?,
            accepted: 0,
            attempted: 0,
        })
    }

    /// 一辺の長さ `L`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = MultiSpinMetropolis::new(5, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!((s.side(), s.n_spins()), (5, 25));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn side(&self) -> usize {
        self.side
    }

    /// 1 レプリカのスピン数 `N = L²`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = MultiSpinMetropolis::new(3, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(s.n_spins(), 9);
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
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = MultiSpinMetropolis::new(3, 0.5, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(s.coupling(), 0.5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn coupling(&self) -> f64 {
        self.coupling
    }

    /// 詰めた配置: `[i, j]` の語の第 `r` ビットがレプリカ `r` のスピン `(i, j)`（1 なら `−1`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = MultiSpinMetropolis::new(3, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert!(s.packed().iter().all(|&w| w == 0)); // 全レプリカで全スピンが +1
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn packed(&self) -> ArrayView2<'_, u64> {
        ArrayView2::from_shape((self.side, self.side), &self.words)
            .expect("words の長さは L² である")
    }

    /// レプリカ `r` の配置（`L × L` の `±1`）。
    ///
    /// # Errors
    ///
    /// `r ≥ 64` なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::lattice::{LatticeMetropolis, MultiSpinMetropolis, Start}, Error};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(5);
    /// let mut s = MultiSpinMetropolis::new(6, 0.44, Start::Hot, &mut rng)?;
    /// s.run(&mut rng, 10)?;
    /// // 取り出した配置のエネルギーは、レプリカごとのエネルギーに一致する
    /// let one = LatticeMetropolis::from_spins(0.44, &s.replica(17)?)?;
    /// assert_eq!(one.energy(), s.energies()[17]);
    /// assert!(matches!(s.replica(64), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn replica(&self, r: usize) -> Result<Array2<i8>> {
        if r >= REPLICAS {
            return Err(Error::InvalidParameter {
                name: "レプリカの番号",
                value: r as f64,
                requirement: "0 以上 63 以下",
            });
        }
        let l = self.side;
        Ok(Array2::from_shape_fn((l, l), |(i, j)| {
            if (self.words[i * l + j] >> r) & 1 == 1 {
                -1
            } else {
                1
            }
        }))
    }

    /// 1 回の掃引: 格子点をタイプライタの順に 1 回ずつ、64 レプリカ同時に更新する（`64 L²` 回の試み）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(6);
    /// let mut s = MultiSpinMetropolis::new(4, 0.4, Start::Hot, &mut rng)?;
    /// s.sweep(&mut rng);
    /// assert_eq!(s.attempted(), 64 * 16);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sweep<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        let side = self.side;
        let mut accepted = 0u64;
        for row in 0..side {
            let (cur, up, down) = row_with_neighbours(&mut self.words, side, row);
            accepted += sweep_row(cur, up, down, &self.acceptance, rng);
        }
        self.accepted += accepted;
        self.attempted += (REPLICAS * side * side) as u64;
    }

    /// `sweeps` 回の掃引（焼きなまし用。記録しない）。
    ///
    /// # Errors
    ///
    /// 仕事 `sweeps · L²`（格子点の更新の数。1 回で 64 レプリカ）が [`crate::prec::MAX_CHAIN_WORK`] を超えれば、
    /// 掃引せずに [`Error::TooLarge`]（`usize::MAX` 回のような、事実上終わらない計算を断る）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(7);
    /// let mut s = MultiSpinMetropolis::new(4, 0.4, Start::Hot, &mut rng)?;
    /// s.run(&mut rng, 3)?;
    /// assert_eq!(s.attempted(), 3 * 64 * 16);
    /// assert!(s.run(&mut rng, usize::MAX).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn run<R: Rng + ?Sized>(&mut self, rng: &mut R, sweeps: usize) -> Result<()> {
        check_sweeps(sweeps, self.n_spins())?;
        for _ in 0..sweeps {
            self.sweep(rng);
        }
        Ok(())
    }

    /// レプリカごとのエネルギー `E_r = −Σ_{⟨ij⟩} s_i s_j`（長さ 64、`O(L²)` で数える）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = MultiSpinMetropolis::new(4, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(s.energies(), vec![-32; 64]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energies(&self) -> Vec<i64> {
        let l = self.side;
        let w = &self.words;
        // 右と下への結合のうち反対向きのもの（第 r ビットが立つ）を数える
        let broken = lane_counts((0..l * l).flat_map(|site| {
            let (i, j) = (site / l, site % l);
            let right = i * l + if j + 1 == l { 0 } else { j + 1 };
            let down = if i + 1 == l { j } else { site + l };
            [w[site] ^ w[right], w[site] ^ w[down]]
        }));
        let bonds = 2 * (l * l) as i64;
        broken.iter().map(|&b| 2 * b as i64 - bonds).collect()
    }

    /// レプリカごとの磁化 `M_r = Σ_i s_i`（長さ 64）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = MultiSpinMetropolis::new(4, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(s.magnetizations(), vec![16; 64]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn magnetizations(&self) -> Vec<i64> {
        let n = self.n_spins() as i64;
        lane_counts(self.words.iter().copied())
            .iter()
            .map(|&down| n - 2 * down as i64)
            .collect()
    }

    /// これまでに受け入れた反転の数（全レプリカの和）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// // 高温（K = 1e-6）ではほとんどすべて受け入れる
    /// let mut rng = SmallRng::seed_from_u64(8);
    /// let mut s = MultiSpinMetropolis::new(4, 1e-6, Start::Cold, &mut rng)?;
    /// s.sweep(&mut rng);
    /// assert!(s.accepted() > 1000 && s.accepted() <= 1024);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// これまでの反転の試みの数（掃引の数 × `64 N`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let s = MultiSpinMetropolis::new(4, 0.4, Start::Cold, &mut SmallRng::seed_from_u64(0))?;
    /// assert_eq!(s.attempted(), 0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn attempted(&self) -> u64 {
        self.attempted
    }

    /// `sweeps` 回掃引し、各掃引の後のレプリカごとの `u = E/N` と `|m| = |M|/N` を記録する（行が掃引、列がレプリカ）。
    ///
    /// # Errors
    ///
    /// `64 · sweeps > MAX_SAMPLES` なら [`Error::TooLarge`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(9);
    /// let mut s = MultiSpinMetropolis::new(4, 0.4, Start::Hot, &mut rng)?;
    /// let trace = s.record(&mut rng, 10)?;
    /// assert_eq!(trace.energy_per_spin().dim(), (10, 64));
    /// assert_eq!(trace.energy_per_spin()[[9, 5]], s.energies()[5] as f64 / 16.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn record<R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
        sweeps: usize,
    ) -> Result<MultiSpinTrace> {
        let max = MAX_SAMPLES / REPLICAS;
        if sweeps > max {
            return Err(Error::TooLarge {
                what: "記録する掃引の数",
                requested: sweeps,
                max,
            });
        }
        let n = self.n_spins() as f64;
        let mut energy = Array2::zeros((sweeps, REPLICAS));
        let mut magnetization = Array2::zeros((sweeps, REPLICAS));
        for t in 0..sweeps {
            self.sweep(rng);
            for (r, e) in self.energies().into_iter().enumerate() {
                energy[[t, r]] = e as f64 / n;
            }
            for (r, m) in self.magnetizations().into_iter().enumerate() {
                magnetization[[t, r]] = m.unsigned_abs() as f64 / n;
            }
        }
        Ok(MultiSpinTrace {
            energy_per_spin: energy,
            abs_magnetization: magnetization,
        })
    }
}

/// 1 行の掃引。受け入れた反転の数（全レプリカの和）を返す。
#[inline(always)]
fn sweep_row<R: Rng + ?Sized>(
    cur: &mut [u64],
    up: &[u64],
    down: &[u64],
    acceptance: &Acceptance,
    rng: &mut R,
) -> u64 {
    let l = cur.len();
    let (up, down) = (&up[..l], &down[..l]);
    let mut left = cur[l - 1];
    let mut accepted = 0u64;
    for j in 0..l {
        let right = if j + 1 < l { cur[j + 1] } else { cur[0] };
        let s = cur[j];
        // 反対向きの結合（第 r ビットが立つ）。その数 c を半加算器で c ≥ 2、c = 1、c = 0 に分ける
        let (a, b, c, d) = (s ^ left, s ^ right, s ^ up[j], s ^ down[j]);
        let two_or_more = (a & b) | (c & d) | ((a ^ b) & (c ^ d));
        let any = a | b | c | d;
        let flip = two_or_more | acceptance.draw(any & !two_or_more, !any, rng);
        let new = s ^ flip;
        cur[j] = new;
        left = new;
        accepted += u64::from(flip.count_ones());
    }
    accepted
}

/// [`MultiSpinMetropolis::record`] の記録: 掃引（行）ごと・レプリカ（列）ごとの `u = E/N` と `|m|`。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let mut rng = SmallRng::seed_from_u64(10);
/// let trace = MultiSpinMetropolis::new(4, 0.4, Start::Hot, &mut rng)?.record(&mut rng, 5)?;
/// assert_eq!((trace.len(), trace.is_empty()), (5, false));
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MultiSpinTrace {
    energy_per_spin: Array2<f64>,
    abs_magnetization: Array2<f64>,
}

impl MultiSpinTrace {
    /// 1 スピンあたりのエネルギー（`sweeps × 64`、列 `r` がレプリカ `r` の系列）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(11);
    /// let trace = MultiSpinMetropolis::new(4, 0.4, Start::Hot, &mut rng)?.record(&mut rng, 5)?;
    /// assert_eq!(trace.energy_per_spin().column(63).len(), 5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy_per_spin(&self) -> &Array2<f64> {
        &self.energy_per_spin
    }

    /// 磁化の絶対値 `|m| = |M|/N`（`sweeps × 64`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// // 低温（K = 1）では全レプリカが基底状態の近くに留まる
    /// let mut rng = SmallRng::seed_from_u64(12);
    /// let trace = MultiSpinMetropolis::new(8, 1.0, Start::Cold, &mut rng)?.record(&mut rng, 20)?;
    /// assert!(trace.abs_magnetization().iter().all(|&m| m > 0.9));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn abs_magnetization(&self) -> &Array2<f64> {
        &self.abs_magnetization
    }

    /// 記録した掃引の数。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(13);
    /// let trace = MultiSpinMetropolis::new(4, 0.4, Start::Hot, &mut rng)?.record(&mut rng, 2)?;
    /// assert_eq!(trace.len(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.energy_per_spin.nrows()
    }

    /// 1 回も記録していないか。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{MultiSpinMetropolis, Start};
    /// use rand::{SeedableRng, rngs::SmallRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(14);
    /// let trace = MultiSpinMetropolis::new(4, 0.4, Start::Hot, &mut rng)?.record(&mut rng, 0)?;
    /// assert!(trace.is_empty());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.energy_per_spin.nrows() == 0
    }
}
