//! 行列の検査と分解（§2.4、§2.6、付録 A）。
//!
//! 行列は ndarray の [`Array2<f64>`](ndarray::Array2) で受け渡す。分解の計算そのものは純 Rust の
//! 線形代数ライブラリ [faer](https://docs.rs/faer) 0.24 に任せ、その出入口は `faer_bridge` の
//! 2 つの関数だけにする。ここでは入力の検査と、本で使う形（対称固有値分解・Cholesky 分解・
//! 対数行列式・逆行列）への包みを書く。検査済みの対称行列は [`SymmetricMatrix`]（§2.6 のヘッセ行列、
//! 式 (2.42)–(2.44)）、対称正定値行列は [`Spd`]（§2.4 の分散共分散行列）で持つ。
//!
//! 不正な入力の判定基準:
//!
//! - **対称でない**: `max |A_ij - A_ji| > SYMMETRY_TOLERANCE · max |A_ij|`
//!   → [`Error::NotSymmetric`]（[`SYMMETRY_TOLERANCE`]）。
//! - **正定値でない**: 対称固有値分解の最小固有値が `0` 以下 → [`Error::NotPositiveDefinite`]。
//! - **特異・条件が悪い**: 条件数 `κ = σ_max / σ_min`（特異値の比。対称正定値なら
//!   `λ_max / λ_min`）が [`MAX_CONDITION_NUMBER`] を超える → [`Error::IllConditioned`]。
//!   特異な行列は `σ_min = 0` なので `κ = ∞` として報告する。
//! - **結果が `f64` の範囲を超える**（成分が `1e-300` の行列の逆行列など）→ [`Error::Overflow`]。
//!
//! 連続でないビュー（`a.t()` や `a.slice(s![.., ..;2])`）も添字どおりに読む。

mod faer_bridge;
pub mod matcalc;
mod spd;
mod symmetric;

pub use spd::Spd;
pub use symmetric::{SymmetricEigen, SymmetricMatrix, symmetric_eigen};

use crate::error::{Error, Result, ensure_output, finite_scalar};
use crate::prec::{MAX_CONDITION_NUMBER, SYMMETRY_TOLERANCE};
use faer_bridge::{from_faer, to_faer};
use ndarray::{Array2, ArrayView2, AsArray, Ix2};

/// 正方行列であることを確かめ、次数 `n` を返す。成分が有限であることも確かめる。
///
/// # Errors
///
/// 0 次なら [`Error::EmptyInput`]、正方でなければ [`Error::DimensionMismatch`]
/// （期待 = 行数、実際 = 列数）、非有限の成分は [`Error::NonFinite`]（`index` は行優先の位置）。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::square_dim, ndarray::array, Error};
///
/// assert_eq!(square_dim(&array![[1.0, 0.0], [0.0, 1.0]])?, 2);
/// assert_eq!(
///     square_dim(&array![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
///     Err(Error::DimensionMismatch { expected: 2, actual: 3 })
/// );
/// # Ok::<(), Error>(())
/// ```
pub fn square_dim<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<usize> {
    let a: ArrayView2<'a, f64> = a.into();
    let n = a.nrows();
    if n == 0 {
        return Err(Error::EmptyInput);
    }
    if a.ncols() != n {
        return Err(Error::DimensionMismatch {
            expected: n,
            actual: a.ncols(),
        });
    }
    crate::error::ensure_finite("行列", a.iter().copied())?;
    Ok(n)
}

/// 対称行列であることを確かめる（判定基準は [`SYMMETRY_TOLERANCE`]）。
///
/// # Errors
///
/// [`square_dim`] の誤りに加えて、対称でなければ [`Error::NotSymmetric`]。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::ensure_symmetric, ndarray::array, Error};
///
/// assert!(ensure_symmetric(&array![[2.0, 1.0], [1.0, 3.0]]).is_ok());
/// assert_eq!(
///     ensure_symmetric(&array![[2.0, 1.0], [0.5, 3.0]]),
///     Err(Error::NotSymmetric { max_asymmetry: 0.5 })
/// );
/// # Ok::<(), Error>(())
/// ```
pub fn ensure_symmetric<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<()> {
    let a: ArrayView2<'a, f64> = a.into();
    square_dim(a)?;
    let max_abs = a.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let max_asymmetry = a
        .indexed_iter()
        .fold(0.0_f64, |m, ((i, j), v)| m.max((v - a[[j, i]]).abs()));
    if max_asymmetry > SYMMETRY_TOLERANCE * max_abs {
        return Err(Error::NotSymmetric { max_asymmetry });
    }
    Ok(())
}

/// 行列式 `det A`（LU 分解による）。
///
/// 特異な行列でも誤りにはせず `0` に近い値を返す（行列式そのものは特異でも定義される）。
///
/// # Errors
///
/// [`square_dim`] の誤りに加えて、`|det A|` が `f64` の範囲を超えれば [`Error::Overflow`]
/// （対称正定値なら [`Spd::ln_det`] で対数を求められる）。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::determinant, ndarray::array, Error};
///
/// assert!((determinant(&array![[1.0, 2.0], [3.0, 4.0]])? - (-2.0)).abs() < 1e-14);
/// assert!(determinant(&array![[1.0, 2.0]]).is_err());
/// assert!(matches!(determinant(&array![[1e200, 0.0], [0.0, 1e200]]), Err(Error::Overflow { .. })));
/// // 対角の積の途中（1e300 · 1e300 = 1e600）があふれても、行列式 1e300 は表せる
/// let d = determinant(&array![[1e300, 0.0, 0.0], [0.0, 1e300, 0.0], [0.0, 0.0, 1e-300]])?;
/// assert!((d - 1e300).abs() < 1e288);
/// # Ok::<(), Error>(())
/// ```
pub fn determinant<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<f64> {
    let a: ArrayView2<'a, f64> = a.into();
    let n = square_dim(a)?;
    let d = to_faer(a).determinant();
    if d.is_finite() {
        return Ok(d);
    }
    // 対角の積の途中であふれた・0 に丸まった: LU の対角の対数の和で求める（積を作らない）
    let (sign, ln_abs) = signed_ln_det(a);
    if sign == 0.0 {
        return Ok(0.0);
    }
    if ln_abs.is_finite() {
        return finite_scalar("行列式", sign * ln_abs.exp());
    }
    // ピボットが 0 の列で 0/0 が生じた（特異な行列）なら行列式は 0
    if ln_abs.is_nan() && condition_number(a)? == f64::INFINITY {
        return Ok(0.0);
    }
    // 消去の途中で U があふれた: 2 の冪 c で割ってから分解し、ln|det A| = ln|det(A/c)| + n ln c と戻す
    let c = pow2_scale(a);
    let (sign, ln_scaled) = signed_ln_det(a.mapv(|v| v / c).view());
    if sign == 0.0 {
        return Ok(0.0);
    }
    finite_scalar("行列式", sign * (ln_scaled + n as f64 * c.ln()).exp())
}

/// 部分ピボットのガウスの消去法で、`det A` の符号と `ln |det A|` を求める
/// （`det A = sign(P) Π u_kk`。積を作らないので途中であふれず、割り算は逆数を掛けずに行うので
/// 非正規化数のピボットでも桁を失わない）。ピボットが 0 なら符号 0、消去の途中で NaN が生じたら両方 NaN。
/// 行列式が有限にならないときの後備えで、普段の経路（faer の LU）は使わない。
fn signed_ln_det(a: ArrayView2<'_, f64>) -> (f64, f64) {
    let n = a.nrows();
    let mut m = a.to_owned();
    let mut sign = 1.0;
    let mut ln_abs = 0.0;
    for k in 0..n {
        let p = (k..n)
            .max_by(|&i, &j| m[[i, k]].abs().total_cmp(&m[[j, k]].abs()))
            .unwrap_or(k);
        let pivot = m[[p, k]];
        if pivot.is_nan() {
            return (f64::NAN, f64::NAN);
        }
        if pivot == 0.0 {
            return (0.0, f64::NEG_INFINITY);
        }
        if p != k {
            for j in 0..n {
                m.swap([p, j], [k, j]);
            }
            sign = -sign;
        }
        sign *= pivot.signum();
        ln_abs += pivot.abs().ln();
        for i in k + 1..n {
            let l = m[[i, k]] / pivot;
            for j in k + 1..n {
                m[[i, j]] -= l * m[[k, j]];
            }
        }
    }
    (sign, ln_abs)
}

/// 条件数 `κ = σ_max / σ_min`（2 ノルムの条件数。特異なら `∞`）。
///
/// # Errors
///
/// [`square_dim`] の誤り。特異値分解が収束しなければ [`Error::IllConditioned`]（`κ = ∞`）。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::condition_number, ndarray::array};
///
/// assert!((condition_number(&array![[4.0, 0.0], [0.0, 0.5]])? - 8.0).abs() < 1e-12);
/// assert_eq!(condition_number(&array![[1.0, 2.0], [2.0, 4.0]])?, f64::INFINITY);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn condition_number<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<f64> {
    let a: ArrayView2<'a, f64> = a.into();
    square_dim(a)?;
    // κ は定数倍によらないので、成分が大きすぎ・小さすぎるときは 2 の冪で割ってから特異値を求める
    let c = pow2_scale(a);
    let s = to_faer(a.mapv(|v| v / c).view())
        .singular_values()
        .map_err(|_| ill_conditioned(f64::INFINITY))?;
    let (max, min) = (s[0], s[s.len() - 1]);
    // 特異値の計算は相対 ε 程度の誤差を持つので、σ_min ≤ ε σ_max は 0 とみなす。
    // 0 行列（σ_max = 0）もここで特異とする
    if min <= f64::EPSILON * max || max == 0.0 {
        return Ok(f64::INFINITY);
    }
    Ok(max / min)
}

/// 一般の正方行列の逆行列 `A⁻¹`（付録 A の式 (A.7)）。
///
/// # Errors
///
/// [`square_dim`] の誤りに加えて、条件数が [`MAX_CONDITION_NUMBER`] を超える
/// （特異を含む）と [`Error::IllConditioned`]、成分が `f64` の範囲を超えれば [`Error::Overflow`]。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::inverse, ndarray::array, Error};
///
/// let inv = inverse(&array![[2.0, 1.0], [0.0, 4.0]])?;
/// assert!((inv[[0, 1]] - (-0.125)).abs() < 1e-15);
/// assert!(matches!(inverse(&array![[1.0, 2.0], [2.0, 4.0]]), Err(Error::IllConditioned { .. })));
/// assert!(matches!(inverse(&array![[1e-320]]), Err(Error::Overflow { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn inverse<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
    let a: ArrayView2<'a, f64> = a.into();
    let condition = condition_number(a)?;
    if condition > MAX_CONDITION_NUMBER {
        return Err(ill_conditioned(condition));
    }
    use faer::linalg::solvers::DenseSolveCore;
    // (A/c)⁻¹ / c = A⁻¹（c は 2 の冪なので割り算で丸めは起きない。途中のあふれを防ぐ）
    let c = pow2_scale(a);
    let inv = from_faer(
        to_faer(a.mapv(|v| v / c).view())
            .partial_piv_lu()
            .inverse()
            .as_ref(),
    );
    ensure_output("逆行列", inv.mapv(|v| v / c))
}

/// 成分の大きさが極端（最大の絶対値が `2^±500` の外）なときに割る 2 の冪。そうでなければ 1。
///
/// 2 の冪で割っても仮数は変わらないので、非正規化数になる成分を除いて丸めは起きない。
/// 普通の大きさの行列では 1 を返し、分解の結果を 1 ビットも変えない。
fn pow2_scale(a: ArrayView2<'_, f64>) -> f64 {
    let m = a.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if m == 0.0 || !m.is_finite() {
        return 1.0;
    }
    // log2(f64::MAX) は 1024.0 に丸まるので、表せる 2 の冪の範囲に収める
    let e = m.log2().floor().clamp(-1074.0, 1023.0);
    if e.abs() <= 500.0 {
        1.0
    } else {
        // powi(-1064) は途中の 2^1064 があふれて 0 になるので powf を使う（2 の冪は正確に表せる）
        2f64.powf(e)
    }
}

fn ill_conditioned(condition: f64) -> Error {
    Error::IllConditioned {
        condition,
        limit: MAX_CONDITION_NUMBER,
    }
}
