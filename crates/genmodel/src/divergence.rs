//! Kullback-Leibler 情報量（式 (2.3)、§2.1）。

use crate::distribution::Categorical;
use crate::error::{Error, Result, ensure_len, finite_scalar};
use ndarray::Array1;

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
/// use genmodel::{distribution::Categorical, divergence::kl_divergence, ndarray::array};
///
/// let p = Categorical::new(array![0.5, 0.5])?;
/// let q = Categorical::new(array![0.25, 0.75])?;
/// // 0.5 ln 2 + 0.5 ln(2/3)
/// let want = 0.5 * 2f64.ln() + 0.5 * (2.0f64 / 3.0).ln();
/// assert!((kl_divergence(&p, &q)? - want).abs() < 1e-15);
/// assert_eq!(kl_divergence(&p, &p)?, 0.0);
///
/// // q が 0 で p が正の状態があれば +∞
/// let r = Categorical::new(array![1.0, 0.0])?;
/// assert_eq!(kl_divergence(&p, &r)?, f64::INFINITY);
/// assert!(kl_divergence(&r, &p)?.is_finite());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn kl_divergence(p: &Categorical, q: &Categorical) -> Result<f64> {
    ensure_len(p.len(), q.len())?;
    // Σp = Σq = 1 を使い、t = q/p として
    //   D = Σ_{p>0} p (t - 1 - ln t) + Σ_{p=0} q
    // と書き直して足す。t - 1 - ln t ≥ 0 なので各項は非負で、丸め誤差で和が負になることがない
    // （p や q の和が 1 から 1e-10 ずれていても D ≥ 0 が保たれる）。
    let mut sum = 0.0;
    for (&pi, &qi) in p.probabilities().iter().zip(q.probabilities()) {
        if pi > 0.0 {
            if qi <= 0.0 {
                return Ok(f64::INFINITY);
            }
            let u = qi / pi - 1.0;
            sum += pi * (u - u.ln_1p()).max(0.0);
        } else {
            sum += qi;
        }
    }
    Ok(sum)
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
/// use genmodel::{distribution::Categorical, divergence::kl_terms, ndarray::array};
///
/// let p = Categorical::new(array![0.25, 0.75])?;
/// let q = Categorical::new(array![0.5, 0.5])?;
/// let t = kl_terms(&p, &q)?;
/// assert!(t[0] < 0.0 && t[1] > 0.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn kl_terms(p: &Categorical, q: &Categorical) -> Result<Array1<f64>> {
    ensure_len(p.len(), q.len())?;
    Ok(ndarray::Zip::from(&p.probabilities())
        .and(&q.probabilities())
        .map_collect(|&pi, &qi| match (pi > 0.0, qi > 0.0) {
            (false, _) => 0.0,
            (true, false) => f64::INFINITY,
            // ln p - ln q: p/q が f64 の範囲を超えても（q = 1e-320 など）有限
            (true, true) => pi * (pi.ln() - qi.ln()),
        }))
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
/// 値が `f64` の範囲を超えれば（`σ₂² = 1e-300` で平均が `1e10` ずれるなど）[`Error::Overflow`]。
/// 分散比は対数の差 `ln σ₂² - ln σ₁²` で求めるので、`σ₁² = 1e-320` のような非正規化数でも有限の値を返す。
///
/// # Examples
///
/// ```
/// use genmodel::divergence::kl_gaussian_1d;
///
/// assert_eq!(kl_gaussian_1d(0.0, 1.0, 0.0, 1.0)?, 0.0);
/// // 平均だけずれると (μ₁ - μ₂)² / (2σ²)
/// assert!((kl_gaussian_1d(1.0, 2.0, 3.0, 2.0)? - 1.0).abs() < 1e-15);
/// assert!(kl_gaussian_1d(0.0, 0.0, 0.0, 1.0).is_err());
/// // 非正規化数 σ₁² = 1e-320: D = ½ (320 ln 10 + 1e-320 - 1) ≈ 367.9
/// // （1e-320 は f64 で相対 5e-4 の丸めを受けるので、許容誤差は 1e-3）
/// let d = kl_gaussian_1d(0.0, 1e-320, 0.0, 1.0)?;
/// assert!((d - 0.5 * (320.0 * 10f64.ln() - 1.0)).abs() < 1e-3);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn kl_gaussian_1d(mu1: f64, var1: f64, mu2: f64, var2: f64) -> Result<f64> {
    crate::error::ensure_finite("ガウス分布のパラメータ", [mu1, var1, mu2, var2])?;
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
    let ratio = var1 / var2 + (d / var2.sqrt()).powi(2);
    finite_scalar("KL 情報量", 0.5 * ((var2.ln() - var1.ln()) + ratio - 1.0))
}
