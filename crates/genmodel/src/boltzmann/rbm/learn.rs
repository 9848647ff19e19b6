//! RBM の学習: CD-k・PCD による勾配の推定、小さなモデルでの CD-k の期待値の厳密な計算、学習のループ、再構成誤差。
//!
//! 平均対数尤度 `L(θ) = (1/n) Σ_μ ln q(v_μ)` の勾配は「正の項（データで固定したモーメント）−
//! 負の項（モデルのモーメント）」である（[`super::gradient`]）。負の項の求め方で学習法が分かれる。
//!
//! | 学習法 | 負の項 |
//! |---|---|
//! | 厳密（[`Rbm::exact_gradient`]） | 小さい方の層の列挙による `⟨v hᵀ⟩_q` など |
//! | CD-k（[`Rbm::cd_gradient`]） | データの各行から始めたブロック Gibbs の鎖を `k` 往復進めた `v_k` での `⟨v_k σ(c + Wᵀv_k)ᵀ⟩` |
//! | PCD（[`Pcd::gradient`]） | 学習の間ずっと持ち続ける鎖（persistent chains）を `k` 往復進めた状態での同じ平均 |
//!
//! 正の項も負の項も、隠れ層は標本ではなく条件つき確率 `σ(c + Wᵀv)` で平均する（Hinton の実践ガイドのやり方）。
//!
//! CD-k の推定の期待値は、鎖の分布を厳密にたどれば求まる（[`Rbm::cd_expected_gradient`]）。
//! `v → v'` の遷移確率（Gibbs の遷移核）は `T(v' | v) = Σ_h q(h | v) q(v' | h)`（[`Rbm::gibbs_kernel`]）で、
//! データの経験分布 `P₀ = (1/n) Σ_μ δ(v − v_μ)` から `P_{t+1}(v') = Σ_v P_t(v) T(v' | v)` を `k` 回くり返した
//! `P_k` で負の項 `Σ_v' P_k(v') v' σ(c + Wᵀv')ᵀ` を求める。`T` の成分はすべて正なので鎖はエルゴード的で、
//! `k → ∞` で `P_k → q(v)`、すなわち CD-k の期待値は厳密な勾配に収束する。

use super::gradient::{RbmGradient, RbmMoments, ensure_summable};
use super::model::Rbm;
use super::sample::Sweeper;
use super::{MAX_ENUMERATION_L1, as_u64, check_rows, ensure_chain_work, sigmoid, sweep_work};
use crate::error::{Error, Result, ensure_finite, ensure_len};
use crate::prec::MAX_SAMPLES;
use ndarray::{Array1, Array2, ArrayView2, AsArray, Axis, Ix2};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Gibbs の遷移行列 [`Rbm::gibbs_kernel`] と CD-k の厳密な期待値 [`Rbm::cd_expected_gradient`] が扱う可視ユニット数の上限 `12`。
///
/// 遷移行列は `2^{N_v} × 2^{N_v}` で、`N_v = 12` なら 4096 × 4096（`f64` で 128 MiB）である。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::boltzmann::rbm::MAX_KERNEL_VISIBLE, 12);
/// ```
pub const MAX_KERNEL_VISIBLE: usize = 12;

/// [`Rbm::gibbs_kernel`] と [`Rbm::cd_expected_gradient`] が扱う `N_v + N_h` の上限 `20`。
///
/// 遷移は `q(h | v)`（`2^{N_v} × 2^{N_h}`）と `q(v' | h)`（`2^{N_h} × 2^{N_v}`）の表の積として持つので、
/// 表は `2 · 2^{N_v + N_h}` 個の `f64`（上限ちょうどで 16 MiB）で、1 歩の仕事もその程度である。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::boltzmann::rbm::MAX_KERNEL_UNITS, 20);
/// ```
pub const MAX_KERNEL_UNITS: usize = 20;

/// [`Rbm::cd_expected_gradient`] の仕事 `k · 2^{N_v + N_h}` の上限 `2^34`（リリースビルドで 10 秒程度）。
/// これを超える `k` は、何時間も計算を続ける代わりに [`Error::TooLarge`] として断る。
/// 32 ビットの `usize`（wasm32）でも表せるよう `u64` で持つ。
const MAX_KERNEL_WORK: u64 = 1 << 34;

/// 鎖の往復の回数 `k` が 1 以上であることを確かめる。
fn check_k(k: usize) -> Result<()> {
    if k == 0 {
        return Err(Error::InvalidParameter {
            name: "k",
            value: 0.0,
            requirement: "1 以上（鎖を 1 往復以上進める）",
        });
    }
    Ok(())
}

/// 状態の番号 `s`（第 `i` ビットがユニット `i`）を `{0, 1}` のベクトルにする。
fn state_bits(s: usize, n: usize) -> Array1<u8> {
    (0..n).map(|i| ((s >> i) & 1) as u8).collect()
}

/// 独立なユニットの確率 `p_k = σ(a_k)` から、全状態 `s ∈ {0,1}^m` の確率 `Π_k p_k^{s_k} (1 − p_k)^{1 − s_k}` の表を作る
/// （番号 `s` の第 `k` ビットがユニット `k`）。`1 − σ(a)` は桁落ちしないよう `σ(−a)` で求める。
fn product_table(act: &Array1<f64>, out: &mut [f64]) {
    out[0] = 1.0;
    for (k, &a) in act.iter().enumerate() {
        let (on, off) = (sigmoid(a), sigmoid(-a));
        let half = 1usize << k;
        for s in 0..half {
            let x = out[s];
            out[s] = x * off;
            out[s | half] = x * on;
        }
    }
}

/// `q(h | v)` と `q(v' | h)` の表（[`Rbm::kernel_factors`]）。
struct KernelFactors {
    /// `h_given_v[v · 2^{N_h} + h] = q(h | v)`
    h_given_v: Vec<f64>,
    /// `v_given_h[h · 2^{N_v} + v] = q(v | h)`
    v_given_h: Vec<f64>,
}

impl Rbm {
    /// 遷移核を表で持てる大きさであることを確かめる（`N_v ≤ 12`、`N_v + N_h ≤ 20`）。
    fn ensure_kernel_size(&self) -> Result<()> {
        let (nv, nh) = self.w.dim();
        if nv > MAX_KERNEL_VISIBLE {
            return Err(Error::TooManySpins {
                n: nv,
                max: MAX_KERNEL_VISIBLE,
            });
        }
        if nv + nh > MAX_KERNEL_UNITS {
            return Err(Error::TooManySpins {
                n: nv + nh,
                max: MAX_KERNEL_UNITS,
            });
        }
        Ok(())
    }

    /// 遷移核の 2 つの因子 `q(h | v)`・`q(v' | h)` の表を作る（大きさは検査済み）。
    fn kernel_factors(&self) -> KernelFactors {
        let (nv, nh) = self.w.dim();
        let (sv, sh) = (1usize << nv, 1usize << nh);
        let mut h_given_v = vec![0.0; sv * sh];
        for (s, out) in h_given_v.chunks_exact_mut(sh).enumerate() {
            let v = state_bits(s, nv);
            product_table(&self.hidden_activation(v.view()), out);
        }
        let mut v_given_h = vec![0.0; sh * sv];
        for (s, out) in v_given_h.chunks_exact_mut(sv).enumerate() {
            let h = state_bits(s, nh);
            let mut act = self.b.clone();
            for (col, _) in self
                .w
                .columns()
                .into_iter()
                .zip(&h)
                .filter(|(_, x)| **x == 1)
            {
                act += &col;
            }
            product_table(&act, out);
        }
        KernelFactors {
            h_given_v,
            v_given_h,
        }
    }

    /// 可視層の状態の分布 `p`（長さ `2^{N_v}`）での `⟨v⟩`、`⟨σ(c + Wᵀv)⟩`、`⟨v σ(c + Wᵀv)ᵀ⟩`。
    fn distribution_moments(&self, p: &[f64]) -> RbmMoments {
        let (nv, nh) = self.w.dim();
        let mut m = RbmMoments {
            v: Array1::zeros(nv),
            h: Array1::zeros(nh),
            vh: Array2::zeros((nv, nh)),
        };
        for (s, &ps) in p.iter().enumerate().filter(|(_, ps)| **ps > 0.0) {
            let v = state_bits(s, nv);
            let sig = self.hidden_probabilities(v.view()) * ps;
            m.h += &sig;
            for (i, _) in v.iter().enumerate().filter(|(_, x)| **x == 1) {
                m.v[i] += ps;
                let mut row = m.vh.row_mut(i);
                row += &sig;
            }
        }
        m
    }

    /// CD-k（contrastive divergence）による勾配の推定。
    ///
    /// データの各行 `v_μ` から鎖を始め、ブロック Gibbs の往復 `v → h → v`（[`Rbm::gibbs`]）を `k` 回進めた `v_μ^{(k)}` を作り、
    ///
    /// - 正の項: `⟨v σ(c + Wᵀv)ᵀ⟩_data`、`⟨v⟩_data`、`⟨σ(c + Wᵀv)⟩_data`（[`Rbm::data_moments`]）
    /// - 負の項: 同じ平均を `v_μ^{(k)}` でとったもの
    ///
    /// の差を返す。隠れ層は両方の項で標本ではなく確率 `σ(c + Wᵀv)` を使う（Hinton の実践ガイド）。
    /// この推定の期待値は [`Rbm::cd_expected_gradient`] で厳密に求まり、`k` が有限なら一般に厳密な勾配とは違う。
    ///
    /// 乱数は行の順に、鎖ごとに隠れ層・可視層のユニットの番号順で使う。
    /// 精度は [`Rbm::data_moments`] と同じで、`Σ|θ|` の精度の上限は求めない（モジュールの説明の「精度の上限」）。
    ///
    /// # Errors
    ///
    /// - `k == 0`: [`Error::InvalidParameter`]（`name` は `"k"`）
    /// - データが空・列の数の不一致・`0`・`1` 以外の値: [`Rbm::data_moments`] と同じ
    /// - 仕事 `k · 行数 · (N_v N_h + N_v + N_h)` が [`MAX_CHAIN_WORK`](crate::prec::MAX_CHAIN_WORK) `= 2^38` を超える: [`Error::TooLarge`]
    ///   （`what` は `"k"`、`max` は `k` の上限。鎖を進める前に断る）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array, Error};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
    /// let rbm = Rbm::new(array![[0.5, -0.5], [0.2, 0.1]], array![0.0, 0.1], array![0.0, -0.2])?;
    /// let data = array![[1u8, 0], [1, 1], [0, 1]];
    /// let g = rbm.cd_gradient(&data, 1, &mut rng)?;
    /// assert_eq!(g.w.dim(), (2, 2));
    /// // 正の項も負の項も平均なので、各成分は [−1, 1] に入る
    /// assert!(g.w.iter().chain(&g.b).chain(&g.c).all(|x| x.abs() <= 1.0));
    /// assert!(matches!(rbm.cd_gradient(&data, 0, &mut rng), Err(Error::InvalidParameter { name: "k", .. })));
    /// // 3 行 × 1 往復 8 単位: k の上限は ⌊2^38 / 24⌋
    /// assert!(matches!(
    ///     rbm.cd_gradient(&data, usize::MAX, &mut rng),
    ///     Err(Error::TooLarge { what: "k", max: 11_453_246_122, .. })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn cd_gradient<'a, R: Rng + ?Sized>(
        &self,
        data: impl AsArray<'a, u8, Ix2>,
        k: usize,
        rng: &mut R,
    ) -> Result<RbmGradient> {
        let data = check_rows(self.n_visible(), data)?;
        check_k(k)?;
        let per_k =
            as_u64(data.nrows()).saturating_mul(sweep_work(self.n_visible(), self.n_hidden()));
        ensure_chain_work("k", k, per_k)?;
        let positive = self.clamped_moments(data);
        let mut chains = data.to_owned();
        Sweeper::new(self).run_rows(&mut chains, k, rng);
        let negative = self.clamped_moments(chains.view());
        RbmGradient::from_moments(&positive, &negative)
    }

    /// ブロック Gibbs の 1 往復 `v → h → v'` の遷移行列 `T[[v, v']] = T(v' | v) = Σ_h q(h | v) q(v' | h)`
    /// （`2^{N_v} × 2^{N_v}`、状態の番号 `s` の第 `i` ビットが `v_i`）。
    ///
    /// 各行の和は 1 で、どの成分も正（鎖はエルゴード的）。`q(v) T(v' | v) = Σ_h q(v, h) q(v', h) / q(h)` は
    /// `v` と `v'` について対称なので（詳細つり合い）、`q(v)` は `T` の不変分布である。
    /// 表 `q(h | v)`（`2^{N_v} × 2^{N_h}`）と `q(v' | h)`（`2^{N_h} × 2^{N_v}`）の行列の積として求める。
    ///
    /// 遷移確率は条件つき確率の積と和なので、誤差は活性の丸め誤差 `ε Σ|θ|` の程度である。全状態の表を作る
    /// ほかの列挙と同じく `Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4` に限る（モジュールの説明の「精度の上限」。
    /// 扱うのは `N_v + N_h ≤ 20` の小さなモデルだけなので、この上限を超えるのはほぼ決定的な遷移だけである）。
    ///
    /// # Errors
    ///
    /// - `N_v > MAX_KERNEL_VISIBLE = 12` か `N_v + N_h > MAX_KERNEL_UNITS = 20`: [`Error::TooManySpins`]
    /// - `Σ|θ| > MAX_ENUMERATION_L1 = 1e4`: [`Error::InvalidParameter`]（`name` は `"Σ|θ|"`）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    ///
    /// // W = 0 なら v' は v によらず q(v'_0 = 1) = σ(b_0)
    /// let rbm = Rbm::new(array![[0.0]], array![1.0], array![0.5])?;
    /// let t = rbm.gibbs_kernel()?;
    /// let p1 = 1.0 / (1.0 + (-1f64).exp());
    /// assert!((t[[0, 1]] - p1).abs() < 1e-15 && (t[[1, 1]] - p1).abs() < 1e-15);
    /// assert!((t.row(0).sum() - 1.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn gibbs_kernel(&self) -> Result<Array2<f64>> {
        self.ensure_kernel_size()?;
        self.ensure_precise()?;
        let (nv, nh) = self.w.dim();
        let (sv, sh) = (1usize << nv, 1usize << nh);
        let f = self.kernel_factors();
        let a = Array2::from_shape_fn((sv, sh), |(v, h)| f.h_given_v[v * sh + h]);
        let b = Array2::from_shape_fn((sh, sv), |(h, v)| f.v_given_h[h * sv + v]);
        Ok(a.dot(&b))
    }

    /// CD-k の推定 [`Rbm::cd_gradient`] の期待値（鎖の乱数についての平均）を厳密に求める。
    ///
    /// 正の項はデータの平均そのもの（乱数によらない）。負の項は、鎖の `k` 歩後の分布
    /// `P_k = P₀ Tᵏ`（`P₀` はデータの経験分布、`T` は [`Rbm::gibbs_kernel`] の遷移行列）での
    /// `Σ_v' P_k(v') [v', σ(c + Wᵀv'), v' σ(c + Wᵀv')ᵀ]` である。各行から始めた鎖の分布 `δ(v_μ) Tᵏ` の平均が
    /// `P₀ Tᵏ` に等しいこと（線形性）を使う。1 歩は `T` を作らず、`R(h) = Σ_v P_t(v) q(h | v)`、
    /// `P_{t+1}(v') = Σ_h R(h) q(v' | h)` の 2 段で進める（仕事は 1 歩 `2 · 2^{N_v + N_h}` 回の積和）。
    ///
    /// 鎖はエルゴード的（`T` の成分がすべて正）なので、`k → ∞` で `P_k → q(v)` となり、結果は厳密な勾配
    /// [`Rbm::exact_gradient`] に幾何級数的に収束する。
    ///
    /// # Errors
    ///
    /// - `k == 0`: [`Error::InvalidParameter`]（`name` は `"k"`）
    /// - データが空・列の数の不一致・`0`・`1` 以外の値: [`Rbm::data_moments`] と同じ
    /// - `N_v > 12` か `N_v + N_h > 20`: [`Error::TooManySpins`]
    /// - `k · 2^{N_v + N_h} > 2^34`（仕事が大きすぎる）: [`Error::TooLarge`]（`max` は `k` の上限 `2^{34 − N_v − N_h}`）
    /// - `Σ|θ| > MAX_ENUMERATION_L1 = 1e4`（精度が保てない。[`Rbm::gibbs_kernel`] と同じ）: [`Error::InvalidParameter`]
    ///   （`name` は `"Σ|θ|"`。引数の検査のあとに確かめる）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    ///
    /// let rbm = Rbm::new(array![[0.3, -0.2], [0.1, 0.4]], array![0.1, -0.1], array![0.0, 0.2])?;
    /// let data = array![[1u8, 0], [1, 1]];
    /// let exact = rbm.exact_gradient(&data)?;
    /// let dist = |k| -> Result<f64, genmodel::Error> {
    ///     let g = rbm.cd_expected_gradient(&data, k)?;
    ///     Ok((&g.w - &exact.w).iter().chain((&g.b - &exact.b).iter()).chain((&g.c - &exact.c).iter())
    ///         .fold(0.0f64, |m, x| m.max(x.abs())))
    /// };
    /// // k を増やすと厳密な勾配に近づく
    /// assert!(dist(1)? > 1e-3);
    /// assert!(dist(50)? < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn cd_expected_gradient<'a>(
        &self,
        data: impl AsArray<'a, u8, Ix2>,
        k: usize,
    ) -> Result<RbmGradient> {
        let data = check_rows(self.n_visible(), data)?;
        check_k(k)?;
        self.ensure_kernel_size()?;
        let (nv, nh) = self.w.dim();
        let (sv, sh) = (1usize << nv, 1usize << nh);
        // k の上限 2^34 / 2^{N_v + N_h}（N_v + N_h ≤ 20 なので 2^14 以上）
        let max_k = usize::try_from(MAX_KERNEL_WORK >> (nv + nh)).unwrap_or(usize::MAX);
        if k > max_k {
            return Err(Error::TooLarge {
                what: "k",
                requested: k,
                max: max_k,
            });
        }
        self.ensure_precise()?;
        let f = self.kernel_factors();
        // P₀: データの経験分布（数えてから 1 回だけ割る）
        let mut count = vec![0usize; sv];
        for row in data.rows() {
            let s = row
                .iter()
                .enumerate()
                .fold(0usize, |s, (i, &x)| s | (usize::from(x) << i));
            count[s] += 1;
        }
        let n = data.nrows() as f64;
        let mut p: Vec<f64> = count.iter().map(|&c| c as f64 / n).collect();
        let mut r = vec![0.0f64; sh];
        for _ in 0..k {
            r.fill(0.0);
            for (&pv, row) in p.iter().zip(f.h_given_v.chunks_exact(sh)) {
                if pv > 0.0 {
                    for (rh, &q) in r.iter_mut().zip(row) {
                        *rh += pv * q;
                    }
                }
            }
            p.fill(0.0);
            for (&rh, row) in r.iter().zip(f.v_given_h.chunks_exact(sv)) {
                if rh > 0.0 {
                    for (pv, &q) in p.iter_mut().zip(row) {
                        *pv += rh * q;
                    }
                }
            }
        }
        // 丸めで和が 1 からずれた分を直す
        let total: f64 = p.iter().sum();
        p.iter_mut().for_each(|x| *x /= total);
        let positive = self.clamped_moments(data);
        let negative = self.distribution_moments(&p);
        RbmGradient::from_moments(&positive, &negative)
    }

    /// 平均場の再構成誤差 `(1/n) Σ_μ Σ_i (v_{μ,i} − σ(b + W p_μ)_i)²`、`p_μ = σ(c + Wᵀv_μ)`。
    ///
    /// 隠れ層を引かずに確率 `p_μ = q(h = 1 | v_μ)` のまま可視層へ戻した「再構成」`σ(b + W p_μ)` と、
    /// 元のデータとの二乗誤差の行の平均で、乱数を使わない（決定的）。学習の進み具合の目安として広く使われるが、
    /// 対数尤度とは別の量で、対数尤度が増えても減るとは限らない。
    ///
    /// # Errors
    ///
    /// データが空・列の数の不一致・`0`・`1` 以外の値: [`Rbm::data_moments`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::{sigmoid, Rbm}, ndarray::array};
    ///
    /// // 可視 1・隠れ 1: p = σ(c + W v)、再構成 σ(b + W p)
    /// let rbm = Rbm::new(array![[2.0]], array![-1.0], array![0.5])?;
    /// let p = sigmoid(2.5);
    /// let want = (1.0 - sigmoid(-1.0 + 2.0 * p)).powi(2);
    /// assert!((rbm.reconstruction_error(&array![[1u8]])? - want).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn reconstruction_error<'a>(&self, data: impl AsArray<'a, u8, Ix2>) -> Result<f64> {
        let data = check_rows(self.n_visible(), data)?;
        let mut sum = 0.0;
        for v in data.rows() {
            let p = self.hidden_probabilities(v);
            let recon = (&self.b + &self.w.dot(&p)).mapv(sigmoid);
            sum += v
                .iter()
                .zip(&recon)
                .map(|(&x, r)| (f64::from(x) - r).powi(2))
                .sum::<f64>();
        }
        Ok(sum / data.nrows() as f64)
    }

    /// 勾配上昇の 1 歩 `θ + η g`。パラメータが有限でなくなるか、`Σ|θ|` が `1e100` と `max_l1` の小さい方を超えれば
    /// [`Error::Diverged`]。
    fn ascend(&self, g: &RbmGradient, eta: f64, iteration: usize, max_l1: f64) -> Result<Rbm> {
        let w = &self.w + &(&g.w * eta);
        let b = &self.b + &(&g.b * eta);
        let c = &self.c + &(&g.c * eta);
        let l1: f64 = w
            .iter()
            .chain(b.iter())
            .chain(c.iter())
            .map(|x| x.abs())
            .sum();
        let model = Rbm::new(w, b, c).map_err(|_| Error::Diverged {
            iteration,
            value: l1,
        })?;
        if l1 > max_l1 {
            return Err(Error::Diverged {
                iteration,
                value: l1,
            });
        }
        Ok(model)
    }

    /// 勾配上昇 `θ ← θ + η ĝ` で平均対数尤度 `L(θ)` を増やす学習のループ。`self` は初期値で、学習後のモデルを返す。
    ///
    /// 各歩で、データから `config.batch_size` 行のミニバッチを取り、`method` の勾配 `ĝ` を求めて 1 歩進める。
    /// ミニバッチは、シード `config.seed` の [`ChaCha8Rng`] で行の順を並べ替えた列を前から切って作り、
    /// 残りが `batch_size` に足りなくなったら並べ替え直す（端数の行はその周回では使わない）。
    /// `batch_size = n` なら毎歩データ全体を使う。CD・PCD の乱数も同じ生成器から引くので、結果はシードで決まる。
    ///
    /// - [`Method::Exact`] では負の項を厳密に求める（[`Rbm::exact_gradient`]、正の項はミニバッチの平均）
    /// - [`Method::Cd`] では CD-k（[`Rbm::cd_gradient`]）
    /// - [`Method::Pcd`] では PCD（[`Pcd::gradient`]）。`chains` 本の鎖を一様乱数の状態から始め、学習の間持ち続ける
    ///
    /// `observe(t, &model)` は学習前（`t = 0`）と各歩の後（`t = 1, …, steps`）に呼ばれる。そこで厳密な対数尤度
    /// （[`Rbm::mean_log_likelihood`]）などを記録できる。`observe` がエラーを返すと学習をやめてそのエラーを返す。
    /// `steps = 0` なら `observe(0, self)` だけ呼んで `self` の複製を返す。
    ///
    /// 学習全体の仕事 `steps ·`（1 歩の仕事）は [`MAX_CHAIN_WORK`](crate::prec::MAX_CHAIN_WORK) `= 2^38` 以下に限る。1 歩の仕事は
    /// CD-k なら `batch_size · k · (N_v N_h + N_v + N_h)`、PCD なら `chains · k · (…)`、厳密な勾配なら
    /// `(2^{min(N_v, N_h)} + batch_size) · (…)` と数える（[`MAX_CHAIN_WORK`](crate::prec::MAX_CHAIN_WORK) の説明）。
    /// 厳密な勾配（[`Rbm::exact_gradient`]）は `Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4` のモデルでしか求めないので、
    /// [`Method::Exact`] では、学習の途中でこの範囲を出たら発散とみなす（[`crate::boltzmann::hidden::HiddenIsing::fit`] と同じ）。
    ///
    /// # Errors
    ///
    /// 次の順に確かめる。学習を始める前（`observe(0, …)` の前）のエラーでは何も計算しない。
    ///
    /// - データが空・列の数の不一致・`0`・`1` 以外の値: [`Rbm::data_moments`] と同じ
    /// - 不正な設定: [`TrainConfig::validate`] と同じ
    /// - `k == 0`（CD・PCD）: [`Error::InvalidParameter`]（`name` は `"k"`）、`chains == 0`: 同じく `"chains"`、
    ///   `chains · N_v > MAX_SAMPLES = 2^28`: [`Error::TooLarge`]（[`Pcd::new`] と同じ）
    /// - [`Method::Exact`] で `min(N_v, N_h) > 24`: [`Error::TooManySpins`]、初期値の `Σ|θ| > 1e4`: [`Error::InvalidParameter`]
    ///   （`name` は `"Σ|θ|"`）
    /// - 仕事が `MAX_CHAIN_WORK` を超える: [`Error::TooLarge`]。`steps ≥ 1` で 1 歩だけで超えるなら
    ///   `what` は `"k"`（CD・PCD。`max` は `k` の上限）、そうでなければ `what` は `"steps"`（`max` は `steps` の上限）
    /// - パラメータが有限でなくなったか `Σ|θ| > 1e100`（[`Method::Exact`] では `Σ|θ| > 1e4`）になった
    ///   （学習率が大きすぎる）: [`Error::Diverged`]（`iteration` はその歩の番号、`value` はそのときの `Σ|θ|`）
    /// - `observe` が返したエラー
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::{Method, Rbm, TrainConfig}, ndarray::{array, Array1, Array2}};
    ///
    /// let data = array![[1u8, 1, 0], [1, 1, 1], [0, 0, 1], [1, 1, 0]];
    /// let init = Rbm::new(Array2::from_elem((3, 2), 0.01), Array1::zeros(3), Array1::zeros(2))?;
    /// let config = TrainConfig { learning_rate: 0.1, steps: 50, batch_size: 4, seed: 0 };
    /// let mut ll = Vec::new();
    /// let trained = init.train(&data, Method::Exact, &config, |_, m| {
    ///     ll.push(m.mean_log_likelihood(&data)?);
    ///     Ok(())
    /// })?;
    /// assert_eq!(ll.len(), 51);
    /// assert!(ll[50] > ll[0]);
    /// assert_eq!(trained.mean_log_likelihood(&data)?, ll[50]);
    /// // 事実上終わらない歩数・往復の回数は、学習を始める前に断る
    /// let forever = TrainConfig { steps: usize::MAX, ..config };
    /// assert!(matches!(
    ///     init.train(&data, Method::Cd { k: 1 }, &forever, |_, _| Ok(())),
    ///     Err(genmodel::Error::TooLarge { what: "steps", .. })
    /// ));
    /// assert!(matches!(
    ///     init.train(&data, Method::Cd { k: usize::MAX }, &config, |_, _| Ok(())),
    ///     Err(genmodel::Error::TooLarge { what: "k", .. })
    /// ));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn train<'a>(
        &self,
        data: impl AsArray<'a, u8, Ix2>,
        method: Method,
        config: &TrainConfig,
        mut observe: impl FnMut(usize, &Rbm) -> Result<()>,
    ) -> Result<Rbm> {
        let data = check_rows(self.n_visible(), data)?;
        config.validate(data.nrows())?;
        let (nv, nh) = (self.n_visible(), self.n_hidden());
        let sweep = sweep_work(nv, nh);
        // 1 歩の仕事（CD・PCD は 1 歩だけで上限を超えるなら k を挙げて断る）と、Σ|θ| の上限
        let chain_step = |k: usize, chains: usize| -> Result<u64> {
            let per_k = as_u64(chains).saturating_mul(sweep);
            if config.steps > 0 {
                ensure_chain_work("k", k, per_k)?;
            }
            Ok(per_k.saturating_mul(as_u64(k)))
        };
        let (per_step, max_l1) = match method {
            Method::Exact => {
                ensure_summable(nv, nh)?;
                self.ensure_precise()?;
                let states = 1u64 << nv.min(nh);
                let per_step = states
                    .saturating_add(as_u64(config.batch_size))
                    .saturating_mul(sweep);
                (per_step, MAX_ENUMERATION_L1)
            }
            Method::Cd { k } => {
                check_k(k)?;
                (chain_step(k, config.batch_size)?, f64::INFINITY)
            }
            Method::Pcd { k, chains } => {
                check_k(k)?;
                if chains == 0 {
                    return Err(Error::InvalidParameter {
                        name: "chains",
                        value: 0.0,
                        requirement: "1 以上",
                    });
                }
                ensure_chain_states(chains, nv)?;
                (chain_step(k, chains)?, f64::INFINITY)
            }
        };
        ensure_chain_work("steps", config.steps, per_step)?;
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut estimator = match method {
            Method::Exact => Estimator::Exact,
            Method::Cd { k } => Estimator::Cd(k),
            Method::Pcd { k, chains } => {
                let seed = rng.random::<u64>();
                Estimator::Pcd(k, Pcd::new(chains, nv, seed)?)
            }
        };
        let mut model = self.clone();
        observe(0, &model)?;
        let n = data.nrows();
        let bs = config.batch_size;
        let mut order: Vec<usize> = (0..n).collect();
        // 最初の歩で並べ替える
        let mut pos = n;
        for t in 1..=config.steps {
            if pos + bs > n {
                order.shuffle(&mut rng);
                pos = 0;
            }
            let batch = data.select(Axis(0), &order[pos..pos + bs]);
            pos += bs;
            let g = match &mut estimator {
                Estimator::Exact => model.exact_gradient(&batch)?,
                Estimator::Cd(k) => model.cd_gradient(&batch, *k, &mut rng)?,
                Estimator::Pcd(k, pcd) => pcd.gradient(&model, &batch, *k, &mut rng)?,
            };
            model = model.ascend(&g, config.learning_rate, t, max_l1)?;
            observe(t, &model)?;
        }
        Ok(model)
    }
}

/// 学習のループ [`Rbm::train`] の中の勾配の求め方（PCD は鎖を持つ）。
enum Estimator {
    Exact,
    Cd(usize),
    Pcd(usize, Pcd),
}

/// [`Rbm::train`] の勾配の求め方。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::rbm::Method;
///
/// let methods = [Method::Exact, Method::Cd { k: 1 }, Method::Pcd { k: 1, chains: 100 }];
/// assert_eq!(methods.len(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// 厳密な勾配（[`Rbm::exact_gradient`]）。小さい方の層が `24` ユニット以下のときだけ使える。
    Exact,
    /// CD-k（[`Rbm::cd_gradient`]）。ミニバッチの各行から鎖を始めて `k` 往復進める。
    Cd {
        /// 鎖の往復の回数（1 以上）。
        k: usize,
    },
    /// PCD（[`Pcd::gradient`]）。`chains` 本の鎖を学習の間ずっと持ち続け、各歩で `k` 往復進める。
    Pcd {
        /// 各歩で鎖を進める往復の回数（1 以上）。
        k: usize,
        /// 鎖の本数（1 以上）。
        chains: usize,
    },
}

/// [`Rbm::train`] の設定。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::rbm::TrainConfig, Error};
///
/// let config = TrainConfig { learning_rate: 0.05, steps: 1000, batch_size: 10, seed: 42 };
/// assert!(config.validate(100).is_ok());
/// assert!(config.validate(5).is_err()); // ミニバッチがデータより大きい
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    /// 学習率 `η`（正の有限値）。
    pub learning_rate: f64,
    /// 勾配上昇の歩数（0 なら学習しない）。
    pub steps: usize,
    /// ミニバッチの行数（1 以上、データの行数以下）。
    pub batch_size: usize,
    /// ミニバッチの順と CD・PCD の乱数のシード。
    pub seed: u64,
}

impl TrainConfig {
    /// 行数 `n_samples` のデータで使える設定であることを確かめる。
    ///
    /// # Errors
    ///
    /// - 学習率が NaN・±∞: [`Error::NonFinite`]
    /// - 学習率が 0 以下: [`Error::InvalidParameter`]（`name` は `"learning_rate"`）
    /// - `batch_size == 0` か `batch_size > n_samples`: [`Error::InvalidParameter`]（`name` は `"batch_size"`）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::TrainConfig, Error};
    ///
    /// let ok = TrainConfig { learning_rate: 0.1, steps: 0, batch_size: 1, seed: 0 };
    /// assert!(ok.validate(1).is_ok());
    /// let nan = TrainConfig { learning_rate: f64::NAN, ..ok };
    /// assert!(matches!(nan.validate(1), Err(Error::NonFinite { .. })));
    /// let zero = TrainConfig { learning_rate: 0.0, ..ok };
    /// assert!(matches!(zero.validate(1), Err(Error::InvalidParameter { name: "learning_rate", .. })));
    /// let empty = TrainConfig { batch_size: 0, ..ok };
    /// assert!(matches!(empty.validate(1), Err(Error::InvalidParameter { name: "batch_size", .. })));
    /// ```
    pub fn validate(&self, n_samples: usize) -> Result<()> {
        ensure_finite("学習率", [self.learning_rate])?;
        if self.learning_rate <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "learning_rate",
                value: self.learning_rate,
                requirement: "正の有限値",
            });
        }
        if self.batch_size == 0 || self.batch_size > n_samples {
            return Err(Error::InvalidParameter {
                name: "batch_size",
                value: self.batch_size as f64,
                requirement: "1 以上、データの行数以下",
            });
        }
        Ok(())
    }
}

/// 鎖の状態の数 `n_chains · n_visible` が [`MAX_SAMPLES`] 以下であることを、確保の前に確かめる。
fn ensure_chain_states(n_chains: usize, n_visible: usize) -> Result<()> {
    let size = n_chains.saturating_mul(n_visible);
    if size > MAX_SAMPLES {
        return Err(Error::TooLarge {
            what: "鎖の状態の数 n_chains · n_visible",
            requested: size,
            max: MAX_SAMPLES,
        });
    }
    Ok(())
}

/// PCD（persistent contrastive divergence）の鎖: 学習の間ずっと持ち続ける可視層の状態（1 行 1 本）。
///
/// CD-k は毎回データから鎖を始めるが、PCD は前の歩の鎖の状態から続ける。パラメータの変化が小さければ、
/// 鎖はモデル `q(v)` の標本に近いまま動き続けるので、負の項の偏りが小さい。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::rbm::{Pcd, Rbm}, ndarray::array};
/// use rand::SeedableRng;
///
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
/// let rbm = Rbm::new(array![[0.5], [-0.5]], array![0.0, 0.0], array![0.0])?;
/// let mut pcd = Pcd::new(10, 2, 7)?;
/// let g = pcd.gradient(&rbm, &array![[1u8, 0], [0, 1]], 1, &mut rng)?;
/// assert_eq!((g.w.dim(), pcd.chains().dim()), ((2, 1), (10, 2)));
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Pcd {
    chains: Array2<u8>,
}

impl Pcd {
    /// `n_chains` 本の鎖（可視ユニット `n_visible` 個）を、各ユニットが独立に確率 1/2 で 1 の一様乱数の状態から始める。
    /// 乱数はシード `seed` の [`ChaCha8Rng`] から、行の順・ユニットの順に引く。
    ///
    /// # Errors
    ///
    /// - `n_chains == 0` か `n_visible == 0`: [`Error::EmptyInput`]
    /// - `n_chains · n_visible > MAX_SAMPLES = 2^28`: [`Error::TooLarge`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Pcd, Error};
    ///
    /// let pcd = Pcd::new(1000, 4, 0)?;
    /// let ones = pcd.chains().iter().filter(|&&x| x == 1).count();
    /// assert!((1800..2200).contains(&ones));
    /// assert_eq!(Pcd::new(0, 4, 0), Err(Error::EmptyInput));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(n_chains: usize, n_visible: usize, seed: u64) -> Result<Self> {
        if n_chains == 0 || n_visible == 0 {
            return Err(Error::EmptyInput);
        }
        ensure_chain_states(n_chains, n_visible)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let chains =
            Array2::from_shape_simple_fn((n_chains, n_visible), || u8::from(rng.random::<bool>()));
        Ok(Self { chains })
    }

    /// 与えた状態（1 行 1 本、値は `0`・`1`）から鎖を始める。
    ///
    /// # Errors
    ///
    /// 行か列が 0 個なら [`Error::EmptyInput`]、`0`・`1` 以外の値は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Pcd, ndarray::array};
    ///
    /// let pcd = Pcd::from_states(&array![[0u8, 1], [1, 1]])?;
    /// assert_eq!(pcd.chains(), array![[0u8, 1], [1, 1]]);
    /// assert!(Pcd::from_states(&array![[0u8, 2]]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_states<'a>(chains: impl AsArray<'a, u8, Ix2>) -> Result<Self> {
        let chains: ArrayView2<'a, u8> = chains.into();
        if chains.ncols() == 0 {
            return Err(Error::EmptyInput);
        }
        let chains = check_rows(chains.ncols(), chains)?;
        Ok(Self {
            chains: chains.to_owned(),
        })
    }

    /// 鎖の今の状態（1 行 1 本）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::rbm::Pcd;
    ///
    /// assert_eq!(Pcd::new(3, 5, 1)?.chains().dim(), (3, 5));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn chains(&self) -> ArrayView2<'_, u8> {
        self.chains.view()
    }

    /// PCD による勾配の推定: 鎖を `rbm` のブロック Gibbs で `k` 往復進め（状態は持ち続ける）、
    ///
    /// - 正の項: ミニバッチ `batch` での `⟨v σ(c + Wᵀv)ᵀ⟩` など（[`Rbm::data_moments`]）
    /// - 負の項: 進めた後の鎖の状態での同じ平均
    ///
    /// の差を返す。`rbm` を固定して何度も呼べば、鎖は `q(v)` に収束するので、推定の平均は厳密な勾配に近づく。
    ///
    /// # Errors
    ///
    /// - `k == 0`: [`Error::InvalidParameter`]（`name` は `"k"`）
    /// - 鎖の可視ユニット数が `rbm` の `N_v` と違う: [`Error::DimensionMismatch`]
    /// - `batch` が空・列の数の不一致・`0`・`1` 以外の値: [`Rbm::data_moments`] と同じ
    /// - 仕事 `k · 鎖の数 · (N_v N_h + N_v + N_h)` が [`MAX_CHAIN_WORK`](crate::prec::MAX_CHAIN_WORK) `= 2^38` を超える: [`Error::TooLarge`]
    ///   （`what` は `"k"`、`max` は `k` の上限）
    ///
    /// どのエラーでも鎖は進めない。精度は [`Rbm::cd_gradient`] と同じ（`Σ|θ|` の精度の上限は求めない）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::{Pcd, Rbm}, ndarray::{array, Array2}, Error};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    /// let rbm = Rbm::new(array![[0.2], [0.1]], array![0.0, 0.0], array![0.0])?;
    /// let mut pcd = Pcd::from_states(&Array2::<u8>::zeros((4, 2)))?;
    /// pcd.gradient(&rbm, &array![[1u8, 1]], 3, &mut rng)?;
    /// let other = Rbm::new(array![[0.2]], array![0.0], array![0.0])?;
    /// assert_eq!(
    ///     pcd.gradient(&other, &array![[1u8]], 1, &mut rng),
    ///     Err(Error::DimensionMismatch { expected: 1, actual: 2 })
    /// );
    /// // 4 本 × 1 往復 5 単位（2 × 1 の RBM）: k の上限は ⌊2^38 / 20⌋
    /// let before = pcd.chains().to_owned();
    /// assert_eq!(
    ///     pcd.gradient(&rbm, &array![[1u8, 1]], usize::MAX, &mut rng),
    ///     Err(Error::TooLarge { what: "k", requested: usize::MAX, max: 13_743_895_347 })
    /// );
    /// assert_eq!(pcd.chains(), before);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn gradient<'a, R: Rng + ?Sized>(
        &mut self,
        rbm: &Rbm,
        batch: impl AsArray<'a, u8, Ix2>,
        k: usize,
        rng: &mut R,
    ) -> Result<RbmGradient> {
        let batch = check_rows(rbm.n_visible(), batch)?;
        ensure_len(rbm.n_visible(), self.chains.ncols())?;
        check_k(k)?;
        let per_k =
            as_u64(self.chains.nrows()).saturating_mul(sweep_work(rbm.n_visible(), rbm.n_hidden()));
        ensure_chain_work("k", k, per_k)?;
        let positive = rbm.clamped_moments(batch);
        Sweeper::new(rbm).run_rows(&mut self.chains, k, rng);
        let negative = rbm.clamped_moments(self.chains.view());
        RbmGradient::from_moments(&positive, &negative)
    }
}
