//! Ising モデルの 1 スピン更新（メトロポリス法・熱浴法）によるマルコフ連鎖 [`Chain`]。
//!
//! スピン `k` の局所場（有効場）を `h^eff_k = h_k + Σ_{l≠k} J_kl x_l` とおくと、
//!
//! - スピン `k` を反転したときのエネルギーの変化は `ΔE = 2 x_k h^eff_k`
//! - メトロポリス法: 反転を提案し、確率 `min(1, e^{−ΔE})` で受け入れる
//! - 熱浴法（Gibbs サンプリング）: ほかのスピンを固定した条件つき分布から引き直す。
//!   `q(x_k = +1 | 残り) = e^{h^eff_k} / (e^{h^eff_k} + e^{−h^eff_k}) = σ(2 h^eff_k)`
//!
//! である。どちらの規則も、1 回の更新ごとにボルツマン分布 `q` を不変に保つ（詳細つり合い）。
//! 反転を受け入れたら、ほかのスピンの局所場を `h^eff_l ← h^eff_l − 2 J_lk x_k`（`x_k` は反転前の値）で
//! `O(N)` で更新する。
//!
//! 1 回の**掃引**（sweep）は `N` 回の 1 スピン更新である。順番の走査（[`Scan::Sequential`]）では
//! スピン `0, 1, …, N−1` をこの順に、ランダムな走査（[`Scan::Random`]）では一様に選んだスピンを `N` 回更新する。

use crate::boltzmann::ising::{Ising, pairs};
use crate::error::{Error, Result};
use crate::prec::{MAX_CHAIN_WORK, MAX_SAMPLES};
use ndarray::{ArrayView1, AsArray, Ix1};
use rand::Rng;

/// 局所場を定義から計算し直す間隔（反転の回数を `N` で割ったもの）。
///
/// 局所場の増分 `−2 J_lk x_k` の足し込みは 1 回ごとに相対 `ε ≈ 2.2e-16` 程度の丸め誤差を加え、
/// 誤差は反転の回数とともに溜まる。`256 N` 回の反転ごとに `O(N²)` で計算し直せば、誤差は
/// `256 N` 回ぶん（`N = 100` でも `1e-11` 程度の相対誤差）で抑えられ、費用は反転 1 回あたり `O(N / 256)` で済む。
const RESYNC_FLIPS_PER_SPIN: usize = 256;

/// 1 スピン更新の規則。
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::Rule;
///
/// assert_ne!(Rule::Metropolis, Rule::HeatBath);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// メトロポリス法: 反転を提案し、確率 `min(1, e^{−ΔE})` で受け入れる。
    Metropolis,
    /// 熱浴法（Gibbs サンプリング）: `x_k = +1` を確率 `σ(2 h^eff_k)` で選び直す。
    HeatBath,
}

impl Rule {
    /// エネルギーの変化が `ΔE` の反転が起こる確率と、起こらない確率 `(反転, 留まる)`。
    ///
    /// 1 回の更新で、スピン `k` が反転する確率はどちらの規則も `ΔE = 2 x_k h^eff_k` だけで決まる。
    ///
    /// - メトロポリス法: `(min(1, e^{−ΔE}), 1 − min(1, e^{−ΔE}))`
    /// - 熱浴法: `(σ(−ΔE), σ(ΔE))`（`x_k` を反対の値に選ぶ確率 `e^{−E'} / (e^{−E} + e^{−E'})`）
    ///
    /// 留まる確率は `1 − 反転` と引き算せず、`−expm1(−ΔE)` や `σ(ΔE)` として丸め誤差なしに求める。
    /// `ΔE` が NaN のときは `(NaN, NaN)` を返す（呼ぶ側は有限の `ΔE` だけを渡す）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::mcmc::Rule;
    ///
    /// // エネルギーが下がる反転は、メトロポリス法では必ず受け入れる
    /// assert_eq!(Rule::Metropolis.flip_probabilities(-1.0), (1.0, 0.0));
    /// let (f, s) = Rule::HeatBath.flip_probabilities(0.0);
    /// assert_eq!((f, s), (0.5, 0.5));
    /// let (f, s) = Rule::Metropolis.flip_probabilities(2.0);
    /// assert!((f - (-2f64).exp()).abs() < 1e-16 && (f + s - 1.0).abs() < 1e-16);
    /// ```
    pub fn flip_probabilities(self, delta_e: f64) -> (f64, f64) {
        match self {
            Rule::Metropolis => {
                if delta_e <= 0.0 {
                    (1.0, 0.0)
                } else {
                    ((-delta_e).exp(), -(-delta_e).exp_m1())
                }
            }
            Rule::HeatBath => (sigmoid(-delta_e), sigmoid(delta_e)),
        }
    }
}

/// ロジスティック関数 `σ(z) = 1 / (1 + e^{−z})`。`z → −∞` で `e^{−z}` が ∞ になっても `0` を返す。
pub(super) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// 掃引でのスピンの選び方。
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::Scan;
///
/// assert_ne!(Scan::Sequential, Scan::Random);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scan {
    /// 順番の走査: スピン `0, 1, …, N−1` をこの順に 1 回ずつ更新する。
    ///
    /// 各更新は `q` を不変に保つので掃引も `q` を不変に保つが、掃引全体の遷移行列は
    /// 詳細つり合いを満たさない（[`crate::mcmc::kernel`] を参照）。
    Sequential,
    /// ランダムな走査: 一様に選んだスピンを 1 回更新することを `N` 回くり返す。
    ///
    /// 1 回の更新の遷移行列 `P = (1/N) Σ_k P_k` が詳細つり合いを満たす（可逆）。
    Random,
}

/// 掃引ごとに記録する量。
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::Observable;
///
/// let obs = [Observable::Energy, Observable::Magnetization, Observable::Product(0, 1)];
/// assert_eq!(obs.len(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Observable {
    /// エネルギー `E(x) = −(Σ_{k<l} J_kl x_k x_l + Σ_k h_k x_k)`（式 (2.25a)）。
    Energy,
    /// 磁化 `M(x) = Σ_k x_k`（スピン 1 個あたりではなく和）。
    Magnetization,
    /// スピン `x_k`。
    Spin(usize),
    /// 2 つの異なるスピンの積 `x_k x_l`（`k ≠ l`）。
    Product(usize, usize),
}

/// Ising モデル（式 (2.25)）の 1 スピン更新によるマルコフ連鎖。
///
/// 現在の配置 `x` と局所場 `h^eff_k = h_k + Σ_{l≠k} J_kl x_l` を持ち、反転を受け入れるたびに
/// 局所場を `O(N)` で更新する。結合は `N × N` の密な行列として持つ（`8 N²` バイト）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Observable, Rule, Scan}, ndarray::array};
/// use rand::SeedableRng;
///
/// let model = Ising::new(array![0.1, 0.0, -0.1], array![0.5, 0.0, 0.5])?;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let mut chain = Chain::new(&model, Rule::HeatBath, Scan::Sequential, &[1, 1, 1])?;
/// chain.run(&mut rng, 100)?; // 焼きなまし（burn-in）
/// let trace = chain.record(&mut rng, 1000, &[Observable::Energy, Observable::Product(0, 1)])?;
/// assert_eq!(trace.len(), 2);
/// assert_eq!(trace[0].len(), 1000);
/// // 局所場から求めたエネルギーは、定義どおりのエネルギーに一致する
/// assert!((chain.energy() - model.energy(chain.state())?).abs() < 1e-12);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Chain {
    n: usize,
    rule: Rule,
    scan: Scan,
    h: Vec<f64>,
    /// 結合の対称な `N × N` 行列（対角 0、行優先）。
    jm: Vec<f64>,
    x: Vec<i8>,
    local: Vec<f64>,
    /// 順番の走査で次に更新するスピン。
    next_site: usize,
    updates: u64,
    flips: u64,
    flips_since_resync: usize,
}

impl Chain {
    /// モデル・更新の規則・走査の仕方・初期配置から連鎖を作る。
    ///
    /// モデルは [`Ising::new`] が検査済みなので（有限、`Σ|θ| ≤ 1e100`）、局所場やエネルギーの変化は常に有限である。
    ///
    /// # Errors
    ///
    /// 初期配置の長さが `N` でなければ [`Error::DimensionMismatch`]、`±1` 以外の値は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}, Error};
    ///
    /// let model = Ising::zeros(2)?;
    /// assert!(Chain::new(&model, Rule::Metropolis, Scan::Random, &[1, -1]).is_ok());
    /// assert!(matches!(
    ///     Chain::new(&model, Rule::Metropolis, Scan::Random, &[1]),
    ///     Err(Error::DimensionMismatch { expected: 2, actual: 1 })
    /// ));
    /// assert!(matches!(
    ///     Chain::new(&model, Rule::Metropolis, Scan::Random, &[1, 0]),
    ///     Err(Error::InvalidParameter { .. })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new<'a>(
        model: &Ising,
        rule: Rule,
        scan: Scan,
        initial: impl AsArray<'a, i8, Ix1>,
    ) -> Result<Self> {
        let initial: ArrayView1<'a, i8> = initial.into();
        let n = model.n_spins();
        if initial.len() != n {
            return Err(Error::DimensionMismatch {
                expected: n,
                actual: initial.len(),
            });
        }
        if let Some(&v) = initial.iter().find(|&&v| v != 1 && v != -1) {
            return Err(Error::InvalidParameter {
                name: "スピン",
                value: f64::from(v),
                requirement: "−1 か 1",
            });
        }
        let mut jm = vec![0.0; n * n];
        for ((k, l), &v) in pairs(n).zip(model.couplings().iter()) {
            jm[k * n + l] = v;
            jm[l * n + k] = v;
        }
        let mut chain = Self {
            n,
            rule,
            scan,
            h: model.fields().to_vec(),
            jm,
            x: initial.to_vec(),
            local: vec![0.0; n],
            next_site: 0,
            updates: 0,
            flips: 0,
            flips_since_resync: 0,
        };
        chain.resync();
        Ok(chain)
    }

    /// 局所場を定義 `h^eff_k = h_k + Σ_{l≠k} J_kl x_l` から計算し直す（`O(N²)`）。
    fn resync(&mut self) {
        let n = self.n;
        for k in 0..n {
            let row = &self.jm[k * n..(k + 1) * n];
            self.local[k] = self.h[k]
                + row
                    .iter()
                    .zip(self.x.iter())
                    .map(|(j, &x)| j * f64::from(x))
                    .sum::<f64>();
        }
        self.flips_since_resync = 0;
    }

    /// スピン数 `N`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}};
    ///
    /// let chain = Chain::new(&Ising::zeros(3)?, Rule::HeatBath, Scan::Random, &[1, 1, 1])?;
    /// assert_eq!(chain.n_spins(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_spins(&self) -> usize {
        self.n
    }

    /// 更新の規則。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}};
    ///
    /// let chain = Chain::new(&Ising::zeros(1)?, Rule::HeatBath, Scan::Random, &[1])?;
    /// assert_eq!(chain.rule(), Rule::HeatBath);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// 走査の仕方。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}};
    ///
    /// let chain = Chain::new(&Ising::zeros(1)?, Rule::HeatBath, Scan::Random, &[1])?;
    /// assert_eq!(chain.scan(), Scan::Random);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn scan(&self) -> Scan {
        self.scan
    }

    /// 現在の配置 `x`（値は `±1`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}, ndarray::array};
    ///
    /// let chain = Chain::new(&Ising::zeros(2)?, Rule::HeatBath, Scan::Random, &[1, -1])?;
    /// assert_eq!(chain.state(), array![1, -1]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn state(&self) -> ArrayView1<'_, i8> {
        ArrayView1::from(&self.x[..])
    }

    /// 現在の配置の番号 `s`（第 `k` ビットが 1 ⇔ `x_k = −1`、[`crate::boltzmann::ising::spins_of_state`] の逆）。
    ///
    /// # Errors
    ///
    /// `N` が `usize` のビット数を超えると番号が表せないので [`Error::TooManySpins`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}};
    ///
    /// let chain = Chain::new(&Ising::zeros(3)?, Rule::HeatBath, Scan::Random, &[-1, 1, -1])?;
    /// assert_eq!(chain.state_index()?, 0b101);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn state_index(&self) -> Result<usize> {
        let bits = usize::BITS as usize;
        if self.n > bits {
            return Err(Error::TooManySpins {
                n: self.n,
                max: bits,
            });
        }
        Ok(self
            .x
            .iter()
            .enumerate()
            .filter(|&(_, &v)| v == -1)
            .fold(0usize, |s, (k, _)| s | (1 << k)))
    }

    /// 局所場 `h^eff_k = h_k + Σ_{l≠k} J_kl x_l`（反転のたびに差分で更新している値）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}, ndarray::array};
    ///
    /// let model = Ising::new(array![0.5, 0.0], array![2.0])?;
    /// let chain = Chain::new(&model, Rule::HeatBath, Scan::Random, &[1, -1])?;
    /// assert_eq!(chain.local_fields(), array![0.5 - 2.0, 2.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn local_fields(&self) -> ArrayView1<'_, f64> {
        ArrayView1::from(&self.local[..])
    }

    /// 現在の配置のエネルギー `E(x) = −½ Σ_k x_k (h_k + h^eff_k)`（`O(N)`）。
    ///
    /// `Σ_k x_k h^eff_k = Σ_k h_k x_k + 2 Σ_{k<l} J_kl x_k x_l` なので、式 (2.25a) に等しい。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}, ndarray::array};
    ///
    /// let model = Ising::new(array![0.5, 0.0], array![2.0])?;
    /// let chain = Chain::new(&model, Rule::HeatBath, Scan::Random, &[1, -1])?;
    /// assert_eq!(chain.energy(), model.energy(&[1, -1])?);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy(&self) -> f64 {
        -0.5 * self
            .x
            .iter()
            .zip(self.h.iter().zip(self.local.iter()))
            .map(|(&x, (h, l))| f64::from(x) * (h + l))
            .sum::<f64>()
    }

    /// 2 つの連鎖の配置を入れ替え、両方の局所場を定義から計算し直す（`O(N²)`。レプリカ交換法の交換）。
    ///
    /// パラメータ（モデル）・規則・走査の位置・反転の回数はそれぞれの連鎖に残る。
    ///
    /// # Errors
    ///
    /// スピン数が違えば [`Error::DimensionMismatch`]（何も変えない）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}, ndarray::array};
    ///
    /// let cold = Ising::new(array![0.0, 0.0], array![2.0])?;
    /// let hot = Ising::new(array![0.0, 0.0], array![0.5])?;
    /// let mut a = Chain::new(&cold, Rule::Metropolis, Scan::Random, &[1, -1])?;
    /// let mut b = Chain::new(&hot, Rule::Metropolis, Scan::Random, &[1, 1])?;
    /// a.swap_state(&mut b)?;
    /// assert_eq!((a.state().to_vec(), b.state().to_vec()), (vec![1, 1], vec![1, -1]));
    /// // 局所場はそれぞれのモデルで計算し直される
    /// assert_eq!((a.energy(), b.energy()), (-2.0, 0.5));
    /// let mut c = Chain::new(&Ising::zeros(3)?, Rule::Metropolis, Scan::Random, &[1, 1, 1])?;
    /// assert!(a.swap_state(&mut c).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn swap_state(&mut self, other: &mut Chain) -> Result<()> {
        if self.n != other.n {
            return Err(Error::DimensionMismatch {
                expected: self.n,
                actual: other.n,
            });
        }
        std::mem::swap(&mut self.x, &mut other.x);
        self.resync();
        other.resync();
        Ok(())
    }

    /// 現在の配置での量 `obs` の値。
    ///
    /// # Errors
    ///
    /// スピンの番号が `N` 以上、または [`Observable::Product`] の 2 つの番号が等しいなら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Observable, Rule, Scan}};
    ///
    /// let chain = Chain::new(&Ising::zeros(3)?, Rule::HeatBath, Scan::Random, &[1, -1, -1])?;
    /// assert_eq!(chain.observe(Observable::Magnetization)?, -1.0);
    /// assert_eq!(chain.observe(Observable::Spin(1))?, -1.0);
    /// assert_eq!(chain.observe(Observable::Product(1, 2))?, 1.0);
    /// assert!(chain.observe(Observable::Product(1, 1)).is_err());
    /// assert!(chain.observe(Observable::Spin(3)).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn observe(&self, obs: Observable) -> Result<f64> {
        self.check_observable(obs)?;
        Ok(self.observe_unchecked(obs))
    }

    fn check_observable(&self, obs: Observable) -> Result<()> {
        let bad = |k: usize| Error::InvalidParameter {
            name: "スピンの番号",
            value: k as f64,
            requirement: "スピン数 N 未満",
        };
        match obs {
            Observable::Energy | Observable::Magnetization => Ok(()),
            Observable::Spin(k) if k >= self.n => Err(bad(k)),
            Observable::Spin(_) => Ok(()),
            Observable::Product(k, l) => {
                if k >= self.n {
                    Err(bad(k))
                } else if l >= self.n {
                    Err(bad(l))
                } else if k == l {
                    Err(Error::InvalidParameter {
                        name: "積 x_k x_l の番号",
                        value: k as f64,
                        requirement: "k ≠ l（x_k x_k = 1 は定数）",
                    })
                } else {
                    Ok(())
                }
            }
        }
    }

    fn observe_unchecked(&self, obs: Observable) -> f64 {
        match obs {
            Observable::Energy => self.energy(),
            Observable::Magnetization => self.x.iter().map(|&v| f64::from(v)).sum(),
            Observable::Spin(k) => f64::from(self.x[k]),
            Observable::Product(k, l) => f64::from(self.x[k] * self.x[l]),
        }
    }

    /// これまでの更新のうち、スピンが実際に反転した割合。まだ 1 回も更新していなければ `None`。
    ///
    /// メトロポリス法では受理率、熱浴法では引き直した値が前と違った割合である。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}};
    /// use rand::SeedableRng;
    ///
    /// // 一様分布（θ = 0）のメトロポリス法は ΔE = 0 なので、提案をすべて受け入れる
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    /// let mut chain = Chain::new(&Ising::zeros(3)?, Rule::Metropolis, Scan::Random, &[1, 1, 1])?;
    /// assert_eq!(chain.acceptance_rate(), None);
    /// chain.sweep(&mut rng);
    /// assert_eq!(chain.acceptance_rate(), Some(1.0));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn acceptance_rate(&self) -> Option<f64> {
        (self.updates > 0).then(|| self.flips as f64 / self.updates as f64)
    }

    /// スピン `k` を規則どおりに 1 回更新し、反転したかどうかを返す。
    ///
    /// # Errors
    ///
    /// `k ≥ N` なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}, ndarray::array};
    /// use rand::SeedableRng;
    ///
    /// // h = 1e3: 熱浴法は x_0 = +1 をほぼ確率 1 で選ぶ
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
    /// let model = Ising::new(array![1e3], array![])?;
    /// let mut chain = Chain::new(&model, Rule::HeatBath, Scan::Sequential, &[-1])?;
    /// assert!(chain.update_site(&mut rng, 0)?);
    /// assert_eq!(chain.state()[0], 1);
    /// assert!(chain.update_site(&mut rng, 1).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn update_site<R: Rng + ?Sized>(&mut self, rng: &mut R, k: usize) -> Result<bool> {
        if k >= self.n {
            return Err(Error::InvalidParameter {
                name: "スピンの番号",
                value: k as f64,
                requirement: "スピン数 N 未満",
            });
        }
        Ok(self.update_site_unchecked(rng, k))
    }

    fn update_site_unchecked<R: Rng + ?Sized>(&mut self, rng: &mut R, k: usize) -> bool {
        let xk = self.x[k];
        let field = self.local[k];
        let flip = match self.rule {
            Rule::Metropolis => {
                let delta_e = 2.0 * f64::from(xk) * field;
                delta_e <= 0.0 || rng.random::<f64>() < (-delta_e).exp()
            }
            Rule::HeatBath => {
                let new: i8 = if rng.random::<f64>() < sigmoid(2.0 * field) {
                    1
                } else {
                    -1
                };
                new != xk
            }
        };
        self.updates += 1;
        if flip {
            self.flip(k);
        }
        flip
    }

    /// スピン `k` を反転し、ほかのスピンの局所場を `O(N)` で更新する。
    ///
    /// 結合の行列の対角は 0 なので、`l = k` も区別せずに足してよい（`h^eff_k` は変わらない）。
    fn flip(&mut self, k: usize) {
        let n = self.n;
        let c = 2.0 * f64::from(self.x[k]);
        let row = &self.jm[k * n..(k + 1) * n];
        let local = &mut self.local[..n];
        for l in 0..n {
            local[l] -= c * row[l];
        }
        self.x[k] = -self.x[k];
        self.flips += 1;
        self.flips_since_resync += 1;
        if self.flips_since_resync >= RESYNC_FLIPS_PER_SPIN.saturating_mul(n) {
            self.resync();
        }
    }

    /// 走査の仕方どおりに 1 スピンを更新する（順番の走査なら次の番のスピン、ランダムな走査なら一様に選んだスピン）。
    /// 反転したかどうかを返す。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    /// // θ = 0 のメトロポリス法・順番の走査: スピン 0, 1 の順に必ず反転する
    /// let mut chain = Chain::new(&Ising::zeros(2)?, Rule::Metropolis, Scan::Sequential, &[1, 1])?;
    /// assert!(chain.update(&mut rng));
    /// assert_eq!(chain.state().to_vec(), vec![-1, 1]);
    /// chain.update(&mut rng);
    /// assert_eq!(chain.state().to_vec(), vec![-1, -1]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn update<R: Rng + ?Sized>(&mut self, rng: &mut R) -> bool {
        let k = match self.scan {
            Scan::Sequential => {
                let k = self.next_site;
                self.next_site = if k + 1 == self.n { 0 } else { k + 1 };
                k
            }
            Scan::Random => rng.random_range(0..self.n),
        };
        self.update_site_unchecked(rng, k)
    }

    /// 1 回の掃引（`N` 回の 1 スピン更新、[`Chain::update`]）。
    ///
    /// 順番の走査では、[`Chain::update`] を途中まで呼んでいればその続きから `N` 回更新する。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    /// // θ = 0 のメトロポリス法・順番の走査: 1 掃引で全スピンが反転する
    /// let mut chain = Chain::new(&Ising::zeros(3)?, Rule::Metropolis, Scan::Sequential, &[1, -1, 1])?;
    /// chain.sweep(&mut rng);
    /// assert_eq!(chain.state().to_vec(), vec![-1, 1, -1]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sweep<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        for _ in 0..self.n {
            self.update(rng);
        }
    }

    /// 何も記録せずに `sweeps` 回掃引する（焼きなまし、burn-in）。`sweeps == 0` なら何もしない。
    ///
    /// # Errors
    ///
    /// 仕事 `sweeps · N`（1 スピン更新の数）が [`MAX_CHAIN_WORK`] を超えれば、掃引せずに [`Error::TooLarge`]
    /// （`usize::MAX` 回のような、事実上終わらない計算を断る）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Rule, Scan}};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    /// let mut chain = Chain::new(&Ising::zeros(2)?, Rule::HeatBath, Scan::Random, &[1, 1])?;
    /// chain.run(&mut rng, 10)?;
    /// assert!(chain.acceptance_rate().is_some());
    /// assert!(chain.run(&mut rng, usize::MAX).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn run<R: Rng + ?Sized>(&mut self, rng: &mut R, sweeps: usize) -> Result<()> {
        let max = usize::try_from(MAX_CHAIN_WORK / self.n.max(1) as u64).unwrap_or(usize::MAX);
        if sweeps > max {
            return Err(Error::TooLarge {
                what: "掃引の数",
                requested: sweeps,
                max,
            });
        }
        for _ in 0..sweeps {
            self.sweep(rng);
        }
        Ok(())
    }

    /// `sweeps` 回掃引し、各掃引の後の量 `observables` を記録する。
    ///
    /// 返す値は量ごとの列（`observables[i]` の列が `[i]`、長さはどれも `sweeps`）。
    /// 記録は掃引 1 回ごとなので、自己相関時間（[`crate::mcmc::stats`]）の単位は掃引である。
    ///
    /// # Errors
    ///
    /// - `sweeps == 0` または `observables` が空: [`Error::EmptyInput`]
    /// - 量の番号が不正: [`Error::InvalidParameter`]（[`Chain::observe`] と同じ）
    /// - `sweeps × observables.len() > MAX_SAMPLES`（`2^28`）: 確保を試みずに [`Error::TooLarge`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{Chain, Observable, Rule, Scan}, Error};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
    /// let mut chain = Chain::new(&Ising::zeros(2)?, Rule::HeatBath, Scan::Random, &[1, 1])?;
    /// let m = chain.record(&mut rng, 50, &[Observable::Magnetization])?;
    /// assert!(m[0].iter().all(|v| [-2.0, 0.0, 2.0].contains(v)));
    /// assert_eq!(chain.record(&mut rng, 0, &[Observable::Energy]), Err(Error::EmptyInput));
    /// assert!(matches!(
    ///     chain.record(&mut rng, usize::MAX, &[Observable::Energy]),
    ///     Err(Error::TooLarge { .. })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn record<R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
        sweeps: usize,
        observables: &[Observable],
    ) -> Result<Vec<Vec<f64>>> {
        if sweeps == 0 || observables.is_empty() {
            return Err(Error::EmptyInput);
        }
        for &obs in observables {
            self.check_observable(obs)?;
        }
        let total = sweeps.checked_mul(observables.len());
        if total.is_none_or(|t| t > MAX_SAMPLES) {
            return Err(Error::TooLarge {
                what: "記録する値の数（掃引数 × 量の数）",
                requested: total.unwrap_or(usize::MAX),
                max: MAX_SAMPLES,
            });
        }
        let mut trace: Vec<Vec<f64>> = observables
            .iter()
            .map(|_| Vec::with_capacity(sweeps))
            .collect();
        for _ in 0..sweeps {
            self.sweep(rng);
            for (series, &obs) in trace.iter_mut().zip(observables) {
                series.push(self.observe_unchecked(obs));
            }
        }
        Ok(trace)
    }
}
