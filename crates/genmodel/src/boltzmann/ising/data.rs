//! スピンのデータ `x^(1), …, x^(n) ∈ {−1, 1}^N` の経験分布 `p0`（式 (1.1)）について、
//! KL 情報量 (2.27) とその勾配 (2.28)–(2.29) が要る量: 平均 `φ̄` とエントロピー `H(p0)`。
//!
//! データは `i8` の 2 次元配列で、1 行が 1 つの配置（`n × N`、値は `±1`）。
//! [`ndarray::AsArray`] で借りるので、`&Array2<i8>`、`ArrayView2<i8>`、`&[[i8; N]]` を渡せる。
//! 転置（`a.t()`）や切り出し（`a.slice(s![..;2, ..])`）で作った連続でないビューも添字どおりに読む。

use super::model::{MAX_MODEL_SPINS, n_params_unchecked, pairs};
use super::{ensure_spin_values, ensure_spins};
use crate::error::{Error, Result};
use ndarray::{Array1, ArrayView2, AsArray, Ix2};
use std::collections::HashMap;

/// スピンのデータ（1 行 1 配置）を検査し、ビューとして返す。
///
/// # Errors
///
/// - 配置が 0 個、または 0 スピン: [`Error::EmptyInput`]
/// - スピン数 `N > MAX_MODEL_SPINS`: [`Error::TooManySpins`]（平均 `φ̄` は `N(N+1)/2` 個あるので、先に断る）
/// - `±1` 以外の値: [`Error::InvalidParameter`]
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::check_spin_data, ndarray::{array, Array2}, Error};
///
/// assert_eq!(check_spin_data(&array![[1, -1]])?.dim(), (1, 2));
/// assert_eq!(check_spin_data(&Array2::<i8>::zeros((0, 2))), Err(Error::EmptyInput));
/// assert!(matches!(check_spin_data(&array![[1, 2]]), Err(Error::InvalidParameter { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn check_spin_data<'a>(spins: impl AsArray<'a, i8, Ix2>) -> Result<ArrayView2<'a, i8>> {
    let spins: ArrayView2<'a, i8> = spins.into();
    if spins.nrows() == 0 || spins.ncols() == 0 {
        return Err(Error::EmptyInput);
    }
    ensure_spins(spins.ncols(), MAX_MODEL_SPINS)?;
    ensure_spin_values(spins.iter())?;
    Ok(spins)
}

/// データでの平均 `φ̄ = ((1/n) Σ_i x_k^(i), (1/n) Σ_i x_k^(i) x_l^(i))`（式 (2.28)–(2.29) の左辺の項、
/// 長さ `N(N+1)/2`、[`super::pairs`] の順）。
///
/// 和は整数で数えてから 1 回だけ割るので、標本数によらず丸め誤差は 1 回ぶんである。
///
/// # Errors
///
/// [`check_spin_data`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::data_statistics, ndarray::array};
///
/// let d = array![[1, 1], [-1, -1], [1, -1]];
/// let s = data_statistics(&d)?;
/// // (1/n) Σ x_0 = 1/3、(1/n) Σ x_1 = −1/3、(1/n) Σ x_0 x_1 = 1/3
/// assert_eq!(s, array![1.0 / 3.0, -1.0 / 3.0, 1.0 / 3.0]);
/// // 転置したビューは、列を配置として読む
/// assert_eq!(data_statistics(d.t())?, array![1.0, -1.0, 0.0, -1.0, 0.0, 0.0]);
/// assert!(data_statistics(&array![[0, 1]]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn data_statistics<'a>(spins: impl AsArray<'a, i8, Ix2>) -> Result<Array1<f64>> {
    let spins = check_spin_data(spins)?;
    let n = spins.ncols();
    let mut acc = vec![0i64; n_params_unchecked(n)];
    let mut row = vec![0i8; n];
    for r in spins.rows() {
        for (dst, &x) in row.iter_mut().zip(r.iter()) {
            *dst = x;
        }
        for (a, &x) in acc.iter_mut().zip(&row) {
            *a += i64::from(x);
        }
        for (a, (k, l)) in acc[n..].iter_mut().zip(pairs(n)) {
            *a += i64::from(row[k] * row[l]);
        }
    }
    let count = spins.nrows() as f64;
    Ok(acc.iter().map(|&a| a as f64 / count).collect())
}

/// 経験分布のエントロピー `H(p0) = −Σ_x p0(x) ln p0(x)`（式 (2.27) の θ によらない項の符号を変えたもの）。
///
/// 値は `0 ≤ H ≤ ln n`（`n` は配置の数）に入る。
///
/// # Errors
///
/// [`check_spin_data`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::data_entropy, ndarray::array};
///
/// // 2 種類の配置が半々: H = ln 2
/// let d = array![[1, 1], [-1, 1], [1, 1], [-1, 1]];
/// assert!((data_entropy(&d)? - 2f64.ln()).abs() < 1e-15);
/// // 1 種類だけなら 0
/// assert_eq!(data_entropy(&array![[1, -1], [1, -1]])?, 0.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn data_entropy<'a>(spins: impl AsArray<'a, i8, Ix2>) -> Result<f64> {
    let spins = check_spin_data(spins)?;
    let mut counts: HashMap<Vec<i8>, usize> = HashMap::new();
    for r in spins.rows() {
        *counts.entry(r.to_vec()).or_default() += 1;
    }
    let n = spins.nrows() as f64;
    let mut c: Vec<usize> = counts.into_values().collect();
    c.sort_unstable(); // 和の順序を決めて、結果を実行ごとに同じにする
    // 0 − Σ とする（配置が 1 種類のとき −0.0 ではなく 0.0 を返す）
    Ok(0.0
        - c.iter()
            .map(|&k| (k as f64 / n) * (k as f64 / n).ln())
            .sum::<f64>())
}
