//! 変分自由エネルギー（式 (7.1)–(7.2)、第 7 章）: 任意の分布 `r` について
//! `F[r] = Σ_x r(x) E(x) + Σ_x r(x) ln r(x) = −ln Z + D(r‖q) ≥ −ln Z`。
//!
//! 全 `2^N` 状態の確率の表 `r` を受け取る（状態の番号は [`crate::boltzmann::ising::spins_of_state`] の約束）。
//! 列挙の上限は [`MAX_GIBBS_SPINS`]。

use crate::boltzmann::ising::Ising;
use crate::distribution::Categorical;
use crate::error::{Result, ensure_len, finite_scalar};
use ndarray::{Array1, AsArray, Ix1};

/// 変分自由エネルギーを列挙で求めるスピン数の上限（`2^20` 状態）。
pub const MAX_GIBBS_SPINS: usize = 20;

/// 変分自由エネルギー `F[r] = Σ_x r(x) E(x) + Σ_x r(x) ln r(x)`（式 (7.1)）。
///
/// `E(x) = −θ·φ(x)` は §2.5 のエネルギー。`r = q` のとき最小値 `−ln Z` をとる（式 (7.2)）。
///
/// # Errors
///
/// - `N >` [`MAX_GIBBS_SPINS`]・`Σ|θ|` が列挙の上限を超える: [`crate::Error::TooManySpins`]・[`crate::Error::InvalidParameter`]
/// - `r` の長さが `2^N` でない: [`crate::Error::DimensionMismatch`]
/// - `r` が確率ベクトルでない（負・非有限・和が 1 でない）: [`Categorical::new`] と同じ
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::{array, Array1}, variational::gibbs};
///
/// let model = Ising::new(array![0.3, -0.2], array![0.5])?;
/// let exact = model.exact()?;
/// // 一様な r: F = ⟨E⟩_一様 − ln 4 = −ln 4（一様分布での E の平均は 0）
/// let uniform = Array1::from_elem(4, 0.25);
/// assert!((gibbs::free_energy(&model, &uniform)? + 4f64.ln()).abs() < 1e-15);
/// // r = q のとき F = −ln Z（最小）
/// let q = gibbs::boltzmann_table(&model)?;
/// assert!((gibbs::free_energy(&model, &q)? + exact.log_z()).abs() < 1e-12);
/// assert!(gibbs::free_energy(&model, &uniform)? > -exact.log_z());
/// assert!(gibbs::free_energy(&model, &array![0.5, 0.5]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn free_energy<'a>(model: &Ising, r: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
    model.ensure_enumerable(MAX_GIBBS_SPINS)?;
    let r: ndarray::ArrayView1<'a, f64> = r.into();
    ensure_len(1usize << model.n_spins(), r.len())?;
    let r = Categorical::new(r.to_owned())?;
    let exponents = model.all_exponents();
    let f: f64 = r
        .probabilities()
        .iter()
        .zip(&exponents)
        .filter(|(p, _)| **p > 0.0)
        .map(|(&p, &a)| p * (-a + p.ln()))
        .sum();
    finite_scalar("変分自由エネルギー F[r]", f)
}

/// モデルの分布 `q` の全状態の確率の表（状態の番号の順）。
///
/// # Errors
///
/// [`free_energy`] と同じ大きさの上限。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::gibbs};
///
/// let q = gibbs::boltzmann_table(&Ising::new(array![0.5], array![])?)?;
/// // 状態 0 は x = +1
/// assert!((q[0] - 1.0 / (1.0 + (-1.0f64).exp())).abs() < 1e-15);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn boltzmann_table(model: &Ising) -> Result<Array1<f64>> {
    model.ensure_enumerable(MAX_GIBBS_SPINS)?;
    let a = Array1::from(model.all_exponents());
    let max = a.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let w = a.mapv(|v| (v - max).exp());
    let z = w.sum();
    Ok(w / z)
}

/// 磁化 `m` の積の分布 `r(x) = Π_k (1 + m_k x_k)/2`（式 (7.3)）の全状態の確率の表。
///
/// # Errors
///
/// `m` が空なら [`crate::Error::EmptyInput`]、`N >` [`MAX_GIBBS_SPINS`] なら [`crate::Error::TooManySpins`]、
/// 非有限・`|m_k| > 1` なら [`crate::Error::NonFinite`]・[`crate::Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::{ndarray::array, variational::gibbs};
///
/// let r = gibbs::product_table(&array![0.5, -1.0])?;
/// // 状態 0 = (+1, +1): 0.75 · 0 = 0、状態 2 = (+1, −1): 0.75 · 1
/// assert_eq!(r, array![0.0, 0.0, 0.75, 0.25]);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn product_table<'a>(m: impl AsArray<'a, f64, Ix1>) -> Result<Array1<f64>> {
    let m: ndarray::ArrayView1<'a, f64> = m.into();
    if m.is_empty() {
        return Err(crate::Error::EmptyInput);
    }
    if m.len() > MAX_GIBBS_SPINS {
        return Err(crate::Error::TooManySpins {
            n: m.len(),
            max: MAX_GIBBS_SPINS,
        });
    }
    let m = super::check_magnetisations(m.len(), m)?;
    let n = m.len();
    Ok(Array1::from_shape_fn(1usize << n, |s| {
        (0..n)
            .map(|k| {
                let x = if s >> k & 1 == 1 { -1.0 } else { 1.0 };
                (1.0 + m[k] * x) / 2.0
            })
            .product()
    }))
}
