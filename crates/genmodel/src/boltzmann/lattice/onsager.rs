//! 無限に大きい正方格子の Ising 強磁性体（Onsager 1944）: 臨界点と、1 スピンあたりの `ln Z` とエネルギー。
//!
//! 有限の `L × L` トーラス（[`super::kaufman`]）の 1 スピンあたりの量は、`L → ∞` でここの値に近づく。
//! 臨界点から離れた温度では差は `L` について指数関数的に小さく、臨界点ではエネルギーの差が `1/L`、
//! `ln Z/N` の差が `1/L²` の程度で残る。
//!
//! `s = sinh 2K`、`κ = 2 sinh 2K / cosh² 2K`、`κ' = √(1 − κ²) = |1 − s²|/(1 + s²)` として
//!
//! - `ln Z/N → ln(2 cosh 2K) + (1/π) ∫_0^{π/2} ln[½(1 + √(1 − κ² sin² φ))] dφ`
//! - `u = U/N → −coth 2K [1 + (2/π)(2 tanh² 2K − 1) K_1(κ)]`（`K_1` は第 1 種完全楕円積分）
//!
//! である。臨界点 `K_c = ½ ln(1 + √2)`（`sinh 2K_c = 1`）では `κ = 1` で `K_1` が発散するが、
//! 係数 `2 tanh² 2K − 1` が 0 になり、`u_c = −coth 2K_c = −√2`。

use crate::error::{Result, finite_scalar};
use std::f64::consts::{FRAC_PI_2, PI};

/// 臨界点の結合 `K_c = ½ ln(1 + √2) ≈ 0.4406868`（`sinh 2K_c = 1`）。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::K_C;
///
/// assert!((K_C - 0.5 * (1.0 + 2f64.sqrt()).ln()).abs() < 1e-16);
/// assert!(((2.0 * K_C).sinh() - 1.0).abs() < 1e-15);
/// ```
pub const K_C: f64 = 0.440_686_793_509_771_5;

/// 臨界温度 `T_c = 1/K_c = 2/ln(1 + √2) ≈ 2.269185`（`J = 1`）。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::{K_C, T_C};
///
/// assert!((T_C - 2.0 / (1.0 + 2f64.sqrt()).ln()).abs() < 1e-15);
/// assert!((T_C * K_C - 1.0).abs() < 1e-15);
/// ```
pub const T_C: f64 = 2.269_185_314_213_022;

/// `K_c` の `f64` への丸め誤差 `K_c − K_C ≈ −1.13e-17`（`K_c = K_C + K_C_LO` を 2 つの `f64` の和で表す）。
///
/// `K − K_c` を `(K − K_C) − K_C_LO` と求めると（`K` が `K_C` に近ければ最初の引き算は厳密）、
/// 臨界点の位置が `f64` の丸めでずれない。臨界点の近くでは `γ_k` の微分が `K − K_c` に `L` 倍の感度を持つので、
/// 丸めた `K_C` を臨界点として使うと、ほかの項（`sinh 2K` など）と食い違って比熱に `ε L²` 程度の誤差が出る。
pub(super) const K_C_LO: f64 = -1.125_272_946_412_933e-17;

/// `K − K_c`（臨界点からの距離。`K_c` の丸めの分まで含めて正しく丸める）。
pub(super) fn distance_from_critical(coupling: f64) -> f64 {
    (coupling - K_C) - K_C_LO
}

/// 1 スピンあたりの `ln Z / N` の `N → ∞` の極限（Onsager）。`−T` 倍が 1 スピンあたりの自由エネルギー。
///
/// 積分は `x = π/2 − φ` と置き、`1 − κ² sin² φ` を `κ < 1/2` では `1 − κ² cos² x`、`κ ≥ 1/2` では
/// `sin² x + κ'² cos² x` と打ち消しなしに書いて、`x = 0` に向かって幅を半分ずつにした 52 区間の
/// 16 点 Gauss–Legendre 則で求める。臨界点の近くで `x = ±iκ'` の近くにある被積分関数の特異点も、
/// 各区間の幅がそこまでの距離より小さいので、丸め誤差の範囲で積分できる。
///
/// # Errors
///
/// `K < MIN_COUPLING`（`K ≤ 0` を含む）なら [`crate::Error::InvalidParameter`]、有限でなければ
/// [`crate::Error::NonFinite`]、`ln(2 cosh 2K) ≈ 2K` があふれれば [`crate::Error::Overflow`]。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::{K_C, onsager};
///
/// // 臨界点: ln Z/N = ½ ln 2 + 2G/π（G はカタランの定数 0.9159655941772190…）
/// let g = 0.915_965_594_177_219;
/// let want = 0.5 * 2f64.ln() + 2.0 * g / std::f64::consts::PI;
/// assert!((onsager::log_z_per_spin(K_C)? - want).abs() < 1e-14);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn log_z_per_spin(coupling: f64) -> Result<f64> {
    super::check_coupling(coupling)?;
    let Moduli { kappa, kp, .. } = moduli(coupling);
    // 1 − κ² sin² φ = 1 − κ² cos² x = sin² x + κ'² cos² x。κ が小さい（臨界点から遠い）ときは前の形、
    // κ が 1 に近いときは後の形で、どちらも打ち消しなしに求まる
    let (kappa2, kp2) = (kappa * kappa, kp * kp);
    let integrand = |x: f64| {
        let (sx, cx) = x.sin_cos();
        let r = if kappa < 0.5 {
            1.0 - kappa2 * cx * cx
        } else {
            sx * sx + kp2 * cx * cx
        };
        (0.5 * (1.0 + r.sqrt())).ln()
    };
    let (nodes, weights) = gauss_legendre::<16>();
    let mut integral = 0.0;
    let mut hi = FRAC_PI_2;
    for level in 0..=PANELS {
        let lo = if level == PANELS { 0.0 } else { hi / 2.0 };
        let (mid, half) = ((hi + lo) / 2.0, (hi - lo) / 2.0);
        let panel: f64 = nodes
            .iter()
            .zip(&weights)
            .map(|(x, w)| w * integrand(mid + half * x))
            .sum();
        integral += half * panel;
        hi = lo;
    }
    // ln(2 cosh 2K) = 2K + ln(1 + e^{−4K})
    let log_2cosh = 2.0 * coupling + (-4.0 * coupling).exp().ln_1p();
    finite_scalar("ln Z / N", log_2cosh + integral / PI)
}

/// 1 スピンあたりのエネルギー `u = U/N` の `N → ∞` の極限（Onsager、`J = 1`）。
///
/// `(2/π) K_1(κ) = 1/AGM(1, κ')`（算術幾何平均）で、`s = sinh 2K` について
///
/// - `K ≤ K_c`: `u = −(√(1 + s²)/s) (AGM − κ')/AGM`
/// - `K > K_c`: `u = −√(1 + t²) (1 + κ'/AGM)`、`t = 1/s`
///
/// とする。`AGM − κ'` は `1 − κ'` から AGM の各段の差 `c_n` を引いて求めるので、高温（`κ' → 1`）でも
/// 打ち消しで精度を失わない。臨界点では `κ' = 0` で `u = −√2`。`κ'` と `1 − κ'` は `s` の多項式の積と商で求める
/// （[`log_z_per_spin`] と同じ）。
///
/// # Errors
///
/// [`log_z_per_spin`] と同じ（結果はいつも `[−2, 0]` にあり、あふれない）。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::{K_C, onsager};
///
/// // K_C は真の K_c より 1.1e-17 大きく、u は臨界点で傾きが対数的に発散するので、−√2 から 1.1e-15 ずれる
/// assert!((onsager::energy_per_spin(K_C)? + 2f64.sqrt()).abs() < 2e-15);
/// // 低温で基底状態の −2、高温で −2 tanh K ≈ −2K に近づく
/// assert!((onsager::energy_per_spin(20.0)? + 2.0).abs() < 1e-15);
/// assert!((onsager::energy_per_spin(1e-6)? / -2e-6 - 1.0).abs() < 1e-11);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn energy_per_spin(coupling: f64) -> Result<f64> {
    super::check_coupling(coupling)?;
    let Moduli {
        kp, one_minus_kp, ..
    } = moduli(coupling);
    let (agm, excess) = agm_with_excess(kp, one_minus_kp);
    let u = if distance_from_critical(coupling) > 0.0 {
        let t = inverse_sinh_2k(coupling);
        let ratio = if kp == 0.0 { 0.0 } else { kp / agm };
        -(1.0 + t * t).sqrt() * (1.0 + ratio)
    } else {
        let s = (2.0 * coupling).sinh();
        let ratio = if kp == 0.0 { 1.0 } else { excess / agm };
        -((1.0 + s * s).sqrt() / s) * ratio
    };
    finite_scalar("1 スピンあたりのエネルギー", u)
}

/// 幅を半分ずつにする区間の数（最後の区間 `[0, (π/2) 2^{−52}]` の幅は `3.5e-16`）。
const PANELS: usize = 52;

/// `1/sinh 2K = 2e^{−2K}/(1 − e^{−4K})`（`K` が大きくてもあふれない）。
fn inverse_sinh_2k(coupling: f64) -> f64 {
    2.0 * (-2.0 * coupling).exp() / -(-4.0 * coupling).exp_m1()
}

/// 楕円積分の母数 `κ = 2s/(1 + s²)` と補母数 `κ' = |1 − s²|/(1 + s²)`、`1 − κ'`（`s = sinh 2K`）。
struct Moduli {
    kappa: f64,
    kp: f64,
    one_minus_kp: f64,
}

/// [`Moduli`] を打ち消しなしに求める。`1 − s² = −d(2 + d)`、`d = s − 1 = 2 cosh(K + K_c) sinh(K − K_c)`
/// と積で求め（`K − K_c` は [`distance_from_critical`]）、`1 − κ'` は高温側 `2s²/(1 + s²)`、低温側
/// `2t²/(1 + t²)`（`t = 1/s`）とする。`K > 2` では `s` の代わりに `t` で書き、`sinh 2K` のあふれを避ける。
fn moduli(coupling: f64) -> Moduli {
    if coupling > 2.0 {
        let t = inverse_sinh_2k(coupling);
        let (t2, den) = (t * t, 1.0 + t * t);
        return Moduli {
            kappa: 2.0 * t / den,
            kp: (1.0 - t2) / den,
            one_minus_kp: 2.0 * t2 / den,
        };
    }
    let s = (2.0 * coupling).sinh();
    let d = 2.0 * (coupling + K_C).cosh() * distance_from_critical(coupling).sinh();
    let den = 1.0 + s * s;
    let r = if s > 1.0 { 1.0 / s } else { s };
    Moduli {
        kappa: 2.0 * s / den,
        kp: (d * (2.0 + d)).abs() / den,
        one_minus_kp: 2.0 * r * r / (1.0 + r * r),
    }
}

/// 算術幾何平均 `M = AGM(1, x)`（`0 ≤ x ≤ 1`、`y = 1 − x` も打ち消しなしに求めて渡す）と `M − x` の組。
///
/// `a_0 = 1`、`b_0 = x`、`c_{n+1} = (a_n − b_n)/2` とすると `M = 1 − Σ_{n≥1} c_n`、`c_{n+1} = c_n²/(4a_{n+1})`
/// なので、`M − x = (1 − x)/2 − Σ_{n≥2} c_n` は打ち消しなしに求まる。`x = 0` では `M = 0`。
fn agm_with_excess(x: f64, y: f64) -> (f64, f64) {
    if x == 0.0 {
        return (0.0, 0.0);
    }
    let (mut a, mut b, mut c) = (1.0 - y / 2.0, x.sqrt(), y / 2.0);
    let mut excess = y / 2.0;
    for _ in 0..64 {
        if c <= f64::EPSILON * a {
            break;
        }
        let a_next = (a + b) / 2.0;
        b = (a * b).sqrt();
        c = c * c / (4.0 * a_next);
        a = a_next;
        excess -= c;
    }
    (a, excess)
}

/// `N` 点 Gauss–Legendre 則の節点と重み（`[−1, 1]`）。Legendre 多項式の根を Newton 法で求める。
fn gauss_legendre<const N: usize>() -> ([f64; N], [f64; N]) {
    // P_N(x) と P_N'(x)（3 項漸化式）
    let legendre = |x: f64| {
        let (mut p0, mut p1) = (1.0, x);
        for j in 2..=N {
            let jf = j as f64;
            (p0, p1) = (p1, ((2.0 * jf - 1.0) * x * p1 - (jf - 1.0) * p0) / jf);
        }
        (p1, N as f64 * (x * p1 - p0) / (x * x - 1.0))
    };
    let mut nodes = [0.0; N];
    let mut weights = [0.0; N];
    for i in 0..N {
        let mut x = (PI * (i as f64 + 0.75) / (N as f64 + 0.5)).cos();
        for _ in 0..100 {
            let (p, dp) = legendre(x);
            let dx = p / dp;
            x -= dx;
            if dx.abs() <= 1e-16 {
                break;
            }
        }
        let dp = legendre(x).1;
        nodes[i] = x;
        weights[i] = 2.0 / ((1.0 - x * x) * dp * dp);
    }
    (nodes, weights)
}

/// 無限に大きい正方格子の自発磁化（Onsager 1949 が発表し Yang 1952 が導いた厳密な式、式 (7.16)）:
/// `K > K_c` で `m = (1 − sinh^{−4} 2K)^{1/8}`、`K ≤ K_c` で 0。
///
/// 臨界点の近くでは `m ∝ (K − K_c)^{1/8}` と急に立ち上がる（臨界指数 `β = 1/8`）。`1 − sinh^{−4} 2K` は
/// `K − K_c` に比例して小さくなるので、`sinh 2K − 1 = 2 cosh(K + K_c) sinh(K − K_c)` の形で打ち消しなく求める。
/// `f64` の [`K_C`] は真の臨界点より `1.13e-17` 大きいので、`K = K_C` では秩序相の小さい値 `≈ 0.0103` を返す。
///
/// # Errors
///
/// [`log_z_per_spin`] と同じ（`K < MIN_COUPLING`、非有限）。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::{K_C, onsager};
///
/// assert_eq!(onsager::spontaneous_magnetisation(0.4)?, 0.0);
/// // f64 の K_C は真の K_c より 1.13e-17 上: m = (4√2 · 1.13e-17 · …)^{1/8} ≈ 0.0103
/// let at_kc = onsager::spontaneous_magnetisation(K_C)?;
/// assert!((at_kc - 0.010_306).abs() < 1e-5);
/// // K = 0.5: sinh 1 = 1.1752…, m = (1 − 1.1752^{−4})^{1/8} = 0.91132…
/// let s = 1f64.sinh();
/// assert!((onsager::spontaneous_magnetisation(0.5)? - (1.0 - s.powi(-4)).powf(0.125)).abs() < 1e-15);
/// assert!((onsager::spontaneous_magnetisation(0.5)? - 0.911_319).abs() < 1e-6);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn spontaneous_magnetisation(coupling: f64) -> Result<f64> {
    super::check_coupling(coupling)?;
    if distance_from_critical(coupling) <= 0.0 {
        return Ok(0.0);
    }
    let s = (2.0 * coupling).sinh();
    let one_minus = if coupling < 2.0 {
        // 臨界点の近くで 1 − s^{−4} を打ち消しなく: s − 1 = sinh 2K − sinh 2K_c = 2 cosh(K + K_c) sinh(K − K_c)、
        // 1 − s^{−4} = (s − 1)(s + 1)(s² + 1)/s⁴。K − K_c は K_c の丸めの分まで含めて求める
        let d = 2.0 * (coupling + K_C).cosh() * distance_from_critical(coupling).sinh();
        d * (s + 1.0) * (s * s + 1.0) / s.powi(4)
    } else {
        // s が大きいと s⁴ があふれるので s^{−2} を直接使う: 1 − s^{−4} = (1 − s^{−2})(1 + s^{−2})
        let inv = s.powi(-2);
        (1.0 - inv) * (1.0 + inv)
    };
    Ok(one_minus.max(0.0).powf(0.125))
}
