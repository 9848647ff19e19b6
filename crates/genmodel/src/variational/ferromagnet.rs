//! 配位数 `z` の一様な強磁性体（場なし、結合 `K > 0`）の平均場近似と Bethe 近似（式 (7.14)–(7.15)、第 7 章）。
//!
//! すべてのスピンが同じ磁化 `m`、すべてのメッセージが同じ `u` をとる解を求める。
//!
//! - 式 (7.14): 平均場 `m = tanh(z K m)`。`z K > 1` で `m > 0` の解が現れる: `K_c = 1/z`
//! - 式 (7.15): Bethe `u = artanh(tanh K tanh((z − 1) u))`、`m = tanh(z u)`。`(z − 1) tanh K > 1` で
//!   `u > 0` の解が現れる: `K_c = artanh(1/(z − 1)) = ½ ln(z/(z − 2))`
//!
//! 正方格子は `z = 4` で、平均場は `K_c = 1/4`、Bethe は `K_c = ½ ln 2`。厳密な値は `½ ln(1 + √2)`（Onsager）。
//! 正の解は 2 分法で求める（右辺 − 左辺は `0 < m < m*` で正、`m* < m ≤ 1` で負）。

use crate::error::{Error, Result};

/// 2 分法の回数。区間 `[0, 1]` を `2^{-200}` まで縮めるので、`f64` の最後の桁まで決まる。
const BISECTIONS: usize = 200;

fn check(z: usize, coupling: f64, min_z: usize) -> Result<()> {
    if z < min_z {
        return Err(Error::InvalidParameter {
            name: "配位数 z",
            value: z as f64,
            requirement: "平均場は z ≥ 1、Bethe は z ≥ 3（z = 2 の鎖に相転移はない）",
        });
    }
    if !coupling.is_finite() {
        return Err(Error::NonFinite {
            what: "結合 K",
            index: 0,
        });
    }
    if coupling <= 0.0 {
        return Err(Error::InvalidParameter {
            name: "結合 K",
            value: coupling,
            requirement: "K > 0（強磁性）",
        });
    }
    Ok(())
}

/// `g(0) = 0`、`g` は `(0, x*)` で正、`(x*, hi]` で負のとき、正の根 `x*` を 2 分法で求める。
fn positive_root(hi: f64, g: impl Fn(f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, hi);
    for _ in 0..BISECTIONS {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if g(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// 平均場近似の臨界点 `K_c = 1/z`（式 (7.14)）。
///
/// # Errors
///
/// `z = 0` なら [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::variational::ferromagnet;
///
/// assert_eq!(ferromagnet::mean_field_critical_coupling(4)?, 0.25);
/// assert!(ferromagnet::mean_field_critical_coupling(0).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn mean_field_critical_coupling(z: usize) -> Result<f64> {
    check(z, 1.0, 1)?;
    Ok(1.0 / z as f64)
}

/// Bethe 近似の臨界点 `K_c = artanh(1/(z − 1))`（式 (7.15)）。
///
/// # Errors
///
/// `z < 3` なら [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::variational::ferromagnet;
///
/// assert!((ferromagnet::bethe_critical_coupling(4)? - 0.5 * 2f64.ln()).abs() < 1e-16);
/// assert!(ferromagnet::bethe_critical_coupling(2).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn bethe_critical_coupling(z: usize) -> Result<f64> {
    check(z, 1.0, 3)?;
    Ok((1.0 / (z as f64 - 1.0)).atanh())
}

/// 平均場近似の自発磁化: `m = tanh(zKm)` の非負の最大の解（式 (7.14)）。`zK ≤ 1` なら 0。
///
/// # Errors
///
/// `z = 0`、`K ≤ 0`、非有限: [`Error::InvalidParameter`]・[`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::variational::ferromagnet;
///
/// assert_eq!(ferromagnet::mean_field_magnetisation(4, 0.2)?, 0.0);
/// let m = ferromagnet::mean_field_magnetisation(4, 0.5)?;
/// assert!((m - (2.0 * m).tanh()).abs() < 1e-15 && m > 0.9);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn mean_field_magnetisation(z: usize, coupling: f64) -> Result<f64> {
    check(z, coupling, 1)?;
    let a = z as f64 * coupling;
    if a <= 1.0 {
        return Ok(0.0);
    }
    Ok(positive_root(1.0, |m| (a * m).tanh() - m))
}

/// Bethe 近似の自発磁化: `u = artanh(tanh K tanh((z − 1)u))` の正の解から `m = tanh(zu)`（式 (7.15)）。
/// `(z − 1) tanh K ≤ 1` なら 0。
///
/// # Errors
///
/// `z < 3`、`K ≤ 0`、非有限: [`Error::InvalidParameter`]・[`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::variational::ferromagnet;
///
/// assert_eq!(ferromagnet::bethe_magnetisation(4, 0.3)?, 0.0);
/// // 臨界点のすぐ上で m は小さく、K が大きいと 1 に近づく
/// assert!(ferromagnet::bethe_magnetisation(4, 0.35)? > 0.0);
/// assert!(ferromagnet::bethe_magnetisation(4, 2.0)? > 0.999);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn bethe_magnetisation(z: usize, coupling: f64) -> Result<f64> {
    check(z, coupling, 3)?;
    let t = coupling.tanh();
    let zm1 = z as f64 - 1.0;
    if zm1 * t <= 1.0 {
        return Ok(0.0);
    }
    // u の上限: u ≤ artanh(tanh K) = K。g(u) = artanh(t tanh((z−1)u)) − u
    // 臨界点の近くでは u が小さく、ln cosh の差は絶対誤差 1e-17 程度を持つので、積が小さいうちは artanh で直接求める
    let u = positive_root(coupling, |u| {
        let c = zm1 * u;
        let p = t * c.tanh();
        let g = if p < 0.5 {
            p.atanh()
        } else {
            0.5 * (super::ln_cosh(coupling + c) - super::ln_cosh(coupling - c))
        };
        g - u
    });
    Ok((z as f64 * u).tanh())
}
