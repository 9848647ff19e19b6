//! 全 `2^N` 状態の列挙による `ln Z`（式 (2.26)）とモーメント（式 (2.28)–(2.29) の右辺）。
//!
//! 状態を Gray 符号の順にたどると、隣り合う状態は 1 スピンだけ違うので、エネルギーの差を局所場から
//! `O(N)` で更新できる。さらにスピンを「下位 12 個」と「残り」に分け、下位のブロックの `2^12` 状態を
//! まとめて扱うと、1 状態あたりの仕事は指数関数 1 回と数回の加算になり、2 次モーメントも
//! 全状態で `O(N²)` の計算をせずに求まる（[`Ising::exact`] を参照）。

use super::ensure_spins;
use super::model::{Ising, pair_index, pairs};
use crate::error::Error;
use crate::error::Result;
use ndarray::{Array1, ArrayView1};

/// [`Ising::exact`]（`ln Z` と 1・2 次モーメント）が扱うスピン数の上限。
///
/// `2^28 ≈ 2.7 × 10⁸` 状態で、リリースビルドなら数秒で終わる。これを超えると
/// 時間が 2 倍ずつ増えるので、黙って長く回る代わりに [`crate::Error::TooManySpins`] を返す。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::{Ising, MAX_SPINS}, Error};
///
/// let big = Ising::zeros(MAX_SPINS + 1)?;
/// assert_eq!(big.exact(), Err(Error::TooManySpins { n: MAX_SPINS + 1, max: MAX_SPINS }));
/// # Ok::<(), Error>(())
/// ```
pub const MAX_SPINS: usize = 28;

/// まとめて扱う下位ブロックのスピン数。`2^12` 個の `f64`（32 KiB）は L1/L2 キャッシュに収まる。
const LOW_BLOCK: usize = 12;

/// Gray 符号の道のりで、指数と局所場を定義から計算し直す間隔（歩数）。
///
/// 1 歩ごとの更新は丸め誤差 `≈ ε Σ|θ|` を足すので、計算し直さないと誤差は道のりの長さ（最大 `2^20` 歩）に
/// 比例して溜まる。16 歩ごとに計算し直せば誤差は 16 歩ぶんと定義の和 1 回ぶんで抑えられ、
/// 計算し直しの費用（`O(m²)`）は 1 歩あたり `O(m²/16)` で済む。
const RESYNC: usize = 16;

/// 列挙する計算（[`Ising::exact`]、[`Ising::log_z`]、[`Ising::statistics_covariance`]、[`Ising::sample`]、
/// KL 情報量とその勾配）が受け付ける `Σ|θ|` の上限。
///
/// 指数 `θ·φ(x)` は大きさ `Σ|θ|` の数の和なので、その丸め誤差は `ε Σ|θ|`（`ε ≈ 2.2e-16`）の数十倍になる。
/// 確率の比は指数の差で決まるので、`Σ|θ|` が大きいと、指数の差が小さい状態どうし（`J = 1e99, h = 1` の
/// `(+,+)` と `(−,−)` など）の比が丸め誤差に埋もれ、モーメントが黙って誤る。`Σ|θ| ≤ 1e4` なら誤差は
/// 指数で `1e4 × 数十 ε ≈ 1e-10` 程度で、[`crate::prec::ENUMERATION_TOLERANCE`]（`1e-9`）に収まる。
/// これを超えるモデル（モデルとしては [`Ising::new`] の `1e100` まで作れる）の列挙は
/// [`crate::Error::InvalidParameter`] として断る。`Σ|θ| = 1e4` の分布は、確率の比が `e^{1e4}` にもなる
/// ほぼ決定的な分布である。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::{Ising, MAX_ENUMERATION_L1}, ndarray::array, Error};
///
/// // J = 1e99 と h = 1: (+,+) と (−,−) の指数の差 2 は 1e99 の丸め誤差（1e83）に埋もれる
/// let m = Ising::new(array![1.0, 0.0], array![1e99])?;
/// assert!(matches!(m.exact(), Err(Error::InvalidParameter { .. })));
/// // 上限ちょうどまでは列挙できる: 1 スピン、h = 1e4 なら ⟨x⟩ = tanh(1e4) = 1
/// assert_eq!(Ising::new(array![MAX_ENUMERATION_L1], array![])?.exact()?.means()[0], 1.0);
/// # Ok::<(), Error>(())
/// ```
pub const MAX_ENUMERATION_L1: f64 = 1e4;

impl Ising {
    /// 列挙できる大きさ（`N ≤ max_spins`）と精度（`Σ|θ| ≤ MAX_ENUMERATION_L1`）を確かめる。
    pub(crate) fn ensure_enumerable(&self, max_spins: usize) -> Result<()> {
        ensure_spins(self.n, max_spins)?;
        let l1: f64 = self.h.iter().chain(self.j.iter()).map(|v| v.abs()).sum();
        if l1 > MAX_ENUMERATION_L1 {
            return Err(Error::InvalidParameter {
                name: "Σ|θ|",
                value: l1,
                requirement: "列挙では MAX_ENUMERATION_L1 = 1e4 以下（丸め誤差を 1e-9 程度に保つ）",
            });
        }
        Ok(())
    }

    /// 式 (2.26) の `ln Z_θ`。[`Ising::exact`] の一部。
    ///
    /// # Errors
    ///
    /// `N > MAX_SPINS` なら [`Error::TooManySpins`]、
    /// `Σ|θ| > MAX_ENUMERATION_L1` なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array};
    ///
    /// // 2 スピン・h = 0: Z = 2·2 cosh J
    /// let lz = Ising::new(array![0.0, 0.0], array![0.7])?.log_z()?;
    /// assert!((lz - (4.0 * 0.7f64.cosh()).ln()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self) -> Result<f64> {
        Ok(self.exact()?.log_z)
    }

    /// 全 `2^N` 状態の列挙で、`ln Z`（式 (2.26)）と `⟨x_k⟩_θ`, `⟨x_k x_l⟩_θ`（式 (2.28)–(2.29) の右辺）を厳密に求める。
    ///
    /// 計算の組み立て（`N = m + r`、下位 `m = min(N, 12)` スピンを `b`、残り `r` スピンを `a` と書く）:
    ///
    /// 1. 下位ブロック内の結合の和 `B(b) = Σ_{k<l<m} J_kl x_k x_l` を Gray 符号の順にたどって表にする。
    /// 2. 上位の状態 `a` を Gray 符号の順にたどり、上位の指数 `S(a)` と、下位のスピンが感じる
    ///    有効場 `h^eff_j(a) = h_j + Σ_{k∈上位} J_jk x_k` を 1 スピンの反転ごとに `O(N)` で更新する。
    /// 3. 各 `a` で、`F(b) = Σ_j h^eff_j x_j(b)` を倍々に `O(2^m)` で作り、`w(a, b) = exp(S + B + F − R)` とする。
    ///    `R` はそれまでの指数の最大値で、増えたら溜めた和を `exp(R_old − R_new)` 倍する（流れる log-sum-exp）。
    /// 4. `Σ_b w x_j` は「ビット `j` が立つ半分の和」を半分ずつ畳んで `O(2^m)` で全 `j` について求める。
    ///    上位どうし・上位と下位の 2 次モーメントは `a` ごとに `O(N²)`、下位どうしは
    ///    `u(b) = Σ_a w(a, b)` から最後に 1 回だけ求める。
    ///
    /// 1 状態あたりの仕事は指数関数 1 回と数回の加算なので、`N = 20` はリリースビルドで数十ミリ秒で終わる。
    ///
    /// # Errors
    ///
    /// `N > MAX_SPINS` なら [`Error::TooManySpins`]、
    /// `Σ|θ| > MAX_ENUMERATION_L1` なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array};
    ///
    /// // 開いた鎖 x0 − x1 − x2、h = 0: ⟨x0 x2⟩ = tanh J01 · tanh J12
    /// let m = Ising::new(array![0.0, 0.0, 0.0], array![0.5, 0.0, -0.8])?.exact()?;
    /// let want = 0.5f64.tanh() * (-0.8f64).tanh();
    /// assert!((m.correlation(0, 2).unwrap() - want).abs() < 1e-15);
    /// assert!(m.means().iter().all(|v| v.abs() < 1e-15));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn exact(&self) -> Result<Moments> {
        self.ensure_enumerable(MAX_SPINS)?;
        Ok(self.enumerate())
    }

    fn enumerate(&self) -> Moments {
        let n = self.n;
        let jm = self.dense_couplings();
        let m = n.min(LOW_BLOCK);
        let r = n - m;
        let nb = 1usize << m;
        let base = gray_code_table(&jm, n, m, &[]);

        // 上位ブロックの状態（最初は全部 +1）と、定義どおりの局所場・指数・有効場
        let mut xh = vec![1.0f64; r];
        let hj = |a: usize, b: usize| jm[a * n + b];
        let local_h = |xh: &[f64]| -> Vec<f64> {
            (0..r)
                .map(|i| {
                    self.h[m + i]
                        + (0..r)
                            .filter(|&k| k != i)
                            .map(|k| hj(m + i, m + k) * xh[k])
                            .sum::<f64>()
                })
                .collect()
        };
        let exponent_h = |xh: &[f64]| -> f64 {
            (0..r).map(|i| self.h[m + i] * xh[i]).sum::<f64>()
                + (0..r)
                    .flat_map(|i| (i + 1..r).map(move |k| (i, k)))
                    .map(|(i, k)| hj(m + i, m + k) * xh[i] * xh[k])
                    .sum::<f64>()
        };
        let effective = |xh: &[f64]| -> Vec<f64> {
            (0..m)
                .map(|j| self.h[j] + (0..r).map(|k| hj(j, m + k) * xh[k]).sum::<f64>())
                .collect()
        };
        let mut loc_h = local_h(&xh);
        let mut s_h = exponent_h(&xh);
        let mut heff = effective(&xh);

        let mut buf = vec![0.0f64; nb];
        let mut u = vec![0.0f64; nb];
        let mut fold = vec![0.0f64; m];
        let mut z = 0.0f64;
        let mut reference = f64::NEG_INFINITY;
        let mut mean_h = vec![0.0f64; r];
        let mut c_hh = vec![0.0f64; r * r];
        let mut c_hl = vec![0.0f64; r * m];

        for t in 0..(1usize << r) {
            if t > 0 {
                // Gray 符号: t 回目にはビット trailing_zeros(t) を反転する
                let i = t.trailing_zeros() as usize;
                let xi = xh[i];
                s_h -= 2.0 * xi * loc_h[i];
                for (k, lk) in loc_h.iter_mut().enumerate() {
                    if k != i {
                        *lk -= 2.0 * hj(m + i, m + k) * xi;
                    }
                }
                for (j, he) in heff.iter_mut().enumerate() {
                    *he -= 2.0 * hj(m + i, j) * xi;
                }
                xh[i] = -xi;
                if t % RESYNC == 0 {
                    loc_h = local_h(&xh);
                    s_h = exponent_h(&xh);
                    heff = effective(&xh);
                }
            }
            // F(b) = Σ_j h^eff_j x_j(b) を倍々に作る
            buf[0] = heff.iter().sum();
            for (j, he) in heff.iter().enumerate() {
                let d = -2.0 * he;
                let half = 1usize << j;
                let (lo, hi) = buf.split_at_mut(half);
                for (dst, src) in hi[..half].iter_mut().zip(lo.iter()) {
                    *dst = src + d;
                }
            }
            let mut mx = f64::NEG_INFINITY;
            for (e, b) in buf.iter_mut().zip(&base) {
                *e += b + s_h;
                mx = mx.max(*e);
            }
            if mx > reference {
                let scale = (reference - mx).exp();
                z *= scale;
                for v in mean_h
                    .iter_mut()
                    .chain(c_hh.iter_mut())
                    .chain(c_hl.iter_mut())
                    .chain(u.iter_mut())
                {
                    *v *= scale;
                }
                reference = mx;
            }
            let mut wsum = 0.0f64;
            for (e, uu) in buf.iter_mut().zip(u.iter_mut()) {
                let w = (*e - reference).exp();
                *e = w;
                *uu += w;
                wsum += w;
            }
            half_sums(&mut buf, &mut fold);
            z += wsum;
            for k in 0..r {
                let wk = wsum * xh[k];
                mean_h[k] += wk;
                for l in k + 1..r {
                    c_hh[k * r + l] += wk * xh[l];
                }
                for (j, f) in fold.iter().enumerate() {
                    // Σ_b w(a,b) x_j(b) = wsum − 2 Σ_{b: ビット j が 1} w
                    c_hl[k * m + j] += xh[k] * (wsum - 2.0 * f);
                }
            }
        }

        // 下位ブロック: u(b) = Σ_a w(a, b) から
        let mut c_ll = vec![0.0f64; m * m];
        let mut xs = vec![0.0f64; m];
        for (b, &ub) in u.iter().enumerate() {
            for (j, x) in xs.iter_mut().enumerate() {
                *x = if (b >> j) & 1 == 1 { -ub } else { ub };
            }
            for j in 0..m {
                let sj = if (b >> j) & 1 == 1 { -1.0 } else { 1.0 };
                for l in j + 1..m {
                    c_ll[j * m + l] += sj * xs[l];
                }
            }
        }
        half_sums(&mut u, &mut fold);
        let mut means = Vec::with_capacity(n);
        means.extend(fold.iter().map(|f| (z - 2.0 * f) / z));
        means.extend(mean_h.iter().map(|v| v / z));
        let correlations = pairs(n)
            .map(|(k, l)| {
                let s = if l < m {
                    c_ll[k * m + l]
                } else if k < m {
                    c_hl[(l - m) * m + k]
                } else {
                    c_hh[(k - m) * r + (l - m)]
                };
                s / z
            })
            .collect();
        Moments {
            n,
            log_z: reference + z.ln(),
            means: Array1::from(means),
            correlations,
        }
    }

    /// 全状態の指数 `θ·φ(x)` を状態の番号の順に並べる（Gray 符号で `O(N)` ずつ更新）。
    pub(crate) fn all_exponents(&self) -> Vec<f64> {
        gray_code_table(&self.dense_couplings(), self.n, self.n, &self.h.to_vec())
    }
}

/// 最初の `m` 個のスピンだけの指数 `Σ_{k<l<m} J_kl x_k x_l + Σ_{k<m} h_k x_k` を、
/// 全 `2^m` 状態について状態の番号の順に並べる。`h` が空なら場の項は 0 とする。
///
/// 状態を Gray 符号の順にたどると、隣の状態とはスピンが 1 つ（`x_i`）だけ違う。
/// その局所場 `loc_i = h_i + Σ_{k≠i} J_ik x_k` を持っておけば、反転による変化は
/// `−2 x_i loc_i` で、他の局所場の更新は `O(m)` で済む。[`RESYNC`] 歩ごとに定義から計算し直すので、
/// 丸め誤差は道のりの長さ（`2^m` 歩）によらない。
fn gray_code_table(jm: &[f64], n: usize, m: usize, h: &[f64]) -> Vec<f64> {
    let field = |i: usize| h.get(i).copied().unwrap_or(0.0);
    // 定義どおりの局所場と指数（最初と、RESYNC 歩ごとの計算し直しに使う）
    let local = |x: &[f64]| -> Vec<f64> {
        (0..m)
            .map(|i| {
                field(i)
                    + (0..m)
                        .filter(|&k| k != i)
                        .map(|k| jm[i * n + k] * x[k])
                        .sum::<f64>()
            })
            .collect()
    };
    let exponent = |x: &[f64]| -> f64 {
        (0..m).map(|i| field(i) * x[i]).sum::<f64>()
            + (0..m)
                .flat_map(|i| (i + 1..m).map(move |k| (i, k)))
                .map(|(i, k)| jm[i * n + k] * x[i] * x[k])
                .sum::<f64>()
    };
    let mut table = vec![0.0f64; 1usize << m];
    // すべて +1 の状態（番号 0）から始める
    let mut x = vec![1.0f64; m];
    let mut loc = local(&x);
    let mut s = exponent(&x);
    table[0] = s;
    let mut g = 0usize;
    for t in 1..table.len() {
        let i = t.trailing_zeros() as usize;
        let xi = x[i];
        s -= 2.0 * xi * loc[i];
        for k in 0..m {
            if k != i {
                loc[k] -= 2.0 * jm[i * n + k] * xi;
            }
        }
        x[i] = -xi;
        g ^= 1 << i;
        if t % RESYNC == 0 {
            loc = local(&x);
            s = exponent(&x);
        }
        table[g] = s;
    }
    table
}

/// `buf`（長さ `2^m`）を半分ずつ畳み、`out[j] = Σ_{b: ビット j が 1} buf[b]` を求める。`buf` は壊れる。
fn half_sums(buf: &mut [f64], out: &mut [f64]) {
    let mut len = buf.len();
    for j in (0..out.len()).rev() {
        let half = len / 2;
        let (lo, hi) = buf[..len].split_at_mut(half);
        let mut s = 0.0f64;
        for (a, b) in lo.iter_mut().zip(hi.iter()) {
            s += b;
            *a += b;
        }
        out[j] = s;
        len = half;
    }
}

/// [`Ising::exact`] の結果: `ln Z` と、モデルでの平均 `⟨x_k⟩_θ`、`⟨x_k x_l⟩_θ`。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array};
///
/// let m = Ising::new(array![0.2, -0.1], array![0.3])?.exact()?;
/// assert_eq!(m.statistics().len(), 3);
/// assert_eq!(m.correlation(1, 1), Some(1.0));
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    n: usize,
    log_z: f64,
    means: Array1<f64>,
    correlations: Array1<f64>,
}

impl Moments {
    /// `ln Z_θ`（式 (2.26)）。
    ///
    /// # Examples
    ///
    /// ```
    /// let m = genmodel::boltzmann::ising::Ising::zeros(2)?.exact()?;
    /// assert!((m.log_z() - 4f64.ln()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self) -> f64 {
        self.log_z
    }

    /// `⟨x_k⟩_θ`（式 (2.28)）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array};
    ///
    /// let m = Ising::new(array![1.0, -1.0], array![0.0])?.exact()?;
    /// assert!((m.means()[1] + 1f64.tanh()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn means(&self) -> ArrayView1<'_, f64> {
        self.means.view()
    }

    /// `⟨x_k x_l⟩_θ`（式 (2.29)、[`pairs`] の順）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array};
    ///
    /// let m = Ising::new(array![0.0, 0.0], array![2.0])?.exact()?;
    /// assert!((m.correlations()[0] - 2f64.tanh()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn correlations(&self) -> ArrayView1<'_, f64> {
        self.correlations.view()
    }

    /// `⟨x_k x_l⟩_θ`（順不同、`k == l` なら `x_k² = 1`）。範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// let m = genmodel::boltzmann::ising::Ising::zeros(2)?.exact()?;
    /// assert_eq!(m.correlation(0, 0), Some(1.0));
    /// assert_eq!(m.correlation(0, 2), None);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn correlation(&self, k: usize, l: usize) -> Option<f64> {
        if k == l {
            return (k < self.n).then_some(1.0);
        }
        pair_index(self.n, k, l).map(|i| self.correlations[i])
    }

    /// `⟨φ⟩_θ = (⟨x_k⟩, ⟨x_k x_l⟩)`（長さ `N(N+1)/2`）。
    ///
    /// # Examples
    ///
    /// ```
    /// let m = genmodel::boltzmann::ising::Ising::zeros(3)?.exact()?;
    /// assert!(m.statistics().iter().all(|v| v.abs() < 1e-15));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn statistics(&self) -> Array1<f64> {
        self.means
            .iter()
            .chain(self.correlations.iter())
            .copied()
            .collect()
    }
}
