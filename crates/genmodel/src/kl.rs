//! Kullback-Leibler 情報量（式 (2.3)、§2.1）。

use crate::categorical::Categorical;
use crate::error::{Error, Result};

/// 離散分布の KL 情報量 `D(p ‖ q) = Σ_x p(x) ln(p(x)/q(x))`（式 (2.3)）。
///
/// 端の扱い（極限 `t ln t → 0` と `ln(1/0) = +∞` による）:
///
/// - `p(x) = 0` の項は `0`（`q(x)` によらない）。
/// - `p(x) > 0` かつ `q(x) = 0` の項は `+∞`。このとき結果は NaN ではなく `f64::INFINITY`。
///
/// # Errors
///
/// 状態数が違えば [`Error::DimensionMismatch`]。
///
/// # Examples
///
/// ```
/// use genmodel::{categorical::Categorical, kl::kl_divergence};
///
/// let p = Categorical::new(vec![0.5, 0.5])?;
/// let q = Categorical::new(vec![0.25, 0.75])?;
/// // 0.5 ln 2 + 0.5 ln(2/3)
/// let want = 0.5 * 2f64.ln() + 0.5 * (2.0f64 / 3.0).ln();
/// assert!((kl_divergence(&p, &q)? - want).abs() < 1e-15);
/// assert_eq!(kl_divergence(&p, &p)?, 0.0);
///
/// // q が 0 で p が正の状態があれば +∞
/// let r = Categorical::new(vec![1.0, 0.0])?;
/// assert_eq!(kl_divergence(&p, &r)?, f64::INFINITY);
/// assert!(kl_divergence(&r, &p)?.is_finite());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn kl_divergence(p: &Categorical, q: &Categorical) -> Result<f64> {
    Ok(kl_terms(p, q)?.iter().sum())
}

/// 式 (2.3) の和の各項 `p(x) ln(p(x)/q(x))` を状態ごとに返す。
///
/// 各項は負にもなりうる（`p(x) < q(x)` の状態）。非負なのは和だけである。
/// 端の扱いは [`kl_divergence`] と同じ。
///
/// # Errors
///
/// 状態数が違えば [`Error::DimensionMismatch`]。
///
/// # Examples
///
/// ```
/// use genmodel::{categorical::Categorical, kl::kl_terms};
///
/// let p = Categorical::new(vec![0.25, 0.75])?;
/// let q = Categorical::new(vec![0.5, 0.5])?;
/// let t = kl_terms(&p, &q)?;
/// assert!(t[0] < 0.0 && t[1] > 0.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn kl_terms(p: &Categorical, q: &Categorical) -> Result<Vec<f64>> {
    if p.len() != q.len() {
        return Err(Error::DimensionMismatch {
            expected: p.len(),
            actual: q.len(),
        });
    }
    Ok(p.probabilities()
        .iter()
        .zip(q.probabilities())
        .map(|(&pi, &qi)| match (pi > 0.0, qi > 0.0) {
            (false, _) => 0.0,
            (true, false) => f64::INFINITY,
            (true, true) => pi * (pi / qi).ln(),
        })
        .collect())
}

/// 1 次元ガウス分布どうしの KL 情報量 `D(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²))` の閉じた形。
///
/// `D = ½ [ ln(σ₂²/σ₁²) + (σ₁² + (μ₁ - μ₂)²)/σ₂² - 1 ]`
///
/// 式 (2.3) の和を積分に置き換えて、ガウス分布の 2 次までのモーメントを代入したもの。
///
/// # Errors
///
/// 非有限の引数は [`Error::NonFinite`]、分散が正でなければ [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::kl::kl_gaussian_1d;
///
/// assert_eq!(kl_gaussian_1d(0.0, 1.0, 0.0, 1.0)?, 0.0);
/// // 平均だけずれると (μ₁ - μ₂)² / (2σ²)
/// assert!((kl_gaussian_1d(1.0, 2.0, 3.0, 2.0)? - 1.0).abs() < 1e-15);
/// assert!(kl_gaussian_1d(0.0, 0.0, 0.0, 1.0).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn kl_gaussian_1d(mu1: f64, var1: f64, mu2: f64, var2: f64) -> Result<f64> {
    crate::error::ensure_finite("ガウス分布のパラメータ", &[mu1, var1, mu2, var2])?;
    for (name, v) in [("σ₁²", var1), ("σ₂²", var2)] {
        if v <= 0.0 {
            return Err(Error::InvalidParameter {
                name,
                value: v,
                requirement: "分散は正",
            });
        }
    }
    let d = mu1 - mu2;
    Ok(0.5 * ((var2 / var1).ln() + (var1 + d * d) / var2 - 1.0))
}
