//! 対数空間での計算。
//!
//! 規格化定数 `Z = Σ exp(-E)` は `E` が大きいと桁あふれするので、
//! `ln Z` を log-sum-exp で直接求める。

/// `ln Σ_i exp(a_i)` を桁あふれなしに計算する（log-sum-exp）。
///
/// 最大値 `m = max_i a_i` を括り出して `m + ln Σ_i exp(a_i - m)` とする。
/// 各項は `exp(≤ 0) ≤ 1` で、最大の項がちょうど 1 なので和は `[1, n]` に収まる。
///
/// 空の入力では和が 0 なので `-∞` を返す。`+∞` を含めば `+∞`、
/// NaN を含めば NaN を返す（入力の検査は呼び出し側が [`crate::Error`] で行う）。
///
/// # Examples
///
/// ```
/// use genmodel::logspace::log_sum_exp;
///
/// // exp(1000) は f64 であふれるが、ln(exp(1000) + exp(1000)) = 1000 + ln 2
/// let v = log_sum_exp(&[1000.0, 1000.0]);
/// assert!((v - (1000.0 + 2f64.ln())).abs() < 1e-12);
/// assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
/// ```
pub fn log_sum_exp(a: &[f64]) -> f64 {
    let m = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        // 空・すべて -∞ なら -∞、+∞ を含めば +∞。
        return if a.iter().any(|v| v.is_nan()) {
            f64::NAN
        } else {
            m
        };
    }
    m + a.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}
