//! 小さい Ising モデル（`N ≤ 12`）の厳密な遷移行列と、その定常分布・詳細つり合い・スペクトル。
//!
//! 状態の番号 `s ∈ [0, 2^N)` は「第 `k` ビットが 1 ⇔ `x_k = −1`」で決める（[`crate::boltzmann::ising::spins_of_state`]）。
//! 遷移行列は行が「今の状態」、列が「次の状態」の `2^N × 2^N` の確率行列 `P_st = P(s → t)` で、
//! 分布 `π`（行ベクトル）は 1 歩で `πP` に移る。
//!
//! - スピン `k` の 1 回の更新 `P_k`（[`site_kernel`]）: 行 `s` の非零は `s` と `s ⊕ 2^k` の 2 つだけ。
//!   `P_k` はどれも詳細つり合い `π_s P_st = π_t P_ts` を満たす。
//! - ランダムな走査の 1 回の更新 `P = (1/N) Σ_k P_k`（[`update_kernel`]）: 詳細つり合いを満たす（可逆）。
//!   掃引は `P^N`（[`sweep_kernel`]、[`Scan::Random`]）で、これも可逆。
//! - 順番の走査の掃引 `P_seq = P_0 P_1 ⋯ P_{N−1}`（[`sweep_kernel`]、[`Scan::Sequential`]）:
//!   各 `P_k` が `π` を不変に保つので `π P_seq = π`（定常）だが、`P_seq` の `π` に関する随伴は
//!   逆順の積 `P_{N−1} ⋯ P_0` であり、一般には `P_seq` と違う。つまり詳細つり合いは**成り立たない**。
//!
//! 可逆な遷移行列は `D = diag(π)` で `S = D^{1/2} P D^{−1/2}` と対称化でき、`S` の固有値は `P` の固有値と
//! 同じ実数 `1 = λ_1 > λ_2 ≥ … ≥ λ_{2^N} ≥ −1` である。`|λ_2| = max(λ_2, |λ_{min}|)` から
//! スペクトルギャップ `1 − |λ_2|` と指数自己相関時間 `τ_exp = −1 / ln|λ_2|` が決まり、
//! 量 `f` の自己相関 `ρ_f(t) = Σ_{k≥2} w_k λ_k^t`（`w_k` は `f` の固有ベクトルへの射影の重み）と
//! 積分自己相関時間 `τ_int = ½ + Σ_{t≥1} ρ_f(t) = ½ Σ_{k≥2} w_k (1 + λ_k)/(1 − λ_k)` が厳密に求まる（[`Spectrum`]）。
//!
//! # 大きさと精度の上限
//!
//! | 上限 | 値 | 超えたとき |
//! |---|---|---|
//! | スピン数 [`MAX_KERNEL_SPINS`]（行列は `2^N × 2^N`、`N = 12` で 128 MiB） | 12 | [`Error::TooManySpins`] |
//! | モデルの `Σ\|θ\|`（[`MAX_ENUMERATION_L1`]） | `1e4` | [`Error::InvalidParameter`] |
//! | 確率行列・分布の検査、詳細つり合い・定常性の判定 [`KERNEL_TOLERANCE`] | `1e-10` | 各関数の誤り |
//! | [`autocorrelation_exact`] のずれの数 | [`MAX_SAMPLES`] | [`Error::TooLarge`] |

use super::chain::{Rule, Scan};
use crate::boltzmann::ising::{Ising, MAX_ENUMERATION_L1, pairs};
use crate::error::{Error, Result, ensure_finite, ensure_len};
use crate::linalg::{square_dim, symmetric_eigen};
use crate::prec::{MAX_SAMPLES, PROB_SUM_TOLERANCE};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Ix1, Ix2};

/// 厳密な遷移行列を作れるスピン数の上限。
///
/// 行列は `2^N × 2^N` 個の `f64` で、`N = 12` で 128 MiB（掃引の行列を作るときは 2 枚で 256 MiB）。
/// 定常分布（[`stationary_distribution`]、`O(8^N)`）や対称化した行列の固有値分解もこの大きさで
/// リリースビルドで数十秒の程度である。これを超える大きさは、確保を試みずに [`Error::TooManySpins`] として断る。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule, MAX_KERNEL_SPINS}, Error};
///
/// let big = Ising::zeros(MAX_KERNEL_SPINS + 1)?;
/// assert_eq!(
///     kernel::update_kernel(&big, Rule::HeatBath),
///     Err(Error::TooManySpins { n: 13, max: 12 })
/// );
/// # Ok::<(), Error>(())
/// ```
pub const MAX_KERNEL_SPINS: usize = 12;

/// 遷移行列・分布の検査（行和・和が 1）と、詳細つり合い・定常性の判定の許容誤差（絶対誤差）。
///
/// 行列の成分は指数関数 1 回と数回の四則で作るので相対誤差は `ε ≈ 2.2e-16` の数倍、
/// `πP` の 1 成分は高々 `2^12` 項の和なので、丸め誤差は最悪でも `4096 × 数 ε ≈ 1e-12` である。
/// `1e-10` はそれに 2 桁の余裕を持たせ、一方で順番の走査の掃引が詳細つり合いから外れる大きさ
/// （結合 `J` が `0.1` 程度で `1e-3` 以上）は確実に見分ける。
///
/// # Examples
///
/// ```
/// assert!(genmodel::mcmc::KERNEL_TOLERANCE < 1e-6);
/// ```
pub const KERNEL_TOLERANCE: f64 = 1e-10;

/// モデルが厳密な遷移行列を作れる大きさ（`N ≤ 12`）と精度（`Σ|θ| ≤ 1e4`）であることを確かめる。
fn ensure_kernel_model(model: &Ising) -> Result<usize> {
    let n = model.n_spins();
    if n > MAX_KERNEL_SPINS {
        return Err(Error::TooManySpins {
            n,
            max: MAX_KERNEL_SPINS,
        });
    }
    let l1: f64 = model
        .fields()
        .iter()
        .chain(model.couplings().iter())
        .map(|v| v.abs())
        .sum();
    if l1 > MAX_ENUMERATION_L1 {
        return Err(Error::InvalidParameter {
            name: "Σ|θ|",
            value: l1,
            requirement: "厳密な遷移行列では MAX_ENUMERATION_L1 = 1e4 以下",
        });
    }
    Ok(n)
}

/// 状態 `s` でのスピン `k` の値 `x_k = ±1`。
fn spin(s: usize, k: usize) -> f64 {
    if (s >> k) & 1 == 1 { -1.0 } else { 1.0 }
}

/// 全状態・全スピンの反転によるエネルギーの変化 `ΔE_k(s) = 2 x_k(s) h^eff_k(s)`（行優先、`2^N × N`）。
///
/// `h^eff_k(s) = h_k + Σ_{l≠k} J_kl x_l(s)` は `x_k` によらないので、`s` と `s ⊕ 2^k` で同じ値
/// （同じ順の和）になり、`ΔE_k(s ⊕ 2^k) = −ΔE_k(s)` が丸め誤差まで含めて厳密に成り立つ。
fn flip_energies(model: &Ising, n: usize) -> Vec<f64> {
    let mut jm = vec![0.0; n * n];
    for ((k, l), &v) in pairs(n).zip(model.couplings().iter()) {
        jm[k * n + l] = v;
        jm[l * n + k] = v;
    }
    let h = model.fields();
    let ns = 1usize << n;
    let mut de = vec![0.0; ns * n];
    for s in 0..ns {
        for k in 0..n {
            let field = h[k]
                + (0..n)
                    .filter(|&l| l != k)
                    .map(|l| jm[k * n + l] * spin(s, l))
                    .sum::<f64>();
            de[s * n + k] = 2.0 * spin(s, k) * field;
        }
    }
    de
}

/// スピン `k` を 1 回更新する遷移行列 `P_k`（`2^N × 2^N`）。
///
/// 行 `s` の非零は、反転 `P_k[s, s ⊕ 2^k] = a(ΔE)` と留まる確率 `P_k[s, s] = 1 − a(ΔE)` だけ
/// （`a` は [`Rule::flip_probabilities`]、`ΔE = 2 x_k h^eff_k`）。
///
/// # Errors
///
/// `N > MAX_KERNEL_SPINS` なら [`Error::TooManySpins`]、`Σ|θ| > 1e4` なら [`Error::InvalidParameter`]、
/// `k ≥ N` なら [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule}, ndarray::array};
///
/// // 1 スピン・h = 0.5 の熱浴法: どこからでも x = +1 へ σ(1) で移る
/// let p = kernel::site_kernel(&Ising::new(array![0.5], array![])?, Rule::HeatBath, 0)?;
/// let s1 = 1.0 / (1.0 + (-1.0f64).exp());
/// assert!((p[[0, 0]] - s1).abs() < 1e-15 && (p[[1, 0]] - s1).abs() < 1e-15);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn site_kernel(model: &Ising, rule: Rule, k: usize) -> Result<Array2<f64>> {
    let n = ensure_kernel_model(model)?;
    if k >= n {
        return Err(Error::InvalidParameter {
            name: "スピンの番号",
            value: k as f64,
            requirement: "スピン数 N 未満",
        });
    }
    let de = flip_energies(model, n);
    let ns = 1usize << n;
    let mut p = Array2::zeros((ns, ns));
    for s in 0..ns {
        let (flip, stay) = rule.flip_probabilities(de[s * n + k]);
        p[[s, s ^ (1 << k)]] = flip;
        p[[s, s]] = stay;
    }
    Ok(p)
}

/// ランダムな走査の 1 回の更新の遷移行列 `P = (1/N) Σ_k P_k`（一様に選んだスピンを 1 回更新する）。
///
/// 行 `s` の非零は `s` 自身と、1 スピンだけ違う `N` 個の状態。
///
/// # Errors
///
/// `N > MAX_KERNEL_SPINS` なら [`Error::TooManySpins`]、`Σ|θ| > 1e4` なら [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule}};
///
/// // 一様分布のメトロポリス法は、選んだスピンを必ず反転する: 留まる確率は 0
/// let p = kernel::update_kernel(&Ising::zeros(2)?, Rule::Metropolis)?;
/// assert_eq!(p[[0, 0]], 0.0);
/// assert_eq!(p[[0, 1]], 0.5);
/// assert_eq!(p[[0, 3]], 0.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn update_kernel(model: &Ising, rule: Rule) -> Result<Array2<f64>> {
    let n = ensure_kernel_model(model)?;
    let de = flip_energies(model, n);
    let ns = 1usize << n;
    let inv_n = 1.0 / n as f64;
    let mut p = Array2::zeros((ns, ns));
    for s in 0..ns {
        let mut stay = 0.0;
        for k in 0..n {
            let (f, st) = rule.flip_probabilities(de[s * n + k]);
            p[[s, s ^ (1 << k)]] = f * inv_n;
            stay += st;
        }
        p[[s, s]] = stay * inv_n;
    }
    Ok(p)
}

/// 1 回の掃引の遷移行列（[`crate::mcmc::Chain::sweep`] と同じ `N` 回の更新）。
///
/// - [`Scan::Sequential`]: `P_seq = P_0 P_1 ⋯ P_{N−1}`（先にスピン 0 を更新する）。
///   右から `P_k` を掛けるのは、`P_k` の各列の非零が 2 つなので `O(4^N)` で済む。
/// - [`Scan::Random`]: `P^N`（`P` は [`update_kernel`]）。右から `P` を掛けるのは `O(4^N (N + 1))`。
///
/// # Errors
///
/// `N > MAX_KERNEL_SPINS` なら [`Error::TooManySpins`]、`Σ|θ| > 1e4` なら [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule, Scan}};
///
/// // 一様分布のメトロポリス法・順番の走査: 1 掃引で全スピンが反転する（状態 0 → 3）
/// let p = kernel::sweep_kernel(&Ising::zeros(2)?, Rule::Metropolis, Scan::Sequential)?;
/// assert_eq!(p[[0, 3]], 1.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn sweep_kernel(model: &Ising, rule: Rule, scan: Scan) -> Result<Array2<f64>> {
    let n = ensure_kernel_model(model)?;
    let de = flip_energies(model, n);
    let ns = 1usize << n;
    // probs[s * n + k] = (s からスピン k を反転する確率, 留まる確率)
    let probs: Vec<(f64, f64)> = de.iter().map(|&d| rule.flip_probabilities(d)).collect();
    let mut m = Array2::<f64>::eye(ns);
    let mut next = Array2::<f64>::zeros((ns, ns));
    match scan {
        Scan::Sequential => {
            for k in 0..n {
                // (M P_k)_{it} = M_it P_k[t, t] + M_{i, t⊕2^k} P_k[t⊕2^k, t]
                for i in 0..ns {
                    for t in 0..ns {
                        let u = t ^ (1 << k);
                        next[[i, t]] =
                            m[[i, t]] * probs[t * n + k].1 + m[[i, u]] * probs[u * n + k].0;
                    }
                }
                std::mem::swap(&mut m, &mut next);
            }
        }
        Scan::Random => {
            let inv_n = 1.0 / n as f64;
            let stay: Vec<f64> = (0..ns)
                .map(|t| (0..n).map(|k| probs[t * n + k].1).sum::<f64>() * inv_n)
                .collect();
            for _ in 0..n {
                // (M P)_{it} = M_it P[t, t] + Σ_k M_{i, t⊕2^k} P[t⊕2^k, t]
                for i in 0..ns {
                    for t in 0..ns {
                        let mut v = m[[i, t]] * stay[t];
                        for k in 0..n {
                            let u = t ^ (1 << k);
                            v += m[[i, u]] * probs[u * n + k].0 * inv_n;
                        }
                        next[[i, t]] = v;
                    }
                }
                std::mem::swap(&mut m, &mut next);
            }
        }
    }
    Ok(m)
}

/// ボルツマン分布 `q(s) = exp(−E(s) − ln Z)` を状態の番号の順に並べる（`E` は [`Ising::energy`]、`ln Z` は [`Ising::log_z`]）。
///
/// # Errors
///
/// `N > MAX_KERNEL_SPINS` なら [`Error::TooManySpins`]、`Σ|θ| > 1e4` なら [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, mcmc::kernel, ndarray::array};
///
/// // 2 スピン・J = 1: そろった状態 0 (++) と 3 (−−) が e² 倍出やすい
/// let q = kernel::boltzmann_probabilities(&Ising::new(array![0.0, 0.0], array![1.0])?)?;
/// assert!((q[0] / q[1] - 2f64.exp()).abs() < 1e-13);
/// assert!((q.sum() - 1.0).abs() < 1e-15);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn boltzmann_probabilities(model: &Ising) -> Result<Array1<f64>> {
    let n = ensure_kernel_model(model)?;
    let log_z = model.log_z()?;
    let mut x = Array1::<i8>::zeros(n);
    (0..1usize << n)
        .map(|s| {
            for (k, v) in x.iter_mut().enumerate() {
                *v = if (s >> k) & 1 == 1 { -1 } else { 1 };
            }
            Ok((-model.energy(&x)? - log_z).exp())
        })
        .collect()
}

/// 確率行列であること（正方・有限・非負・行和が 1）を確かめ、次数を返す。
fn check_stochastic(p: ArrayView2<'_, f64>) -> Result<usize> {
    let ns = square_dim(p)?;
    for (i, row) in p.rows().into_iter().enumerate() {
        if let Some((j, &v)) = row.iter().enumerate().find(|&(_, &v)| v < 0.0) {
            return Err(Error::NegativeProbability {
                index: i * ns + j,
                value: v,
            });
        }
        let sum: f64 = row.sum();
        if (sum - 1.0).abs() > KERNEL_TOLERANCE {
            return Err(Error::NotNormalized {
                sum,
                tolerance: KERNEL_TOLERANCE,
            });
        }
    }
    Ok(ns)
}

/// 確率ベクトルであること（長さ `ns`・有限・非負・和が 1）を確かめる。
fn check_distribution(pi: ArrayView1<'_, f64>, ns: usize) -> Result<()> {
    ensure_len(ns, pi.len())?;
    ensure_finite("分布 π", pi.iter().copied())?;
    if let Some((index, &value)) = pi.iter().enumerate().find(|&(_, &v)| v < 0.0) {
        return Err(Error::NegativeProbability { index, value });
    }
    let sum = pi.sum();
    if (sum - 1.0).abs() > PROB_SUM_TOLERANCE {
        return Err(Error::NotNormalized {
            sum,
            tolerance: PROB_SUM_TOLERANCE,
        });
    }
    Ok(())
}

/// 既約な確率行列 `P` の定常分布 `π`（`πP = π`、`Σπ = 1`）を GTH 法（Grassmann–Taksar–Heyman）で求める。
///
/// GTH 法は状態を 1 つずつ消去するガウスの消去法で、ピボット `Σ_{j<n} P_nj` を
/// 「`1 − P_nn`」と引き算せずに非対角成分の和として求めるので、引き算による桁落ちがない。
/// そのため、確率が何桁も違う状態があっても各成分を相対誤差 `ε` の数倍の精度で求める。費用は `O(n³)`。
///
/// # Errors
///
/// - 0 次: [`Error::EmptyInput`]、正方でない: [`Error::DimensionMismatch`]、非有限: [`Error::NonFinite`]
/// - 負の成分: [`Error::NegativeProbability`]、行和が 1 から [`KERNEL_TOLERANCE`] より離れる: [`Error::NotNormalized`]
/// - 消去の途中でピボット（残りの状態へ出ていく確率）が 0 になる（既約でなく、定常分布が一意に決まらない行列など）:
///   [`Error::InvalidParameter`]
///
/// # Examples
///
/// ```
/// use genmodel::{mcmc::kernel::stationary_distribution, ndarray::array};
///
/// // 2 状態: π = (b, a) / (a + b)
/// let pi = stationary_distribution(&array![[0.9, 0.1], [0.3, 0.7]])?;
/// assert!((pi[0] - 0.75).abs() < 1e-15 && (pi[1] - 0.25).abs() < 1e-15);
/// // 行き来できない 2 状態は既約でない
/// assert!(stationary_distribution(&array![[1.0, 0.0], [0.0, 1.0]]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn stationary_distribution<'a>(p: impl AsArray<'a, f64, Ix2>) -> Result<Array1<f64>> {
    let p: ArrayView2<'a, f64> = p.into();
    let ns = check_stochastic(p)?;
    let mut a = p.to_owned();
    let reducible = |value: f64| Error::InvalidParameter {
        name: "消去のピボット（ほかの状態へ出ていく確率）",
        value,
        requirement: "正（遷移行列が既約）",
    };
    // 状態 ns−1, ns−2, …, 1 を順に消去する
    for m in (1..ns).rev() {
        let s: f64 = (0..m).map(|j| a[[m, j]]).sum();
        if s.is_nan() || s <= 0.0 {
            return Err(reducible(s));
        }
        for i in 0..m {
            let f = a[[i, m]] / s;
            if f != 0.0 {
                for j in 0..m {
                    a[[i, j]] += f * a[[m, j]];
                }
            }
        }
    }
    // 後退代入: π_m = Σ_{i<m} π_i a[i, m] / Σ_{j<m} a[m, j]
    let mut pi = Array1::<f64>::zeros(ns);
    pi[0] = 1.0;
    for m in 1..ns {
        let s: f64 = (0..m).map(|j| a[[m, j]]).sum();
        pi[m] = (0..m).map(|i| pi[i] * a[[i, m]]).sum::<f64>() / s;
    }
    let total = pi.sum();
    if !(total.is_finite() && total > 0.0) {
        return Err(reducible(total));
    }
    pi /= total;
    Ok(pi)
}

/// 定常性の残差 `max_t |(πP)_t − π_t|`。
///
/// # Errors
///
/// `P` が確率行列でない、`π` が確率ベクトルでない（長さ・非有限・負・和）ときは [`stationary_distribution`] と同じ誤り。
///
/// # Examples
///
/// ```
/// use genmodel::{mcmc::kernel::stationarity_residual, ndarray::array};
///
/// let p = array![[0.9, 0.1], [0.3, 0.7]];
/// assert!(stationarity_residual(&p, &array![0.75, 0.25])? < 1e-15);
/// assert!(stationarity_residual(&p, &array![0.5, 0.5])? > 0.1);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn stationarity_residual<'a, 'b>(
    p: impl AsArray<'a, f64, Ix2>,
    pi: impl AsArray<'b, f64, Ix1>,
) -> Result<f64> {
    let (p, pi): (ArrayView2<'a, f64>, ArrayView1<'b, f64>) = (p.into(), pi.into());
    let ns = check_stochastic(p)?;
    check_distribution(pi, ns)?;
    let moved = pi.dot(&p);
    Ok(moved
        .iter()
        .zip(pi.iter())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max))
}

/// 詳細つり合いの残差 `max_{s,t} |π_s P_st − π_t P_ts|`（全成分で確かめる）。
///
/// ランダムな走査の更新・掃引では丸め誤差の大きさ（`1e-16` 程度）、順番の走査の掃引では結合の大きさ程度になる。
///
/// # Errors
///
/// [`stationarity_residual`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule, Scan}, ndarray::array};
///
/// let model = Ising::new(array![0.2, -0.3, 0.1], array![0.5, -0.4, 0.8])?;
/// let q = kernel::boltzmann_probabilities(&model)?;
/// let p = kernel::update_kernel(&model, Rule::Metropolis)?;
/// assert!(kernel::detailed_balance_residual(&p, &q)? < 1e-15);
/// // 順番の走査の掃引: 定常だが、詳細つり合いは成り立たない
/// let seq = kernel::sweep_kernel(&model, Rule::Metropolis, Scan::Sequential)?;
/// assert!(kernel::stationarity_residual(&seq, &q)? < 1e-15);
/// assert!(kernel::detailed_balance_residual(&seq, &q)? > 1e-3);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn detailed_balance_residual<'a, 'b>(
    p: impl AsArray<'a, f64, Ix2>,
    pi: impl AsArray<'b, f64, Ix1>,
) -> Result<f64> {
    let (p, pi): (ArrayView2<'a, f64>, ArrayView1<'b, f64>) = (p.into(), pi.into());
    let ns = check_stochastic(p)?;
    check_distribution(pi, ns)?;
    let mut worst = 0.0f64;
    for s in 0..ns {
        for t in s + 1..ns {
            worst = worst.max((pi[s] * p[[s, t]] - pi[t] * p[[t, s]]).abs());
        }
    }
    Ok(worst)
}

/// 可逆な遷移行列のスペクトル: 対称化した行列 `S = D^{1/2} P D^{−1/2}`（`D = diag(π)`）の固有値分解。
///
/// `S` の固有ベクトル `u_k` から `P` の右固有ベクトルは `D^{−1/2} u_k` で、これらは `π` の内積
/// `⟨f, g⟩_π = Σ_s π_s f_s g_s` について正規直交である。量 `f` の中心化 `g = f − ⟨f⟩_π` を
/// `c_k = Σ_s √π_s g_s u_k(s)` と展開すると、`Var_π f = Σ_k c_k²`、
/// `Cov(f(X_0), f(X_t)) = Σ_k c_k² λ_k^t`（`X_0 ∼ π`）となる。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule}, ndarray::array};
///
/// // 1 スピン・h = 0 の熱浴法: 1 回で独立な標本になる（λ_2 = 0, τ_exp = 0, τ_int = 1/2）
/// let spec = kernel::update_spectrum(&Ising::new(array![0.0], array![])?, Rule::HeatBath)?;
/// assert!(spec.second_modulus() < 1e-15);
/// assert_eq!(spec.exponential_time()?, 0.0);
/// assert!((spec.integrated_time(&[1.0, -1.0])? - 0.5).abs() < 1e-15);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Spectrum {
    /// 昇順の固有値。
    values: Array1<f64>,
    /// 第 `k` 列が `values[k]` の `S` の単位固有ベクトル。
    vectors: Array2<f64>,
    sqrt_pi: Array1<f64>,
    pi: Array1<f64>,
}

/// 固有値が 1 とみなせるかの許容誤差。対称行列の固有値の誤差は `‖S‖ ε ≈ 1e-15` の程度なので、
/// `1e-12` 以内に 1 があれば、連鎖は既約でないか周期的（`λ = −1`）とみなす。
const UNIT_EIGENVALUE_TOLERANCE: f64 = 1e-12;

impl Spectrum {
    /// 昇順の固有値 `λ_{2^N} ≤ … ≤ λ_2 ≤ λ_1 = 1`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule}};
    ///
    /// let spec = kernel::update_spectrum(&Ising::zeros(2)?, Rule::HeatBath)?;
    /// let ev = spec.eigenvalues();
    /// assert!((ev[ev.len() - 1] - 1.0).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn eigenvalues(&self) -> ArrayView1<'_, f64> {
        self.values.view()
    }

    /// `|λ_2| = max(λ_2, |λ_min|)`（最大の固有値 `λ_1 = 1` を除いた絶対値の最大）。状態が 1 つなら `0`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule}};
    ///
    /// // 1 スピン・θ = 0 のメトロポリス法は必ず反転する: P = [[0, 1], [1, 0]]、λ = ±1
    /// let spec = kernel::update_spectrum(&Ising::zeros(1)?, Rule::Metropolis)?;
    /// assert!((spec.second_modulus() - 1.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn second_modulus(&self) -> f64 {
        let m = self.values.len();
        if m < 2 {
            return 0.0;
        }
        self.values[m - 2].abs().max(self.values[0].abs())
    }

    /// スペクトルギャップ `1 − |λ_2|`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule}, ndarray::array};
    ///
    /// // 強く結合した 2 スピンほどギャップが小さい（そろった 2 状態の間の行き来が遅い）
    /// let weak = kernel::update_spectrum(&Ising::new(array![0.0, 0.0], array![0.5])?, Rule::HeatBath)?;
    /// let strong = kernel::update_spectrum(&Ising::new(array![0.0, 0.0], array![2.0])?, Rule::HeatBath)?;
    /// assert!(strong.spectral_gap() < weak.spectral_gap());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn spectral_gap(&self) -> f64 {
        1.0 - self.second_modulus()
    }

    /// 指数自己相関時間 `τ_exp = −1 / ln|λ_2|`（遷移 1 回を単位とする）。`|λ_2| = 0` なら `0`。
    ///
    /// どの量の自己相関も `|ρ(t)| ≤ |λ_2|^t = e^{−t/τ_exp}` で減衰する。
    ///
    /// # Errors
    ///
    /// `|λ_2| ≥ 1 − 1e-12`（既約でないか周期的な連鎖で、自己相関が減衰しない）なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule}, ndarray::array};
    ///
    /// let spec = kernel::update_spectrum(&Ising::new(array![0.0, 0.0], array![1.0])?, Rule::HeatBath)?;
    /// let tau = spec.exponential_time()?;
    /// assert!((tau + 1.0 / spec.second_modulus().ln()).abs() < 1e-12);
    /// // 周期 2 の連鎖（1 スピン・θ = 0 のメトロポリス法）は誤り
    /// assert!(kernel::update_spectrum(&Ising::zeros(1)?, Rule::Metropolis)?.exponential_time().is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn exponential_time(&self) -> Result<f64> {
        let r = self.second_modulus();
        self.ensure_mixing()?;
        if r == 0.0 {
            return Ok(0.0);
        }
        Ok(-1.0 / r.ln())
    }

    fn ensure_mixing(&self) -> Result<()> {
        let r = self.second_modulus();
        if r >= 1.0 - UNIT_EIGENVALUE_TOLERANCE {
            return Err(Error::InvalidParameter {
                name: "|λ_2|",
                value: r,
                requirement: "1 未満（既約で非周期的な連鎖）",
            });
        }
        Ok(())
    }

    /// `m` 回の遷移 `P^m` のスペクトル（固有値を `m` 乗し、固有ベクトルはそのまま）。
    ///
    /// ランダムな走査の掃引は 1 回の更新の `N` 回なので、掃引単位の量は `power(N)` で求める。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule}, ndarray::array};
    ///
    /// let spec = kernel::update_spectrum(&Ising::new(array![0.0, 0.0], array![1.0])?, Rule::HeatBath)?;
    /// let sweep = spec.power(2);
    /// assert!((sweep.second_modulus() - spec.second_modulus().powi(2)).abs() < 1e-15);
    /// assert!((sweep.exponential_time()? - spec.exponential_time()? / 2.0).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn power(&self, m: u32) -> Spectrum {
        Spectrum {
            values: self.values.mapv(|v| v.powf(f64::from(m))),
            ..self.clone()
        }
    }

    /// 量 `f`（状態の番号の順に並べた値）の射影の重み `w_k = c_k² / Var_π f`（`Σ_k w_k = 1`）。
    fn weights<'a>(&self, f: impl AsArray<'a, f64, Ix1>) -> Result<Array1<f64>> {
        let f: ArrayView1<'a, f64> = f.into();
        ensure_len(self.pi.len(), f.len())?;
        ensure_finite("量 f", f.iter().copied())?;
        let mean = self.pi.dot(&f);
        let g = f.mapv(|v| v - mean);
        let var: f64 = self.pi.iter().zip(g.iter()).map(|(p, v)| p * v * v).sum();
        if var.is_nan() || var <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "量 f の分散 Var_π f",
                value: var,
                requirement: "正（π のもとで定数の量には自己相関が定義できない）",
            });
        }
        let scaled = &g * &self.sqrt_pi;
        let c = self.vectors.t().dot(&scaled);
        Ok(c.mapv(|v| v * v / var))
    }

    /// 量 `f` の厳密な自己相関 `ρ_f(t) = Σ_{k≥2} w_k λ_k^t`（`X_0 ∼ π` の定常な連鎖）。
    ///
    /// # Errors
    ///
    /// `f` の長さが状態数でなければ [`Error::DimensionMismatch`]、非有限は [`Error::NonFinite`]、
    /// `π` のもとで定数なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule}, ndarray::array};
    ///
    /// // 1 スピン・h = 0 の熱浴法: 1 回で独立になるので ρ(1) = 0
    /// let spec = kernel::update_spectrum(&Ising::new(array![0.0], array![])?, Rule::HeatBath)?;
    /// assert!(spec.autocorrelation(&[1.0, -1.0], 1)?.abs() < 1e-15);
    /// assert!((spec.autocorrelation(&[1.0, -1.0], 0)? - 1.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn autocorrelation<'a>(&self, f: impl AsArray<'a, f64, Ix1>, t: u32) -> Result<f64> {
        let w = self.weights(f)?;
        let top = self.values.len() - 1;
        Ok((0..top)
            .map(|k| w[k] * self.values[k].powf(f64::from(t)))
            .sum())
    }

    /// 量 `f` の厳密な積分自己相関時間 `τ_int = ½ + Σ_{t≥1} ρ_f(t) = ½ Σ_{k≥2} w_k (1 + λ_k)/(1 − λ_k)`。
    ///
    /// 等比級数 `Σ_{t≥1} λ^t = λ/(1 − λ)` を固有値ごとに足した閉じた形である（`Σ_{k≥2} w_k = 1`）。
    /// 単位は遷移 1 回（[`Spectrum::power`] で掃引単位に直せる）。
    ///
    /// # Errors
    ///
    /// [`Spectrum::autocorrelation`] の誤りと、`|λ_2| ≥ 1 − 1e-12`（級数が収束しない）なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule}, ndarray::array};
    ///
    /// // 1 スピンの熱浴法は 1 回で独立な標本になる: τ_int = 1/2
    /// let spec = kernel::update_spectrum(&Ising::new(array![0.7], array![])?, Rule::HeatBath)?;
    /// assert!((spec.integrated_time(&[1.0, -1.0])? - 0.5).abs() < 1e-14);
    /// // メトロポリス法は反転を優先するので負の相関を持ち、τ_int < 1/2
    /// let spec = kernel::update_spectrum(&Ising::new(array![0.7], array![])?, Rule::Metropolis)?;
    /// assert!(spec.integrated_time(&[1.0, -1.0])? < 0.5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn integrated_time<'a>(&self, f: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        let w = self.weights(f)?;
        self.ensure_mixing()?;
        let top = self.values.len() - 1;
        Ok(0.5
            * (0..top)
                .map(|k| {
                    let l = self.values[k];
                    w[k] * (1.0 + l) / (1.0 - l)
                })
                .sum::<f64>())
    }
}

/// 詳細つり合いを満たす遷移行列 `P` と定常分布 `π` から、`S = D^{1/2} P D^{−1/2}` を作って固有値分解する。
///
/// `S_st = √(π_s/π_t) P_st` は詳細つり合い `π_s P_st = π_t P_ts` のもとで対称なので、
/// [`crate::linalg::symmetric_eigen`] で実の固有値と正規直交な固有ベクトルが求まる。
/// 丸め誤差による `S` の非対称（`1e-16` 程度）は `(S + Sᵀ)/2` で消す。
///
/// # Errors
///
/// - `P`・`π` の誤りは [`detailed_balance_residual`] と同じ
/// - 詳細つり合いの残差が [`KERNEL_TOLERANCE`] を超える（可逆でない）: [`Error::NotSymmetric`]（`max_asymmetry` はその残差）
/// - `π` に 0 がある: [`Error::InvalidParameter`]
/// - `√(π_s/π_t)` があふれる: [`Error::Overflow`]
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule, Scan}, ndarray::array, Error};
///
/// let model = Ising::new(array![0.2, -0.1, 0.0], array![0.6, 0.0, -0.5])?;
/// let q = kernel::boltzmann_probabilities(&model)?;
/// let p = kernel::update_kernel(&model, Rule::Metropolis)?;
/// let a = kernel::reversible_spectrum(&p, &q)?;
/// let b = kernel::update_spectrum(&model, Rule::Metropolis)?;
/// assert!((a.second_modulus() - b.second_modulus()).abs() < 1e-13);
/// // 順番の走査の掃引は可逆でないので断る
/// let seq = kernel::sweep_kernel(&model, Rule::Metropolis, Scan::Sequential)?;
/// assert!(matches!(kernel::reversible_spectrum(&seq, &q), Err(Error::NotSymmetric { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn reversible_spectrum<'a, 'b>(
    p: impl AsArray<'a, f64, Ix2>,
    pi: impl AsArray<'b, f64, Ix1>,
) -> Result<Spectrum> {
    let (p, pi): (ArrayView2<'a, f64>, ArrayView1<'b, f64>) = (p.into(), pi.into());
    let residual = detailed_balance_residual(p, pi)?;
    if residual > KERNEL_TOLERANCE {
        return Err(Error::NotSymmetric {
            max_asymmetry: residual,
        });
    }
    if let Some((_, &v)) = pi.iter().enumerate().find(|&(_, &v)| v <= 0.0) {
        return Err(Error::InvalidParameter {
            name: "定常分布 π の成分",
            value: v,
            requirement: "正（D^{−1/2} を作る）",
        });
    }
    let ns = pi.len();
    let sqrt_pi = pi.mapv(f64::sqrt);
    let mut s = Array2::<f64>::zeros((ns, ns));
    for a in 0..ns {
        for b in 0..ns {
            s[[a, b]] = sqrt_pi[a] * p[[a, b]] / sqrt_pi[b];
        }
    }
    let s = (&s + &s.t()) * 0.5;
    if s.iter().any(|v| !v.is_finite()) {
        return Err(Error::Overflow {
            what: "対称化した遷移行列 D^{1/2} P D^{−1/2}",
        });
    }
    let eig = symmetric_eigen(&s)?;
    Ok(Spectrum {
        values: eig.values,
        vectors: eig.vectors,
        sqrt_pi,
        pi: pi.to_owned(),
    })
}

/// ランダムな走査の 1 回の更新 [`update_kernel`] のスペクトルを、対称化した行列 `S = D^{1/2} P D^{−1/2}` を
/// モデルから直接（閉じた形で）作って求める。
///
/// 1 スピンだけ違う `s, t`（`ΔE = E(t) − E(s)`）では `√(π_s/π_t) = e^{ΔE/2}` なので
///
/// - メトロポリス法: `S_st = (1/N) min(1, e^{−ΔE}) e^{ΔE/2} = (1/N) e^{−|ΔE|/2}`
/// - 熱浴法: `S_st = (1/N) e^{ΔE/2} / (1 + e^{ΔE}) = 1 / (2N cosh(ΔE/2))`
///
/// で、どちらも `ΔE` の符号を変えても同じ値なので、`S` は丸め誤差まで含めて厳密に対称である。
/// 対角は `S_ss = P_ss`。`√(π_s/π_t)` を別に計算しないので、`π` の比が `f64` の範囲を超えてもあふれない。
/// `π` は [`boltzmann_probabilities`] で求める。
///
/// 熱浴法の `P_k` は `π` の内積についての直交射影なので、`P = (1/N)Σ P_k` の固有値はすべて `[0, 1]` にある。
/// メトロポリス法では負の固有値もありうる。
///
/// # Errors
///
/// `N > MAX_KERNEL_SPINS` なら [`Error::TooManySpins`]、`Σ|θ| > 1e4` なら [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, mcmc::{kernel, Rule}, ndarray::array};
///
/// let model = Ising::new(array![0.3, 0.0, -0.2], array![0.8, 0.4, -0.6])?;
/// let spec = kernel::update_spectrum(&model, Rule::HeatBath)?;
/// // 熱浴法の固有値は [0, 1] にある
/// assert!(spec.eigenvalues().iter().all(|&l| l > -1e-14 && l < 1.0 + 1e-14));
/// assert!(spec.spectral_gap() > 0.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn update_spectrum(model: &Ising, rule: Rule) -> Result<Spectrum> {
    let n = ensure_kernel_model(model)?;
    let pi = boltzmann_probabilities(model)?;
    let de = flip_energies(model, n);
    let ns = 1usize << n;
    let inv_n = 1.0 / n as f64;
    let mut s = Array2::<f64>::zeros((ns, ns));
    for a in 0..ns {
        let mut stay = 0.0;
        for k in 0..n {
            let d = de[a * n + k];
            stay += rule.flip_probabilities(d).1;
            s[[a, a ^ (1 << k)]] = inv_n
                * match rule {
                    Rule::Metropolis => (-0.5 * d.abs()).exp(),
                    Rule::HeatBath => 0.5 / (0.5 * d).cosh(),
                };
        }
        s[[a, a]] = stay * inv_n;
    }
    let eig = symmetric_eigen(&s)?;
    Ok(Spectrum {
        values: eig.values,
        vectors: eig.vectors,
        sqrt_pi: pi.mapv(f64::sqrt),
        pi,
    })
}

/// 遷移行列の冪による、量 `f` の厳密な自己相関 `ρ_f(t)`（`t = 0, 1, …, max_lag`）。
///
/// `g = f − ⟨f⟩_π` とおき、`g_t = P^t g` を `g_t = P g_{t−1}` でくり返し求めて
/// `ρ_f(t) = Σ_s π_s g_s g_t(s) / Var_π f` とする（`X_0 ∼ π` の定常な連鎖）。
/// 可逆でない行列（順番の走査の掃引）にも使える。費用は `O(max_lag · n²)`。
///
/// # Errors
///
/// - `P`・`π` の誤りは [`stationarity_residual`] と同じ
/// - `π` が `P` の定常分布でない（残差が [`KERNEL_TOLERANCE`] を超える）: [`Error::InvalidParameter`]
/// - `f` の長さ・非有限: [`Error::DimensionMismatch`]・[`Error::NonFinite`]、`π` のもとで定数: [`Error::InvalidParameter`]
/// - `max_lag ≥ MAX_SAMPLES`: 確保を試みずに [`Error::TooLarge`]
///
/// # Examples
///
/// ```
/// use genmodel::{mcmc::kernel::autocorrelation_exact, ndarray::array};
///
/// // 2 状態: ρ(t) = λ_2^t、λ_2 = 1 − a − b = 0.6
/// let rho = autocorrelation_exact(&array![[0.9, 0.1], [0.3, 0.7]], &array![0.75, 0.25], &[1.0, 0.0], 3)?;
/// for t in 0..4 {
///     assert!((rho[t] - 0.6f64.powi(t as i32)).abs() < 1e-14);
/// }
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn autocorrelation_exact<'a, 'b, 'c>(
    p: impl AsArray<'a, f64, Ix2>,
    pi: impl AsArray<'b, f64, Ix1>,
    f: impl AsArray<'c, f64, Ix1>,
    max_lag: usize,
) -> Result<Array1<f64>> {
    let (p, pi, f): (
        ArrayView2<'a, f64>,
        ArrayView1<'b, f64>,
        ArrayView1<'c, f64>,
    ) = (p.into(), pi.into(), f.into());
    if max_lag >= MAX_SAMPLES {
        return Err(Error::TooLarge {
            what: "自己相関のずれの数",
            requested: max_lag,
            max: MAX_SAMPLES - 1,
        });
    }
    let residual = stationarity_residual(p, pi)?;
    if residual > KERNEL_TOLERANCE {
        return Err(Error::InvalidParameter {
            name: "定常性の残差 max|πP − π|",
            value: residual,
            requirement: "KERNEL_TOLERANCE = 1e-10 以下（π が P の定常分布）",
        });
    }
    ensure_len(pi.len(), f.len())?;
    ensure_finite("量 f", f.iter().copied())?;
    let mean = pi.dot(&f);
    let g = f.mapv(|v| v - mean);
    let weighted = &g * &pi;
    let var = weighted.dot(&g);
    if var.is_nan() || var <= 0.0 {
        return Err(Error::InvalidParameter {
            name: "量 f の分散 Var_π f",
            value: var,
            requirement: "正（π のもとで定数の量には自己相関が定義できない）",
        });
    }
    let mut rho = Vec::with_capacity(max_lag + 1);
    let mut gt = g;
    rho.push(1.0);
    for _ in 0..max_lag {
        gt = p.dot(&gt);
        rho.push(weighted.dot(&gt) / var);
    }
    Ok(Array1::from(rho))
}
