//! Kaufman (1949) の厳密解による、`L × L` トーラスの Ising 強磁性体の分配関数と、その解析的な微分。
//!
//! # 式
//!
//! Ferdinand と Fisher (1969, Phys. Rev. 185, 832) の形で書く。`N = L²`、`K = βJ > 0` とし、
//!
//! ```text
//! Z = ½ (2 sinh 2K)^{N/2} (Z_1 + Z_2 + Z_3 + Z_4)
//!
//! Z_1 = Π_{r=0}^{L−1} 2 cosh(L γ_{2r+1} / 2)      Z_2 = Π_{r=0}^{L−1} 2 sinh(L γ_{2r+1} / 2)
//! Z_3 = Π_{r=0}^{L−1} 2 cosh(L γ_{2r} / 2)        Z_4 = Π_{r=0}^{L−1} 2 sinh(L γ_{2r} / 2)
//!
//! cosh γ_k = cosh 2K coth 2K − cos(πk/L),  γ_k > 0     （k = 1, …, 2L − 1）
//! γ_0 = 2K + ln tanh K
//! ```
//!
//! である。`k ≠ 0` の `γ_k` は `cosh γ_k ≥ 1` の正の根だが、`γ_0` だけは符号つきで、
//! **`K < K_c`（`T > T_c`、高温側）で負、`K > K_c`（低温側）で正**、臨界点 `K_c = ½ ln(1 + √2)` で 0 になる
//! （`|γ_0|` は `k = 0` の `cosh γ_0 = cosh 2K coth 2K − 1` の正の根に等しい）。したがって高温側では
//! `Z_4` の `r = 0` の因子 `2 sinh(L γ_0/2)` が負になり、`Z_4 < 0` である。この符号を落として `|γ_0|` を
//! 使うと、高温で `Z ≈ 2^N` ではなく `Z ≈ 2 · 2^N` になり、列挙とずれる（テストで確かめる）。
//! 前の因子は `½` と `(2 sinh 2K)^{N/2}` で、式は `L = 1`（2 本とも自分自身への結合、`Z = 2e^{2K}`）と
//! `L = 2`（隣どうしを 2 本ずつ結ぶ）を含むすべての `L ≥ 1` で、全状態の列挙と一致する。
//!
//! # 対数空間での計算
//!
//! `Z_i` は `e^{N K}` 以上に大きく、符号も混じるので、`Z` そのものは作らない。`(2 sinh 2K)^{N/2}` を
//! `L` 個の `(2 sinh 2K)^{L/2}` に分けて各因子に配り、
//!
//! ```text
//! (2 sinh 2K)^{L/2} · 2 cosh(L γ/2) = exp(L η/2) · (1 + q)
//! (2 sinh 2K)^{L/2} · 2 sinh(L γ/2) = exp(L η/2) · sgn(γ) (1 − q)
//! η = |γ| + ln(2 sinh 2K),  q = exp(−L |γ|) ∈ (0, 1]
//! ```
//!
//! と書く。すると `Z_i (2 sinh 2K)^{N/2} = exp(Λ_i) v_i` で、`Λ_i = Σ_r [L η/2 + ln(1 ± q)]` は対数の和、
//! `v_1 = v_2 = v_3 = 1`、`v_4 = sgn(γ_0)(1 − q_0)` は `[−1, 1]` の数になる（`Z_4` の `r = 0` の因子だけは、
//! 臨界点で 0 になるので対数に入れない）。最後に
//!
//! ```text
//! ln Z = −ln 2 + Λ_1 + c + ln Σ_i exp(X_i − c) v_i,   X_i = Λ_i − Λ_1,   c = max_i X_i
//! ```
//!
//! とする。和の各項は絶対値が 1 以下で、`|Z_4| ≤ Z_3`（`|sinh| ≤ cosh`）なので和は `Z_1 + Z_2 > 0` 以上であり、
//! 符号の違う項の打ち消し合いで相対精度を失うことはない。
//!
//! 差 `X_i` は、`N` の大きさの `Λ_i` を別々に足してから引くのではなく、モードごとの差（`ln(1 − q) − ln(1 + q)`、
//! `(L/2)(η_{2r} − η_{2r+1})` など）の和として直接求める。`Λ_i` は `f64` で表すだけで `ε N` の絶対誤差を持ち、
//! 重み `exp(X_i)` の相対誤差になって `L` の大きさの微分（臨界点で `X_4' ≈ 2L`）と掛け合わされるので、
//! 引き算で求めると比熱に `ε L²` の程度の誤差（`L = 65536` で `4e-8`）が入るからである。
//!
//! `η` と `q` は `cosh γ` から `γ` を作る素朴な式ではなく、桁落ちしない形で計算する。`s = sinh 2K`、
//! `σ = sin²(πk/2L)`、`d = s − 1 = 2 cosh(K + K_c) sinh(K − K_c)` とおくと、`k ≠ 0` では
//!
//! ```text
//! M = d² + 2sσ,   Q = 1 + s² + 2sσ,   A = (M + Q)/2 + √(MQ)
//! η = ln 2 + ln A,   e^{−γ} = s / A                 （K ≤ K_c）
//! ```
//!
//! で、`M`・`Q` は非負の数の和、`2A = 2 sinh 2K · e^{γ}` である（`K > K_c` では `s` の代わりに `t = 1/s`
//! を使い、`η` に `2 ln s` を足す）。高温（`K → 0`）では `γ ≈ ln(1/K)` と `ln(2 sinh 2K) ≈ ln 4K` が
//! 打ち消し合うが、`η` はその和を直接求めるので、微分にも `1/K` の大きさの打ち消しが現れない。
//! `q = (s/A)^L` も指数・対数を経ずに累乗で作る。臨界点の近くで `γ_k` が小さいときは
//! `δ = cosh γ − 1 = d²/s + 2σ` から `γ = ln(1 + δ + √(δ(δ + 2)))` とし、`γ_0 = ln(1 + 2d/(1 + e^{−2K}))` とする。
//! `d` を差 `sinh 2K − 1` ではなく積で求め、`K − K_c` は `K_c` を 2 つの `f64` の和で表して丸めずに求めるので、
//! `K` が `K_c` に近くても `γ` とその微分の相対精度は保たれる（`K_c` を丸めた値で臨界点の位置を決めると、
//! `γ_k'` が `sinh 2K` などほかの項と食い違い、`L = 4096` で比熱に `1e-10` の誤差が出る）。
//!
//! # 微分
//!
//! `U = −∂ ln Z/∂β = −J ∂ ln Z/∂K`、`C = β² ∂² ln Z/∂β² = K² ∂² ln Z/∂K²` の微分は差分ではなく、
//! 2 階までの前進型自動微分（値・1 階・2 階微分の組を連鎖律で運ぶ 2 階の双対数。非公開の `jet` モジュール）で求める。
//! 上の `ln Z` の式をこの組の上で計算するだけで、`η`・`q`・`X_i` の微分、重み `exp(X_i − c) v_i` の和 `S` の
//! 対数の微分 `(ln S)' = S'/S`、`(ln S)'' = S''/S − (S'/S)²` までが丸め誤差の範囲で厳密に求まる。
//! 二階差分 `(ln Z(K + h) − 2 ln Z(K) + ln Z(K − h))/h²` では、`ln Z ∼ N` の丸め誤差 `εN` が `h²` で割られ、
//! 比熱の有効数字が 8 桁ほど失われる。
//!
//! # 精度
//!
//! - `L ≤ 4` の全状態の列挙（[`super::DensityOfStates`]）と、`K = 1e-100 … 1e6` の 478 点で比べて、
//!   `ln Z` は相対 `7e-16`、`u` は絶対 `9e-16`、`c` は絶対 `2.3e-15` 以内で一致する。
//! - 同じ式を 60–130 桁の多倍長で計算した値と比べて、`L ≤ 64` では `ln Z` が相対 `4e-16`、`u` が `7e-16`、
//!   `c` が `3e-15`、`L = 4096` の臨界点の近くで `c` が `1.5e-13`、`L = 65536` の臨界点（`c ≈ 5.6`）で `1.2e-12` 以内。
//!
//! 仕事は `O(L)` で、`2L` 項の和は誤差を補う和（Neumaier）でとる。

use super::jet::{Jet, JetSum};
use super::onsager::{K_C, K_C_LO, distance_from_critical};
use super::{Thermodynamics, check_coupling, check_side};
use crate::error::{Error, Result};
use std::f64::consts::{LN_2, PI};

/// Kaufman の式が受け付ける一辺の長さ `L` の上限 `2^16 = 65536`（`N = L² ≈ 4.3 × 10⁹` スピン）。
///
/// 仕事は `O(L)`（`2L` 個のモード）で、上限ちょうどでもデバッグビルドで 0.2 秒ほどである。上限は、
/// 多倍長の計算と照合して精度を確かめた範囲（`L = 65536` の臨界点で比熱の誤差 `1.2e-12`）に合わせる。
/// 丸め誤差は `L` とともにゆっくり増えるので、確かめていない大きさは黙って計算せず、[`Error::TooLarge`] を返す。
/// この大きさでは 1 スピンあたりの量は、臨界点の `1/L` の補正（エネルギーで `1e-5`）を除いて無限の格子
/// （[`super::onsager`]）と丸め誤差の範囲で一致する。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::lattice::{MAX_SIDE, kaufman}, Error};
///
/// assert!(kaufman::log_z(MAX_SIDE, 0.4).is_ok());
/// assert!(matches!(kaufman::log_z(MAX_SIDE + 1, 0.4), Err(Error::TooLarge { .. })));
/// ```
pub const MAX_SIDE: usize = 1 << 16;

/// `L × L` トーラスの `ln Z`（Kaufman の厳密解、モジュールの説明の式）。[`thermodynamics`] の一部。
///
/// # Errors
///
/// `L = 0` か `K < MIN_COUPLING`（`K ≤ 0` を含む）なら [`Error::InvalidParameter`]、
/// `L > MAX_SIDE` なら [`Error::TooLarge`]、`K` が有限でなければ [`Error::NonFinite`]、
/// `ln Z ≈ 2NK` が `f64` の範囲を超えれば [`Error::Overflow`]。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::kaufman;
///
/// // 1 × 1: 2 本の結合はどちらも自分自身への結合で、s·s = 1 なので Z = 2 e^{2K}
/// assert!((kaufman::log_z(1, 0.3)? - (2f64.ln() + 0.6)).abs() < 1e-15);
/// // 低温: 全部そろった 2 状態だけが効き、ln Z ≈ 2NK + ln 2
/// assert!((kaufman::log_z(10, 30.0)? - (2.0 * 100.0 * 30.0 + 2f64.ln())).abs() < 1e-10);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn log_z(side: usize, coupling: f64) -> Result<f64> {
    Ok(thermodynamics(side, coupling)?.log_z())
}

/// `L × L` トーラスの `ln Z`、1 スピンあたりのエネルギー `u` と比熱 `c`（Kaufman の厳密解と、その解析的な微分）。
///
/// `u = −(1/N) ∂ ln Z/∂K`、`c = (K²/N) ∂² ln Z/∂K²` の微分は、差分ではなく 2 階の前進型自動微分で
/// 丸め誤差の範囲で厳密に求める（モジュールの説明）。
///
/// # Errors
///
/// [`log_z`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::{K_C, kaufman};
///
/// // 比熱の山は格子を大きくすると高くなる（臨界点で ln L のように発散する）
/// let c = |l| kaufman::thermodynamics(l, K_C).map(|t| t.specific_heat_per_spin());
/// assert!(c(8)? < c(16)? && c(16)? < c(32)?);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn thermodynamics(side: usize, coupling: f64) -> Result<Thermodynamics> {
    check_side(side, MAX_SIDE, || Error::TooLarge {
        what: "Kaufman の式の一辺の長さ L",
        requested: side,
        max: MAX_SIDE,
    })?;
    check_coupling(coupling)?;
    let lz = log_z_jet(side, coupling);
    Thermodynamics::from_derivatives(side, coupling, lz.v, lz.d1, lz.d2)
}

/// モードによらず `K` だけで決まる量。
struct Background {
    /// `L`（`f64`）。
    l: f64,
    /// `L`（`i32`。`L ≤ MAX_SIDE < 2^31`）。
    n: i32,
    /// 低温側 `K > K_c`（`s = sinh 2K > 1`）か。
    ordered: bool,
    /// `r = min(s, 1/s)`: 高温側は `s`、低温側は `t = 1/s`。
    r: Jet,
    /// `M = w² + 2rσ` となる `w`: 高温側は `d = s − 1`、低温側は `d·t = 1 − t`。
    w: Jet,
    /// 低温側は `2 ln s`（`η` に足す）、高温側は 0。
    two_ln_s: Jet,
    /// `d = s − 1 = 2 cosh(K + K_c) sinh(K − K_c)`（`K ≤ 2` のときだけ）。
    d: Option<Jet>,
    /// `1/s`（`δ` の形を使える `1/4 ≤ s ≤ 4` のときだけ）。
    t: Option<Jet>,
    /// `e^{−2K}`。
    e2: Jet,
    /// 変数 `K`。
    k: Jet,
}

impl Background {
    fn new(side: usize, coupling: f64) -> Self {
        let k = Jet::variable(coupling);
        // K − K_c は K_c の丸めの分 K_C_LO まで含めて求める（onsager::K_C_LO）
        let ordered = distance_from_critical(coupling) > 0.0;
        let d = (coupling <= 2.0).then(|| (k + K_C).cosh() * (k + -K_C + -K_C_LO).sinh() * 2.0);
        let e2 = (k * -2.0).exp();
        let (r, w, two_ln_s, t) = if ordered {
            // 1 − e^{−4K}、t = 1/sinh 2K = 2e^{−2K}/(1 − e^{−4K})、ln s = 2K − ln 2 + ln(1 − e^{−4K})
            let one_minus = -(k * -4.0).exp_m1();
            let t = e2 * 2.0 * one_minus.recip();
            let ln_s = k * 2.0 + -LN_2 + one_minus.ln();
            let w = match d {
                Some(d) => d * t,
                None => Jet::constant(1.0) - t,
            };
            (t, w, ln_s * 2.0, (t.v >= 0.25).then_some(t))
        } else {
            let s = (k * 2.0).sinh();
            // K ≤ K_c < 2 なので d はある
            let w = d.unwrap_or(Jet::constant(-1.0));
            (s, w, Jet::constant(0.0), (s.v >= 0.25).then(|| s.recip()))
        };
        Self {
            l: side as f64,
            n: i32::try_from(side).unwrap_or(i32::MAX),
            ordered,
            r,
            w,
            two_ln_s,
            d,
            t,
            e2,
            k,
        }
    }

    /// モード `k ≠ 0`（`θ = πk/L`）の `η = γ_k + ln(2 sinh 2K)`、`q = exp(−L γ_k)` と、`η` を作る途中の量。
    fn mode(&self, k: usize) -> Mode {
        let sigma = (PI * k as f64 / (2.0 * self.l)).sin().powi(2);
        let two_sigma = 2.0 * sigma;
        let m = self.w.square() + self.r * two_sigma;
        let q_big = self.r.square() + 1.0 + self.r * two_sigma;
        let root = (m * q_big).sqrt();
        let a = (m + q_big) * 0.5 + root;
        let eta = a.ln() + LN_2 + self.two_ln_s;
        let q = match (self.d, self.t) {
            // δ = cosh γ − 1 = d²/s + 2σ ≤ 1 なら γ は小さいので、ln(1 + δ + √(δ(δ + 2))) で相対精度を保つ
            (Some(d), Some(t)) if d.v * d.v * t.v + two_sigma <= 1.0 => {
                let delta = d.square() * t + two_sigma;
                let gamma = (delta + (delta * (delta + 2.0)).sqrt()).ln_1p();
                (gamma * -self.l).exp()
            }
            // e^{−γ} = r/A を L 乗する（指数・対数を経ないので、高温で 1/K の大きさの中間量が現れない）
            _ => (self.r * a.recip()).powi(self.n),
        };
        Mode {
            m,
            q_big,
            root,
            a,
            eta,
            q,
        }
    }

    /// 隣り合うモード `2j` と `2j + 1`（`j ≥ 1`）の `η` の差 `η_{2j} − η_{2j+1} = ln(A_{2j}/A_{2j+1})`。
    ///
    /// `η` どうしを引くと `ε η` の誤差が残り、`L/2` 倍して `L` 個足すと `Λ_3 − Λ_1` に `ε L²` の程度の誤差が入る。
    /// 代わりに `σ_a − σ_b = sin(α + β) sin(α − β)`（`α = πa/2L`、`β = πb/2L`）から `Δ = 2r(σ_a − σ_b)` を作り、
    /// `M_a = M_b + Δ`、`Q_a = Q_b + Δ` を使って
    /// `A_a − A_b = Δ + Δ(M_b + Q_b + Δ)/(√(M_a Q_a) + √(M_b Q_b))` と打ち消しなしに求める。
    fn eta_difference(&self, j: usize, even: &Mode, odd: &Mode) -> Jet {
        let alpha_plus_beta = PI * (4 * j + 1) as f64 / (2.0 * self.l);
        let alpha_minus_beta = -PI / (2.0 * self.l);
        let delta = self.r * (2.0 * alpha_plus_beta.sin() * alpha_minus_beta.sin());
        let diff_a = delta + delta * (odd.m + odd.q_big + delta) * (even.root + odd.root).recip();
        (diff_a * odd.a.recip()).ln_1p()
    }

    /// モード 0 の `(η_0, q_0, v_4)`: `η_0 = |γ_0| + ln(2 sinh 2K)`、`q_0 = exp(−L|γ_0|)`、
    /// `v_4 = sgn(γ_0)(1 − q_0)`（`Z_4` の `r = 0` の因子 `2 sinh(Lγ_0/2)` を `exp(L η_0/2)` で割ったもの）。
    fn mode_zero(&self) -> (Jet, Jet, Jet) {
        let k = self.k;
        // 高温側 |γ_0| + ln 2s = 2 ln(1 + e^{−2K})、低温側 γ_0 + ln 2s = 2 ln(e^{2K} − 1)
        let eta = if self.ordered {
            (k * 2.0 + (-(k * -2.0).exp_m1()).ln()) * 2.0
        } else {
            self.e2.ln_1p() * 2.0
        };
        let (q, one_minus_q) = match self.d {
            // 臨界点の近く: γ_0 = ln(e^{2K} tanh K) = ln(1 + 2d/(1 + e^{−2K}))、1 − q_0 = −expm1(−L|γ_0|)
            Some(d) if (0.2..=1.0).contains(&k.v) => {
                let gamma0 = (d * 2.0 * (self.e2 + 1.0).recip()).ln_1p();
                let abs = if self.ordered { gamma0 } else { -gamma0 };
                let x = abs * -self.l;
                (x.exp(), -x.exp_m1())
            }
            // 臨界点から遠い（|γ_0| > 1）: e^{−|γ_0|} を閉じた形で作って L 乗する
            _ => {
                let f = if self.ordered {
                    // e^{−γ_0} = (1 + e^{−2K}) e^{−2K} / (1 − e^{−2K})
                    (self.e2 + (k * -4.0).exp()) * (-(k * -2.0).exp_m1()).recip()
                } else {
                    // e^{γ_0} = (e^{2K} − 1) / (1 + e^{−2K})
                    (k * 2.0).exp_m1() * (self.e2 + 1.0).recip()
                };
                let q = f.powi(self.n);
                (q, Jet::constant(1.0) - q)
            }
        };
        let v4 = if self.ordered {
            one_minus_q
        } else {
            -one_minus_q
        };
        (eta, q, v4)
    }
}

/// モード 1 つの量（[`Background::mode`]）。
struct Mode {
    /// `M = w² + 2rσ`。
    m: Jet,
    /// `Q = 1 + r² + 2rσ`。
    q_big: Jet,
    /// `√(MQ)`。
    root: Jet,
    /// `A = (M + Q)/2 + √(MQ)`。
    a: Jet,
    /// `η = γ + ln(2 sinh 2K)`。
    eta: Jet,
    /// `q = exp(−Lγ)`。
    q: Jet,
}

/// `ln Z` を、`K` についての値・1 階・2 階微分の組として求める（モジュールの説明の式）。
///
/// `Λ_1` は `N` の大きさの数なので、`f64` で表すだけで `ε N` の絶対誤差がある。重み `exp(Λ_i − Λ_1)` は
/// `L` の大きさの微分（`Λ_4' − Λ_1' ≈ 2L` など）と掛け合わされるので、`Λ_i` を別々に足してから引くと、
/// その誤差が比熱に `ε L²` の程度で入る。そこで差 `X_i = Λ_i − Λ_1` をモードごとの差の和として直接求める:
///
/// - `X_2 = Σ_r [ln(1 − q_{2r+1}) − ln(1 + q_{2r+1})]`
/// - `X_3 = Σ_r [(L/2)(η_{2r} − η_{2r+1}) + ln(1 + q_{2r}) − ln(1 + q_{2r+1})]`
/// - `X_4 = X_3 + Σ_{r≥1} [ln(1 − q_{2r}) − ln(1 + q_{2r})] − ln(1 + q_0)`
fn log_z_jet(side: usize, coupling: f64) -> Jet {
    let bg = Background::new(side, coupling);
    let half_l = bg.l / 2.0;
    let (eta0, q0, v4) = bg.mode_zero();
    let mut lambda1 = JetSum::new();
    let mut x2 = JetSum::new();
    let mut x3 = JetSum::new();
    let mut x43 = JetSum::new();
    x43.push(-q0.ln_1p());
    for j in 0..side {
        let odd = bg.mode(2 * j + 1);
        let log_plus_odd = odd.q.ln_1p();
        lambda1.push(odd.eta * half_l + log_plus_odd);
        x2.push((-odd.q).ln_1p() - log_plus_odd);
        if j == 0 {
            x3.push((eta0 - odd.eta) * half_l + q0.ln_1p() - log_plus_odd);
        } else {
            let even = bg.mode(2 * j);
            let log_plus_even = even.q.ln_1p();
            x3.push(bg.eta_difference(j, &even, &odd) * half_l + log_plus_even - log_plus_odd);
            x43.push((-even.q).ln_1p() - log_plus_even);
        }
    }
    let x3 = x3.total();
    let xs = [Jet::constant(0.0), x2.total(), x3, x3 + x43.total()];
    let shift = xs.iter().map(|x| x.v).fold(f64::NEG_INFINITY, f64::max);
    let mut total = Jet::constant(0.0);
    for (i, x) in xs.iter().enumerate() {
        let w = (*x + -shift).exp();
        total = total + if i == 3 { w * v4 } else { w };
    }
    lambda1.total() + (shift - LN_2) + total.ln()
}
