//! 小さい方の層だけを列挙する厳密な `ln Z` と、データの平均対数尤度 `(1/n) Σ ln q(v^(k))`。
//!
//! `N_h ≤ N_v` なら `v` を先に和をとって消し、
//! `Z = Σ_h exp(cᵀh) Π_i (1 + exp(b_i + (Wh)_i))`、すなわち
//! `ln Z = ln Σ_h exp(cᵀh + Σ_i softplus(b_i + (Wh)_i))` とする（`2^{N_h}` 項）。
//! `N_h > N_v` なら役割を入れ替えて `ln Z = ln Σ_v exp(−F(v))` とする（`2^{N_v}` 項）。
//!
//! # 列挙の速さ
//!
//! 和をとる層の状態 `s`（`m` ユニット）を「下位 `L` ビット `lo`」と「上位 `m − L` ビット `hi`」に分ける。
//! 反対側のユニット `i` の活性は `x_i = X_i(hi) + Y_i(lo)`（`X_i(hi) = d_i + Σ_{k ≥ L} s_k u_k[i]`、
//! `Y_i(lo) = Σ_{k < L} s_k u_k[i]`）と分かれるので、`e^{±Y_i(lo)}` の表（`2 · N · 2^L` 個）を最初に 1 回だけ作れば、
//! `1 + e^{x_i}` は `X_i ≥ 0` なら `e^{X_i} (e^{−X_i} + e^{Y_i})`、`X_i < 0` なら `e^{Y_i} (e^{X_i} + e^{−Y_i})` と、
//! 「ブロック（`hi` を固定した `2^L` 状態）ごとの定数 + 表の値」の積になる。外に出た `e^{X_i}` はブロックの対数に、
//! `e^{Y_i}` は `lo` ごとの係数 `E(lo) = exp(Σ_{k ∈ lo} (a_k + Σ_{i: X_i < 0} u_k[i]))` にまとめる。
//! 1 状態 × 1 ユニットの仕事は足し算 1 回と掛け算 1 回だけで、`exp` も `ln` も要らない
//! （`exp` はブロックごとに `N` 回、`ln` はブロックごとに 1 回）。内側のループは `lo` について連続な
//! `f64` の配列の要素ごとの演算なので、自動でベクトル化される。
//!
//! 積は線形の領域でとるので、途中の値の対数が `±600` に収まる（`f64` の正規化数の範囲に余裕をもって入る）ように `L` を選ぶ。
//! パラメータが大きくて `L = 1` でも収まらないとき（`|W| ≈ 1e3` など）は、状態ごとに
//! `Σ_i softplus(x_i) = Σ_i max(x_i, 0) + ln Π_i (1 + e^{−|x_i|})`（`ln` は 1 状態 1 回）で対数の領域のまま足す。

use super::ensure_binary;
use super::gradient::ensure_summable;
use super::model::Rbm;
use crate::error::{Error, Result, ensure_len};
use crate::prec::MAX_RBM_SUMMED_UNITS;
use ndarray::{ArrayView2, AsArray, Ix2};
use std::f64::consts::LN_2;

/// Gray 符号の列挙で、活性を定義から計算し直す間隔（歩数）。
///
/// 1 歩ごとの更新は列 1 本の足し引きなので、活性の丸め誤差は歩数に比例して溜まる。
/// 256 歩ごとに計算し直せば、誤差は `256 · ε · Σ|θ|` の程度に抑えられ、列挙の長さ（最大 `2^24` 歩）によらない。
/// 計算し直しは `O(N_v N_h)` で、256 歩ぶんの更新と項の計算に比べて小さい。
/// 表を使う列挙では、1 歩は上位ビットの 1 ブロック（`2^L` 状態）である。
const RESYNC: usize = 256;

/// 表を使う列挙で、線形の領域の値（`E(lo)`・因子・途中の積）の自然対数が収まる範囲 `[−600, 600]`。
///
/// `e^{±600}` は `f64` の正規化数（`e^{−708}` から `e^{709}`）に余裕をもって収まり、
/// ブロックの `2^L ≤ 512` 項の和も `e^{607}` を超えない。正規化数なので、どの項も相対 `ε` の精度を保つ。
const LOG_RANGE: f64 = 600.0;

/// 下位ビットの数 `L` の上限。ブロックごとの `exp`（`N` 回）を `2^9 = 512` 状態で割り勘にすれば十分に小さい。
const MAX_LOW_BITS: usize = 9;

/// 表 `e^{±Y_i(lo)}` の要素数の上限（`2 · N · 2^L ≤ 2^16`、512 KiB）。2 次キャッシュに収める（`N = 64` なら `L = 9`）。
const MAX_TABLE_LEN: usize = 1 << 16;

/// 内側のループで一度に扱う `lo` の数。積の途中の値 16 個をレジスタに置いたまま、ユニットについて回す。
const TILE: usize = 16;

/// 表を使う列挙で、続けて計算する上位ビットのブロックの数。1 つのタイルの表（`2 N · TILE` 個、`N = 64` で 16 KiB）を
/// 1 次キャッシュに置いたまま 8 ブロックぶんの積をとり、表を 2 次キャッシュから読む回数を 1/8 にする。
const BATCH: usize = 8;

/// 対数の領域で `Π (1 + e^{−|x|})` をまとめて `ln` する単位の数。因子は `(1, 2]` なので積は `2^{512}` 以下である。
const CHUNK: usize = 512;

/// 対数の領域の和（[`softplus_sum`]）の `1 + e^{−x}`（`x ≥ 0`）で、`e^{−x}` を 0 とみなす `x` の下限。
/// `e^{−40} < 2^{−53}` なので `1 + e^{−x}` は `f64` で 1 に丸まり、結果は変わらない。パラメータが大きいとき
/// （`|x|` が数百以上）に、`exp` の遅い道（[`EXP_CUTOFF`]）を通らずに済む。
const SOFTPLUS_CUTOFF: f64 = 40.0;

/// 表を使う列挙の `r_i = e^{−|X_i|}` を 0 とみなす `|X_i|` の下限。
///
/// `e^{−708}` は `f64` の正規化数の下限に近く、それより先の `exp` は非正規化数とアンダーフローの遅い道を通る
/// （1 回 20〜30 ns と、ふつうの 5 ns の数倍かかる）。0 とみなしても、因子 `κ_i (r_i + e^{±Y})` では
/// `e^{±Y} ≥ e^{−600}` に対して、因子 `κ_i (1 + r_i e^{Y})` では 1 に対して、相対 `e^{−108}` 未満しか効かない。
const EXP_CUTOFF: f64 = 708.0;

/// `e^{−|x|}`。`|x| ≥ cutoff` なら 0 とする。
///
/// `exp` は `−min(|x|, cutoff)` でいつも呼び、結果を選ぶだけにする（分岐の予測外れを避ける。
/// パラメータが大きいと `|x|` が切り捨ての境の両側に不規則に散る）。
fn exp_neg_abs(x: f64, cutoff: f64) -> f64 {
    let ax = x.abs();
    let e = (-ax.min(cutoff)).exp();
    if ax < cutoff { e } else { 0.0 }
}

/// 表を使う列挙で、奇数番目のユニットの因子にかける定数 `κ = 1/2`（偶数番目は 1）。
///
/// 因子 `e^{∓X} + e^{±Y}` の対数は `(−R, R + ln 2]` にあり、そのままでは積が上に `N ln 2` ずれる。
/// 半分のユニットを `1/2` 倍すれば、どの部分積の対数も `±(Σ R + ⌈N/2⌉ ln 2)` に収まる。
/// 2 のべきなので丸めを生まず、戻すときも指数に整数 `⌊N/2⌋` を足すだけでよい（[`log_of_sum`]）。
const KAPPA: f64 = 0.5;

impl Rbm {
    /// 規格化定数の対数 `ln Z = ln Σ_{v,h} exp(−E(v, h))` を、小さい方の層の全状態の和で厳密に求める。
    ///
    /// 和をとる層（`N_h ≤ N_v` なら隠れ層、そうでなければ可視層）の状態 `s` の下位 `L ≤ 9` ビットを表で、
    /// 上位ビットを Gray 符号の順にたどる（方法はモジュールの説明のとおり）。上位ビットを 1 つ反転するごとに、
    /// 反対側の層の活性（`b + Ws` または `c + Wᵀs`）は `W` の列（行）を 1 本足し引きして更新する（256 歩ごとに計算し直す）。
    /// ブロック（下位ビットの `2^L` 状態）の和の対数を、流れる log-sum-exp（それまでの最大値を基準にした補償つきの和）に
    /// 足すので、`Z` があふれる大きさでも `ln Z` は有限である。
    ///
    /// 仕事は `2^{min(N_v, N_h)} · max(N_v, N_h)` 回の「足し算 1 回と掛け算 1 回」と、ブロックごとの
    /// `max(N_v, N_h)` 回の `exp` である。パラメータが大きい（`|W| ≈ 1e3` など）と `L = 0` になり、
    /// 状態ごとに `max(N_v, N_h)` 回の `exp` と 1 回の `ln` になる。
    ///
    /// 精度: `ln Z` は対数の領域の値で、絶対誤差は `ε Σ|θ|` の程度（値の大きさ `Σ|θ|` に比べて相対精度）なので、
    /// `Σ|θ| ≤ 1e100` のどこでも求める。`ln Z` との差をとる [`Rbm::mean_log_likelihood`] などは、
    /// 精度の上限 [`super::MAX_ENUMERATION_L1`] `= 1e4` を超えるモデルを断る（モジュールの説明の「精度の上限」）。
    ///
    /// # Errors
    ///
    /// `min(N_v, N_h) > MAX_RBM_SUMMED_UNITS = 24` なら [`Error::TooManySpins`]（`n` は小さい方の層のユニット数）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::{array, Array1, Array2}, Error};
    ///
    /// // 可視 1・隠れ 1: Z = 1 + e^b + e^c + e^{b + c + W}
    /// let rbm = Rbm::new(array![[0.5]], array![0.2], array![-0.1])?;
    /// let want = (1.0 + 0.2f64.exp() + (-0.1f64).exp() + 0.6f64.exp()).ln();
    /// assert!((rbm.log_z()? - want).abs() < 1e-15);
    /// // 両方の層が 25 ユニットでは列挙しきれない
    /// let big = Rbm::new(Array2::zeros((25, 25)), Array1::zeros(25), Array1::zeros(25))?;
    /// assert_eq!(big.log_z(), Err(Error::TooManySpins { n: 25, max: 24 }));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn log_z(&self) -> Result<f64> {
        let (nv, nh) = self.w.dim();
        let m = nv.min(nh);
        if m > MAX_RBM_SUMMED_UNITS {
            return Err(Error::TooManySpins {
                n: m,
                max: MAX_RBM_SUMMED_UNITS,
            });
        }
        let lz = if nh <= nv {
            // 隠れ層の和: 列 W[:, k] を足し引きして b + Wh を更新する
            let cols: Vec<Vec<f64>> = self.w.columns().into_iter().map(|c| c.to_vec()).collect();
            log_sum_over_layer(&cols, &self.c.to_vec(), &self.b.to_vec())
        } else {
            // 可視層の和: 行 W[i, :] を足し引きして c + Wᵀv を更新する
            let rows: Vec<Vec<f64>> = self.w.rows().into_iter().map(|r| r.to_vec()).collect();
            log_sum_over_layer(&rows, &self.b.to_vec(), &self.c.to_vec())
        };
        Ok(lz)
    }

    /// データ（1 行 1 標本の `u8` の 2 次元配列）を検査する。
    fn check_data<'a>(&self, data: impl AsArray<'a, u8, Ix2>) -> Result<ArrayView2<'a, u8>> {
        let data: ArrayView2<'a, u8> = data.into();
        if data.nrows() == 0 {
            return Err(Error::EmptyInput);
        }
        ensure_len(self.n_visible(), data.ncols())?;
        ensure_binary(data.iter())?;
        Ok(data)
    }

    /// データでの自由エネルギーの平均 `(1/n) Σ_k F(v^(k))`（[`Rbm::free_energy`] の平均）。
    ///
    /// `ln Z` は要らないので、どの大きさのモデルでも求まる。`W` を行優先の配列に写してから、
    /// 標本ごとに `c + Wᵀv` を `v_i = 1` の行の和で求め、`Σ_j softplus` を `ln` 1 回の積の形
    /// （`Σ max(x, 0) + ln Π (1 + e^{−|x|})`）でとる。
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
    /// let rbm = Rbm::new(array![[0.0]], array![1.0], array![0.0])?;
    /// // F(0) = −ln 2、F(1) = −1 − ln 2
    /// let f = rbm.mean_free_energy(&array![[0u8], [1]])?;
    /// assert!((f - (-0.5 - 2f64.ln())).abs() < 1e-15);
    /// assert!(rbm.mean_free_energy(&array![[0u8, 1]]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean_free_energy<'a>(&self, data: impl AsArray<'a, u8, Ix2>) -> Result<f64> {
        let data = self.check_data(data)?;
        let nh = self.n_hidden();
        let w: Vec<f64> = self.w.iter().copied().collect();
        let b = self.b.to_vec();
        let c = self.c.to_vec();
        let mut act = vec![0.0f64; nh];
        let mut sum = 0.0;
        for v in data.rows() {
            act.copy_from_slice(&c);
            let mut bv = 0.0;
            for ((&vi, &bi), row) in v.iter().zip(&b).zip(w.chunks_exact(nh)) {
                if vi == 1 {
                    bv += bi;
                    for (x, wij) in act.iter_mut().zip(row) {
                        *x += wij;
                    }
                }
            }
            sum += -bv - softplus_sum(&act);
        }
        Ok(sum / data.nrows() as f64)
    }

    /// データの平均対数尤度 `(1/n) Σ_k ln q(v^(k)) = −(1/n) Σ_k F(v^(k)) − ln Z`。
    ///
    /// データを先に検査し、モデルの大きさと精度を確かめてから、[`Rbm::log_z`] を厳密に求める。
    /// `−F` と `ln Z` はどちらも大きさ `Σ|θ|` 程度で絶対誤差 `ε Σ|θ|` を持ち、差をとると打ち消し合うので、
    /// `Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4` に限る（モジュールの説明の「精度の上限」）。
    ///
    /// # Errors
    ///
    /// - データについては [`Rbm::mean_free_energy`] と同じ
    /// - `min(N_v, N_h) > MAX_RBM_SUMMED_UNITS = 24`: [`Error::TooManySpins`]（[`Rbm::log_z`] と同じ）
    /// - `Σ|θ| > MAX_ENUMERATION_L1 = 1e4`（差の精度が保てない）: [`Error::InvalidParameter`]（`name` は `"Σ|θ|"`）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array, Error};
    ///
    /// // W = 0 なら可視ユニットは独立で q(v_0 = 1) = σ(b_0): データ 1 個 (1) の対数尤度は ln σ(b_0)
    /// let rbm = Rbm::new(array![[0.0, 0.0]], array![0.3], array![1.0, -2.0])?;
    /// let ll = rbm.mean_log_likelihood(&array![[1u8]])?;
    /// assert!((ll - (1.0 / (1.0 + (-0.3f64).exp())).ln()).abs() < 1e-15);
    /// assert!(matches!(rbm.mean_log_likelihood(&array![[2u8]]), Err(Error::InvalidParameter { .. })));
    /// // c = 1e99 では −F と ln Z の差（正しくは −ln 2）が丸めに埋もれるので断る。ln Z そのものは求まる
    /// let huge = Rbm::new(array![[0.0]], array![0.0], array![1e99])?;
    /// assert!(matches!(
    ///     huge.mean_log_likelihood(&array![[1u8]]),
    ///     Err(Error::InvalidParameter { name: "Σ|θ|", .. })
    /// ));
    /// assert_eq!(huge.log_z()?, 1e99);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn mean_log_likelihood<'a>(&self, data: impl AsArray<'a, u8, Ix2>) -> Result<f64> {
        let f = self.mean_free_energy(data)?;
        ensure_summable(self.n_visible(), self.n_hidden())?;
        self.ensure_precise()?;
        Ok(-f - self.log_z()?)
    }
}

/// `Σ_i softplus(x_i) = Σ_i max(x_i, 0) + ln Π_i (1 + e^{−|x_i|})`。
///
/// 因子 `1 + e^{−|x|}` は `(1, 2]` にあるので、[`CHUNK`] 個ずつの積はあふれない。`ln` は `CHUNK` 個に 1 回である。
fn softplus_sum(x: &[f64]) -> f64 {
    x.chunks(CHUNK)
        .map(|chunk| {
            let mut positive = 0.0;
            let mut prod = 1.0;
            for &xi in chunk {
                positive += xi.max(0.0);
                prod *= 1.0 + exp_neg_abs(xi, SOFTPLUS_CUTOFF);
            }
            positive + prod.ln()
        })
        .sum()
}

/// 流れる log-sum-exp: それまでの最大の項 `reference` を基準に、`Σ exp(x − reference)` を補償つき（Neumaier）で足す。
struct RunningLogSumExp {
    reference: f64,
    sum: f64,
    compensation: f64,
}

impl RunningLogSumExp {
    fn new() -> Self {
        Self {
            reference: f64::NEG_INFINITY,
            sum: 0.0,
            compensation: 0.0,
        }
    }

    fn push(&mut self, x: f64) {
        let y = if x > self.reference {
            // 基準が上がったら、溜めた和を exp(旧 − 新) 倍する（最初は 0 · 0 = 0）
            let scale = (self.reference - x).exp();
            self.sum *= scale;
            self.compensation *= scale;
            self.reference = x;
            1.0
        } else {
            (x - self.reference).exp()
        };
        let t = self.sum + y;
        if self.sum.abs() >= y.abs() {
            self.compensation += (self.sum - t) + y;
        } else {
            self.compensation += (y - t) + self.sum;
        }
        self.sum = t;
    }

    fn finish(&self) -> f64 {
        self.reference + (self.sum + self.compensation).ln()
    }
}

/// Gray 符号の順にたどる状態 `g ∈ {0,1}^m` での反対側の層の活性 `x = d + Σ_k g_k u_k` と線形項 `aᵀg`。
struct GrayActivation<'a> {
    u: &'a [&'a [f64]],
    a: &'a [f64],
    d: &'a [f64],
    g: usize,
    x: Vec<f64>,
    lin: f64,
}

impl<'a> GrayActivation<'a> {
    /// 状態 `g = 0` から始める。
    fn new(u: &'a [&'a [f64]], a: &'a [f64], d: &'a [f64]) -> Self {
        let mut s = Self {
            u,
            a,
            d,
            g: 0,
            x: d.to_vec(),
            lin: 0.0,
        };
        s.resync();
        s
    }

    /// 状態 `g` の活性と線形項を定義から求める。
    fn resync(&mut self) {
        self.x.copy_from_slice(self.d);
        self.lin = 0.0;
        for (k, uk) in self.u.iter().enumerate() {
            if (self.g >> k) & 1 == 1 {
                self.lin += self.a[k];
                for (x, w) in self.x.iter_mut().zip(uk.iter()) {
                    *x += w;
                }
            }
        }
    }

    /// `t` 歩目（`t ≥ 1`）: ビット `trailing_zeros(t)` を反転し、[`RESYNC`] 歩ごとに計算し直す。
    fn step(&mut self, t: usize) {
        let k = t.trailing_zeros() as usize;
        self.g ^= 1 << k;
        if t % RESYNC == 0 {
            self.resync();
        } else if (self.g >> k) & 1 == 1 {
            self.lin += self.a[k];
            for (x, w) in self.x.iter_mut().zip(self.u[k].iter()) {
                *x += w;
            }
        } else {
            self.lin -= self.a[k];
            for (x, w) in self.x.iter_mut().zip(self.u[k].iter()) {
                *x -= w;
            }
        }
    }
}

/// `ln Σ_{s ∈ {0,1}^m} exp(aᵀs + Σ_i softplus(d_i + Σ_k s_k u_k[i]))`。
///
/// `u_k`（`m` 本、長さはどれも `d` と同じ）は和をとる層のユニット `k` から反対側の層への重み、
/// `a` は和をとる層のバイアス、`d` は反対側の層のバイアス。
///
/// 和をとる層のユニットを「重さ」`|a_k| + Σ_i |u_k[i]|` の小さい順に並べ替え（和は順によらない）、
/// 軽いものから下位ビットに入れる。下位 `L` ビットの表で線形の領域に収まる範囲
/// （`Σ_{k < L} 重さ_k + ⌈N/2⌉ ln 2 ≤ LOG_RANGE`）で `L` をできるだけ大きくとり、
/// `L ≥ 1` なら [`log_sum_tabled`]、`L = 0` なら [`log_sum_direct`] で求める。
fn log_sum_over_layer(u: &[Vec<f64>], a: &[f64], d: &[f64]) -> f64 {
    let n = d.len();
    let weight = |k: usize| a[k].abs() + u[k].iter().map(|w| w.abs()).sum::<f64>();
    let mut order: Vec<(f64, usize)> = (0..u.len()).map(|k| (weight(k), k)).collect();
    order.sort_by(|x, y| x.0.total_cmp(&y.0));
    let us: Vec<&[f64]> = order.iter().map(|&(_, k)| u[k].as_slice()).collect();
    let aa: Vec<f64> = order.iter().map(|&(_, k)| a[k]).collect();
    let mut used = n.div_ceil(2) as f64 * LN_2;
    let mut l = 0;
    while l < order.len().min(MAX_LOW_BITS)
        && 2 * n * (2 << l) <= MAX_TABLE_LEN
        && used + order[l].0 <= LOG_RANGE
    {
        used += order[l].0;
        l += 1;
    }
    if l == 0 {
        log_sum_direct(&us, &aa, d)
    } else {
        log_sum_tabled(&us, &aa, d, l)
    }
}

/// [`log_sum_over_layer`] を、全状態を Gray 符号の順にたどって状態ごとに対数の領域で足す（`L = 0`）。
///
/// 状態ごとの仕事は反対側のユニットの数だけの `exp` と、[`softplus_sum`] の `ln` 1 回である。
fn log_sum_direct(u: &[&[f64]], a: &[f64], d: &[f64]) -> f64 {
    let mut gray = GrayActivation::new(u, a, d);
    let mut acc = RunningLogSumExp::new();
    for t in 0..(1usize << u.len()) {
        if t > 0 {
            gray.step(t);
        }
        acc.push(gray.lin + softplus_sum(&gray.x));
    }
    acc.finish()
}

/// `out[lo] = start · Π_{k ∈ lo} factor(k)`（`lo < out.len() = 2^L`、`k ∈ lo` は `lo` の第 `k` ビットが 1）を、
/// 最上位のビットを 1 つずつ加えて（`out[lo | 2^k] = out[lo] · factor(k)`）作る。各要素は高々 `L + 1` 回の丸めしか受けない。
fn subset_products(start: f64, factor: impl Fn(usize) -> f64, out: &mut [f64]) {
    out[0] = start;
    let mut filled = 1;
    let mut k = 0;
    while filled < out.len() {
        let f = factor(k);
        let (done, rest) = out.split_at_mut(filled);
        for (dst, src) in rest.iter_mut().zip(done.iter()) {
            *dst = src * f;
        }
        filled *= 2;
        k += 1;
    }
}

/// [`log_sum_over_layer`] を、下位 `l ≥ 1` ビットの表で求める（方法はモジュールの説明のとおり）。
///
/// ユニット `i` の定数を `κ_i`（偶数番目は 1、奇数番目は [`KAPPA`] `= 1/2`）として、表は
/// `κ_i e^{±Y_i(lo)}`（`σ = 0` が `+`、`σ = 1` が `−`、`Y_i(lo) = Σ_{k ∈ lo} u_k[i]`）を、`lo` を `T = min(2^L, TILE)` 個ずつの
/// タイル `τ = ⌊lo / T⌋` に分けて `table[((τ N + i) 2 + σ) T + lo mod T]` に置く。1 つのタイルの計算が読む
/// `2 N T` 個は連続するので、先読みが効き、1 次キャッシュの同じセットにも集まらない。
/// 上位ビットのブロックごとに、活性 `X_i`（Gray 符号で更新）から `r_i = e^{−|X_i|}` を求め、
///
/// - `X_i ≥ 0`: 因子 `κ_i r_i + κ_i e^{Y_i}`、ブロックの対数に `X_i` を足す
/// - `X_i < 0`: 因子 `κ_i r_i + κ_i e^{−Y_i}`、`lo` ごとの係数の指数 `w_k` に `u_k[i]` を足す（`E(lo) = exp(Σ_{k ∈ lo} w_k)`）。
///   ただし `Σ_k |w_k|` が `budget` を超えるなら、代わりに因子 `κ_i + r_i κ_i e^{Y_i}`（掛け算が 1 回多い）とする
///
/// とすると、状態 `(hi, lo)` の項は `exp(ブロックの対数) · 2^{⌊N/2⌋} · E(lo) Π_i 因子_i(lo)` である。
/// 因子の対数は `(ln κ_i − R_i, ln κ_i + ln 2 + R_i]`（`R_i = Σ_{k < L} |u_k[i]|`）にあるので、どのユニットの部分積の対数も
/// `±(Σ_i R_i + ⌈N/2⌉ ln 2)` に、`E(lo)` と途中の `Π_{k ∈ lo'} e^{w_k}` の対数は `±Σ_k |w_k|` に収まる。
/// `budget = LOG_RANGE − Σ_i R_i − ⌈N/2⌉ ln 2` とすれば、積の途中の値の対数はいつも `±LOG_RANGE` に収まる。
/// 呼び出し側の `L` の選び方から、畳む前の `Σ_k |w_k| = Σ_k |a_k|` は `budget` 以下である。
///
/// 上位ビットのブロックは [`BATCH`] 個ずつ係数を求めてから、タイルごとにまとめて積をとる（[`tile_sums`]）。
fn log_sum_tabled(u: &[&[f64]], a: &[f64], d: &[f64], l: usize) -> f64 {
    let n = d.len();
    let size = 1usize << l;
    let (low, high) = u.split_at(l);
    let (a_low, a_high) = a.split_at(l);
    let spread: f64 = low.iter().flat_map(|uk| uk.iter()).map(|x| x.abs()).sum();
    let budget = LOG_RANGE - spread - n.div_ceil(2) as f64 * LN_2;
    let tile = size.min(TILE);
    // ユニット i ごとに下位ビットの重み (u_0[i], …, u_{L−1}[i]) を並べ、行 κ_i e^{±Y_i(lo)} を作ってタイルごとの並びに写す
    let mut low_by_unit = vec![0.0f64; n * l];
    for (k, uk) in low.iter().enumerate() {
        for (i, &w) in uk.iter().enumerate() {
            low_by_unit[i * l + k] = w;
        }
    }
    let mut table = vec![0.0f64; 2 * n * size];
    let mut row = vec![0.0f64; size];
    for (i, ui) in low_by_unit.chunks_exact(l).enumerate() {
        for (sigma, sign) in [(0, 1.0), (1, -1.0)] {
            subset_products(kappa(i), |k| (sign * ui[k]).exp(), &mut row);
            for (tau, part) in row.chunks_exact(tile).enumerate() {
                let start = ((tau * n + i) * 2 + sigma) * tile;
                table[start..start + tile].copy_from_slice(part);
            }
        }
    }
    let mut gray = GrayActivation::new(high, a_high, d);
    let mut acc = RunningLogSumExp::new();
    let blocks = 1usize << high.len();
    let mut buffer: Vec<Block> = (0..BATCH.min(blocks))
        .map(|_| Block::new(n, size))
        .collect();
    let mut w = vec![0.0f64; l];
    for first in (0..blocks).step_by(BATCH) {
        let batch = &mut buffer[..BATCH.min(blocks - first)];
        for (t, block) in (first..).zip(batch.iter_mut()) {
            if t > 0 {
                gray.step(t);
            }
            block.prepare(&gray, low, a_low, budget, tile, &mut w);
        }
        match tile {
            2 => tile_sums::<2>(&table, batch),
            4 => tile_sums::<4>(&table, batch),
            8 => tile_sums::<8>(&table, batch),
            _ => tile_sums::<TILE>(&table, batch),
        }
        for block in batch.iter() {
            acc.push(block.log + log_of_sum(block.total, n / 2));
        }
    }
    acc.finish()
}

/// 表を使う列挙で、ユニット `i` の因子にかける定数 `κ_i`（偶数番目は 1、奇数番目は [`KAPPA`]）。
fn kappa(i: usize) -> f64 {
    if i % 2 == 1 { KAPPA } else { 1.0 }
}

/// 上位ビットの 1 ブロック（`hi` を固定した `2^L` 状態）の係数と和（記号は [`log_sum_tabled`]）。
struct Block {
    /// ブロックの対数 `Σ_{k ≥ L} a_k s_k + Σ_{X_i ≥ 0} X_i`。
    log: f64,
    /// 足し算 1 回の因子: `(κ_i r_i, タイルの表の中の行の先頭)`。
    two_op: Vec<(f64, usize)>,
    /// 足し算と掛け算の因子: `((κ_i, r_i), タイルの表の中の行の先頭)`。
    three_op: Vec<((f64, f64), usize)>,
    /// `lo` ごとの係数 `E(lo)`（長さ `2^L`）。
    e: Vec<f64>,
    /// ブロックの和 `Σ_lo E(lo) Π_i 因子_i(lo)`（[`tile_sums`] が求める）。
    total: f64,
}

impl Block {
    fn new(n: usize, size: usize) -> Self {
        Self {
            log: 0.0,
            two_op: Vec::with_capacity(n),
            three_op: Vec::with_capacity(n),
            e: vec![0.0; size],
            total: 0.0,
        }
    }

    /// 上位ビットの活性 `X = gray.x` から、因子の係数と `E(lo)` を求める。`w` は長さ `L` の作業用の配列。
    fn prepare(
        &mut self,
        gray: &GrayActivation<'_>,
        low: &[&[f64]],
        a_low: &[f64],
        budget: f64,
        tile: usize,
        w: &mut [f64],
    ) {
        self.log = gray.lin;
        self.two_op.clear();
        self.three_op.clear();
        w.copy_from_slice(a_low);
        for (i, &x) in gray.x.iter().enumerate() {
            let r = exp_neg_abs(x, EXP_CUTOFF);
            let row = 2 * i * tile;
            if x >= 0.0 {
                self.log += x;
                self.two_op.push((kappa(i) * r, row));
            } else if w
                .iter()
                .zip(low)
                .map(|(wk, uk)| (wk + uk[i]).abs())
                .sum::<f64>()
                <= budget
            {
                // e^{Y_i(lo)} を E(lo) に畳み、因子は κ_i r_i + κ_i e^{−Y_i}
                for (wk, uk) in w.iter_mut().zip(low) {
                    *wk += uk[i];
                }
                self.two_op.push((kappa(i) * r, row + tile));
            } else {
                self.three_op.push(((kappa(i), r), row));
            }
        }
        subset_products(1.0, |k| w[k].exp(), &mut self.e);
    }
}

/// `ln(2^shift · total)`（`total` は正の正規化数）。
///
/// `total = μ 2^p`（`μ ∈ [1, 2)`）と指数を取り出し、`(p + shift) ln 2 + ln μ` とする。`2^shift` 倍と指数の足し算は
/// 整数で厳密なので、`total ≈ 2^{−shift}`（`ln Z` が 0 に近いモデル）でも `ln 2^{−shift}` と `shift ln 2` が打ち消し合う誤差は出ない。
fn log_of_sum(total: f64, shift: usize) -> f64 {
    const MANTISSA: u64 = (1 << 52) - 1;
    const EXPONENT_ONE: u64 = 1023 << 52;
    let bits = total.to_bits();
    let p = (bits >> 52) as i64 - 1023;
    let mu = f64::from_bits((bits & MANTISSA) | EXPONENT_ONE);
    (p + shift as i64) as f64 * LN_2 + mu.ln()
}

/// ブロックごとの和 `Σ_lo E(lo) Π_i 因子_i(lo)`（記号は [`log_sum_tabled`]）を `block.total` に入れる。
///
/// `lo` を `TL` 個ずつのタイルに分け、タイルごとに、そのタイルの表（`2 N TL` 個）を読みながら `batch` のブロックを順に計算する。
/// 1 つのブロックでは `TL` 個の積をレジスタに置いたままユニットについて回す。タイルの表の中で、`two_op` の因子は
/// `c + 表[row + j]`、`three_op` の因子は `κ_i + r · 表[row + j]` である。
fn tile_sums<const TL: usize>(table: &[f64], batch: &mut [Block]) {
    let tiles = batch.first().map_or(1, |block| block.e.len() / TL);
    for block in batch.iter_mut() {
        block.total = 0.0;
    }
    for (tau, tile_table) in table.chunks_exact(table.len() / tiles).enumerate() {
        for block in batch.iter_mut() {
            let mut p = [0.0f64; TL];
            p.copy_from_slice(&block.e[tau * TL..(tau + 1) * TL]);
            for &(c, row) in &block.two_op {
                for (pj, y) in p.iter_mut().zip(&tile_table[row..row + TL]) {
                    *pj *= c + y;
                }
            }
            for &((k, r), row) in &block.three_op {
                for (pj, y) in p.iter_mut().zip(&tile_table[row..row + TL]) {
                    *pj *= k + r * y;
                }
            }
            block.total += p.iter().sum::<f64>();
        }
    }
}
