//! 対数空間での計算。
//!
//! 規格化定数 `Z = Σ exp(-E)` は `E` が大きいと桁あふれするので、
//! `ln Z` を log-sum-exp で直接求める。

use crate::error::{Error, Result};
use ndarray::{ArrayView1, AsArray, Ix1};

/// `ln Σ_i exp(a_i)` を桁あふれなしに計算する（log-sum-exp）。
///
/// 最大値 `m = max_i a_i` を括り出して `m + ln Σ_i exp(a_i - m)` とする。
/// 各項は `exp(≤ 0) ≤ 1` で、最大の項がちょうど 1 なので和は `[1, n]` に収まる。
/// `-∞` の項は `exp(-∞) = 0` として扱い、すべて `-∞` なら和は 0 なので `-∞` を返す。
///
/// # Errors
///
/// 空なら [`Error::EmptyInput`]、NaN か `+∞` を含めば [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::logspace::log_sum_exp;
///
/// // exp(1000) は f64 であふれるが、ln(exp(1000) + exp(1000)) = 1000 + ln 2
/// let v = log_sum_exp(&[1000.0, 1000.0])?;
/// assert!((v - (1000.0 + 2f64.ln())).abs() < 1e-12);
/// assert_eq!(log_sum_exp(&[f64::NEG_INFINITY, 0.0])?, 0.0);
/// assert!(log_sum_exp(&[f64::NAN]).is_err());
/// assert!(log_sum_exp(&[] as &[f64]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn log_sum_exp<'a>(a: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
    let a: ArrayView1<'a, f64> = a.into();
    if a.is_empty() {
        return Err(Error::EmptyInput);
    }
    if let Some(index) = a.iter().position(|v| v.is_nan() || *v == f64::INFINITY) {
        return Err(Error::NonFinite {
            what: "log-sum-exp の項",
            index,
        });
    }
    let m = a.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    if m == f64::NEG_INFINITY {
        return Ok(m);
    }
    Ok(m + a.iter().map(|v| (v - m).exp()).sum::<f64>().ln())
}
