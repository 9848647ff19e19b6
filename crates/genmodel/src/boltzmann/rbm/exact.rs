//! 小さい方の層だけを列挙する厳密な `ln Z` と、データの平均対数尤度 `(1/n) Σ ln q(v^(k))`。
//!
//! `N_h ≤ N_v` なら `v` を先に和をとって消し、
//! `Z = Σ_h exp(cᵀh) Π_i (1 + exp(b_i + (Wh)_i))`、すなわち
//! `ln Z = ln Σ_h exp(cᵀh + Σ_i softplus(b_i + (Wh)_i))` とする（`2^{N_h}` 項）。
//! `N_h > N_v` なら役割を入れ替えて `ln Z = ln Σ_v exp(−F(v))` とする（`2^{N_v}` 項）。

use super::model::Rbm;
use super::{ensure_binary, softplus};
use crate::error::{Error, Result, ensure_len};
use crate::prec::MAX_RBM_SUMMED_UNITS;
use ndarray::{ArrayView2, AsArray, Ix2};

/// Gray 符号の列挙で、活性を定義から計算し直す間隔（歩数）。
///
/// 1 歩ごとの更新は列 1 本の足し引きなので、活性の丸め誤差は歩数に比例して溜まる。
/// 256 歩ごとに計算し直せば、誤差は `256 · ε · Σ|θ|` の程度に抑えられ、列挙の長さ（最大 `2^24` 歩）によらない。
/// 計算し直しは `O(N_v N_h)` で、256 歩ぶんの softplus（`256 · N_other` 回）に比べて小さい。
const RESYNC: usize = 256;

impl Rbm {
    /// 規格化定数の対数 `ln Z = ln Σ_{v,h} exp(−E(v, h))` を、小さい方の層の全状態の和で厳密に求める。
    ///
    /// 和をとる層（`N_h ≤ N_v` なら隠れ層、そうでなければ可視層）の状態 `s` を Gray 符号の順にたどる。
    /// 隣り合う状態はユニット 1 つ（`s_k`）だけ違うので、反対側の層の活性（`b + Ws` または `c + Wᵀs`）は
    /// `W` の列（行）を 1 本足し引きするだけで更新できる。各項 `a·s + Σ softplus(活性)` は
    /// 流れる log-sum-exp（それまでの最大値を基準にした補償つきの和）に足すので、`Z` があふれる大きさでも `ln Z` は有限である。
    ///
    /// 仕事は `2^{min(N_v, N_h)} · max(N_v, N_h)` 回の softplus である。
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
    /// `ln Z` は要らないので、どの大きさのモデルでも求まる。
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
        let sum: f64 = data
            .rows()
            .into_iter()
            .map(|v| self.free_energy_unchecked(v))
            .sum();
        Ok(sum / data.nrows() as f64)
    }

    /// データの平均対数尤度 `(1/n) Σ_k ln q(v^(k)) = −(1/n) Σ_k F(v^(k)) − ln Z`。
    ///
    /// データを先に検査し、それから [`Rbm::log_z`] を厳密に求める。
    ///
    /// # Errors
    ///
    /// [`Rbm::mean_free_energy`] と [`Rbm::log_z`] と同じ。
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
    /// # Ok::<(), Error>(())
    /// ```
    pub fn mean_log_likelihood<'a>(&self, data: impl AsArray<'a, u8, Ix2>) -> Result<f64> {
        let f = self.mean_free_energy(data)?;
        Ok(-f - self.log_z()?)
    }
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

/// `ln Σ_{s ∈ {0,1}^m} exp(aᵀs + Σ_i softplus(d_i + Σ_k s_k u_k[i]))`。
///
/// `u_k`（`m` 本、長さはどれも `d` と同じ）は和をとる層のユニット `k` から反対側の層への重み、
/// `a` は和をとる層のバイアス、`d` は反対側の層のバイアス。状態を Gray 符号の順にたどり、
/// 活性 `d + Σ_k s_k u_k` と `aᵀs` を 1 歩ごとに `u_k` と `a_k` の足し引きで更新する。
fn log_sum_over_layer(u: &[Vec<f64>], a: &[f64], d: &[f64]) -> f64 {
    let m = u.len();
    // 状態 g の活性と線形項を定義から求める
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
    let mut act = vec![0.0f64; d.len()];
    let mut g = 0usize;
    let mut lin = resync(g, &mut act);
    let mut acc = RunningLogSumExp::new();
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
        acc.push(lin + act.iter().map(|&x| softplus(x)).sum::<f64>());
    }
    acc.finish()
}
