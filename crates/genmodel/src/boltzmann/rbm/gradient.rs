//! データの平均対数尤度 `L(θ) = (1/n) Σ_μ ln q(v_μ)` の厳密な勾配。
//!
//! `ln q(v) = −F(v) − ln Z` を微分すると、勾配は「データで可視層を固定したモーメント」から
//! 「モデルのモーメント」を引いたものになる:
//!
//! - `∂L/∂W = ⟨v σ(c + Wᵀv)ᵀ⟩_data − ⟨v hᵀ⟩_q`
//! - `∂L/∂b = ⟨v⟩_data − ⟨v⟩_q`
//! - `∂L/∂c = ⟨σ(c + Wᵀv)⟩_data − ⟨h⟩_q`
//!
//! データ側は `h` を条件つき期待値 `E[h | v] = σ(c + Wᵀv)` で置き換えた平均（[`Rbm::data_moments`]）、
//! モデル側は同時分布 `q(v, h)` での期待値（[`Rbm::model_moments`]）である。
//! モデル側は小さい方の層だけを列挙して厳密に求める。`N_h ≤ N_v` なら隠れ層の周辺分布
//! `q(h) ∝ exp(cᵀh) Π_i (1 + exp(b_i + (Wh)_i))` と `E[v | h] = σ(b + Wh)` から
//! `⟨h⟩ = Σ_h q(h) h`、`⟨v⟩ = Σ_h q(h) σ(b + Wh)`、`⟨v hᵀ⟩ = Σ_h q(h) σ(b + Wh) hᵀ`、
//! そうでなければ可視層の `q(v) = exp(−F(v)) / Z` と `E[h | v] = σ(c + Wᵀv)` で対称に求める。

use super::model::Rbm;
use super::{check_rows, sigmoid};
use crate::error::{Error, Result, ensure_len};
use crate::prec::MAX_RBM_SUMMED_UNITS;
use ndarray::{Array1, Array2, ArrayView2, AsArray, Ix2};

/// Gray 符号の列挙で、活性を定義から計算し直す間隔（歩数）。理由は `exact.rs` の同名の定数と同じで、
/// 差分更新の丸め誤差を `256 · ε · Σ|θ|` の程度に抑え、列挙の長さによらなくする。
const RESYNC: usize = 256;

/// RBM の 1 次・2 次のモーメント `⟨v⟩`（長さ `N_v`）、`⟨h⟩`（長さ `N_h`）、`⟨v hᵀ⟩`（`N_v × N_h`）。
///
/// [`Rbm::data_moments`]（データで可視層を固定し、`h` を `E[h | v]` で置き換えた平均）と
/// [`Rbm::model_moments`]（モデル `q(v, h)` での期待値）が返す。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
///
/// // パラメータがすべて 0 なら、どのユニットも確率 1/2 で 1、v と h は独立
/// let m = Rbm::new(array![[0.0]], array![0.0], array![0.0])?.model_moments()?;
/// assert_eq!((m.v[0], m.h[0], m.vh[[0, 0]]), (0.5, 0.5, 0.25));
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RbmMoments {
    /// 可視ユニットの平均 `⟨v_i⟩`（長さ `N_v`）。
    pub v: Array1<f64>,
    /// 隠れユニットの平均 `⟨h_j⟩`（長さ `N_h`）。
    pub h: Array1<f64>,
    /// 層の間の相関 `⟨v_i h_j⟩`（`N_v × N_h`）。
    pub vh: Array2<f64>,
}

/// 平均対数尤度のパラメータごとの勾配 `∂L/∂W`、`∂L/∂b`、`∂L/∂c`（形は [`Rbm`] のパラメータと同じ）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::rbm::{Rbm, RbmGradient}, ndarray::array};
///
/// let g = RbmGradient { w: array![[3.0]], b: array![0.0], c: array![4.0] };
/// assert_eq!(g.norm(), 5.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RbmGradient {
    /// 重みについての勾配 `∂L/∂W_ij`（`N_v × N_h`）。
    pub w: Array2<f64>,
    /// 可視バイアスについての勾配 `∂L/∂b_i`（長さ `N_v`）。
    pub b: Array1<f64>,
    /// 隠れバイアスについての勾配 `∂L/∂c_j`（長さ `N_h`）。
    pub c: Array1<f64>,
}

impl RbmGradient {
    /// 「正の項（データ側）のモーメント − 負の項（モデル側）のモーメント」を勾配として並べる:
    /// `w = vh₊ − vh₋`、`b = v₊ − v₋`、`c = h₊ − h₋`。
    ///
    /// 厳密な勾配（[`Rbm::exact_gradient`]）も CD・PCD の推定（[`Rbm::cd_gradient`]、[`super::Pcd::gradient`]）も、
    /// 負の項のモーメントの求め方だけが違い、この形をしている。
    ///
    /// # Errors
    ///
    /// 2 つのモーメントの形（`v`・`h`・`vh` の長さ）が合わなければ [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::{RbmGradient, RbmMoments}, ndarray::array};
    ///
    /// let pos = RbmMoments { v: array![1.0], h: array![0.75], vh: array![[0.75]] };
    /// let neg = RbmMoments { v: array![0.5], h: array![0.5], vh: array![[0.25]] };
    /// let g = RbmGradient::from_moments(&pos, &neg)?;
    /// assert_eq!((g.w[[0, 0]], g.b[0], g.c[0]), (0.5, 0.5, 0.25));
    /// let bad = RbmMoments { v: array![0.5, 0.5], h: array![0.5], vh: array![[0.25], [0.25]] };
    /// assert!(RbmGradient::from_moments(&pos, &bad).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_moments(positive: &RbmMoments, negative: &RbmMoments) -> Result<Self> {
        ensure_len(positive.v.len(), negative.v.len())?;
        ensure_len(positive.h.len(), negative.h.len())?;
        ensure_len(positive.vh.nrows(), negative.vh.nrows())?;
        ensure_len(positive.vh.ncols(), negative.vh.ncols())?;
        Ok(Self {
            w: &positive.vh - &negative.vh,
            b: &positive.v - &negative.v,
            c: &positive.h - &negative.h,
        })
    }

    /// 全成分をつないだベクトルのユークリッドノルム `√(Σ w_ij² + Σ b_i² + Σ c_j²)`。
    ///
    /// まず 2 乗の和をそのままとり、それが `f64` の正規化数（`[f64::MIN_POSITIVE, f64::MAX]`）なら平方根を返す。
    /// このとき 0 に落ちた小さな成分の 2 乗は、和に比べて相対 `n · 2^{−52}` 未満しか効かない。
    /// 和があふれた（成分が `1e154` を超える）か、正規化数より小さくなった（成分がどれも `1e-154` 未満）ときは、
    /// `hypot` と同じく最大の絶対値 `s` でくくって `s √(Σ (x/s)²)` とする。成分に NaN があれば NaN、
    /// ±∞ があれば（NaN がなければ）`∞` を返す。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::RbmGradient, ndarray::array};
    ///
    /// let g = RbmGradient { w: array![[1.0, 1.0]], b: array![1.0], c: array![1.0, 0.0] };
    /// assert_eq!(g.norm(), 2.0);
    /// // 2 乗があふれる・0 に落ちる大きさでも正しい
    /// let big = RbmGradient { w: array![[3e200]], b: array![0.0], c: array![4e200] };
    /// assert!((big.norm() / 5e200 - 1.0).abs() < 1e-15);
    /// let tiny = RbmGradient { w: array![[1e-200]], b: array![0.0], c: array![0.0] };
    /// assert_eq!(tiny.norm(), 1e-200);
    /// ```
    pub fn norm(&self) -> f64 {
        let all = || self.w.iter().chain(self.b.iter()).chain(self.c.iter());
        let squares: f64 = all().map(|x| x * x).sum();
        if (f64::MIN_POSITIVE..=f64::MAX).contains(&squares) {
            return squares.sqrt();
        }
        // f64::max は NaN を無視するので、NaN の成分は下の和で NaN になる
        let scale = all().fold(0.0f64, |m, x| m.max(x.abs()));
        if scale == 0.0 || scale.is_infinite() {
            // 0（すべて 0）、NaN、∞ はそのまま
            return squares.sqrt();
        }
        scale * all().map(|x| (x / scale) * (x / scale)).sum::<f64>().sqrt()
    }
}

impl Rbm {
    /// 検査済みの行の集まり（1 行 1 可視状態）のモーメント: `⟨v⟩`、`⟨σ(c + Wᵀv)⟩`、`⟨v σ(c + Wᵀv)ᵀ⟩`（行の平均）。
    pub(super) fn clamped_moments(&self, rows: ArrayView2<'_, u8>) -> RbmMoments {
        let (nv, nh) = self.w.dim();
        let n = rows.nrows() as f64;
        // W を行優先の Vec に写してから、行ごとに c + Wᵀv を v_i = 1 の行の和で求める
        let w: Vec<f64> = self.w.iter().copied().collect();
        let c = self.c.to_vec();
        let mut count = vec![0usize; nv];
        let mut h = vec![0.0f64; nh];
        let mut vh = vec![0.0f64; nv * nh];
        let mut p = vec![0.0f64; nh];
        let mut on = Vec::with_capacity(nv);
        for v in rows.rows() {
            on.clear();
            on.extend(
                v.iter()
                    .enumerate()
                    .filter(|(_, x)| **x == 1)
                    .map(|(i, _)| i),
            );
            p.copy_from_slice(&c);
            for &i in &on {
                for (a, wij) in p.iter_mut().zip(&w[i * nh..(i + 1) * nh]) {
                    *a += wij;
                }
            }
            for a in p.iter_mut() {
                *a = sigmoid(*a);
            }
            for (hj, pj) in h.iter_mut().zip(&p) {
                *hj += pj;
            }
            for &i in &on {
                count[i] += 1;
                for (x, pj) in vh[i * nh..(i + 1) * nh].iter_mut().zip(&p) {
                    *x += pj;
                }
            }
        }
        RbmMoments {
            // 数は整数で数えてから 1 回だけ割る
            v: count.iter().map(|&k| k as f64 / n).collect(),
            h: h.iter().map(|x| x / n).collect(),
            vh: Array2::from_shape_fn((nv, nh), |(i, j)| vh[i * nh + j] / n),
        }
    }

    /// データで可視層を固定したモーメント（勾配の正の項）:
    /// `⟨v⟩_data`、`⟨σ(c + Wᵀv)⟩_data`、`⟨v σ(c + Wᵀv)ᵀ⟩_data`。
    ///
    /// 隠れ層は `v` を与えると独立なので、`h` の期待値は条件つき確率 `q(h_j = 1 | v) = σ(c_j + (Wᵀv)_j)` そのものである。
    /// 精度は [`Rbm::p_h_given_v`] と同じで、`Σ|θ|` の精度の上限は求めない（モジュールの説明の「精度の上限」）。
    ///
    /// # Errors
    ///
    /// - 標本が 0 個: [`Error::EmptyInput`]
    /// - 列の数が `N_v` でない: [`Error::DimensionMismatch`]
    /// - `0`・`1` 以外の値: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    ///
    /// // W = 0, c = 0: σ(0) = 1/2。データ (1), (0) で ⟨v⟩ = 1/2、⟨v h⟩ = (1 · 1/2 + 0) / 2 = 1/4
    /// let rbm = Rbm::new(array![[0.0]], array![0.0], array![0.0])?;
    /// let m = rbm.data_moments(&array![[1u8], [0]])?;
    /// assert_eq!((m.v[0], m.h[0], m.vh[[0, 0]]), (0.5, 0.5, 0.25));
    /// assert!(rbm.data_moments(&array![[2u8]]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn data_moments<'a>(&self, data: impl AsArray<'a, u8, Ix2>) -> Result<RbmMoments> {
        let data = check_rows(self.n_visible(), data)?;
        Ok(self.clamped_moments(data))
    }

    /// モデル `q(v, h)` でのモーメント `⟨v⟩_q`、`⟨h⟩_q`、`⟨v hᵀ⟩_q`（勾配の負の項）を厳密に求める。
    ///
    /// 小さい方の層（`N_h ≤ N_v` なら隠れ層）の全状態 `s` を Gray 符号の順にたどり、反対側の層の活性を
    /// 列（行）1 本の足し引きで更新する（256 歩ごとに定義から計算し直す）。各状態の重みの対数は
    /// `ℓ(h) = cᵀh + Σ_i softplus(b_i + (Wh)_i)`（可視層なら `ℓ(v) = −F(v)`）で、1 回の走査の中で
    /// 基準 `r` を引いた `exp(ℓ − r)` を足す（`r` は最初の状態の `ℓ` で、`ℓ > r + 300` の状態が来たら
    /// 溜めた和を `exp(r − ℓ)` 倍して `r = ℓ` に上げる）。重みは `e^{300}` 以下なのであふれず、基準の状態の重み 1 が
    /// 和に入っているので、`r − 745` より下で 0 に丸まる項は相対 `e^{−745}` 未満しか効かない。反対側の層の期待値は
    /// 条件つき確率（`σ(b + Wh)` または `σ(c + Wᵀv)`）で足し、最後に重みの和で割る。`ln Z` は要らない。
    ///
    /// 仕事は状態ごとに反対側のユニット数だけの `exp` と、「1 のユニットの数 × 反対側のユニット数」回の積和である。
    ///
    /// 重みの対数 `ℓ` は大きさ `Σ|θ|` 程度で絶対誤差 `ε Σ|θ|` を持ち、モーメントはその差の `exp` なので、
    /// `Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4` に限る（モジュールの説明の「精度の上限」）。
    ///
    /// # Errors
    ///
    /// - `min(N_v, N_h) > MAX_RBM_SUMMED_UNITS = 24`: [`Error::TooManySpins`]
    /// - `Σ|θ| > MAX_ENUMERATION_L1 = 1e4`（モーメントの精度が保てない）: [`Error::InvalidParameter`]（`name` は `"Σ|θ|"`）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::{sigmoid, Rbm}, ndarray::array};
    ///
    /// // W = 0 なら v と h は独立: ⟨v⟩ = σ(b)、⟨h⟩ = σ(c)、⟨v h⟩ = σ(b) σ(c)
    /// let rbm = Rbm::new(array![[0.0]], array![0.3], array![-1.2])?;
    /// let m = rbm.model_moments()?;
    /// assert!((m.v[0] - sigmoid(0.3)).abs() < 1e-15);
    /// assert!((m.h[0] - sigmoid(-1.2)).abs() < 1e-15);
    /// assert!((m.vh[[0, 0]] - sigmoid(0.3) * sigmoid(-1.2)).abs() < 1e-15);
    /// // W = −s, b = c = s（s = 1e17）: 正しくは ⟨h⟩ = 2/3 だが、重みの対数の差 ln 2 が s の丸めに埋もれるので断る
    /// let s = 1e17;
    /// let huge = Rbm::new(array![[-s]], array![s], array![s])?;
    /// assert!(matches!(huge.model_moments(), Err(genmodel::Error::InvalidParameter { .. })));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn model_moments(&self) -> Result<RbmMoments> {
        let (nv, nh) = self.w.dim();
        ensure_summable(nv, nh)?;
        self.ensure_precise()?;
        let b = self.b.to_vec();
        let c = self.c.to_vec();
        if nh <= nv {
            // 隠れ層の和: s = h、反対側は v（列 W[:, j] を足し引きして b + Wh を更新する）
            let cols: Vec<Vec<f64>> = self.w.columns().into_iter().map(|x| x.to_vec()).collect();
            let m = layer_moments(&cols, &c, &b);
            Ok(RbmMoments {
                v: Array1::from(m.other),
                h: Array1::from(m.summed),
                vh: Array2::from_shape_fn((nv, nh), |(i, j)| m.cross[j][i]),
            })
        } else {
            // 可視層の和: s = v、反対側は h（行 W[i, :] を足し引きして c + Wᵀv を更新する）
            let rows: Vec<Vec<f64>> = self.w.rows().into_iter().map(|x| x.to_vec()).collect();
            let m = layer_moments(&rows, &b, &c);
            Ok(RbmMoments {
                v: Array1::from(m.summed),
                h: Array1::from(m.other),
                vh: Array2::from_shape_fn((nv, nh), |(i, j)| m.cross[i][j]),
            })
        }
    }

    /// データの平均対数尤度 `L(θ) = (1/n) Σ_μ ln q(v_μ)` の厳密な勾配
    /// = [`Rbm::data_moments`] − [`Rbm::model_moments`]（[`RbmGradient::from_moments`]）:
    ///
    /// `∂L/∂W = ⟨v σ(c + Wᵀv)ᵀ⟩_data − ⟨v hᵀ⟩_q`、`∂L/∂b = ⟨v⟩_data − ⟨v⟩_q`、`∂L/∂c = ⟨σ(c + Wᵀv)⟩_data − ⟨h⟩_q`。
    ///
    /// 勾配「上昇」`θ ← θ + η ∂L/∂θ` で対数尤度が増える向きである。
    ///
    /// # Errors
    ///
    /// データについては [`Rbm::data_moments`] と同じ（データを先に検査する）、
    /// モデルについては [`Rbm::model_moments`] と同じ（[`Error::TooManySpins`]、
    /// `Σ|θ| > MAX_ENUMERATION_L1 = 1e4` なら [`Error::InvalidParameter`]）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::{sigmoid, Rbm}, ndarray::array};
    ///
    /// // W = 0: L = ⟨ln σ(±b)⟩ だけが b に依り、∂L/∂b = ⟨v⟩_data − σ(b)。データ (1), (1), (0) で 2/3 − σ(b)
    /// let rbm = Rbm::new(array![[0.0]], array![0.5], array![0.0])?;
    /// let g = rbm.exact_gradient(&array![[1u8], [1], [0]])?;
    /// assert!((g.b[0] - (2.0 / 3.0 - sigmoid(0.5))).abs() < 1e-15);
    /// assert!(g.c[0].abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn exact_gradient<'a>(&self, data: impl AsArray<'a, u8, Ix2>) -> Result<RbmGradient> {
        let positive = self.data_moments(data)?;
        let negative = self.model_moments()?;
        RbmGradient::from_moments(&positive, &negative)
    }
}

/// 小さい方の層が列挙できる大きさであることを確かめる（`ln Z` と同じ上限）。
pub(super) fn ensure_summable(nv: usize, nh: usize) -> Result<()> {
    let m = nv.min(nh);
    if m > MAX_RBM_SUMMED_UNITS {
        return Err(Error::TooManySpins {
            n: m,
            max: MAX_RBM_SUMMED_UNITS,
        });
    }
    Ok(())
}

/// [`layer_moments`] の結果: 和をとる層の平均 `summed`、反対側の層の平均 `other`、
/// 相関 `cross[k][i] = ⟨s_k o_i⟩`。
struct LayerMoments {
    summed: Vec<f64>,
    other: Vec<f64>,
    cross: Vec<Vec<f64>>,
}

/// 重みの基準を上げる幅（自然対数）。重み `exp(ℓ − r)` は `e^{300}` 以下に保たれ、`2^24` 項足しても
/// `f64` の上限 `e^{709}` に届かない。
const RAISE: f64 = 300.0;

/// 和をとる層 `s ∈ {0,1}^m` の重み `∝ exp(aᵀs + Σ_i softplus(x_i))`（`x = d + Σ_k s_k u_k`）での
/// `s` の平均、反対側の層の平均 `Σ_s q(s) σ(x)`、相関 `Σ_s q(s) s_k σ(x_i)`。
///
/// `u_k`（`m` 本）は和をとる層のユニット `k` から反対側の層への重み、`a` は和をとる層のバイアス、
/// `d` は反対側の層のバイアス。重みの基準の扱いは [`Rbm::model_moments`] の説明のとおり。
/// `Σ_i softplus(x_i) = Σ_i max(x_i, 0) + ln Π_i (1 + e^{−|x_i|})` とし、積（各因子は `[1, 2]`）の `ln` を 1 回だけとる。
/// 同じ `1 + e^{−|x|}` から `σ(x)` も求める。
fn layer_moments(u: &[Vec<f64>], a: &[f64], d: &[f64]) -> LayerMoments {
    let m = u.len();
    let n = d.len();
    let resync = |g: usize, act: &mut [f64]| -> f64 {
        act.copy_from_slice(d);
        let mut lin = 0.0;
        for (k, uk) in u.iter().enumerate().filter(|(k, _)| (g >> k) & 1 == 1) {
            lin += a[k];
            for (x, w) in act.iter_mut().zip(uk) {
                *x += w;
            }
        }
        lin
    };
    let mut act = vec![0.0f64; n];
    let mut sig = vec![0.0f64; n];
    let mut g = 0usize;
    let mut lin = resync(g, &mut act);
    let mut reference = f64::NAN;
    let mut total = 0.0f64;
    let mut summed = vec![0.0f64; m];
    let mut other = vec![0.0f64; n];
    let mut cross = vec![vec![0.0f64; n]; m];
    for t in 0..(1usize << m) {
        if t > 0 {
            // Gray 符号: t 歩目にはビット trailing_zeros(t) を反転する
            let k = t.trailing_zeros() as usize;
            g ^= 1 << k;
            if t % RESYNC == 0 {
                lin = resync(g, &mut act);
            } else if (g >> k) & 1 == 1 {
                lin += a[k];
                for (x, w) in act.iter_mut().zip(&u[k]) {
                    *x += w;
                }
            } else {
                lin -= a[k];
                for (x, w) in act.iter_mut().zip(&u[k]) {
                    *x -= w;
                }
            }
        }
        // softplus の和と σ を同じ 1 + e^{−|x|} から求める
        let mut log_w = lin;
        let mut prod = 1.0f64;
        for (x, s) in act.iter().zip(sig.iter_mut()) {
            let e = (-x.abs()).exp();
            let one_plus = 1.0 + e;
            log_w += x.max(0.0);
            prod *= one_plus;
            *s = if *x >= 0.0 { 1.0 } else { e } / one_plus;
        }
        log_w += prod.ln();
        if t == 0 {
            reference = log_w;
        } else if log_w > reference + RAISE {
            // 基準を上げ、溜めた和を exp(旧 − 新) 倍する
            let scale = (reference - log_w).exp();
            for x in std::iter::once(&mut total)
                .chain(summed.iter_mut())
                .chain(other.iter_mut())
                .chain(cross.iter_mut().flatten())
            {
                *x *= scale;
            }
            reference = log_w;
        }
        let q = (log_w - reference).exp();
        if q == 0.0 {
            continue;
        }
        total += q;
        for (o, s) in other.iter_mut().zip(&sig) {
            *o += q * s;
        }
        for k in (0..m).filter(|k| (g >> k) & 1 == 1) {
            summed[k] += q;
            for (o, s) in cross[k].iter_mut().zip(&sig) {
                *o += q * s;
            }
        }
    }
    // 基準の状態の重み 1 が入っているので total ≥ 1
    for x in summed
        .iter_mut()
        .chain(other.iter_mut())
        .chain(cross.iter_mut().flatten())
    {
        *x /= total;
    }
    LayerMoments {
        summed,
        other,
        cross,
    }
}
