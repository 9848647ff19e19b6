//! 擬似尤度（Besag 1975、式 (7.20)–(7.21)、第 7 章）: 分配関数を使わない一致推定量。
//!
//! 各スピンの、ほかのスピンを与えたときの条件つき分布 `q(x_k | x_∖k) = e^{x_k H_k}/(2 cosh H_k)`
//! （局所場 `H_k = h_k + Σ_{l≠k} J_kl x_l`）の対数の和をデータで平均する。
//!
//! - 式 (7.20): `ℓ(θ) = (1/n) Σ_μ Σ_k [x_k^μ H_k(x^μ) − ln 2 cosh H_k(x^μ)]`
//! - 式 (7.21): `∂ℓ/∂J_kl = (1/n) Σ_μ [(x_k^μ − tanh H_k) x_l^μ + (x_l^μ − tanh H_l) x_k^μ]`、
//!   `∂ℓ/∂h_k = (1/n) Σ_μ (x_k^μ − tanh H_k)`
//!
//! `ℓ` は `θ` について凹なので、Newton 法で最大化する。データがモデル自身の分布なら `ℓ` の最大点は真の `θ` で、
//! 標本数 `n → ∞` で推定は真の値に近づく（一致性）。パラメータの並びは [`Ising::params`] と同じ。

use crate::boltzmann::ising::{Ising, check_spin_data, n_params, pair_index, spins_of_state};
use crate::error::{Error, Result, ensure_len, finite_scalar};
use crate::linalg::Spd;
use crate::prec::MAX_CHAIN_WORK;
use ndarray::{Array1, Array2, AsArray, Ix2};
use std::collections::BTreeMap;

/// 擬似尤度で扱うスピン数の上限。Newton 法の 1 歩は `O(S N³)`（`S` は違う配置の数）。
pub const MAX_PSEUDO_SPINS: usize = 64;

/// モデルの分布そのものを重みにするとき（[`PseudoLikelihood::from_model`]）のスピン数の上限（`2^16` 状態）。
pub const MAX_PSEUDO_MODEL_SPINS: usize = 16;

/// Newton 法の回数の上限。`ℓ` は凹で滑らかなので、2 次収束すれば数十回で足りる。
pub const MAX_NEWTON_STEPS: usize = 200;

/// 収束の判定: Newton 法の 1 歩の成分の絶対値の最大がこれ以下。勾配ではなく歩幅で判定するのは、
/// 最大点が無限遠にあるとき（勾配は `e^{−2J}` で 0 に近づくが、歩幅は縮まない）を収束と誤らないためである。
/// 2 次収束するので、この 1 歩の後の誤差は `1e-18` 程度の丸め誤差に埋もれる。
pub const STEP_TOLERANCE: f64 = 1e-9;

/// 重みつきの配置の集合と、その上の擬似尤度。
#[derive(Debug, Clone, PartialEq)]
pub struct PseudoLikelihood {
    n: usize,
    /// 違う配置（1 行 1 配置、`±1` の実数）。
    states: Array2<f64>,
    /// 各配置の重み（和は 1）。
    weights: Array1<f64>,
}

impl PseudoLikelihood {
    /// スピンのデータ（1 行 1 配置）から作る。同じ配置はまとめて重みにする。
    ///
    /// # Errors
    ///
    /// - データが空・値が `±1` でない: [`check_spin_data`] と同じ
    /// - `N >` [`MAX_PSEUDO_SPINS`]: [`Error::TooManySpins`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, variational::pseudo::PseudoLikelihood};
    ///
    /// let pl = PseudoLikelihood::from_data(&array![[1, 1], [1, 1], [-1, 1]])?;
    /// assert_eq!(pl.n_states(), 2);
    /// assert!(PseudoLikelihood::from_data(&array![[1, 0]]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_data<'a>(spins: impl AsArray<'a, i8, Ix2>) -> Result<Self> {
        let spins = check_spin_data(spins)?;
        let n = spins.ncols();
        if n > MAX_PSEUDO_SPINS {
            return Err(Error::TooManySpins {
                n,
                max: MAX_PSEUDO_SPINS,
            });
        }
        let mut counts: BTreeMap<Vec<i8>, usize> = BTreeMap::new();
        for row in spins.rows() {
            *counts.entry(row.to_vec()).or_default() += 1;
        }
        let total = spins.nrows() as f64;
        let mut states = Array2::zeros((counts.len(), n));
        let mut weights = Array1::zeros(counts.len());
        for (i, (row, c)) in counts.into_iter().enumerate() {
            for (k, &x) in row.iter().enumerate() {
                states[[i, k]] = f64::from(x);
            }
            weights[i] = c as f64 / total;
        }
        Ok(Self { n, states, weights })
    }

    /// モデルの分布そのもの（全状態、厳密な確率）を重みにする。標本数 `n → ∞` の極限にあたる。
    ///
    /// # Errors
    ///
    /// `N >` [`MAX_PSEUDO_MODEL_SPINS`] なら [`Error::TooManySpins`]、`Σ|θ|` が列挙の上限を超えれば [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::pseudo::PseudoLikelihood};
    ///
    /// let pl = PseudoLikelihood::from_model(&Ising::new(array![0.1, 0.2], array![0.3])?)?;
    /// assert_eq!(pl.n_states(), 4);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_model(model: &Ising) -> Result<Self> {
        let n = model.n_spins();
        if n > MAX_PSEUDO_MODEL_SPINS {
            return Err(Error::TooManySpins {
                n,
                max: MAX_PSEUDO_MODEL_SPINS,
            });
        }
        let p = super::gibbs::boltzmann_table(model)?;
        let mut states = Array2::zeros((p.len(), n));
        for s in 0..p.len() {
            let x = spins_of_state(s, n)?;
            for k in 0..n {
                states[[s, k]] = f64::from(x[k]);
            }
        }
        Ok(Self {
            n,
            states,
            weights: p,
        })
    }

    /// 違う配置の数。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, variational::pseudo::PseudoLikelihood};
    ///
    /// assert_eq!(PseudoLikelihood::from_data(&array![[1], [-1], [1]])?.n_states(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_states(&self) -> usize {
        self.weights.len()
    }

    fn check(&self, model: &Ising) -> Result<()> {
        ensure_len(self.n, model.n_spins())
    }

    /// 全配置の局所場 `H_k(x) = h_k + Σ_{l≠k} J_kl x_l`（`S × N`）。
    fn local_fields(&self, model: &Ising) -> Array2<f64> {
        let j = super::coupling_matrix(model);
        self.states.dot(&j) + model.fields()
    }

    /// 擬似尤度 `ℓ(θ)`（式 (7.20)）。
    ///
    /// # Errors
    ///
    /// スピン数が違えば [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::pseudo::PseudoLikelihood};
    ///
    /// // θ = 0: 各条件つき確率は 1/2 なので ℓ = −N ln 2
    /// let pl = PseudoLikelihood::from_data(&array![[1, -1, 1], [1, 1, 1]])?;
    /// assert!((pl.value(&Ising::zeros(3)?)? + 3.0 * 2f64.ln()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn value(&self, model: &Ising) -> Result<f64> {
        self.check(model)?;
        let hf = self.local_fields(model);
        let mut total = 0.0;
        for ((row, x), &w) in hf
            .rows()
            .into_iter()
            .zip(self.states.rows())
            .zip(&self.weights)
        {
            let s: f64 = row
                .iter()
                .zip(&x)
                .map(|(&h, &xk)| xk * h - std::f64::consts::LN_2 - super::ln_cosh(h))
                .sum();
            total += w * s;
        }
        finite_scalar("擬似尤度", total)
    }

    /// 勾配 `∇_θ ℓ`（式 (7.21)、並びは [`Ising::params`]）。
    ///
    /// # Errors
    ///
    /// スピン数が違えば [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::pseudo::PseudoLikelihood};
    ///
    /// // θ = 0: ∂ℓ/∂h_k = ⟨x_k⟩、∂ℓ/∂J_kl = 2⟨x_k x_l⟩
    /// let pl = PseudoLikelihood::from_data(&array![[1, -1], [1, 1]])?;
    /// assert_eq!(pl.gradient(&Ising::zeros(2)?)?, array![1.0, 0.0, 0.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn gradient(&self, model: &Ising) -> Result<Array1<f64>> {
        self.check(model)?;
        let n = self.n;
        let hf = self.local_fields(model);
        let mut g = Array1::zeros(n_params(n)?);
        for ((row, x), &w) in hf
            .rows()
            .into_iter()
            .zip(self.states.rows())
            .zip(&self.weights)
        {
            let r: Vec<f64> = (0..n).map(|k| x[k] - row[k].tanh()).collect();
            for k in 0..n {
                g[k] += w * r[k];
                for l in k + 1..n {
                    let p = n + pair_index(n, k, l).unwrap_or(0);
                    g[p] += w * (r[k] * x[l] + r[l] * x[k]);
                }
            }
        }
        Ok(g)
    }

    /// ヘッセ行列 `∇∇ᵀ ℓ = −Σ_μ w_μ Σ_k (1 − tanh² H_k) g_k g_kᵀ`（`g_k = ∂H_k/∂θ`）。負の半定値。
    ///
    /// スピン `k` の `g_k` は `h_k` に 1、`J_kl`（`l ≠ k`）に `x_l` を持つので、配置を並べた行列
    /// `G_k = [1, x_{∖k}]`（`S × N`）で `G_kᵀ diag(w (1 − tanh² H_k)) G_k` を行列の積として求め、添字へ散らす。
    fn hessian(&self, model: &Ising) -> Result<Array2<f64>> {
        let n = self.n;
        let p = n_params(n)?;
        let hf = self.local_fields(model);
        let s = self.weights.len();
        let mut hess = Array2::zeros((p, p));
        let mut g = Array2::<f64>::zeros((s, n));
        let mut gw = Array2::<f64>::zeros((s, n));
        for k in 0..n {
            let idx: Vec<usize> = std::iter::once(k)
                .chain(
                    (0..n)
                        .filter(|&l| l != k)
                        .map(|l| n + pair_index(n, k.min(l), k.max(l)).unwrap_or(0)),
                )
                .collect();
            for r in 0..s {
                let t = hf[[r, k]].tanh();
                let c = self.weights[r] * (1.0 - t * t);
                g[[r, 0]] = 1.0;
                gw[[r, 0]] = c;
                for (col, l) in (1..).zip((0..n).filter(|&l| l != k)) {
                    g[[r, col]] = self.states[[r, l]];
                    gw[[r, col]] = c * self.states[[r, l]];
                }
            }
            let block = g.t().dot(&gw);
            for (a, &ia) in idx.iter().enumerate() {
                for (b, &ib) in idx.iter().enumerate() {
                    hess[[ia, ib]] -= block[[a, b]];
                }
            }
        }
        Ok(hess)
    }

    /// `start` から Newton 法（後退つき直線探索）で `ℓ` を最大にする。
    ///
    /// # Errors
    ///
    /// - スピン数が違う: [`Error::DimensionMismatch`]
    /// - 違う配置の数 × `N³` × [`MAX_NEWTON_STEPS`] が [`MAX_CHAIN_WORK`] を超える: [`Error::TooLarge`]（計算を始めない）
    /// - `ℓ` の最大点が有限でない（データで 2 つのスピンが常にそろうなど）: ヘッセ行列が退化して
    ///   [`Error::IllConditioned`] か [`Error::NotPositiveDefinite`]、またはパラメータがあふれて [`Error::InvalidParameter`]
    /// - [`MAX_NEWTON_STEPS`] 回で歩幅が [`STEP_TOLERANCE`] を下回らない: [`Error::NotConverged`]
    ///
    /// 条件つき確率が 0 か 1 に飽和した初期値（`|θ|` が 20 を超えるなど）からは、最大点が有限でも
    /// ヘッセ行列が数値的に退化して [`Error::NotPositiveDefinite`] になることがある。そのときは `θ = 0` から始め直す。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::pseudo::PseudoLikelihood};
    ///
    /// // モデルの分布そのものでは、擬似尤度の最大点は真の θ
    /// let truth = Ising::new(array![0.2, -0.1, 0.3], array![0.5, -0.4, 0.8])?;
    /// let fit = PseudoLikelihood::from_model(&truth)?.fit(&Ising::zeros(3)?)?;
    /// assert!((&fit.params() - &truth.params()).iter().all(|d| d.abs() < 1e-9));
    /// // 2 つのスピンが常にそろうデータ: 結合は無限大に向かい、誤りになる
    /// let tied = PseudoLikelihood::from_data(&array![[1, 1], [-1, -1], [1, 1]])?;
    /// assert!(tied.fit(&Ising::zeros(2)?).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn fit(&self, start: &Ising) -> Result<Ising> {
        self.check(start)?;
        let n = self.n;
        let work = (self.weights.len() as u64)
            .saturating_mul((n as u64).pow(3))
            .saturating_mul(MAX_NEWTON_STEPS as u64);
        if work > MAX_CHAIN_WORK {
            return Err(Error::TooLarge {
                what: "擬似尤度の Newton 法の仕事（配置の数 × N³ × 回数の上限）",
                requested: usize::try_from(work).unwrap_or(usize::MAX),
                max: MAX_CHAIN_WORK as usize,
            });
        }
        let mut model = start.clone();
        let mut value = self.value(&model)?;
        let mut last = f64::INFINITY;
        for _ in 0..MAX_NEWTON_STEPS {
            let g = self.gradient(&model)?;
            let neg_h = -self.hessian(&model)?;
            let step = Spd::new(neg_h)?.inverse()?.dot(&g);
            last = step.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let theta = model.params();
            if last <= STEP_TOLERANCE {
                return Ising::from_params(n, &(&theta + &step));
            }
            let mut alpha = 1.0;
            loop {
                let cand = Ising::from_params(n, &(&theta + &(alpha * &step)))?;
                let v = self.value(&cand)?;
                if v >= value - 1e-15 * value.abs() {
                    model = cand;
                    value = v;
                    break;
                }
                alpha *= 0.5;
                if alpha < 1e-10 {
                    return Err(Error::NotConverged {
                        iterations: MAX_NEWTON_STEPS,
                        residual: last,
                        tolerance: STEP_TOLERANCE,
                    });
                }
            }
        }
        Err(Error::NotConverged {
            iterations: MAX_NEWTON_STEPS,
            residual: last,
            tolerance: STEP_TOLERANCE,
        })
    }
}
