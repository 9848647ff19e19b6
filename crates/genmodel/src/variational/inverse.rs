//! 平均場・TAP による逆 Ising 問題（Kappen と Rodríguez 1998、Tanaka 1998、式 (7.17)–(7.19)、第 7 章）。
//!
//! データの磁化 `m` とつながった相関 `C_kl = ⟨x_k x_l⟩ − m_k m_l` から、学習の反復なしに結合と場を求める。
//! 線形応答 (7.7) `χ⁻¹ = diag(1/(1 − m²)) − J` の `χ` を `C` で置き換えると
//!
//! - 式 (7.17): 平均場 `J_kl = −(C⁻¹)_kl`（`k ≠ l`）
//! - 式 (7.18): TAP `J_kl = −2 (C⁻¹)_kl / (1 + √(1 − 8 m_k m_l (C⁻¹)_kl))`（`(C⁻¹)_kl = −J_kl − 2 J_kl² m_k m_l` の根のうち
//!   `m_k m_l → 0` で (7.17) につながる方）
//! - 式 (7.19): 場 `h_k = artanh m_k − Σ_l J_kl m_l`（TAP では `+ m_k Σ_l J_kl² (1 − m_l²)` を足す）
//!
//! 入力は §2.5 の十分統計量の平均 `φ̄ = (⟨x_k⟩, ⟨x_k x_l⟩)`（データなら [`crate::boltzmann::ising::data_statistics`]、
//! 厳密な値なら [`crate::boltzmann::ising::Moments::statistics`]）。

use crate::boltzmann::ising::{Ising, n_params, pairs};
use crate::error::{Error, Result, ensure_finite, ensure_len};
use crate::linalg::Spd;
use ndarray::{Array1, Array2, ArrayView1, AsArray, Ix1};

/// 十分統計量の平均 `φ̄` から、磁化 `m` とつながった相関の行列 `C`（対角は `1 − m_k²`）を作る。
///
/// # Errors
///
/// - `n = 0`: [`Error::EmptyInput`]。`n` が大きすぎて対の数 `N(N−1)/2` を数えられない: [`Error::TooManySpins`]
/// - 長さが `N + N(N−1)/2` でない: [`Error::DimensionMismatch`]
/// - 非有限: [`Error::NonFinite`]
/// - `|m_k| ≥ 1`（スピンが固定されていて `artanh m_k` が無限大）: [`Error::InvalidParameter`]
///
/// # Examples
///
/// ```
/// use genmodel::{ndarray::array, variational::inverse};
///
/// let (m, c) = inverse::connected_correlations(2, &array![0.5, 0.0, 0.25])?;
/// assert_eq!(m, array![0.5, 0.0]);
/// assert_eq!(c, array![[0.75, 0.25], [0.25, 1.0]]);
/// assert!(inverse::connected_correlations(2, &array![1.0, 0.0, 0.0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn connected_correlations<'a>(
    n: usize,
    statistics: impl AsArray<'a, f64, Ix1>,
) -> Result<(Array1<f64>, Array2<f64>)> {
    let s: ArrayView1<'a, f64> = statistics.into();
    if n == 0 {
        return Err(Error::EmptyInput);
    }
    ensure_len(n_params(n)?, s.len())?;
    ensure_finite("十分統計量の平均", s.iter().copied())?;
    let m = Array1::from_iter(s.iter().take(n).copied());
    if let Some(&v) = m.iter().find(|v| v.abs() >= 1.0) {
        return Err(Error::InvalidParameter {
            name: "磁化 m_k",
            value: v,
            requirement: "|m_k| < 1（固定されたスピンの結合は決まらない）",
        });
    }
    let mut c = Array2::zeros((n, n));
    for k in 0..n {
        c[[k, k]] = 1.0 - m[k] * m[k];
    }
    for ((k, l), &xx) in pairs(n).zip(s.iter().skip(n)) {
        let v = xx - m[k] * m[l];
        c[[k, l]] = v;
        c[[l, k]] = v;
    }
    Ok((m, c))
}

/// 平均場による逆問題 (7.17)・(7.19)。
///
/// # Errors
///
/// [`connected_correlations`] の誤りに加え、`C` が正定値でない・条件数が大きすぎる:
/// [`Error::NotPositiveDefinite`]・[`Error::IllConditioned`]（データが少なく相関が退化しているとき）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::inverse};
///
/// // 2 スピン、h = 0: C = [[1, t], [t, 1]]、t = tanh J。(C⁻¹)_01 = −t/(1 − t²) なので J_MF = t/(1 − t²)
/// let model = Ising::new(array![0.0, 0.0], array![0.3])?;
/// let fit = inverse::naive_mean_field(2, &model.exact()?.statistics())?;
/// let t = 0.3f64.tanh();
/// assert!((fit.couplings()[0] - t / (1.0 - t * t)).abs() < 1e-12);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn naive_mean_field<'a>(n: usize, statistics: impl AsArray<'a, f64, Ix1>) -> Result<Ising> {
    let (m, c) = connected_correlations(n, statistics)?;
    let p = Spd::new(c)?.inverse()?;
    let j = Array1::from_iter(pairs(n).map(|(k, l)| -p[[k, l]]));
    let h = fields(&m, &j, n, false);
    Ising::new(h, j)
}

/// TAP による逆問題 (7.18)・(7.19)。
///
/// # Errors
///
/// [`naive_mean_field`] の誤りに加え、ある対で `1 − 8 m_k m_l (C⁻¹)_kl < 0`（TAP の方程式に実数の解がない）:
/// [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::inverse};
///
/// // 場があると TAP は平均場より真の J に近い
/// let model = Ising::new(array![0.4, 0.3, -0.2], array![0.3, -0.2, 0.25])?;
/// let stats = model.exact()?.statistics();
/// let mf = inverse::naive_mean_field(3, &stats)?;
/// let tap = inverse::tap(3, &stats)?;
/// let err = |fit: &Ising| (&fit.couplings() - &model.couplings()).mapv(f64::abs).sum();
/// assert!(err(&tap) < err(&mf));
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn tap<'a>(n: usize, statistics: impl AsArray<'a, f64, Ix1>) -> Result<Ising> {
    let (m, c) = connected_correlations(n, statistics)?;
    let p = Spd::new(c)?.inverse()?;
    let mut j = Array1::zeros(n * (n - 1) / 2);
    for (i, (k, l)) in pairs(n).enumerate() {
        let a = p[[k, l]];
        let disc = 1.0 - 8.0 * m[k] * m[l] * a;
        if disc < 0.0 {
            return Err(Error::InvalidParameter {
                name: "1 − 8 m_k m_l (C⁻¹)_kl",
                value: disc,
                requirement: "0 以上（TAP の逆問題に実数の解がある）",
            });
        }
        j[i] = -2.0 * a / (1.0 + disc.sqrt());
    }
    let h = fields(&m, &j, n, true);
    Ising::new(h, j)
}

/// 場 (7.19)。`tap` なら反作用項を足す。
fn fields(m: &Array1<f64>, j: &Array1<f64>, n: usize, tap: bool) -> Array1<f64> {
    let mut h = m.mapv(f64::atanh);
    for ((k, l), &v) in pairs(n).zip(j) {
        h[k] -= v * m[l];
        h[l] -= v * m[k];
        if tap {
            h[k] += m[k] * v * v * (1.0 - m[l] * m[l]);
            h[l] += m[l] * v * v * (1.0 - m[k] * m[k]);
        }
    }
    h
}
