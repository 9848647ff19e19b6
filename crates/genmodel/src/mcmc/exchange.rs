//! 交換モンテカルロ法（レプリカ交換法、Hukushima–Nemoto 1996, J. Phys. Soc. Jpn. 65, 1604）。
//!
//! 同じモデル（エネルギー `E(x)`。[`Ising`] の `β = 1` の形で与える）の `M` 個のレプリカを、逆温度の梯子
//! `β_1 < β_2 < … < β_M` のそれぞれで動かす。温度 `m` の連鎖は場と結合を `β_m` 倍した Ising モデル
//! `q_m(x) ∝ exp(−β_m E(x))` の 1 スピン更新（[`Chain`]）で、全体の定常分布は積 `Π_m q_m(x_m)` である。
//!
//! 1 ステップ（[`Exchange::step`]）は
//!
//! 1. すべての温度で 1 回ずつ掃引する（[`Exchange::sweep`]）。
//! 2. 隣り合う温度の対 `(m, m+1)` の配置の交換を、偶数の対 `(0,1), (2,3), …` と奇数の対 `(1,2), (3,4), …` で
//!    ステップごとに交互に試みる（決定的な偶奇交互。[`Exchange::attempt_swaps`]）。交換は確率
//!    `min(1, exp((β_m − β_{m+1})(E_m − E_{m+1})))`（[`swap_probability`]）で受け入れる。
//!
//! 交換の受理は、積の分布 `q_m(x) q_{m+1}(y)` について 1 回ごとに詳細つり合いを満たす:
//! `q_m(x) q_{m+1}(y) min(1, r) = q_m(y) q_{m+1}(x) min(1, 1/r)`、`r = q_m(y) q_{m+1}(x) / (q_m(x) q_{m+1}(y))`。
//! 偶奇を決まった順に交互にする合成は詳細つり合いを満たさないが、各部分が積の分布を不変に保つので定常である。
//! 温度 `m` の系列は、その温度のボルツマン分布 `q_m` からの（相関のある）標本になる。
//!
//! 配置にはレプリカの番号をつけ、交換のたびに番号も一緒に動かす（[`Exchange::replica_at`]）。最も高い温度（`β_1`、
//! 番号 0 の温度）から最も低い温度（`β_M`）へ行き、また `β_1` に戻ったレプリカを往復 1 回と数える（[`Exchange::round_trips`]）。
//!
//! 梯子は等比（[`geometric_ladder`]）か、状態密度から求めた厳密な受理率を隣どうしでそろえたもの（[`acceptance_ladder`]）で作る。
//!
//! # 大きさ
//!
//! | 上限・条件 | 値 | 外れたとき |
//! |---|---|---|
//! | レプリカの数 `M` | `2 ≤ M ≤` [`MAX_REPLICAS`] = 1024 | [`Error::InvalidParameter`]・[`Error::TooLarge`] |
//! | 結合の行列の総数 `M N²` | `2^28` | [`Error::TooLarge`] |
//! | 逆温度 | 有限、正、狭義の増加 | [`Error::NonFinite`]・[`Error::InvalidParameter`] |
//! | 1 回の実行の更新の数 `steps · M · N` | [`MAX_CHAIN_WORK`] = `2^38` | [`Error::TooLarge`] |

mod ladder;

pub use ladder::{MAX_REPLICAS, acceptance_ladder, check_ladder, geometric_ladder};

use crate::boltzmann::ising::Ising;
use crate::error::{Error, Result};
use crate::mcmc::{Chain, Observable, Rule, Scan};
use crate::prec::{MAX_CHAIN_WORK, MAX_SAMPLES, MAX_STATES};
use ndarray::{Array1, ArrayView1};
use rand::Rng;

/// 交換を受け入れる確率 `min(1, exp((β_i − β_j)(E_i − E_j)))`（温度 `β_i` の配置のエネルギー `E_i`、`β_j` の `E_j`）。
///
/// 低い温度（大きい `β`）の側のエネルギーが高ければ必ず受け入れる。差 `β_i − β_j`・`E_i − E_j` の片方が `f64` で
/// あふれても、指数は丸めの範囲で正しく求める（片方の差が 0 なら確率は 1）。
///
/// # Errors
///
/// 引数のどれかが有限でなければ [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::exchange::swap_probability;
///
/// assert_eq!(swap_probability(0.5, -10.0, 1.0, -8.0)?, 1.0); // 冷たい側が高いエネルギー
/// let p = swap_probability(0.5, -8.0, 1.0, -10.0)?;
/// assert!((p - (-1.0f64).exp()).abs() < 1e-16);
/// assert!(swap_probability(0.5, f64::NAN, 1.0, 0.0).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn swap_probability(beta_i: f64, energy_i: f64, beta_j: f64, energy_j: f64) -> Result<f64> {
    for (index, v) in [beta_i, energy_i, beta_j, energy_j].into_iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                what: "交換の確率の引数 (β_i, E_i, β_j, E_j)",
                index,
            });
        }
    }
    Ok(swap_probability_unchecked(
        beta_i, energy_i, beta_j, energy_j,
    ))
}

fn swap_probability_unchecked(beta_i: f64, energy_i: f64, beta_j: f64, energy_j: f64) -> f64 {
    let (db, de) = (beta_i - beta_j, energy_i - energy_j);
    // 片方の差があふれたら、その差を半分ずつ引いて求め、もう片方を 2 倍する（積は同じ）。
    // 素朴な積では 0 · ∞ が NaN に、∞ · (−1e-320) が −∞（正しくは −2e-12）になる
    let log_r = if db == 0.0 || de == 0.0 {
        0.0
    } else if db.is_infinite() && de.is_finite() {
        (0.5 * beta_i - 0.5 * beta_j) * (2.0 * de)
    } else if de.is_infinite() && db.is_finite() {
        (2.0 * db) * (0.5 * energy_i - 0.5 * energy_j)
    } else {
        db * de
    };
    if log_r >= 0.0 { 1.0 } else { log_r.exp() }
}

/// レプリカが最後に触れた端（往復の数え方。モジュールの説明）。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// まだどちらの端にも触れていない。
    Unvisited,
    /// 最後に触れたのは最も高い温度。
    Hot,
    /// 最も高い温度の後で最も低い温度に触れた（次に高い温度に戻れば往復 1 回）。
    ColdAfterHot,
    /// 最も低い温度にだけ触れた。
    ColdOnly,
}

/// 交換モンテカルロ法の状態: 温度ごとの連鎖、レプリカの番号、交換と往復の数。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::lattice::glass::SpinGlass, mcmc::{exchange::{self, Exchange}, Rule, Scan}};
/// use rand::SeedableRng;
///
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let glass = SpinGlass::random(4, 3, &mut rng)?;
/// let betas = exchange::geometric_ladder(0.3, 2.0, 5)?;
/// let mut pt = Exchange::new(&glass.ising(1.0)?, &betas, Rule::Metropolis, Scan::Sequential, &mut rng)?;
/// let trace = pt.record(&mut rng, 4000, &[genmodel::mcmc::Observable::Energy])?;
/// // 最も低い温度のエネルギーの平均を、列挙による厳密な値と比べる
/// let exact = glass.enumerate()?.density().energy_moments(2.0)?.0;
/// let est = genmodel::mcmc::stats::mean_estimate(&trace[4][0])?;
/// assert!((est.mean() - exact).abs() < 5.0 * est.std_error());
/// assert!(pt.round_trips() > 0);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Exchange {
    betas: Vec<f64>,
    /// `chains[m]` は逆温度 `betas[m]` のモデルで動く。
    chains: Vec<Chain>,
    /// 温度 `m` にいるレプリカの番号。
    replica_at: Vec<usize>,
    /// レプリカ `r` のいる温度（`replica_at` の逆）。
    slot_of: Vec<usize>,
    phase: Vec<Phase>,
    round_trips: Vec<u64>,
    accepted: Vec<u64>,
    attempted: Vec<u64>,
    /// 次に交換を試みる対の偶奇。
    parity: usize,
}

impl Exchange {
    /// モデル（`β = 1` のエネルギー `E(x) = −(Σ J x x + Σ h x)`）と梯子から作る。初期配置は `rng` による一様な乱数。
    ///
    /// # Errors
    ///
    /// 梯子が [`check_ladder`] を満たさなければその誤り、`M N² > 2^28` なら [`Error::TooLarge`]、
    /// `β` 倍したモデルが [`Ising::new`] の条件を満たさなければその誤り。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}, Error};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let model = Ising::zeros(4)?;
    /// let pt = Exchange::new(&model, &[0.5, 1.0], Rule::Metropolis, Scan::Random, &mut rng)?;
    /// assert_eq!((pt.n_replicas(), pt.replica_at(), pt.betas()), (2, &[0, 1][..], &[0.5, 1.0][..]));
    /// assert!(matches!(
    ///     Exchange::new(&model, &[1.0], Rule::Metropolis, Scan::Random, &mut rng),
    ///     Err(Error::InvalidParameter { .. })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new<R: Rng + ?Sized>(
        model: &Ising,
        betas: &[f64],
        rule: Rule,
        scan: Scan,
        rng: &mut R,
    ) -> Result<Self> {
        check_ladder(betas)?;
        let (m, n) = (betas.len(), model.n_spins());
        let elements = n.checked_mul(n).and_then(|v| v.checked_mul(m));
        if elements.is_none_or(|e| e > MAX_STATES) {
            return Err(Error::TooLarge {
                what: "結合の行列の総数 M N²",
                requested: elements.unwrap_or(usize::MAX),
                max: MAX_STATES,
            });
        }
        let (h, j) = (model.fields(), model.couplings());
        let chains = betas
            .iter()
            .map(|&b| {
                let scaled = Ising::new(h.mapv(|v| b * v), j.mapv(|v| b * v))?;
                let x: Array1<i8> = (0..n)
                    .map(|_| if rng.random::<bool>() { 1 } else { -1 })
                    .collect();
                Chain::new(&scaled, rule, scan, &x)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut phase = vec![Phase::Unvisited; m];
        phase[0] = Phase::Hot;
        phase[m - 1] = Phase::ColdOnly;
        Ok(Self {
            betas: betas.to_vec(),
            chains,
            replica_at: (0..m).collect(),
            slot_of: (0..m).collect(),
            phase,
            round_trips: vec![0; m],
            accepted: vec![0; m - 1],
            attempted: vec![0; m - 1],
            parity: 0,
        })
    }

    /// レプリカ（温度）の数 `M`。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.2, 0.4], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// assert_eq!(pt.n_replicas(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_replicas(&self) -> usize {
        self.betas.len()
    }

    /// 逆温度の梯子 `β_1 < … < β_M`。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.4], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// assert_eq!(pt.betas(), &[0.1, 0.4]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn betas(&self) -> &[f64] {
        &self.betas
    }

    fn check_slot(&self, slot: usize) -> Result<()> {
        if slot >= self.betas.len() {
            return Err(Error::InvalidParameter {
                name: "温度の番号",
                value: slot as f64,
                requirement: "レプリカの数 M 未満",
            });
        }
        Ok(())
    }

    /// 温度 `slot`（`β_{slot+1}`、0 始まり）の現在の配置。
    ///
    /// # Errors
    ///
    /// `slot ≥ M` なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let pt = Exchange::new(&Ising::zeros(3)?, &[0.1, 0.4], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// assert_eq!(pt.state(1)?.len(), 3);
    /// assert!(pt.state(2).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn state(&self, slot: usize) -> Result<ArrayView1<'_, i8>> {
        self.check_slot(slot)?;
        Ok(self.chains[slot].state())
    }

    /// 温度 `slot` の現在の配置の（`β` 倍する前の）エネルギー `E(x)`。
    ///
    /// # Errors
    ///
    /// `slot ≥ M` なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}, ndarray::array};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let model = Ising::new(array![0.0, 0.0], array![1.0])?;
    /// let pt = Exchange::new(&model, &[0.1, 0.4], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// for slot in 0..2 {
    ///     assert!((pt.energy(slot)? - model.energy(pt.state(slot)?)?).abs() < 1e-12);
    /// }
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy(&self, slot: usize) -> Result<f64> {
        self.check_slot(slot)?;
        Ok(self.energy_unchecked(slot))
    }

    fn energy_unchecked(&self, slot: usize) -> f64 {
        self.chains[slot].energy() / self.betas[slot]
    }

    /// 温度ごとにいるレプリカの番号（`replica_at()[m]` が温度 `m` のレプリカ）。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let mut pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.2, 0.3], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// pt.run(&mut rng, 10)?;
    /// let mut p = pt.replica_at().to_vec();
    /// p.sort();
    /// assert_eq!(p, vec![0, 1, 2]); // 置換
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn replica_at(&self) -> &[usize] {
        &self.replica_at
    }

    /// レプリカごとのいる温度の番号（[`Exchange::replica_at`] の逆の置換）。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let mut pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.2, 0.3], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// pt.run(&mut rng, 10)?;
    /// for r in 0..3 {
    ///     assert_eq!(pt.replica_at()[pt.slot_of()[r]], r);
    /// }
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn slot_of(&self) -> &[usize] {
        &self.slot_of
    }

    /// 全レプリカの往復（最も高い温度 → 最も低い温度 → 最も高い温度）の数の和。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// // θ = 0: エネルギーは常に 0 で、交換は必ず受け入れられる。2 温度では 2 ステップで 1 往復
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let mut pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.2], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// pt.run(&mut rng, 4)?; // 偶数の対 (0, 1) は 2 ステップに 1 回
    /// assert_eq!((pt.round_trips(), pt.replica_round_trips()), (1, &[1, 0][..]));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn round_trips(&self) -> u64 {
        self.round_trips.iter().sum()
    }

    /// レプリカごとの往復の数。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.2], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// assert_eq!(pt.replica_round_trips(), &[0, 0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn replica_round_trips(&self) -> &[u64] {
        &self.round_trips
    }

    /// 対 `(m, m+1)` ごとの交換の `(受理の数, 試みの数)`。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let mut pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.2, 0.3], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// pt.run(&mut rng, 5)?; // 偶数の対は 3 回、奇数の対は 2 回
    /// assert_eq!(pt.swap_counts(), vec![(3, 3), (2, 2)]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn swap_counts(&self) -> Vec<(u64, u64)> {
        self.accepted
            .iter()
            .copied()
            .zip(self.attempted.iter().copied())
            .collect()
    }

    /// 対 `(m, m+1)` ごとの交換の受理率（まだ試みていなければ `None`）。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let mut pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.2, 0.3], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// assert_eq!(pt.acceptance_rates(), vec![None, None]);
    /// pt.step(&mut rng);
    /// assert_eq!(pt.acceptance_rates(), vec![Some(1.0), None]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn acceptance_rates(&self) -> Vec<Option<f64>> {
        self.swap_counts()
            .into_iter()
            .map(|(a, t)| (t > 0).then(|| a as f64 / t as f64))
            .collect()
    }

    /// すべての温度で 1 回ずつ掃引する（[`Chain::sweep`]）。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let mut pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.2], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// pt.sweep(&mut rng);
    /// assert_eq!(pt.swap_counts(), vec![(0, 0)]); // 交換はしない
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sweep<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        for chain in &mut self.chains {
            chain.sweep(rng);
        }
    }

    /// 今の偶奇の対 `(m, m+1)`（`m ≡ 偶奇 mod 2`）で交換を試み、偶奇を切り替える。試みた対と受理したかを返す。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let mut pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.2, 0.3, 0.4], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// assert_eq!(pt.attempt_swaps(&mut rng), vec![(0, true), (2, true)]);
    /// assert_eq!(pt.attempt_swaps(&mut rng), vec![(1, true)]);
    /// assert_eq!(pt.replica_at(), &[1, 3, 0, 2]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn attempt_swaps<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Vec<(usize, bool)> {
        let m_total = self.betas.len();
        let mut outcomes = Vec::with_capacity(m_total / 2);
        for m in (self.parity..m_total - 1).step_by(2) {
            let p = swap_probability_unchecked(
                self.betas[m],
                self.energy_unchecked(m),
                self.betas[m + 1],
                self.energy_unchecked(m + 1),
            );
            let accept = p >= 1.0 || rng.random::<f64>() < p;
            self.attempted[m] += 1;
            if accept {
                self.accepted[m] += 1;
                self.exchange(m);
            }
            outcomes.push((m, accept));
        }
        self.parity ^= 1;
        outcomes
    }

    /// 温度 `m` と `m+1` の配置とレプリカの番号を入れ替え、端に着いたレプリカの往復を数える。
    fn exchange(&mut self, m: usize) {
        let (lower, upper) = self.chains.split_at_mut(m + 1);
        // 同じモデルから作った連鎖なので、スピン数は必ず等しい
        if lower[m].swap_state(&mut upper[0]).is_err() {
            return;
        }
        self.replica_at.swap(m, m + 1);
        let last = self.betas.len() - 1;
        for slot in [m, m + 1] {
            let r = self.replica_at[slot];
            self.slot_of[r] = slot;
            if slot == 0 {
                if self.phase[r] == Phase::ColdAfterHot {
                    self.round_trips[r] += 1;
                }
                self.phase[r] = Phase::Hot;
            } else if slot == last {
                self.phase[r] = match self.phase[r] {
                    Phase::Hot | Phase::ColdAfterHot => Phase::ColdAfterHot,
                    Phase::Unvisited | Phase::ColdOnly => Phase::ColdOnly,
                };
            }
        }
    }

    /// 1 ステップ: 全温度の掃引（[`Exchange::sweep`]）の後に交換（[`Exchange::attempt_swaps`]）。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let mut pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.2, 0.3], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// assert_eq!(pt.step(&mut rng), vec![(0, true)]);
    /// assert_eq!(pt.step(&mut rng), vec![(1, true)]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn step<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Vec<(usize, bool)> {
        self.sweep(rng);
        self.attempt_swaps(rng)
    }

    /// 仕事の上限 `steps · M · N ≤ MAX_CHAIN_WORK` を確かめる。
    fn check_work(&self, steps: usize) -> Result<()> {
        let per_step = (self.betas.len() as u64).saturating_mul(self.chains[0].n_spins() as u64);
        let max = MAX_CHAIN_WORK / per_step.max(1);
        if steps as u64 > max {
            return Err(Error::TooLarge {
                what: "ステップ数",
                requested: steps,
                max: usize::try_from(max).unwrap_or(usize::MAX),
            });
        }
        Ok(())
    }

    /// 何も記録せずに `steps` ステップ進める（焼きなまし）。
    ///
    /// # Errors
    ///
    /// `steps · M · N > MAX_CHAIN_WORK` なら [`Error::TooLarge`]（何もしない）。
    ///
    /// # Examples
    ///
    /// ```
    /// # use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Rule, Scan}, Error};
    /// # use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let mut pt = Exchange::new(&Ising::zeros(2)?, &[0.1, 0.2], Rule::HeatBath, Scan::Random, &mut rng)?;
    /// pt.run(&mut rng, 3)?;
    /// assert_eq!(pt.swap_counts(), vec![(2, 2)]);
    /// assert!(matches!(pt.run(&mut rng, usize::MAX), Err(Error::TooLarge { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn run<R: Rng + ?Sized>(&mut self, rng: &mut R, steps: usize) -> Result<()> {
        self.check_work(steps)?;
        for _ in 0..steps {
            self.step(rng);
        }
        Ok(())
    }

    /// `steps` ステップ進め、各ステップの後に温度ごとの量を記録する。返す値は `[温度][量][ステップ]`。
    ///
    /// [`Observable::Energy`] は `β` 倍する前のエネルギー `E(x)`（どの温度でも同じ尺度）を記録する。
    /// ほかの量は [`Chain::observe`] と同じ。
    ///
    /// # Errors
    ///
    /// - `steps == 0` または `observables` が空: [`Error::EmptyInput`]
    /// - 量の番号が不正: [`Error::InvalidParameter`]
    /// - `steps · M · 量の数 > MAX_SAMPLES` か `steps · M · N > MAX_CHAIN_WORK`: [`Error::TooLarge`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{exchange::Exchange, Observable, Rule, Scan}, ndarray::array};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let model = Ising::new(array![0.0, 0.0], array![1.0])?;
    /// let mut pt = Exchange::new(&model, &[0.5, 2.0], Rule::Metropolis, Scan::Random, &mut rng)?;
    /// let t = pt.record(&mut rng, 100, &[Observable::Energy, Observable::Product(0, 1)])?;
    /// assert_eq!((t.len(), t[0].len(), t[1][0].len()), (2, 2, 100));
    /// // E = −x_0 x_1
    /// assert!(t[1][0].iter().zip(&t[1][1]).all(|(e, p)| *e == -*p));
    /// assert!(pt.record(&mut rng, 0, &[Observable::Energy]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn record<R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
        steps: usize,
        observables: &[Observable],
    ) -> Result<Vec<Vec<Vec<f64>>>> {
        if steps == 0 || observables.is_empty() {
            return Err(Error::EmptyInput);
        }
        for &obs in observables {
            self.chains[0].observe(obs)?;
        }
        let total = steps
            .checked_mul(observables.len())
            .and_then(|v| v.checked_mul(self.betas.len()));
        if total.is_none_or(|t| t > MAX_SAMPLES) {
            return Err(Error::TooLarge {
                what: "記録する値の数（ステップ数 × 温度の数 × 量の数）",
                requested: total.unwrap_or(usize::MAX),
                max: MAX_SAMPLES,
            });
        }
        self.check_work(steps)?;
        let mut trace: Vec<Vec<Vec<f64>>> = (0..self.betas.len())
            .map(|_| {
                observables
                    .iter()
                    .map(|_| Vec::with_capacity(steps))
                    .collect()
            })
            .collect();
        for _ in 0..steps {
            self.step(rng);
            for (slot, series) in trace.iter_mut().enumerate() {
                for (s, &obs) in series.iter_mut().zip(observables) {
                    let v = match obs {
                        Observable::Energy => self.energy_unchecked(slot),
                        other => self.chains[slot].observe(other)?,
                    };
                    s.push(v);
                }
            }
        }
        Ok(trace)
    }
}
